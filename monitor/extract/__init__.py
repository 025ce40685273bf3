"""Extraction: any policy capture (HTML, WordPress JSON, Markdown, plain text, PDF) to clauses.

``extract`` is pure and deterministic: the same bytes (and content type) always give the
same PolicyDocument, and it does no I/O.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from monitor.extract.blocks import assemble
from monitor.extract.decode import decode, utf8
from monitor.extract.detect import detect_format
from monitor.extract.html import html_blocks, page_language, page_title, page_url
from monitor.extract.markdown import markdown_blocks
from monitor.extract.memory import release_freed
from monitor.extract.pdf import pdf_blocks
from monitor.extract.plaintext import text_blocks
from monitor.extract.wordpress import wordpress_page
from monitor.model import ExtractionError, PolicyDocument

__all__ = ["ExtractionError", "extract"]


def extract(raw: bytes, content_type: str | None = None, url: str | None = None) -> PolicyDocument:
    """The policy document in ``raw``; ExtractionError when it holds no policy text."""
    fmt = detect_format(raw, content_type, url)
    if fmt == "pdf":
        return assemble(pdf_blocks(raw), format="pdf")
    if fmt == "html":
        return _from_html(utf8(raw, content_type), url)
    text = decode(raw, content_type)
    if fmt == "markdown":
        return assemble(markdown_blocks(text), format="markdown")
    if fmt == "wordpress":
        page = wordpress_page(text)
        tree = LexborHTMLParser(page.html)
        return assemble(
            html_blocks(tree), format=fmt, title=page.title, fallback_date=page.modified
        )
    if fmt == "text":
        return assemble(text_blocks(text), format="text")
    raise ExtractionError(f"{fmt} is not supported")


def _from_html(html: bytes, url: str | None) -> PolicyDocument:
    tree = LexborHTMLParser(html)
    title, language = page_title(tree), page_language(tree)
    blocks = html_blocks(tree, url or page_url(tree))
    # The parsed page is about 8 times its bytes (80 MB at the 10 MiB cap) and the blocks
    # hold all that is still needed: free it before the clauses are built beside them.
    del tree
    release_freed(len(html))
    return assemble(blocks, format="html", title=title, language=language)
