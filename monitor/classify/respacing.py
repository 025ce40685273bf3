"""Edits that are only the extraction re-spacing or regrouping the same characters.

A page re-extracted (a PDF read again, a page whose markup changed) can come back with its
line breaks turned into paragraph breaks or taken out, and words glued together or split
apart: "how we\\n\\ncollect" becomes "how wecollect", "ou r" becomes "our". The clause diff
then sees clauses split, merged and edited, and a removed fragment reads as a removed
practice. Such an edit changes no character of the text once spaces are taken out.

The test, one stretch of edits at a time (the clauses between two clauses the diff kept
unchanged): the old and the new clauses of the stretch as one stream of characters without
any whitespace (clause breaks are whitespace too). Equal streams: every edit of the stretch
is a re-spacing. Otherwise, aligned by diff-match-patch, an edit is a re-spacing when every
clause it touches, on either side, lies in an unchanged part of that alignment: its
characters stand, in order and with nothing inserted between them, on the other side too.
Any change of a character (a word, a digit, a negation) inside an edit leaves it as it
was judged.

Pure.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from itertools import pairwise

import fast_diff_match_patch

from monitor.diff import ClauseChange
from monitor.model import PolicyDocument

_SPACE = re.compile(r"\s+")
# The alignment is exact (no time limit, so a verdict never depends on the machine's
# speed) and costs about (length × characters changed); it is run only inside one stretch
# of edits between two unchanged clauses, and only on stretches up to this many characters.
MAX_STRETCH_CHARS = 20_000


def respaced(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """`changes` with every material edit that only re-spaces or regroups the same
    characters made not material, its reason saying so."""
    candidates = [
        k
        for k, c in enumerate(changes)
        if c.material and (c.old_index is not None or c.new_index is not None)
    ]
    if not candidates:
        return changes
    stretches = _stretches(changes, old, new)
    if stretches is None:
        return changes
    out = list(changes)
    for k in candidates:
        c = changes[k]
        stretch = stretches.get(("old", c.old_index)) or stretches.get(("new", c.new_index))
        if stretch is None or not stretch.holds(c):
            continue
        out[k] = replace(
            c,
            material=False,
            reason=f"{c.reason}; the same characters as before, re-spaced or regrouped by"
            " extraction (words glued or split, lines broken differently), not a policy change",
            rule="capture",
            strength=0.0,
        )
    return out


class _Stretch:
    """The clauses between two unchanged ones, old and new side: whether an edit in it
    touches only characters that stand, unchanged and in order, on the other side."""

    def __init__(self, old: PolicyDocument, new: PolicyDocument, a: range, b: range) -> None:
        self.a, self.b = a, b
        self.old_spans, self.old_stream = _stream(old, a)
        self.new_spans, self.new_stream = _stream(new, b)
        self.equal = self.old_stream == self.new_stream
        self.aligns = (
            not self.equal and len(self.old_stream) + len(self.new_stream) <= MAX_STRETCH_CHARS
        )
        self._dirty: tuple[_Dirty, _Dirty] | None = None

    def holds(self, c: ClauseChange) -> bool:
        if self.equal:
            return True
        if not self.aligns:
            return False
        spans = []
        i, j = c.old_index, c.new_index
        if c.kind in ("modified", "removed", "moved") and i is not None and i in self.a:
            spans.append((0, self.old_spans[i - self.a.start]))
        if c.kind in ("modified", "added", "moved") and j is not None and j in self.b:
            spans.append((1, self.new_spans[j - self.b.start]))
        if not spans:
            return False
        # A clean span's characters stand, contiguous and in order, in the other stream, so
        # one that is not a substring of it cannot be clean: in a large rewrite almost every
        # edit fails this test, and the exact alignment (most of the cost of a rewrite's
        # comparison) is then never run.
        streams = (self.old_stream, self.new_stream)
        if any(streams[side][s:e] not in streams[1 - side] for side, (s, e) in spans):
            return False
        if self._dirty is None:
            self._dirty = _dirty(self.old_stream, self.new_stream)
        return all(_clean(span, self._dirty[side]) for side, span in spans)


def _stretches(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> dict[tuple[str, int | None], _Stretch] | None:
    """Each changed clause's stretch, keyed ("old", index) and ("new", index); None when
    the clauses no change names do not pair up one to one, equal (then the diff's edits are
    not all located, and nothing is claimed)."""
    changed_old = {c.old_index for c in changes if c.old_index is not None}
    changed_new = {c.new_index for c in changes if c.new_index is not None}
    kept_old = [i for i in range(len(old.clauses)) if i not in changed_old]
    kept_new = [j for j in range(len(new.clauses)) if j not in changed_new]
    if len(kept_old) != len(kept_new) or any(
        old.clauses[i].key != new.clauses[j].key for i, j in zip(kept_old, kept_new, strict=True)
    ):
        return None
    anchors = [
        (-1, -1),
        *zip(kept_old, kept_new, strict=True),
        (len(old.clauses), len(new.clauses)),
    ]
    out: dict[tuple[str, int | None], _Stretch] = {}
    for (i0, j0), (i1, j1) in pairwise(anchors):
        if i1 - i0 > 1 or j1 - j0 > 1:
            stretch = _Stretch(old, new, range(i0 + 1, i1), range(j0 + 1, j1))
            out.update({("old", i): stretch for i in stretch.a})
            out.update({("new", j): stretch for j in stretch.b})
    return out


def _stream(doc: PolicyDocument, where: range) -> tuple[list[tuple[int, int]], str]:
    """Each clause's [start, end) in the clauses' text without whitespace, and that text."""
    spans, parts, at = [], [], 0
    for k in where:
        part = _SPACE.sub("", doc.clauses[k].key)
        spans.append((at, at + len(part)))
        parts.append(part)
        at += len(part)
    return spans, "".join(parts)


class _Dirty:
    """Where one stream's alignment is not unchanged: its deleted (or inserted) stretches,
    and the points where the other stream has characters inserted."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)


def _dirty(a: str, b: str) -> tuple[_Dirty, _Dirty]:
    ops = fast_diff_match_patch.diff(
        a, b, timelimit=0, checklines=False, cleanup="No", counts_only=True
    )
    da, db = _Dirty(), _Dirty()
    i = j = 0
    for op, n in ops:
        if op == "=":
            i += n
            j += n
        elif op == "-":
            da.add(i, i + n)
            db.add(j, j)  # the other stream: a point where characters went missing
            i += n
        else:
            db.add(j, j + n)
            da.add(i, i)
            j += n
    return da, db


def _clean(span: tuple[int, int], dirty: _Dirty) -> bool:
    """Whether no changed stretch overlaps [start, end) and no change point lies strictly
    inside it (an empty clause is never called clean)."""
    start, end = span
    if start == end:
        return False
    # Stretches come in stream order; the first one that ends after `start` decides.
    k = bisect_left(dirty.ends, start + 1)
    while k < len(dirty.starts) and dirty.starts[k] <= end:
        s, e = dirty.starts[k], dirty.ends[k]
        if (s < end and e > start) if s < e else start < s < end:
            return False
        k += 1
    return True
