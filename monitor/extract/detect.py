"""Which format a capture is in, from its bytes first and its content type second.

Magic bytes and structure do not lie the way Content-Type headers do (Markdown served as
text/plain, JSON as text/html), so the header only decides what the content leaves open.
"""

from __future__ import annotations

import json
import re

from monitor.model import ExtractionError

FORMATS = ("html", "wordpress", "markdown", "text", "pdf")

_BINARY_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00asm", "WebAssembly"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ", "xz-compressed data"),
    (b"wOF", "a web font"),
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
# Block-level tags only: Markdown converted from HTML keeps stray <br> and <span>.
_HTML_TAGS = re.compile(
    rb"<(?:p|div|h[1-6]|li|ul|ol|table|tr|td|section|article|main)\b[^>]*>", re.I
)
_WAYBACK_PREAMBLE = re.compile(rb"^\s*the following text is extracted and transformed from", re.I)
_MD_SIGNALS = re.compile(
    rb"^ {0,3}#{1,6}[ \t]|^ {0,3}(?:=+|-{3,})[ \t]*$|\]\([^)\s]*\)|\*\*\S|^ {0,3}\|.*\|[ \t]*$|^[ \t]*[-*+][ \t]+\S",
    re.M,
)
# A document that opens with a Markdown heading is Markdown, even with HTML inside it.
_MD_OPENING = re.compile(rb"^\s*(?:#{1,6}[ \t]+\S[^\n]*|[^\n<]+\n {0,3}(?:=+|-+)[ \t]*)(?:\n|$)")
# Control characters that text never holds (tab, newline, form feed, CR and ESC it does).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_SNIFF = 65536
_COUNT_SAMPLE = 16384


def _content_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_binary(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs but is text
        return False
    if b"\x00" in head:
        return True
    # Counted in C: deleting the control bytes and measuring what went (a Python loop over
    # the 4 KiB head cost every page a quarter of a millisecond).
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > len(head) // 100 + 1


def is_wordpress(data: object) -> bool:
    """A WordPress REST API page/post object (or a one-element list of them)."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    content = data.get("content") if isinstance(data, dict) else None
    return isinstance(content, dict) and isinstance(content.get("rendered"), str)


def detect_format(raw: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """One of FORMATS; ExtractionError for binary, JSON that is not a page, or nothing."""
    head = raw[:_SNIFF]
    if raw[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ExtractionError(f"unsupported format: {what}")
    if _is_binary(head[:4096]):
        raise ExtractionError("unsupported format: binary data")
    if not raw.strip():
        raise ExtractionError("empty capture: no policy text")
    ctype = _content_type(content_type)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") or ctype.endswith("json"):
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # nested past the stack
            data = None
        if is_wordpress(data):
            return "wordpress"
        if data is not None or ctype.endswith("json"):
            raise ExtractionError("unsupported format: JSON that is not a WordPress page")
    if _HTML_START.match(head):
        return "html"
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if _WAYBACK_PREAMBLE.match(head):
        return "text"
    if ctype in ("text/markdown", "text/x-markdown"):
        return "markdown"
    path = (url or "").split("?", 1)[0].split("#", 1)[0].lower()
    if path.endswith((".md", ".markdown")):
        return "markdown"
    if _MD_OPENING.match(head):
        return "markdown"
    sample = head[:_COUNT_SAMPLE]  # enough to tell Markdown from HTML, and cheap
    tags, signals = len(_HTML_TAGS.findall(sample)), len(_MD_SIGNALS.findall(sample))
    if path.endswith((".html", ".htm")) or (tags >= 3 and tags > signals):
        return "html"
    if signals >= 2:
        return "markdown"
    return "text"
