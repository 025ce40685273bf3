"""Markdown captures to blocks: ATX and setext headings, lists, tables, paragraphs.

The Markdown we meet is mostly converted from HTML (Open Terms Archive versions, copy-paste
tools), so it carries the converters' habits: `**` markers that close in the next
paragraph, hard breaks made of trailing spaces, icon names left as lone words.
"""

from __future__ import annotations

import re

from monitor.extract.blocks import SUBHEADING, Block, headings_by_look, looks_like_subheading
from monitor.extract.inline import markdown_inline

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ITEM_SETEXT = re.compile(r"^[ \t]*(={3,}|-{3,})[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,9}[.)])[ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_TABLE_RULE = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?$")
_CELL_BULLET = re.compile(r"(?:^|(?<=\s))[*•][ \t]+")
_CELL_BREAK = re.compile(r"<br\s*/?>", re.I)
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
# "**Cookies**" or "**How we use data:**" alone in a paragraph: a sub-heading.
_BOLD_ONLY = re.compile(r"^(\*\*|__)(?P<inner>(?:(?!\1).)+)\1[ \t]*[.:]?$")
# Icon-font ligatures ("clock", "expand_more") survive conversion as one lowercase word.
_ICON_WORD = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
# A list item that is nothing but a link to an anchor on the same page: a contents list.
_CONTENTS_ENTRY = re.compile(r"^\[[^\]]*\]\(#[^)\s]*\)$")
_ANCHOR_LINK = re.compile(r"\[([^\]]*)\]\(#[^)\s]*\)")
_ANY_LINK = re.compile(r"\]\(")
# What may stand between the entries of a contents list laid out as one line.
_CONTENTS_GLUE = re.compile(r"[\s;,.|•·/–—-]*")
_CONTENTS_LINE_MIN_ENTRIES = 3


def _table_row(line: str) -> str:
    cells = [c.strip() for c in _CELL_SPLIT.split(line.strip().strip("|"))]
    # A list inside a cell is flattened to "* a * b": the bullets are markup, not text.
    if "<" in line:
        cells = [_CELL_BREAK.sub(" ", c) for c in cells]
    if "*" in line or "•" in line:
        cells = [_CELL_BULLET.sub("", c) for c in cells]
    return " | ".join(markdown_inline(c).strip() for c in cells if c)


def _raw_blocks(text: str) -> list[list]:
    """[kind, raw text, level] in reading order; inline syntax still in the text."""
    blocks: list[list] = []
    lines: list[str] = []
    kind = "paragraph"

    def flush() -> None:
        nonlocal lines, kind
        if lines:
            # Lines stay apart until inline reading: a one-line bold paragraph is a heading,
            # a bold block of several lines (an address) is not.
            blocks.append([kind, "\n".join(s.strip() for s in lines), 0])
        lines, kind = [], "paragraph"

    fence: str | None = None
    item_indent = 0
    for line in text.split("\n"):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                flush()
            elif line.strip():
                lines.append(line)
            continue
        line = _QUOTE.sub("", line).rstrip("\\").rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if m := _FENCE.match(line):
            flush()
            fence = m[1][0] * 3
            continue
        if m := _ATX.match(line):
            flush()
            blocks.append(["heading", m[2] or "", len(m[1])])
            continue
        if (m := _SETEXT.match(line)) and lines and kind == "paragraph":
            blocks.append(
                ["heading", " ".join(s.strip() for s in lines), 1 if m[1][0] == "=" else 2]
            )
            lines = []
            continue
        if kind == "list-item" and len(lines) == 1 and (m := _ITEM_SETEXT.match(line)):
            # A heading inside a list item (<li><h2>…</h2>): converters indent its underline.
            blocks.append(["heading", lines[0].strip(), 1 if m[1][0] == "=" else 2])
            lines, kind = [], "paragraph"
            continue
        if _RULE.match(line) or _SETEXT.match(line):
            flush()
            continue
        if stripped.startswith("|"):
            flush()
            if not _TABLE_RULE.match(stripped):
                blocks.append(["table-row", stripped, 0])
            continue
        if m := _LIST.match(line):
            flush()
            body = m[1]
            while inner := _LIST.match(body):  # "1. 1. Text": a list nested on one line
                body = inner[1]
            if h := _ATX.match(body):
                blocks.append(["heading", h[2] or "", len(h[1])])
                continue
            kind, lines = "list-item", [body]
            item_indent = m.start(1)
            continue
        if _REF_DEFINITION.match(line) and not lines:
            continue
        indent = len(line) - len(line.lstrip())
        if not lines and blocks and blocks[-1][0] == "list-item" and indent >= item_indent > 0:
            # A paragraph indented under a list item belongs to it (<li><p>…</p><p>…</p>).
            kind, lines = "list-item", [blocks.pop()[1]]
        lines.append(line)
    flush()
    return blocks


