"""A stored comparison as the change page shows it: clause changes with word-level segments.

Pure: takes `Comparison.to_detail_dict()` (what a change row carries, or what comparing two
versions gives) and returns plain data for the templates, which escape every piece of text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A segment is (op, text) with op in equal/delete/insert, as in the diff's word ops.
Segment = tuple[str, str]

KIND_LABELS = {
    "added": "Added",
    "removed": "Removed",
    "modified": "Changed",
    "moved": "Moved",
}


@dataclass(frozen=True, slots=True)
class ChangeView:
    """One clause change: `number` is its place among all changes and names its anchor."""

    number: int
    kind: str
    section: str
    old_section: str | None
    material: bool
    categories: list[str]
    reason: str
    clause_kind: str
    old: list[Segment]
    new: list[Segment]
    inline: list[Segment]

    @property
    def anchor(self) -> str:
        return f"d{self.number}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.capitalize())

    @property
    def moved_from(self) -> str | None:
        """The old section when the clause now reads under another one."""
        if self.old_section and self.old_section != self.section:
            return self.old_section
        return None


@dataclass(frozen=True, slots=True)
class DiffView:
    changes: list[ChangeView]  # the ones shown, after the filter
    total: int
    material: int
    material_only: bool
    summary: str
    categories: list[str] = field(default_factory=list)
    is_material: bool = False
    score: float = 0.0
    rewrite: bool = False

    @property
    def hidden(self) -> int:
        return self.total - len(self.changes)


def segments(change: dict) -> tuple[list[Segment], list[Segment], list[Segment]]:
    """(old side, new side, inline) segments of one clause change."""
    old, new = change.get("old"), change.get("new")
    ops = [(op, text) for op, text in change.get("word_ops") or []]
    if ops:
        return (
            [(op, t) for op, t in ops if op != "insert"],
            [(op, t) for op, t in ops if op != "delete"],
            ops,
        )
    if change["kind"] == "moved" or (old is not None and old == new):
        text = new if new is not None else old or ""
        return [("equal", old or text)], [("equal", text)], [("equal", text)]
    if old is not None and new is not None:
        # Both sides but no word ops: a whole-policy rewrite. Striking out every word of
        # both texts would only hide them; each side reads as it is, inline shows both.
        return [("equal", old)], [("equal", new)], [("delete", old), ("insert", new)]
    old_side = [("delete", old)] if old is not None else []
    new_side = [("insert", new)] if new is not None else []
    return old_side, new_side, old_side + new_side


def diff_view(comparison: dict, *, material_only: bool = False) -> DiffView:
    views = []
    for n, ch in enumerate(comparison.get("changes") or [], 1):
        old, new, inline = segments(ch)
        views.append(
            ChangeView(
                number=n,
                kind=ch["kind"],
                section=ch.get("section") or "",
                old_section=ch.get("old_section"),
                material=bool(ch.get("material")),
                categories=list(ch.get("categories") or []),
                reason=ch.get("reason") or "",
                clause_kind=ch.get("clause_kind") or "paragraph",
                old=old,
                new=new,
                inline=inline,
            )
        )
    shown = [v for v in views if v.material] if material_only else views
    return DiffView(
        changes=shown,
        total=len(views),
        material=sum(v.material for v in views),
        material_only=material_only,
        summary=comparison.get("summary") or "",
        categories=list(comparison.get("categories") or []),
        is_material=bool(comparison.get("material")),
        score=float(comparison.get("score") or 0.0),
        rewrite=bool(comparison.get("rewrite")),
    )
