"""Comparison keys: two clause texts that differ only in presentation get the same key.

Presentation is case, whitespace, typographic quotes and dashes, and inline markup left
over from Markdown. Words, digits and negations are never touched: they are what makes a
change material.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

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
# str.translate looks every character up in the table one by one, and on extraction's hot
# path that was half of comparison_key's time; most clauses hold none of these characters,
# and the few that do hold one or two kinds. Replacing each kind found gives the same text,
# since no replacement holds a character of the table.
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in _TRANSLATE) + "]")
_REPLACEMENT = {chr(c): r for c, r in _TRANSLATE.items()}
# The table's entries that make or take away a space, or delete a character.
_SPACING = frozenset(c for c, r in _REPLACEMENT.items() if not r.strip() or c.isspace())
# Markdown emphasis and code markers, and link syntax [text](target) -> text.
# Bounded, bracket-free runs keep this linear on text full of unclosed "[" or "(".
_MD_LINK = re.compile(r"!?\[([^\[\]]{0,1000})\]\([^()\s]{0,2048}\)")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|~~)")
_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:!?)\]])")


def comparison_key(text: str, *, collapsed: bool = False) -> str:
    """The normalized form of a clause's text that the diff compares.

    ``collapsed``: the caller vouches that ``text`` has its spaces collapsed already (one
    space between words, none at either end: what repair.clean_text returns, as every
    extracted clause's text is). The collapse below is then done only when a step before
    it changed the text's spacing; the key is the same either way.
    """
    normalized = unicodedata.normalize("NFKC", text)
    # NFKC returns its argument itself when there is nothing to do; what it changes may
    # bring a space ("\u00a8" becomes " \u0308").
    respace = normalized is not text
    text = normalized
    if text.isascii():  # the table's one ASCII character is the backtick
        if "`" in text:
            text = text.replace("`", "'")
    else:
        for char in set(_TRANSLATED.findall(text)):
            text = text.replace(char, _REPLACEMENT[char])
            respace = respace or char in _SPACING
    if "](" in text:
        text, n = _MD_LINK.subn(r"\1", text)
        respace = respace or n > 0
    # The cheap membership tests skip a regex pass on most clauses (extraction's hot path).
    if "*" in text or "_" in text or "~" in text:
        text, n = _MD_EMPHASIS.subn("", text)
        respace = respace or n > 0
    if respace or not collapsed:
        text = " ".join(text.split())
    # search() first: most clauses have no space before a stop, and a sub() with a
    # template costs a Python-level call even when nothing matches.
    if _SPACE_BEFORE_PUNCT.search(text):
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text.casefold()


# -- version identity ------------------------------------------------------------------
# What the comparison reads as one text, identified in one string. A version is recorded
# only when this differs (monitor.record), and compare() says "no change" exactly when it
# is equal, so the history never shows two versions that "say the same thing".
#
# Beyond the clause keys it sets aside what the diff also does not read as text:
# - clause boundaries and kinds: a paragraph split in two, or a <p> now an <li>, holds the
#   same sentences (the diff's regrouping reads it as a reflow);
# - a hyphen between two words: "third-party" and "third party" are one spelling;
# - per-request tokens that reach the text (a trace id, a nonce, a build hash, an epoch
#   time, a clock time to the second): a person reads them as noise and no policy states
#   its practice in them. Each is masked, so two captures differing only by them are one.
# The hyphen first, then what stands before it: a pattern that opens with a literal is
# searched for that character (fast), one that opens with a look-behind tries every
# position (2 MB of text: 70 ms). The same matches.
_WORD_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)(?=[^\W\d_])")
_VOLATILE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?"  # ISO time
    r"|\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b"  # a clock time to the second
    r"|\b\d{10,}\b"  # an epoch time, a request counter, a long id
)
# A run of letters, digits and token punctuation long enough to be generated rather than
# written; _generated decides.
_TOKEN = re.compile(r"(?<![\w+/=-])[a-z0-9_+/=-]{12,}")
_RUN = re.compile(r"[a-z]+|\d+")
VOLATILE_MARK = "\u2217"  # "∗": stands for a masked token


def identity_key(clauses: Iterable) -> str:
    """The text of a version as identity: equal here means one version (and no change).

    Takes the clauses (``monitor.model.Clause``: ``kind`` and ``key``) in reading order.
    """
    clauses = list(clauses)
    toc = _table_of_contents(clauses)
    # Clause by clause, each part cached: no pattern below matches across the space that
    # joins two keys (nor does one see it differently from the edge of a string), so this
    # is the masking of the whole text; and the two versions a comparison reads share most
    # clauses, so most parts are found done (a 10,000-clause version: 0.2 s -> 0.05 s).
    # Each part has its spaces collapsed already, and a part left empty is skipped: the
    # words of the whole text, one space between them, without splitting 2 MB again.
    parts = (_identity_part(c.key) for i, c in enumerate(clauses) if c.key and i not in toc)
    return " ".join(p for p in parts if p)


_ASCII_DIGITS = "0123456789"
_DIGIT = re.compile(r"\d")
_TEN_DIGITS = re.compile(r"\d{10}")


# 32k: both versions of a 10,000-clause pair, edited heavily, and more.
@lru_cache(maxsize=32768)
def _identity_part(key: str) -> str:
    # Every volatile token holds a digit, and a generated one two runs of ASCII digits
    # (_generated): a key without a digit (most of them) skips both scans, which cost
    # more than the rest of the identity together. The 10 membership tests are memchr
    # scans; \d also matches other scripts' digits, which only the regex knows.
    if any(d in key for d in _ASCII_DIGITS) if key.isascii() else _DIGIT.search(key):
        # Tokens first: a UUID's hyphens are not a compound word's. A volatile token holds
        # a colon (the times) or ten digits in a row: without either, no scan.
        if ":" in key or _TEN_DIGITS.search(key):
            key = _VOLATILE.sub(VOLATILE_MARK, key)
        key = _TOKEN.sub(_mask_generated, key)
    if "-" in key:
        key = _WORD_HYPHEN.sub(" ", key)
    # A printable string holds no whitespace but the ASCII space (tests hold every code
    # point to it): a key without two spaces in a row nor one at an end is collapsed
    # already, and is kept itself, so that the cache holds no second copy of it.
    if key.isprintable() and "  " not in key and key[:1] != " " and key[-1:] != " ":
        return key
    return " ".join(key.split())


# A table of contents is the headings said again: a run of at least this many short list
# items, most of them naming a heading of the page (numbering aside; one entry may word its
# heading differently). Linked or not it is the same text, so its markup changing (plain
# list items becoming anchors an extractor reads as navigation) is not a new version. A
# lone item equal to a heading ("Cookies" listed under what is collected) is text.
_TOC_RUN = 3
_TOC_ECHO_SHARE = 0.75
_TOC_ITEM_WORDS = 12
_NUMBERING = re.compile(r"^(?:[(\[]?(?:\d+|[ivx]+|[a-z])(?:\.\d+)*[.):\]]?\s+)")


def _table_of_contents(clauses: list) -> set[int]:
    headings = {_NUMBERING.sub("", c.key) for c in clauses if c.kind == "heading"}
    if not headings:
        return set()
    out: set[int] = set()
    run: list[int] = []
    for i, c in enumerate([*clauses, None]):
        if c is not None and c.kind == "list-item" and len(c.key.split()) <= _TOC_ITEM_WORDS:
            run.append(i)
            continue
        echoes = sum(1 for j in run if _NUMBERING.sub("", clauses[j].key) in headings)
        if echoes >= _TOC_RUN and echoes >= _TOC_ECHO_SHARE * len(run):
            out.update(run)
        run = []
    return out


def _mask_generated(m: re.Match) -> str:
    return VOLATILE_MARK if _generated(m.group()) else m.group()


def _generated(token: str) -> bool:
    """Letters and digits interleaved, two runs of each at least ("a3f9c2e1b7d4", a UUID,
    a base64 nonce), unlike a name with a number ("friendscout24", "rep_lovescout24")."""
    runs = _RUN.findall(token)
    digits = sum(1 for r in runs if r[0].isdigit())
    return digits >= 2 and len(runs) - digits >= 2
