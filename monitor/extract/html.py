"""HTML pages to blocks: strip the site's chrome, then read the page's block structure.

Headings h1-h6 open sections; a paragraph that is bold and nothing else
(``<p><strong>Cookies</strong></p>``) is a sub-heading; p/div text is a paragraph, li a list
item, tr a table row with its cells joined by " | ". Tables that lay out a whole page
(headings or nested tables in their cells) are read as containers, not as rows.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.blocks import SUBHEADING, Block, headings_by_look, looks_like_subheading
from monitor.extract.chrome import strip_chrome

_HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = (
    "address article aside blockquote body center dd details dialog div dl dt fieldset "
    "figcaption figure footer form header hgroup hr main nav p pre section summary legend "
    "caption html tbody thead tfoot menu tr td th"
)
_BLOCK = frozenset(_BLOCK_TAGS.split())
_LISTS = frozenset({"ul", "ol"})
_BOLD = frozenset({"strong", "b"})
_SKIP = frozenset({"-comment", "script", "style", "img", "picture", "source", "track", "wbr"})
_LAYOUT_CELL = 2000
_MAX_DEPTH = 150
_HEADING_SELECTOR = "h1, h2, h3, h4, h5, h6"
_BULLET_GLYPH = re.compile(r"^[•▪◦●·][\s\u00a0]+(?=\S)")
# Values meant for scripts that a page prints as text (often in elements hidden by a class
# stylesheet the extraction cannot see): JSON literals and objects, UUIDs, hex digests and
# tokens that mix upper case, lower case and digits. They change per request, and are never
# a term of the policy; IBANs, postcodes, e-mail addresses and URLs do not match.
_MACHINE_VALUE = re.compile(
    r"(?:(?i:true|false|null|undefined|nan)|\{.*:.*\}|\[.*[\",].*\]"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{16,}"
    r"|(?=\S*[a-z])(?=\S*[A-Z])(?=\S*[0-9])[A-Za-z0-9+/=_.-]{20,})",
    re.S,
)
# A contents list: at least this many items in a row, each naming a heading below.
_CONTENTS_ITEMS = 3
_CONTENTS_SHARE = 0.8  # one entry may be worded apart from its heading
_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[ivx]{1,5}\.|[a-z]\))\s+")
# Elements whose edges break a line even when read as inline text.
_BREAKS = _BLOCK | _LISTS | frozenset(_HEADING_LEVEL) | {"li", "table"}
# A segment of inline text: (text, bold) or a line break (None).
Segment = tuple[str, bool] | None


class _Reader:
    """One pass over a cleaned tree, turning it into blocks in reading order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.segments: list[Segment] = []
        self.bold = 0
        self.depth = 0

    # -- inline text ---------------------------------------------------------------------
    def too_deep(self, node: LexborNode) -> bool:
        """Past _MAX_DEPTH nested elements the rest is read as one run of text.

        Real pages nest a few dozen levels; hostile ones nest thousands, which would
        exhaust Python's stack.
        """
        if self.depth < _MAX_DEPTH:
            return False
        self.segments.append((node.text(deep=True, separator=" ") or "", self.bold > 0))
        return True

    def inline(self, node: LexborNode) -> None:
        """Collect all text under ``node`` as inline text, blocks becoming line breaks."""
        if self.too_deep(node):
            return
        self.depth += 1
        self._inline(node)
        self.depth -= 1

    def _inline(self, node: LexborNode) -> None:
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                self.segments.append((child.text_content or "", self.bold > 0))
            elif tag == "br":
                self.segments.append(None)
            elif tag not in _SKIP:
                block = tag in _BREAKS
                if block:
                    self.segments.append(None)
                self.bold += tag in _BOLD
                self.inline(child)
                self.bold -= tag in _BOLD
                if block:
                    self.segments.append(None)
            child = child.next

    def take_text(self) -> str:
        text = "".join([s[0] if s else " " for s in self.segments])
        self.segments = []
        return " ".join(text.split())

    # -- flushing ------------------------------------------------------------------------
    def flush_paragraphs(self) -> None:
        """Emit the collected inline text as paragraphs (and run-in bold sub-headings)."""
        if not self.segments:
            return
        # Most flushes hold only the whitespace between block elements: nothing to emit,
        # and the line and group building below is the reader's costliest step.
        for seg in self.segments:
            if seg is not None and seg[0] and not seg[0].isspace():
                break
        else:
            self.segments = []
            return
        # One line of plain text (no break, nothing bold): one paragraph, as below, without
        # building lines and groups.
        if None not in self.segments and not any(seg[1] for seg in self.segments if seg):
            text = "".join([seg[0] for seg in self.segments if seg]).strip()
            self.segments = []
            if text:  # always, past the check above
                self.paragraph(text)
            return
        lines: list[list[tuple[str, bool]]] = [[]]
        for seg in self.segments:
            if seg is None:
                lines.append([])
            else:
                lines[-1].append(seg)
        self.segments = []
        # Lines between empty lines (<br><br>) form one paragraph; one <br> does not split.
        groups: list[list[tuple[str, bool]]] = [[]]
        for line in lines:
            text = "".join(t for t, _ in line).strip()
            if not text:
                if groups[-1]:
                    groups.append([])
                continue
            # "<strong>Cookies</strong>." is still a bold-only line: the stop is not a word.
            bold = any(b for _, b in line) and all(b or not t.strip(" \t\n.:") for t, b in line)
            groups[-1].append((text, bold))
        for group in groups:
            if not group:
                continue
            (first, bold), rest = group[0], group[1:]
            # A bold first line over plain lines is a run-in heading; an all-bold block
            # (an address in bold) is text.
            if bold and looks_like_subheading(first) and not (rest and all(b for _, b in rest)):
                self.blocks.append(Block("heading", first, SUBHEADING))
                group = rest
            if group:
                self.paragraph(" ".join(t for t, _ in group))

    def paragraph(self, text: str) -> None:
        # "<p>• Item</p>": a list typed with bullet characters (word processors).
        if m := _BULLET_GLYPH.match(text):
            self.blocks.append(Block("list-item", text[m.end() :]))
        else:
            self.blocks.append(Block("paragraph", text))

    def flush_as(self, kind: str, level: int = 0) -> None:
        text = self.take_text()
        if text:
            self.blocks.append(Block(kind, text, level))

    # -- block structure -----------------------------------------------------------------
    def walk(self, node: LexborNode) -> None:
        # The reader's hottest loop (every element of the page), kept to one frame a level.
        if self.depth >= _MAX_DEPTH:
            self.too_deep(node)
            return
        self.depth += 1
        element = self.element
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":  # half the nodes: read here, without a call
                self.segments.append((child.text_content or "", self.bold > 0))
            else:
                element(child, tag)
            child = child.next
        self.depth -= 1

    def visit(self, child: LexborNode) -> None:
        """Read one node met in a container, in reading order."""
        tag = child.tag
        if tag == "-text":
            self.segments.append((child.text_content or "", self.bold > 0))
        else:
            self.element(child, tag)

    def element(self, child: LexborNode, tag: str | None) -> None:
        """Read one non-text node met in a container (``tag`` is its tag)."""
        if tag == "br":
            self.segments.append(None)
        elif tag in _SKIP or tag is None or tag.startswith("-"):
            pass
        elif tag in _HEADING_LEVEL:
            self.flush_paragraphs()
            self.inline(child)
            self.flush_as("heading", _HEADING_LEVEL[tag])
        elif tag in _LISTS:
            self.flush_paragraphs()
            self.walk_list(child)
        elif tag == "li":  # a stray item outside a list
            self.flush_paragraphs()
            self.walk_item(child)
            self.flush_paragraphs()
        elif tag == "table":
            self.flush_paragraphs()
            self.walk_table(child)
        elif tag in _BLOCK:
            self.flush_paragraphs()
            self.walk(child)
            self.flush_paragraphs()
        else:  # inline element: its text joins the paragraph being collected
            self.bold += tag in _BOLD
            self.walk(child)
            self.bold -= tag in _BOLD

    def walk_list(self, node: LexborNode) -> None:
        if self.too_deep(node):
            self.flush_paragraphs()
            return
        self.depth += 1
        self._walk_list(node)
        self.depth -= 1
        self.flush_paragraphs()

    def _walk_list(self, node: LexborNode) -> None:
        """Items, nested lists, and whatever else a list holds (text without <li> is kept)."""
        child = node.child
        while child is not None:
            if child.tag == "li":
                self.flush_paragraphs()
                self.walk_item(child)
                self.flush_paragraphs()
            else:
                self.visit(child)
            child = child.next

    def walk_item(self, item: LexborNode) -> None:
        """One list item's own text; lists and tables nested in it follow as their own."""
        if item.css_first(_HEADING_SELECTOR) is not None:
            # Sections laid out as list items: read the item as a container.
            self.walk(item)
            self.flush_paragraphs()
            return
        nested: list[LexborNode] = []
        child = item.child
        while child is not None:
            if child.tag in _LISTS or child.tag == "table":
                nested.append(child)
            elif child.tag == "-text":
                self.segments.append((child.text_content or "", False))
            elif child.tag == "br":
                self.segments.append(None)
            elif child.tag not in _SKIP:
                block = child.tag in _BREAKS
                if block:
                    self.segments.append(None)
                self.inline(child)
                if block:
                    self.segments.append(None)
            child = child.next
        self.flush_as("list-item")
        for node in nested:
            if node.tag == "table":
                self.walk_table(node)
            else:
                self.walk_list(node)

    def walk_table(self, table: LexborNode) -> None:
        rows = _rows(table)
        if _is_layout(table, rows):
            self.walk(table)
            self.flush_paragraphs()
            return
        caption = table.css_first("caption")
        if caption is not None:
            self.inline(caption)
            self.flush_as("paragraph")
        for row in rows:
            cells = []
            cell = row.child
            while cell is not None:
                if cell.tag in ("td", "th"):
                    self.inline(cell)
                    text = self.take_text()
                    if text:
                        cells.append(text)
                cell = cell.next
            if cells:
                self.blocks.append(Block("table-row", " | ".join(cells)))


