"""Plain-text captures to blocks: paragraphs, list items, and headings by their look.

Plain text has no markup, so headings are recognised the way a reader does: a short line
alone in ALL CAPS, numbered like "2.1 Cookies", or a few capitalised words without a full
stop. Wayback's "The following text is extracted and transformed from…" note describes the
capture, not the policy, and is dropped.
"""

from __future__ import annotations

import re

from monitor.extract.blocks import Block
from monitor.extract.headings import heading_level

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