def _repair_bold(blocks: list[list]) -> None:
    """Move a `**` that ends a block with an odd count to the start of the next block.

    Converters write `...end of one paragraph.**  \\n\\nNext Heading**. Text` when a bold
    run opened at the next paragraph's start; reading it as written would bold the wrong
    words and hide the run-in heading.
    """
    for i, block in enumerate(blocks[:-1]):
        text = block[1]
        if block[0] in ("paragraph", "list-item") and text.endswith("**") and text.count("**") % 2:
            block[1] = text[:-2].rstrip()
            following = blocks[i + 1]
            if following[0] in ("paragraph", "list-item"):
                following[1] = "**" + following[1]


def _contents_lists(raw: list[list]) -> list[bool]:
    """Which blocks belong to an in-page contents list: a run of list items that are all,
    or nearly all, links to anchors on the same page ("[Cookies](#cookies) and")."""
    flags = [False] * len(raw)
    start = 0
    while start < len(raw):
        end = start
        while end < len(raw) and raw[end][0] == "list-item":
            end += 1
        run = [body for _, body, _ in raw[start:end]]
        if len(run) >= 2 and all(_is_contents_entry(body) for body in run):
            flags[start:end] = [True] * (end - start)
        start = end + 1
    return flags


def _is_contents_entry(body: str) -> bool:
    links = _ANCHOR_LINK.findall(body)
    if not links or len(links) != len(_ANY_LINK.findall(body)):
        return False
    linked = sum(len(text) for text in links)
    return linked >= 0.6 * len(_ANCHOR_LINK.sub(r"\1", body))


def _is_contents_line(body: str) -> bool:
    """A paragraph that is nothing but links to anchors on the same page, between
    separators ("[Cookies](#s1); [Your Rights](#s2); ..."): the contents list laid out as
    one line, read as the list would be."""
    links = _ANCHOR_LINK.findall(body)
    return (
        len(links) >= _CONTENTS_LINE_MIN_ENTRIES
        and len(links) == len(_ANY_LINK.findall(body))
        and _CONTENTS_GLUE.fullmatch(_ANCHOR_LINK.sub("", body)) is not None
    )


def markdown_blocks(text: str) -> list[Block]:
    """The blocks of a Markdown document."""
    raw = _raw_blocks(text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4))
    _repair_bold(raw)
    in_contents = _contents_lists(raw)
    out: list[Block] = []
    for index, (kind, body, level) in enumerate(raw):
        if kind == "table-row":
            out.append(Block(kind, _table_row(body)))
            continue
        if kind == "list-item" and (_CONTENTS_ENTRY.match(body) or in_contents[index]):
            continue
        one_line = "\n" not in body
        body = body.replace("\n", " ")
        if kind == "paragraph":
            if _ICON_WORD.match(body) or _is_contents_line(body):
                continue
            if (
                one_line
                and _BOLD_ONLY.match(body)
                and looks_like_subheading(text := markdown_inline(body))
            ):
                out.append(Block("heading", text, SUBHEADING))
                continue
        out.append(Block(kind, markdown_inline(body), level))
    # Markdown without heading markup (converted from plain text): read it as a reader would.
    return headings_by_look(out)
