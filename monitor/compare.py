"""Compare two versions: diff, then judgment, then one verdict for the whole change.

``compare`` is what the store, the feed and the CLI call; it is pure.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from monitor.classify import classify_changes, toc_keys
from monitor.classify.capture import (
    copies_of_the_page,
    missed_top,
    partial_capture,
    superseded_dropped,
)
from monitor.classify.categories import CATEGORY_SLUGS
from monitor.classify.lexicon import practice_categories
from monitor.classify.locale import language_switch, locale_switch
from monitor.classify.respacing import respaced
from monitor.classify.verdict import STRONG
from monitor.diff import ClauseChange, diff_clauses, word_ops
from monitor.diff.align import REWRITE_MIN_CLAUSES
from monitor.diff.change import ChangeKind
from monitor.model import PolicyDocument
from monitor.policyness import not_policy
from monitor.textnorm import identity_key

_SUMMARY_REASONS = 4


@dataclass(slots=True)
class VersionInfo:
    title: str | None
    effective_date: date | None
    clauses: int

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "clauses": self.clauses,
        }

    @classmethod
    def from_dict(cls, d: dict) -> VersionInfo:
        eff = d.get("effective_date")
        return cls(d.get("title"), date.fromisoformat(eff) if eff else None, int(d["clauses"]))

    @classmethod
    def of(cls, doc: PolicyDocument) -> VersionInfo:
        return cls(doc.title, doc.effective_date, len(doc.clauses))


@dataclass(slots=True)
class Comparison:
    """The judged difference between two versions (DESIGN.md's "change")."""

    material: bool
    score: float
    summary: str
    rewrite: bool
    changes: list[ClauseChange]
    old: VersionInfo
    new: VersionInfo
    categories: list[str] = field(default_factory=list)

    @property
    def material_changes(self) -> list[ClauseChange]:
        return [c for c in self.changes if c.material]

    def to_dict(self) -> dict:
        """Exactly the JSON of `clausewatch diff` in DESIGN.md."""
        return {
            "material": self.material,
            "score": self.score,
            "summary": self.summary,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
        }

    def to_detail_dict(self) -> dict:
        """to_dict plus what the diff viewer needs: word-level ops and section paths."""
        d = self.to_dict()
        d["rewrite"] = self.rewrite
        d["categories"] = list(self.categories)
        d["changes"] = [c.to_detail_dict() for c in self.changes]
        return d

    @classmethod
    def from_detail_dict(cls, d: dict) -> Comparison:
        changes = [ClauseChange.from_detail_dict(c) for c in d["changes"]]
        return cls(
            material=bool(d["material"]),
            score=float(d["score"]),
            summary=d["summary"],
            rewrite=bool(d.get("rewrite", False)),
            changes=changes,
            old=VersionInfo.from_dict(d["old"]),
            new=VersionInfo.from_dict(d["new"]),
            categories=list(d.get("categories", _union_categories(changes))),
        )


def _union_categories(changes: list[ClauseChange]) -> list[str]:
    found = {c for ch in changes if ch.material for c in ch.categories}
    return [s for s in CATEGORY_SLUGS if s in found]


def _score(changes: list[ClauseChange]) -> float:
    """0..1; at least 0.5 exactly when something is material."""
    material = [c for c in changes if c.material]
    if not material:
        return round(min(0.3, 0.03 * len(changes)), 3)
    # From each change's structured verdict (monitor.classify.verdict), not its wording.
    weight = sum(c.strength for c in material)
    return round(0.5 + 0.5 * (1 - math.exp(-weight / 3)), 3)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# Where a cosmetic reason's kind ends: before its detail in brackets, after a colon, or
# before where a clause moved from.
_KIND_END = re.compile(r" \(|:| from ")
_QUOTED = re.compile(r"“[^”]*”?")


def _kind_of(reason: str) -> str:
    """What a cosmetic reason says was done, without its detail ("moves the clause from
    “A” to “B”" -> "moves the clause"). A quotation is kept whole or not at all: a colon
    inside it ("adds “Party name: Adyen”") is not the end of the kind, and the kind never
    ends inside an open quotation mark."""
    at = 0
    while (end := _KIND_END.search(reason, at)) is not None:
        quote = _QUOTED.search(reason, at)
        if quote is None or quote.start() >= end.start():
            return reason[: end.start()]
        at = quote.end()
    return reason


def _summary(changes: list[ClauseChange], rewrite: bool) -> str:
    if not changes:
        return "No change: the two versions say the same thing."
    material = [c for c in changes if c.material]
    if rewrite:
        detail = changes[0].reason.removeprefix("rewrites the policy: ")
        return f"The policy was rewritten: {detail}."
    other = len(changes) - len(material)
    if not material:
        kinds = sorted({_kind_of(c.reason) for c in changes})
        return (
            f"No material change: {_plural(len(changes), 'edit')} that "
            f"{'does' if len(changes) == 1 else 'do'} not change what the policy says ({'; '.join(kinds[:3])}{'; …' if len(kinds) > 3 else ''})."
        )
    # The same edit made in several clauses is one thing to read, said once with its count.
    reasons = Counter(c.reason for c in material)
    shown = "; ".join(
        reason if n == 1 else f"{reason} (in {n} clauses)"
        for reason, n in list(reasons.items())[:_SUMMARY_REASONS]
    )
    more = len(reasons) - _SUMMARY_REASONS
    text = (
        f"{len(material)} of {_plural(len(changes), 'change')} "
        f"{'is' if len(material) == 1 else 'are'} material: {shown}"
    )
    if more > 0:
        text += f"; and {more} more {'kind' if more == 1 else 'kinds'} of material change"
    text += "."
    if other:
        text += (
            " The other one is cosmetic or carries no data practice."
            if other == 1
            else f" The other {other} are cosmetic or carry no data practice."
        )
    return text


def _rewrite_change(old: PolicyDocument, new: PolicyDocument, kept: int) -> ClauseChange:
    cats = [
        s
        for s in CATEGORY_SLUGS
        if s in set(practice_categories(" ".join(c.text for c in new.body)))
    ]
    reason = (
        f"rewrites the policy: {kept} of {len(new.body)} clauses kept as they were; the new text "
        f"covers {', '.join(cats) or 'no recognised data practice'}"
    )
    return ClauseChange(
        kind="modified",
        section="",
        old="\n\n".join(c.text for c in old.clauses),
        new="\n\n".join(c.text for c in new.clauses),
        clause_kind="paragraph",
        material=True,
        categories=cats or ["other"],
        reason=reason,
        rule="rewrite",
        strength=STRONG,
    )


def same_text(old: PolicyDocument, new: PolicyDocument) -> bool:
    """Whether two documents are one version: the identity monitor.record stores by."""
    return _identity(old) == _identity(new)


@lru_cache(maxsize=4)
def _identity(doc: PolicyDocument) -> str:
    # Cached: along a history each version is compared twice, once on each side, and its
    # identity is the whole text masked and joined (a 10,000-clause version: 50 ms even
    # when every clause's part is found done).
    return identity_key(doc.clauses)


def _relaid_change(old: PolicyDocument, new: PolicyDocument) -> ClauseChange:
    """The clauses between the common first and last ones, as one edit: what differs when
    the clause diff saw only a reflow (punctuation inside regrouped paragraphs, a repeated
    sentence dropped), so that texts of two versions are never called the same."""
    a, b = old.clauses, new.clauses
    head = 0
    while head < min(len(a), len(b)) and a[head].key == b[head].key:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail].key == b[-1 - tail].key:
        tail += 1
    a, b = a[head : len(a) - tail], b[head : len(b) - tail]
    old_text = "\n\n".join(c.text for c in a) or None
    new_text = "\n\n".join(c.text for c in b) or None
    kind: ChangeKind = "modified" if old_text and new_text else "added" if new_text else "removed"
    where = (b or a)[0]
    return ClauseChange(
        kind=kind,
        section=where.section_path,
        old=old_text,
        new=new_text,
        old_section=a[0].section_path if a else None,
        new_section=b[0].section_path if b else None,
        clause_kind=where.kind,
        word_ops=word_ops(old_text or "", new_text or "") if kind == "modified" else [],
    )


