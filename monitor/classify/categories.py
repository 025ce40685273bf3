"""The categories of DESIGN.md (after OPP-115): one list, in its order, with what each names.

The API's enums, the lexicon, the reasons and the browser extension's options all read
this list (the extension's copy in extension/lib/feed.js is held equal by a test).
"""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "first-party-collection": "collection and use of data",
    "third-party-sharing": "sharing with third parties",
    "user-choice": "choices people have",
    "user-access": "access, correction and deletion rights",
    "data-retention": "how long data is kept",
    "data-security": "security",
    "policy-change": "how policy changes are announced",
    "do-not-track": "Do Not Track signals",
    "specific-audiences": "children, regional audiences and international transfers",
    "other": "general matters",
}
CATEGORY_SLUGS: tuple[str, ...] = tuple(CATEGORY_LABELS)
# What a policy does with data (the first six), as against how it speaks of itself.
PRACTICE_CATEGORIES: tuple[str, ...] = CATEGORY_SLUGS[:6]
