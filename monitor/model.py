"""The words of DESIGN.md as plain data: clauses and the policy documents they make up.

Everything here is pure and immutable so stages can pass it around and tests can build it
by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from db.rows import ClauseKind, ClauseRow, PolicyFields
from monitor.textnorm import comparison_key

CLAUSE_KINDS: tuple[str, ...] = ("heading", "paragraph", "list-item", "table-row")
SECTION_SEPARATOR = " > "


class ExtractionError(ValueError):
    """A capture that cannot be turned into policy text (unknown, binary or empty)."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One unit of a version: its section path (outermost heading first), kind and text.

    ``text`` is display text, kept as written (after repair of mojibake and entities);
    ``key`` is what the diff compares.
    """

    section: tuple[str, ...]
    kind: ClauseKind
    text: str
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.kind not in CLAUSE_KINDS:
            raise ValueError(f"unknown clause kind {self.kind!r}")
        if not self.key:
            object.__setattr__(self, "key", comparison_key(self.text))

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    def to_dict(self) -> ClauseRow:
        return {"section": list(self.section), "kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Clause:
        return cls(tuple(data["section"]), data["kind"], data["text"])


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """What extraction makes of one capture."""

    clauses: tuple[Clause, ...]
    title: str | None = None
    effective_date: date | None = None
    language: str | None = None
    format: str = "text"
    # The hash, once computed. Hashing walks every clause, and the document-keyed caches
    # of the judges (lru_cache on a PolicyDocument) hash it on every lookup. Not compared,
    # not shown, and never pickled (__reduce__): str hashes differ between processes.
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            # What the dataclass's own __hash__ computes: the compared fields as a tuple.
            h = hash((self.clauses, self.title, self.effective_date, self.language, self.format))
            object.__setattr__(self, "_hash", h)
        return h

    def __reduce__(self) -> tuple[type[PolicyDocument], tuple[Any, ...]]:
        return (
            PolicyDocument,
            (self.clauses, self.title, self.effective_date, self.language, self.format),
        )

    @property
    def headings(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "heading"]

    @property
    def body(self) -> list[Clause]:
        """The clauses that carry policy text (everything but headings)."""
        return [c for c in self.clauses if c.kind != "heading"]

    def normalized_text(self) -> str:
        """The text versions are deduplicated by: equal here means the same version."""
        return "\n".join(f"{c.kind}\t{c.key}" for c in self.clauses)

    def to_dict(self) -> PolicyFields:
        return {
            "title": self.title,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "language": self.language,
            "format": self.format,
            "clauses": [c.to_dict() for c in self.clauses],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PolicyDocument:
        eff = data.get("effective_date")
        return cls(
            clauses=tuple(Clause.from_dict(c) for c in data["clauses"]),
            title=data.get("title"),
            effective_date=date.fromisoformat(eff) if eff else None,
            language=data.get("language"),
            format=data.get("format", "text"),
        )
