"""Is a pair of versions one capture of the page completed by another?

The labelling guide (docs/labelling.md, B13) calls a capture that missed part of the page,
completed by a later one, a capture fix, not a policy change. The evidence has to be strong,
because a policy that really adds or drops a section is material (B11): here, one side is
the other minus a block at the very top of the page, and that block holds the page's own
title, which the shorter capture lacks altogether (it starts in the middle of the page).

A capture that holds only part of the page (`partial_capture`): the shorter side is the
longer one, word for word, with a block or two of clauses missing, and what is missing
reads as what a capture misses, not what an editor removes: most of the page (cut off
after the introduction, tabs or accordion panels the capture did not get, while the policy's
own date stays the same), or the page's head with its title (the capture starts mid-page,
after the navigation). A policy that drops a section keeps the rest of the page, title and
most of its text; it stays a removal (B11).

Also here, as they are judged on the same evidence (one block of clauses removed, nothing
else material): the page that stops showing the previous version of the policy below the
one in force (B16: the reader was shown the new text already), and a separate notice that
was appended to the page (a cookie notice, a state supplement) dropped from it while the
policy still points to that notice (B14: the text moved out, the practice did not change).

Pure; one pass over the changes.
"""

from __future__ import annotations

import operator
import re

from monitor.diff import ClauseChange
from monitor.model import Clause, PolicyDocument
from monitor.policyness import evidence

# The shorter capture must still hold most of the page: a stub grown into a policy is not
# a capture completed.
_MAX_MISSED_SHARE = 0.5


def missed_top(changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument) -> str | None:
    """ "old" or "new": the side whose capture misses the top of the page, when that is all
    that differs; else None."""
    kinds = {c.kind for c in changes}
    if kinds == {"added"}:
        side, longer, shorter = "old", new, old
        where = sorted(c.new_index for c in changes if c.new_index is not None)
    elif kinds == {"removed"}:
        side, longer, shorter = "new", old, new
        where = sorted(c.old_index for c in changes if c.old_index is not None)
    else:
        return None
    k = len(where)
    if not k or len(where) != len(changes) or where != list(range(k)):
        return None
    if k > _MAX_MISSED_SHARE * len(longer.clauses) or len(shorter.clauses) + k != len(
        longer.clauses
    ):
        return None
    top = longer.clauses[0]
    if shorter.title or not longer.title or top.kind != "heading" or top.text != longer.title:
        return None
    return side


# What a partial capture misses: more than this share of the page's words. A policy edit
# that drops sections keeps most of the page; a capture cut off after its introduction, or
# without the panels that hold the per-product notices, does not.
_MISSING_SHARE = 0.5
# At most this many runs of clauses missing: head and tail (navigation and footer around
# the part captured), or one block in the middle. More runs is an edit, not a capture.
_MAX_MISSING_RUNS = 2
_WORD = re.compile(r"\w+")