def _rows(table: LexborNode) -> list[LexborNode]:
    """The table's own rows (not those of tables nested in its cells)."""
    rows: list[LexborNode] = []
    child = table.child
    while child is not None:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            row = child.child
            while row is not None:
                if row.tag == "tr":
                    rows.append(row)
                row = row.next
        child = child.next
    return rows


def _is_layout(table: LexborNode, rows: list[LexborNode]) -> bool:
    """A table that holds a page's layout rather than data."""
    if not rows or table.css_first(_HEADING_SELECTOR) is not None:
        return True
    # One search of the whole table first: most hold no table at all, and asking each cell
    # costs a selector query per cell (cookie tables have hundreds).
    nested = table.css_first("table") is not None
    for row in rows:
        if len(row.text(deep=True)) > _LAYOUT_CELL * 2:
            return True
        cell = row.child
        while nested and cell is not None:
            if cell.tag in ("td", "th") and cell.css_first("table") is not None:
                return True
            cell = cell.next
    return False


def page_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    text = node.text(deep=True).strip() if node is not None else ""
    return text or None


def page_url(tree: LexborHTMLParser) -> str | None:
    """Where the page says it lives (canonical link, og:url), for telling site links apart."""
    for selector, attr in (("link[rel=canonical]", "href"), ("meta[property='og:url']", "content")):
        node = tree.css_first(selector)
        value = (node.attributes.get(attr) or "").strip() if node is not None else ""
        if value.startswith(("http://", "https://")):
            return value
    return None


