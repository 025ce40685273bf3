"""Sentences of a clause: the unit that split and merged paragraphs are compared in."""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.textnorm import comparison_key

# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed by space and
# something that can start a sentence.
_END = re.compile(r"[.!?][\"'”’)\]]?(\s+)(?=[\"“(]?[A-Z0-9])")
# "U.S. Government", "e.g. Google", "Inc. The": a dot after these is not an end.
_ABBREVIATION = re.compile(
    r"(?:\b[A-Za-z]|\be\.g|\bi\.e|\betc|\bInc|\bLtd|\bNo|\bvs|\bMr|\bMs|\bDr|\bSt)\.$"
)


_CELL = re.compile(r"\s+\|\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences, and table cells (" | ") as units of their own."""
    return [s for cell in _CELL.split(text) for s in _sentences(cell)]


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        head = text[start : m.start(1)]
        if _after_abbreviation(text, m.start(1)):
            continue
        out.append(head.strip())
        start = m.end(1)
    out.append(text[start:].strip())
    return [s for s in out if s]


# Closing quotes and brackets after the dot; the longest abbreviation ("e.g.") with the
# character before it for its \b fits in this many characters.
_CLOSERS = "\"'”’)]"
_ABBREVIATION_WINDOW = 8


def _after_abbreviation(text: str, end: int) -> bool:
    """Whether the dot before ``end`` (and any closers) ends an abbreviation."""
    # Only the last few characters are searched: searching the whole text before every
    # sentence end made long clauses quadratic.
    while end and text[end - 1] in _CLOSERS:
        end -= 1
    return bool(_ABBREVIATION.search(text[max(0, end - _ABBREVIATION_WINDOW) : end]))


@lru_cache(maxsize=65536)
def sentence_key(sentence: str) -> str:
    """comparison_key, cached: a version's sentences are keyed again at every comparison."""
    return comparison_key(sentence)


@lru_cache(maxsize=16384)
def sentence_keys(text: str) -> tuple[str, ...]:
    # Cached too: a clause left over in one comparison is often left over in the next.
    return tuple(sentence_key(s) for s in split_sentences(text))
