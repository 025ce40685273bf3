"""Comparison keys: two clause texts that differ only in presentation get the same key.

Presentation is case, whitespace, typographic quotes and dashes, and inline markup left
over from Markdown. Words, digits and negations are never touched: they are what makes a
change material.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
        "\u00ad": "",
        "\u2026": "...",
    }
)
# Markdown emphasis and code markers, and link syntax [text](target) -> text.
# Bounded, bracket-free runs keep this linear on text full of unclosed "[" or "(".
_MD_LINK = re.compile(r"!?\[([^\[\]]{0,1000})\]\([^()\s]{0,2048}\)")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|~~)")
_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:!?)\]])")


def comparison_key(text: str) -> str:
    """The normalized form of a clause's text that the diff compares."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    # The cheap membership tests skip a regex pass on most clauses (extraction's hot path).
    if "*" in text or "_" in text or "~" in text:
        text = _MD_EMPHASIS.sub("", text)
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text.casefold()
