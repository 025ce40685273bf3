"""Headings by their look: how a reader spots a heading in text that has no markup.

A short line standing alone is a heading when it is in ALL CAPS, numbered like "2.1
Cookies", in Title Case, or a few capitalised words without a full stop. Plain text, PDFs
without font cues and Markdown or HTML without heading markup are all read this way.
"""

from __future__ import annotations

import re

_NUMBERED = re.compile(
    r"^(?:(?:section|article|part|§)\s*)?(\d{1,2}(?:\.\d{1,2})*)\.?[ \t]+(?=[^\W\d])", re.I
)
_SENTENCE_END = re.compile(r"[.;,:!]$")
_MAX_LINE_WORDS = 16
_NOT_HEADINGS = frozenset({"yes", "no", "none", "n/a", "not applicable"})
_MAX_HEADING = 100
_MAX_TITLE_WORDS = 10
_SMALL_WORDS_TEXT = (
    "a an and as at by for from in of on or the to with your our we you how what who "
    "when where why is are do does not und der die das de des du la le les et el y"
)
_SMALL_WORDS = frozenset(_SMALL_WORDS_TEXT.split())


def heading_level(line: str) -> int:
    """1-4 when ``line`` alone looks like a heading, else 0.

    ALL CAPS is 1, numbering gives 2 and deeper ("2." 2, "2.1" 3), Title Case 3, any
    other short capitalised line 4: the order in which policies tend to nest them.
    """
    if len(line) > _MAX_HEADING or _SENTENCE_END.search(line):
        return 0
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) < 3:
        return 0
    if m := _NUMBERED.match(line):
        return 1 + m[1].count(".") + 1 if len(line.split()) <= _MAX_TITLE_WORDS + 1 else 0
    if all(not ch.islower() for ch in letters):
        return 1
    words = re.findall(r"[^\W\d_][\w'’-]*", line)
    if not words or len(words) > _MAX_LINE_WORDS or not words[0][0].isupper():
        return 0
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if len(words) <= _MAX_TITLE_WORDS and all(w[0].isupper() for w in significant):
        return 3
    # A short capitalised line standing alone ("Do Not Track mechanisms", "Change of
    # purpose") heads what follows; addresses, answers and links do not.
    if line.lower() in _NOT_HEADINGS or any(ch.isdigit() for ch in line):
        return 0
    return 0 if "@" in line or "://" in line else 4
