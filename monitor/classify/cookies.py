"""Rows of a cookie table: a first-party cookie that keeps the page working (UI state, a
session, a language, the consent choice itself) says nothing new about personal data; a
cookie for advertising or analytics, or one set by a vendor, is a new tracking practice."""

from __future__ import annotations

import re

from monitor.classify.practice import clip
from monitor.classify.verdict import ORDINARY, Verdict

_TRACKING = re.compile(
    r"\b(?:advertis\w*|ads?|marketing|targeting|retargeting|remarketing|analytics?|"
    r"statistics?|measurement|tracking|tracks?|profil\w*|personali[sz]\w*|third[- ]party|"
    r"social media|conversion|attribution|audience|pixel|"
    r"google|facebook|meta|doubleclick|hotjar|tiktok|linkedin|criteo|bing|twitter)\b",
    re.IGNORECASE,
)
_FUNCTIONAL = re.compile(
    r"\b(?:functional|necessary|essential|strictly|preferences?|ui|interface|layout|display|"
    r"theme|language|locale|session|load[- ]balanc\w*|security|csrf|xsrf|authentication|"
    r"remembers?|consent|cookie banner|first[- ]party|state|sidebar|collapsed|expanded|"
    r"dismiss\w*)\b",
    re.IGNORECASE,
)
_MAX_ROW_WORDS = 40
_MIN_CELLS = 2
_MAX_NAME_WORDS = 4


def _in_cookie_table(section: str, text: str, kind: str) -> bool:
    # A row has cells ("_ga | Google Analytics | 2 years"); a bullet under a cookie heading
    # ("Remember your information so you do not have to re-enter it") is a purpose, judged
    # as any clause is.
    cells = [c.strip() for c in text.split("|")]
    row = kind in ("table-row", "list-item") and len(cells) >= _MIN_CELLS
    # The first cell names the cookie or its provider ("_ga", "Google Analytics"); a row
    # opening with a sentence belongs to some other table (legal bases, purposes).
    return row and len(cells[0].split()) <= _MAX_NAME_WORDS and "cookie" in section.lower()


def cookie_row(text: str, section: str, kind: str, added: bool) -> tuple[Verdict, str] | None:
    """(verdict, category) for a row added to or removed from a cookie table, or None when
    the clause is no such row or says too little to tell."""
    if not _in_cookie_table(section, text, kind) or len(text.split()) > _MAX_ROW_WORDS:
        return None
    verb = "adds" if added else "removes"
    if _TRACKING.search(text):
        reason = f"{verb} an advertising or analytics cookie: “{clip(text.strip(), 10)}”"
        return Verdict(True, reason, "cookie", ORDINARY, text.strip()), "third-party-sharing"
    if _FUNCTIONAL.search(text):
        reason = f"{verb} a first-party functional cookie: “{clip(text.strip(), 10)}”"
        return Verdict.cosmetic(reason, "cookie"), "first-party-collection"
    return None
