"""Plain-text captures to blocks: paragraphs, list items, and headings by their look.

Plain text has no markup, so headings are recognised the way a reader does: a short line
alone in ALL CAPS, numbered like "2.1 Cookies", or a few capitalised words without a full
stop. Wayback's "The following text is extracted and transformed from…" note describes the
capture, not the policy, and is dropped.
"""

from __future__ import annotations

import re

from monitor.extract.blocks import Block

# The note ends with its "…most accurate reproduction." sentence or its paragraph.
_PREAMBLE = re.compile(
    r"^\s*the following text is extracted and transformed from.{0,600}?"
    r"(?:accurate reproduction\.?|\n[ \t]*\n|$)",
    re.I | re.S,
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LIST = re.compile(r"^[ \t]*(?:[-*•·◦▪–]|\(?[a-z0-9ivx]{1,4}[.)])[ \t]+(?=\S)", re.I)
_NUMBERED = re.compile(
    r"^(?:(?:section|article|part|§)\s*)?(\d{1,2}(?:\.\d{1,2})*)\.?[ \t]+(?=[^\W\d])", re.I
)
_SENTENCE_END = re.compile(r"[.;,!]$")
_MAX_HEADING = 100
_MAX_TITLE_WORDS = 10
_SMALL_WORDS_TEXT = (
    "a an and as at by for from in of on or the to with your our we you how what who "
    "when where why is are do does not und der die das de des du la le les et el y"
)
_SMALL_WORDS = frozenset(_SMALL_WORDS_TEXT.split())


def heading_level(line: str) -> int:
    """1-4 when ``line`` alone looks like a heading, else 0."""
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
    if not words or len(words) > _MAX_TITLE_WORDS or not words[0][0].isupper():
        return 0
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if significant and all(w[0].isupper() for w in significant):
        return 4
    return 0


def _paragraph_blocks(paragraph: str) -> list[Block]:
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    if len(lines) == 1 and (level := heading_level(lines[0])):
        return [Block("heading", lines[0], level)]
    out: list[Block] = []
    current: list[str] = []
    kind = "paragraph"
    for line in lines:
        if m := _LIST.match(line):
            if current:
                out.append(Block(kind, " ".join(current)))
            current, kind = [line[m.end() :]], "list-item"
        else:
            current.append(line)
    if current:
        out.append(Block(kind, " ".join(current)))
    return out


def text_blocks(text: str) -> list[Block]:
    """The blocks of a plain-text document."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    paragraphs = _PARAGRAPH_BREAK.split(_PREAMBLE.sub("", text, count=1))
    out: list[Block] = []
    for paragraph in paragraphs:
        if paragraph.strip():
            out.extend(_paragraph_blocks(paragraph))
    return out