def compare(old: PolicyDocument, new: PolicyDocument) -> Comparison:
    """Diff two versions clause by clause and judge the changes.

    No change is reported exactly when the two are one version (`same_text`).
    """
    if same_text(old, new):
        return _judged([], False, old, new)
    diff = diff_clauses(old.clauses, new.clauses)
    toc = toc_keys(old) | toc_keys(new)
    if diff.rewrite:
        changed = {c.new_index for c in diff.changes if c.kind in ("added", "modified")}
        kept = sum(1 for j, c in enumerate(new.clauses) if c.kind != "heading" and j not in changed)
        changes = [_rewrite_change(old, new, kept)]
    else:
        changes = classify_changes(diff.changes, toc, old, new)
    if not changes:
        changes = classify_changes([_relaid_change(old, new)], toc, old, new)
    return _judged(_capture_artefacts(changes, old, new, diff.rewrite), diff.rewrite, old, new)


_LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
_LANGUAGE_NAMES |= {"it": "Italian", "nl": "Dutch", "pt": "Portuguese"}


def _capture_artefacts(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument, rewrite: bool = False
) -> list[ClauseChange]:
    """The same page captured in another language or locale, a capture that missed the
    top of the page or holds only part of it, a notice appended to the page moved out, or a
    capture that is not the policy at all, is not a policy change (docs/labelling.md, B13,
    B14): its edits are kept for reading, none of them material. Otherwise the edits that
    only re-space the same characters are (docs/judgment.md)."""
    if not any(c.material for c in changes):
        return changes
    if copies := copies_of_the_page(changes, old, new):
        twice = "a capture that holds the page twice: the same clause again in its second copy"
        changes = [
            _as_capture(c, twice) if k in copies and c.material else c
            for k, c in enumerate(changes)
        ]
        if not any(c.material for c in changes):
            return changes
    if language_switch(old, new):
        names = [_LANGUAGE_NAMES.get(x or "", x or "?") for x in (old.language, new.language)]
        why = f"the same page captured in another language ({names[0]} → {names[1]})"
    elif switch := locale_switch(changes):
        why = f"the same page captured in another locale ({switch})"
    elif side := missed_top(changes, old, new):
        why = f"a capture completed: the {side} capture misses the top of the page"
    elif superseded_dropped(changes):
        why = "the previous version of the policy no longer shown below the one in force"
    elif partial := partial_capture(old, new, _alike(changes)):
        side, how = partial
        why = f"a partial capture{' completed' if side == 'old' else ''}: {how}"
    elif (rewrite or _nothing_kept(old, new)) and (wrong := _wrong_page(old, new)):
        why = wrong
    else:
        # Not the whole pair: some of its edits may be only the extraction re-spacing text.
        return respaced(changes, old, new)
    return [_as_capture(c, why) if c.material else c for c in changes]


