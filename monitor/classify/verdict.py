"""A judged change as data: the rule that decided, how much it weighs, and the words it
rests on. The reason is written from it for people; the score is computed from it, never
from the reason's wording."""

from __future__ import annotations

from dataclasses import dataclass

# Weight of one material change in the score: an edit that turns what the policy says
# around (a removed "not", a longer retention, a right withdrawn, a sale) counts double.
STRONG = 1.0
ORDINARY = 0.5
NONE = 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    material: bool
    reason: str
    # Which rule decided, a short slug: "negation", "modal", "practice-verb", "quantity",
    # "promise", "practice", "right", "listed-party", "enumeration", "party", "controller",
    # "rewrite", "edit", or for what is not material "noise", "label", "moved",
    # "moved-out", "capture" (the same page captured in another language or locale, or a
    # capture completed), ...
    rule: str
    strength: float = NONE
    # The edited words the verdict rests on (empty when the whole clause is the evidence).
    evidence: str = ""

    @classmethod
    def cosmetic(cls, reason: str, rule: str = "noise") -> Verdict:
        return cls(False, reason, rule)