def partial_capture(
    old: PolicyDocument,
    new: PolicyDocument,
    alike: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[str, str] | None:
    """(side, why) when one capture holds only part of the page the other holds: the
    shorter is the longer word for word with at most two runs of clauses missing, and the
    missing part is most of the page (with the policy's date, where both state one, the
    same), or the head of the page with its title. Else None.

    ``alike`` holds (old index, new index) of clauses that differ only by edits judged
    not material (a contact detail, a typo): they count as the same clause. A capture
    that missed most of the page is no less partial because the part it holds had its
    postal address changed; an edit judged material still breaks the match."""
    if len(new.clauses) < len(old.clauses):
        side, short, long = "new", new, old
    elif len(old.clauses) < len(new.clauses):
        side, short, long = "old", old, new
    else:
        return None
    short_keys, long_keys = [c.key for c in short.clauses], [c.key for c in long.clauses]
    for i, j in alike:
        s_at, l_at = (j, i) if side == "new" else (i, j)
        if s_at < len(short_keys) and l_at < len(long_keys):
            short_keys[s_at] = long_keys[l_at]
    # The page may end mid-sentence: the shorter side's last clause is the start of the
    # longer side's clause at that place, everything before it the same.
    last = len(short_keys) - 1
    mid_clause = (
        last >= 0
        and short_keys[:last] == long_keys[:last]
        and short_keys[last] != long_keys[last]
        and long_keys[last].startswith(short_keys[last])
    )
    runs = [(last, len(long_keys))] if mid_clause else _missing_runs(short_keys, long_keys)
    if runs is None or not 0 < len(runs) <= _MAX_MISSING_RUNS:
        return None
    missing = [c for a, b in runs for c in long.clauses[a:b]]
    lost = _words(missing) - (_words(short.clauses[last:]) if mid_clause else 0)
    share = lost / max(1, _words(long.clauses))
    undated = old.effective_date is None or new.effective_date is None
    if share > _MISSING_SHARE and (undated or old.effective_date == new.effective_date):
        a, b = max(runs, key=lambda r: _words(long.clauses[r[0] : r[1]]))
        where = (
            f"stops mid-sentence, at “{_label(short.clauses[last], tail=True)}”"
            if mid_clause
            else f"stops after “{_label(long.clauses[a - 1])}”"
            if b == len(long.clauses) and a
            else f"misses {b - a} clauses from “{_label(long.clauses[a])}” on"
        )
        same = "" if undated else ", the policy's date the same"
        return side, (
            f"the {side} capture {where}: {round(100 * share)} % of the page's words are"
            f" missing from it while the rest is word for word the same{same}"
        )
    head = runs[0]
    if not mid_clause and head[0] == 0 and evidence(long).titled and not evidence(short).titled:
        return side, (
            f"the {side} capture starts mid-page, at “{_label(short.clauses[0])}”, without the"
            f" page's title and the {head[1]} clauses before it; the rest is word for word the same"
        )
    return None


def _missing_runs(short: list[str], long: list[str]) -> list[tuple[int, int]] | None:
    """The one or two runs [a, b) of clauses of `long` that `short` lacks, when `short` is
    `long` with those runs left out and nothing else changed; else None."""
    n, m = len(short), len(long)
    p = 0
    while p < n and short[p] == long[p]:
        p += 1
    s = 0
    while s < n - p and short[n - 1 - s] == long[m - 1 - s]:
        s += 1
    if p + s == n:
        return [(p, m - s)]
    # Two runs: the part of `short` between its common head and tail sits whole in `long`,
    # with clauses missing on both sides of it.
    mid = short[p : n - s]
    for q in range(p + 1, m - s - len(mid)):
        if long[q : q + len(mid)] == mid:
            return [(p, q), (q + len(mid), m - s)]
    return None


def _words(clauses: list[Clause] | tuple[Clause, ...]) -> int:
    return sum(len(_WORD.findall(c.key)) for c in clauses)


def _label(clause: Clause, *, tail: bool = False) -> str:
    text = " ".join(clause.text.split())
    if len(text) <= 60:
        return text
    return "…" + text[-57:].lstrip() if tail else text[:57].rstrip() + "…"


# The heading or opening line of an older version kept on the page below the one in force:
# "Previous privacy policy (published on 12 September 2025 and effective for existing users
# until 30 May 2026)".
_SUPERSEDED = re.compile(
    r"\b(?:previous|prior|former|archived|superseded|old)\s+(?:version\s+of\s+(?:the|our|this)\s+)?"
    r"(?:privacy\s+)?(?:policy|notice|statement|version)\b",
    re.IGNORECASE,
)
_SUPERSEDED_MIN_CLAUSES = 5
_SUPERSEDED_OPENING = 3


def superseded_dropped(changes: list[ClauseChange]) -> bool:
    """All that differs is one block of clauses removed, which opens by calling itself the
    previous version of the policy: the page stopped showing the superseded text (B16)."""
    if not changes or any(c.kind != "removed" or c.old_index is None for c in changes):
        return False
    where = sorted(c.old_index for c in changes if c.old_index is not None)
    if len(where) < _SUPERSEDED_MIN_CLAUSES or where != list(
        range(where[0], where[0] + len(where))
    ):
        return False
    opening = sorted(changes, key=lambda c: c.old_index or 0)[:_SUPERSEDED_OPENING]
    return any(_SUPERSEDED.search(c.old or "") for c in opening)


# A capture that holds the page twice (the page's text repeated by a script or a print
# view): the second copy starts near the middle and matches the first clause for clause.
_COPY_MIN_CLAUSES = 10
_COPY_SHIFT = 5
_COPY_MATCH = 0.9


def second_copy(doc: PolicyDocument) -> int | None:
    """Where the second copy starts when the capture holds the page twice, else None."""
    keys = [c.key for c in doc.clauses]
    n = len(keys)
    if n < 2 * _COPY_MIN_CLAUSES:
        return None
    shifts = range(n // 2 - _COPY_SHIFT, n // 2 + _COPY_SHIFT + 1)
    # Each clause matched at a shift is a key met again further down, so no shift matches
    # more clauses than the keys repeated: with fewer than the least share asked (at the
    # shift farthest from the middle), no shift can match (a 10,000-clause version is
    # spared its 11 passes of 5,000 comparisons).
    if n - len(set(keys)) < _COPY_MATCH * min(shifts[0], n - shifts[-1]):
        return None
    best, start = 0, None
    for h in shifts:
        same = sum(map(operator.eq, keys[:h], keys[h:]))
        if same > best:
            best, start = same, h
    if start is None or best < _COPY_MATCH * min(start, n - start):
        return None
    return start


def copies_of_the_page(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> set[int]:
    """Positions in ``changes`` of the clauses that come or go only as a second copy of the
    page in one capture: added in a new capture that holds the page twice (or removed from
    an old one that did), each a clause the first copy already holds."""
    out: set[int] = set()
    for side, doc in (("added", new), ("removed", old)):
        start = second_copy(doc)
        if start is None:
            continue
        where = {
            k: at
            for k, c in enumerate(changes)
            if c.kind == side
            and (at := c.new_index if side == "added" else c.old_index) is not None
        }
        # The copy of each clause that the other version also holds: the diff may pair
        # the single copy of the other version with either copy of this one, so the
        # clauses that come or go may be those of the first copy as well as the second.
        # A clause new to both copies comes twice and has no kept copy: it stays.
        changed = set(where.values())
        kept: dict[bool, set[str]] = {True: set(), False: set()}
        for i, c in enumerate(doc.clauses):
            if i not in changed:
                kept[i >= start].add(c.key)
        for k, at in where.items():
            if doc.clauses[at].key in kept[at < start]:
                out.add(k)
    return out
