"""Is a pair of versions one capture of the page completed by another?

The labelling guide (docs/labelling.md, B13) calls a capture that missed part of the page,
completed by a later one, a capture fix, not a policy change. The evidence has to be strong,
because a policy that really adds or drops a section is material (B11): here, one side is
the other minus a block at the very top of the page, and that block holds the page's own
title, which the shorter capture lacks altogether (it starts in the middle of the page).

Also here, as it is judged on the same evidence (one block of clauses and nothing else):
the page that stops showing the previous version of the policy below the one in force
(B16: the reader was shown the new text already).

Pure; one pass over the changes.
"""

from __future__ import annotations

import re

from monitor.diff import ClauseChange
from monitor.model import PolicyDocument

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
