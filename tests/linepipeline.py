"""A small line-based extractor and comparison for tests of the store side of the pipeline.

Real functions (each line is a clause; difflib finds added and removed lines), so tests of
recording and backfill do not depend on how well HTML extraction or judgment work.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from monitor.model import Clause, ExtractionError, PolicyDocument
from monitor.record import Pipeline


def line_extract(raw: bytes, content_type=None, url=None, *, drop_prefix: str | None = None):
    lines = [ln.strip() for ln in raw.decode().splitlines() if ln.strip()]
    if drop_prefix:
        lines = [ln for ln in lines if not ln.startswith(drop_prefix)]
    if not lines or lines == ["ERROR"]:
        raise ExtractionError("no policy text")
    return PolicyDocument(tuple(Clause(("Policy",), "paragraph", ln) for ln in lines))


@dataclass
class LineComparison:
    added: list[str]
    removed: list[str]
    material_word: str

    @property
    def material(self) -> bool:
        return any(self.material_word in line for line in self.added)

    @property
    def score(self) -> float:
        return float(len(self.added) + len(self.removed))

    @property
    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed"

    @property
    def categories(self) -> list[str]:
        return ["third-party-sharing"] if self.material else []

    def to_detail_dict(self) -> dict:
        return {"added": self.added, "removed": self.removed}


def line_compare(old: PolicyDocument, new: PolicyDocument, material_word="sell"):
    a, b = [c.text for c in old.clauses], [c.text for c in new.clauses]
    ops = list(difflib.ndiff(a, b))
    return LineComparison(
        [o[2:] for o in ops if o[0] == "+"], [o[2:] for o in ops if o[0] == "-"], material_word
    )


PIPELINE = Pipeline(extract=line_extract, compare=line_compare)
