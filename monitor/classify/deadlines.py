"""A deadline moved in a clause that asks something of people: "you must link your
Mojang account to a Microsoft account by March 10, 2022", "you can opt out until ...". The
date decides what a person can still choose, so moving it is material, unlike the date on
which the policy was updated."""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.classify.noise import DATE_PATTERN
from monitor.classify.verdict import ORDINARY, Verdict

# What the sentence around the date asks or allows: a required step, a consent, a choice
# that ends, an account that must move or will be closed.
_CHOICE = re.compile(
    r"\b(?:must|required?|requires|need to|have to|link(?:ed|ing)? (?:your|their|an?) \w* ?account"
    r"|migrat\w+|merg\w+|transition\w*|consent\w*|opt(?:[- ])?(?:in|out)|agree|accept"
    r"|deadline|no longer (?:be )?(?:able|possible|available)|will (?:be )?(?:deleted|closed|"
    r"lose|removed|disabled)|lose access)\b",
    re.IGNORECASE,
)
# The policy's own dates are no deadline ("Last updated", "effective as of").
_POLICY_DATE = re.compile(
    r"\b(?:last (?:updated|modified|revised)|effective(?: date| as of| from| on)?|updated on|"
    r"version|published)\b",
    re.IGNORECASE,
)


# Every form of date has a digit (monitor.classify.noise reads them so too): a sentence
# without one skips the date scan, slow with its month names in any case.
_DIGIT = re.compile(r"\d")


# Cached per text: each version's clauses are read once per side of a comparison, and
# along a history each version is compared twice.
@lru_cache(maxsize=8192)
def _sentences_with_dates(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    if not _DIGIT.search(text):
        return ()
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if _DIGIT.search(sentence):
            out.extend((m.group(0), sentence) for m in DATE_PATTERN.finditer(sentence))
    return tuple(out)


def deadline_change(old: str, new: str) -> Verdict | None:
    """The verdict when a date changes inside a sentence that asks people to act or sets
    when a choice ends; None otherwise."""
    a, b = _sentences_with_dates(old), _sentences_with_dates(new)
    if [d for d, _ in a] == [d for d, _ in b] or len(a) != len(b):
        return None
    for (da, sa), (db, sb) in zip(a, b, strict=True):
        if da == db:
            continue
        if _CHOICE.search(sb) and _CHOICE.search(sa) and not _POLICY_DATE.search(sb):
            reason = f"moves the deadline of a choice people have from {da} to {db}"
            return Verdict(True, reason, "deadline", ORDINARY, f"{da} → {db}")
    return None
