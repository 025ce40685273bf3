"""PDF captures to blocks: text lines with their position and font, then paragraphs.

A PDF has no paragraphs, only positioned lines. Running headers, footers and page numbers
repeat at the page edges and are dropped; lines are joined back into paragraphs where the
vertical gap or a short sentence-ending line says one ended; words hyphenated at a line
end are rejoined; larger or bold lines standing alone are headings.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from monitor.extract.blocks import SUBHEADING, Block, headings_by_look, looks_like_subheading
from monitor.model import ExtractionError

if TYPE_CHECKING:
    from pypdf import PdfReader

_EDGE = 0.09  # top and bottom share of a page where running headers and footers sit
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/|-)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I
)
_DIGITS = re.compile(r"\d+")
_BULLET = re.compile(r"^[•▪◦●■–\-*·][ \t]*(?=\S)")
_ENUMERATOR = re.compile(r"^(?:\d{1,3}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))[ \t]+(?=\S)", re.I)
_SENTENCE_END = re.compile(r"[.:;!?)\"”]$")
_HEADING_RATIO = 1.15
_GAP_RATIO = 1.25
_SHORT_LINE = 0.75
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_MAX_PAGES = 500


@dataclass(slots=True)
class _Line:
    page: int
    y: float
    size: float
    parts: list[str] = field(default_factory=list)
    bold_chars: int = 0
    chars: int = 0

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def bold(self) -> bool:
        return self.chars > 0 and self.bold_chars >= 0.9 * self.chars


def _page_lines(reader: PdfReader, index: int) -> tuple[list[_Line], float]:
    page = reader.pages[index]
    lines: list[_Line] = []

    def visit(text: str, cm: list, tm: list, font: dict | None, size: float) -> None:
        if not text:
            return
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        eff = round(float(size) * scale, 1)
        bold = bool(font and _BOLD_FONT.search(str(font.get("/BaseFont", ""))))
        for k, piece in enumerate(text.split("\n")):
            same = lines and k == 0 and abs(lines[-1].y - y) <= max(eff, 1.0) * 0.5
            if not same:
                if not piece.strip():
                    continue
                lines.append(_Line(index, y, eff))
            line = lines[-1]
            line.parts.append(piece)
            visible = len(piece.strip())
            line.chars += visible
            line.bold_chars += visible if bold else 0
            line.size = max(line.size, eff) if visible else line.size

    page.extract_text(visitor_text=visit)
    height = float(page.mediabox.height or 792)
    return [line for line in lines if line.text], height


def _drop_running_lines(pages: list[tuple[list[_Line], float]]) -> list[_Line]:
    """Lines of the page bodies, without running headers, footers and page numbers."""

    def at_edge(line: _Line, height: float) -> bool:
        return line.y > height * (1 - _EDGE) or line.y < height * _EDGE

    repeated: Counter[str] = Counter()
    for lines, height in pages:
        repeated.update(
            {_DIGITS.sub("#", line.text.casefold()) for line in lines if at_edge(line, height)}
        )
    running = {
        text for text, n in repeated.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)
    }
    kept: list[_Line] = []
    for lines, height in pages:
        for line in lines:
            if at_edge(line, height) and (
                _PAGE_NUMBER.match(line.text) or _DIGITS.sub("#", line.text.casefold()) in running
            ):
                continue
            kept.append(line)
    return kept


def _join(text: str, line: str) -> str:
    # "collec-" + "tion" is one word split by the layout; "click-" + "Through" is not.
    if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
        return text[:-1] + line
    return f"{text} {line}"


def _blocks(lines: list[_Line]) -> list[Block]:
    if not lines:
        return []
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += line.chars
    body = weights.most_common(1)[0][0]
    gaps = [
        round(a.y - b.y, 1)
        for a, b in pairwise(lines)
        if a.page == b.page and a.size == body == b.size and 0 < a.y - b.y < body * 3
    ]
    spacing = Counter(gaps).most_common(1)[0][0] if gaps else body * 1.2
    widths = sorted(len(line.text) for line in lines if line.size == body)
    full = widths[int(len(widths) * 0.9)] if widths else 80
    larger = sorted(
        {line.size for line in lines if line.size >= body * _HEADING_RATIO}, reverse=True
    )

    def heading_of(line: _Line) -> int:
        text = line.text
        if line.size >= body * _HEADING_RATIO and len(text) <= 200:
            return larger.index(line.size) + 1
        if line.bold and looks_like_subheading(text) and not _SENTENCE_END.search(text[-1:]):
            return SUBHEADING
        return 0

    out: list[Block] = []
    kind, text, level, prev = "", "", 0, None
    for line in lines:
        current = line.text
        lvl = heading_of(line)
        # Paragraphs run on across page breaks, so only a gap on the same page counts.
        # Larger type has more leading, so the gap that ends a block scales with it.
        leading = max(spacing, prev.size * spacing / body) if prev is not None else spacing
        gap = prev is not None and prev.page == line.page and prev.y - line.y > leading * _GAP_RATIO
        short_end = (
            prev is not None
            and len(prev.text) < full * _SHORT_LINE
            and _SENTENCE_END.search(prev.text)
        )
        marker = _BULLET.match(current) or (
            (short_end or gap or kind != "paragraph") and _ENUMERATOR.match(current)
        )
        continues_heading = kind == "heading" and lvl == level and not gap
        if lvl and continues_heading:
            text = f"{text} {current}"
        elif lvl or marker or gap or short_end or kind == "heading" or not text:
            if text:
                out.append(Block(kind, text, level))
            if lvl:
                kind, text, level = "heading", current, lvl
            elif marker:
                kind, text, level = "list-item", current[marker.end() :], 0
            else:
                kind, text, level = "paragraph", current, 0
        else:
            text = _join(text, current)
        prev = line
    if text:
        out.append(Block(kind, text, level))
    # A PDF without font cues (all one size, no bold) still has heading-looking lines.
    return headings_by_look(out)


def pdf_blocks(raw: bytes) -> list[Block]:
    """The blocks of a PDF; ExtractionError when it cannot be read or has no text layer."""
    # Imported here: pypdf and the cryptography it loads cost ~30 MB and 0.3 s at startup,
    # paid by every HTML extraction when imported at the top.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf warns on every quirk of real-world PDFs; extraction reports failures itself.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF")
        count = len(reader.pages)
        pages = [_page_lines(reader, i) for i in range(min(count, _MAX_PAGES))]
    except ExtractionError:
        raise
    except PyPdfError as exc:
        raise ExtractionError(f"unreadable PDF: {exc}") from None
    except Exception as exc:  # a damaged file trips pypdf in any number of ways
        raise ExtractionError(f"unreadable PDF: {exc.__class__.__name__}") from None
    return _blocks(_drop_running_lines(pages))
