"""Text repair: undo what capture and encoding did to the words, never the words themselves.

Mojibake ("Â®" -> "®"), leftover HTML entities, non-breaking and zero-width spaces and soft
hyphens are artefacts of how a page was served or saved. Quotes, dashes and case are kept as
written: the comparison key, not the display text, is where presentation is ignored.
"""

from __future__ import annotations

import html
import re

import ftfy

# Invisible characters that only ever split words for the renderer.
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Markers of UTF-8 read as Latin-1/cp1252; only text holding one is worth ftfy's time.
_MOJIBAKE_LEADS = "\u00c2\u00c3\u00e2\u00c5\u00ef\u00d0\u00d1"
_MOJIBAKE_HINT = re.compile(
    f"[{_MOJIBAKE_LEADS}][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u20ac\u2122]"
)


def fix_mojibake(text: str) -> str:
    """``text`` with UTF-8-read-as-cp1252 sequences decoded; otherwise unchanged."""
    # A marker's first character is rare in real text: a few substring searches (fast in C)
    # spare most clauses the regex scan.
    if not any(lead in text for lead in _MOJIBAKE_LEADS) or not _MOJIBAKE_HINT.search(text):
        return text
    return ftfy.fix_encoding(text)


def clean_text(text: str) -> str:
    """One clause's display text: entities decoded, invisibles dropped, spaces collapsed."""
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if text.isascii():  # most clauses: nothing to repair, only spaces to collapse
        return " ".join(text.split())
    text = fix_mojibake(text)
    if any(char in text for char in _INVISIBLE_CHARS):
        text = text.translate(_INVISIBLE)
    # str.split() splits on every Unicode space (no-break, thin, ideographic…), as a regex
    # would, and faster.
    return " ".join(text.split())