def _alike(changes: list[ClauseChange]) -> frozenset[tuple[int, int]]:
    """(old index, new index) of the clauses edited in ways judged not material."""
    return frozenset(
        (c.old_index, c.new_index)
        for c in changes
        if c.kind == "modified"
        and not c.material
        and c.old_index is not None
        and c.new_index is not None
    )


def _as_capture(change: ClauseChange, why: str) -> ClauseChange:
    """A material change that is part of a capture problem, not of the policy: kept for
    reading, not material."""
    return replace(
        change,
        material=False,
        reason=f"{change.reason}; part of {why}, not a policy change",
        rule="capture",
        strength=0.0,
    )


def _nothing_kept(old: PolicyDocument, new: PolicyDocument) -> bool:
    """One side too short for the diff to call a rewrite (a one-clause shop page), the
    other long enough, and no clause of one found unchanged in the other: a capture that
    holds none of the policy. Two short texts are an edit like any other."""
    old_keys = {c.key for c in old.body}
    new_keys = {c.key for c in new.body}
    short, long = sorted((len(old_keys), len(new_keys)))
    return 0 < short < REWRITE_MIN_CLAUSES <= long and old_keys.isdisjoint(new_keys)


def _wrong_page(old: PolicyDocument, new: PolicyDocument) -> str | None:
    """One side is not the policy (labelling guide B13: a home page, a documentation hub, a
    fragment of the page) by the evidence monitor.record keeps such captures out with.
    Asked only of a rewrite: an edit that keeps most clauses is the policy by definition."""
    if why := not_policy(new, old):
        return f"a capture that is not the policy ({why})"
    if why := not_policy(old, new):
        return f"a capture fixed: the old one is not the policy ({why})"
    return None


def _judged(
    changes: list[ClauseChange], rewrite: bool, old: PolicyDocument, new: PolicyDocument
) -> Comparison:
    material = any(c.material for c in changes)
    return Comparison(
        material=material,
        score=_score(changes),
        summary=_summary(changes, rewrite),
        rewrite=rewrite,
        changes=changes,
        old=VersionInfo.of(old),
        new=VersionInfo.of(new),
        categories=_union_categories(changes),
    )
