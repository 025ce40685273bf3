"""What the diff reports: clause changes, and the paragraphs that were only regrouped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ChangeKind = Literal["added", "removed", "modified", "moved"]
CHANGE_KINDS: tuple[str, ...] = ("added", "removed", "modified", "moved")


@dataclass(slots=True)
class ClauseChange:
    """One difference between two versions.

    ``section`` is the section path where the change is read (the new one when there is a
    new side). ``old_index``/``new_index`` locate the clause in each version's clause list;
    sentence-level changes inside a split or merged paragraph carry no index (see
    ``Regroup``). ``material``, ``categories`` and ``reason`` are filled in by classify.
    """

    kind: ChangeKind
    section: str
    old: str | None
    new: str | None
    old_section: str | None = None
    new_section: str | None = None
    old_index: int | None = None
    new_index: int | None = None
    clause_kind: str = "paragraph"
    word_ops: list[tuple[str, str]] = field(default_factory=list)
    material: bool = False
    categories: list[str] = field(default_factory=list)
    reason: str = ""
    # The structured verdict behind ``reason`` (monitor.classify.verdict): which rule
    # decided, its weight in the score, and the edited words it rests on.
    rule: str = ""
    strength: float = 0.0
    evidence: str = ""

    def to_dict(self) -> dict:
        """The DESIGN.md contract for one change."""
        return {
            "kind": self.kind,
            "section": self.section,
            "old": self.old,
            "new": self.new,
            "material": self.material,
            "categories": list(self.categories),
            "reason": self.reason,
        }

    def to_detail_dict(self) -> dict:
        d = self.to_dict()
        d.update(
            old_section=self.old_section,
            new_section=self.new_section,
            old_index=self.old_index,
            new_index=self.new_index,
            clause_kind=self.clause_kind,
            word_ops=[[op, text] for op, text in self.word_ops],
            rule=self.rule,
            strength=self.strength,
            evidence=self.evidence,
        )
        return d

    @classmethod
    def from_detail_dict(cls, d: dict) -> ClauseChange:
        return cls(
            kind=d["kind"],
            section=d["section"],
            old=d.get("old"),
            new=d.get("new"),
            old_section=d.get("old_section"),
            new_section=d.get("new_section"),
            old_index=d.get("old_index"),
            new_index=d.get("new_index"),
            clause_kind=d.get("clause_kind", "paragraph"),
            word_ops=[(op, text) for op, text in d.get("word_ops", [])],
            material=bool(d.get("material", False)),
            categories=list(d.get("categories", [])),
            reason=d.get("reason", ""),
            rule=d.get("rule", ""),
            strength=float(d.get("strength", 0.0)),
            evidence=d.get("evidence", ""),
        )


@dataclass(slots=True)
class Regroup:
    """Old paragraphs whose sentences now live in other paragraphs (a split or a merge).

    Not a change in itself: the sentence-level edits inside it are reported as changes.
    """

    old_indices: list[int]
    new_indices: list[int]


@dataclass(slots=True)
class ClauseDiff:
    """The alignment of two clause lists."""

    changes: list[ClauseChange]
    regroups: list[Regroup]
    unchanged: int
    old_count: int
    new_count: int
    rewrite: bool = False
