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
_BULLET = re.compile(r"^[ \t]*[-*•·◦▪–][ \t]+(?=\S)")
# "1." "b)" "(iv)": markers that also occur mid-sentence when text is wrapped, so they
# open an item only at the start of a paragraph or after a line that ends a clause.
_ENUMERATOR = re.compile(
    r"^[ \t]*(?:\d{1,3}[.)]|\(?(?:[a-z]|[ivx]{1,4}|\d{1,3})\))[ \t]+(?=\S)", re.I
)
_CLAUSE_END = re.compile(r"[.;:!?]$")
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


def _paragraph_blocks(paragraph: str) -> list[Block]:
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    if len(lines) == 1 and (level := heading_level(lines[0])):
        return [Block("heading", lines[0], level)]
    out: list[Block] = []
    current: list[str] = []
    kind = "paragraph"
    for line in lines:
        m = _BULLET.match(line)
        if not m and (not current or _CLAUSE_END.search(current[-1])):
            m = _ENUMERATOR.match(line)
        if m:
            if current:
                out.append(Block(kind, join_lines(current)))
            current, kind = [line[m.end() :]], "list-item"
        else:
            current.append(line)
    if current:
        out.append(Block(kind, join_lines(current)))
    return out


def join_lines(lines: list[str]) -> str:
    """Wrapped lines as one text; a line ending in a hyphen joins the next without a space."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("-") and line[:1].islower():
            text += line
        else:
            text += " " + line
    return text


def text_blocks(text: str) -> list[Block]:
    """The blocks of a plain-text document."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    paragraphs = _PARAGRAPH_BREAK.split(_PREAMBLE.sub("", text, count=1))
    out: list[Block] = []
    for paragraph in paragraphs:
        if paragraph.strip():
            out.extend(_paragraph_blocks(paragraph))
    return out