def page_language(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("html")
    return node.attributes.get("lang") or node.attributes.get("xml:lang") if node else None


def html_blocks(tree: LexborHTMLParser, url: str | None = None) -> list[Block]:
    """The blocks of an HTML page; the tree loses its chrome in the process."""
    strip_chrome(tree, url)
    root = tree.body or tree.root
    if root is None:
        return []
    reader = _Reader()
    reader.walk(root)
    reader.flush_paragraphs()
    blocks = [b for b in reader.blocks if b.kind == "heading" or not _machine_value(b.text)]
    blocks = _without_contents_lists(blocks)
    # A page without heading markup (text pasted into <p>s): read it as a reader would.
    return headings_by_look(blocks)


def _heading_key(text: str) -> str:
    # Case and spacing only: cheaper than comparison_key, and enough to pair an entry
    # with the heading it names on the same page.
    return _NUMBERING.sub("", " ".join(text.split()).casefold())


def _without_contents_lists(blocks: list[Block]) -> list[Block]:
    """``blocks`` less in-page contents lists written without links.

    A list of at least 3 items, 4 in 5 of which name a heading further down ("Wer wir sind"
    above "1. Wer wir sind") is the page's table of contents; with links, chrome removes it
    from the tree already. Some captures of a page carry the links and others not: both
    must read the same.
    """
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind == "list-item":
            j += 1
        if j - i >= _CONTENTS_ITEMS:
            runs.append((i, j))
        i = max(j, i + 1)
    if not runs:
        return blocks
    later = {_heading_key(b.text): k for k, b in enumerate(blocks) if b.kind == "heading"}
    drop: set[int] = set()
    for i, j in runs:
        named = sum(later.get(_heading_key(blocks[k].text), -1) > k for k in range(i, j))
        if named >= _CONTENTS_SHARE * (j - i):
            drop.update(range(i, j))
    return [b for k, b in enumerate(blocks) if k not in drop] if drop else blocks


def _machine_value(text: str) -> bool:
    text = text.strip()
    # Only a JSON object or array holds a space; a sentence is answered without the regex.
    if " " in text and not text.startswith(("{", "[")):
        return False
    return _MACHINE_VALUE.fullmatch(text) is not None
