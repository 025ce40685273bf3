"""Which characters a fetched body holds: the header, then the page's own meta, then a guess.

Pure: bytes in, text out. The raw bytes stay what the snapshot stores; this only decides
how to read them.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">
_META = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_XML_DECL = re.compile(rb"<\?xml[^>]{0,100}?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]{1,40})", re.I)
# Where HTML says the meta charset must be (the spec's prescan reads 1024 bytes; pages
# with long heads put it later, so look a little further).
_PRESCAN = 4096
# Single-byte charsets servers default to; UTF-8 with non-ASCII bytes is almost never
# valid text in them by accident, so a body that decodes as strict UTF-8 is UTF-8.
_LEGACY_DEFAULTS = {"iso8859-1", "cp1252", "ascii", "iso8859-15"}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    charset: str
    # header | meta | bom | utf-8 | detected | header-contradicted | fallback
    source: str


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_in_body(body: bytes) -> str | None:
    """The charset a page or XML document declares about itself, if any."""
    head = body[:_PRESCAN]
    m = _META.search(head) or _XML_DECL.search(head)
    return m.group(1).decode("ascii") if m else None


def decode_body(body: bytes, header_charset: str | None = None) -> Decoded:
    """``body`` as text, with the charset used and where that charset came from."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(codec, errors="replace"), codec, "bom")

    utf8 = _strict(body, "utf-8")
    for source in ("header", "meta"):
        codec = _codec(header_charset if source == "header" else declared_in_body(body))
        if codec is None:
            continue
        if codec in _LEGACY_DEFAULTS and utf8 is not None and not body.isascii():
            return Decoded(utf8, "utf-8", f"{source}-contradicted")
        text = utf8 if codec == "utf-8" else _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, source)

    if utf8 is not None:
        return Decoded(utf8, "utf-8", "utf-8")
    best = charset_normalizer.from_bytes(body).best()
    if best is not None:
        codec = _codec(best.encoding) or "utf-8"
        return Decoded(str(best), codec, "detected")
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "fallback")
