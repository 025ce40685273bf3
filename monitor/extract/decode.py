"""Bytes to text, for every reader of a page (discovery, the fetcher, extraction): the
charset the bytes declare, else UTF-8, else the best guess.

One decoder, so that discovery and extraction never read one page differently. Servers
often send no charset or the wrong one; UTF-8 is tried before any declaration because a
strict UTF-8 decode that succeeds is almost never wrong. Pure: bytes in, text out; the raw
bytes stay what the snapshot stores.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# (byte order mark, codec that reads what follows it, the charset named in a fetch result)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_MIN_GUESS = 1024
# Where a page names its charset: HTML's prescan reads 1024 bytes; pages with long heads
# put the meta later, so look a little further.
_PRESCAN = 4096
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"<\?xml[^>]{0,100}?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]{1,40})", re.I)
# Latin-1 and ASCII are what pages declare by default; cp1252 is what they mean.
_MEANT = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    charset: str
    # bom | header | meta | utf-8 | header-contradicted | meta-contradicted | detected | fallback
    source: str


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared(raw: bytes, content_type: str | None) -> tuple[str | None, str]:
    """The codec named by the Content-Type header (source "header"), else by the document
    itself (a meta charset or an XML declaration: "meta")."""
    if content_type and (m := _CHARSET.search(content_type.encode("latin-1", "ignore"))):
        return _codec(m[1]), "header"
    head = raw[:_PRESCAN]
    if m := _CHARSET.search(head) or _XML_DECL.search(head):
        return _codec(m[1]), "meta"
    return None, "meta"


def declared_charset(raw: bytes, content_type: str | None) -> str | None:
    """The charset named by the Content-Type header, else by the document's own meta tag."""
    return _declared(raw, content_type)[0]


def decode_body(raw: bytes, content_type: str | None = None) -> Decoded:
    """``raw`` as text, with the charset used and where it came from; never fails
    (undecodable bytes become U+FFFD). ``content_type`` is the whole header value."""
    for bom, name, charset in _BOMS:
        if raw.startswith(bom):
            return Decoded(raw[len(bom) :].decode(name, "replace"), charset, "bom")
    declared, source = _declared(raw, content_type)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared is None:
            return Decoded(text, "utf-8", "utf-8")
        if declared == "utf-8" or (raw.isascii() and _is_ascii_superset(declared)):
            return Decoded(text, declared, source)
        return Decoded(text, "utf-8", f"{source}-contradicted")
    codec = _MEANT.get(declared, declared) if declared else None
    if codec and codec != "utf-8":
        try:
            return Decoded(raw.decode(codec), codec, source)
        except (UnicodeDecodeError, LookupError):
            pass
    # Guessing needs evidence: on a few bytes the detector is wrong more often than cp1252,
    # the web's own fallback for undeclared pages.
    if len(raw) >= _MIN_GUESS:
        best = from_bytes(raw[:65536]).best()
        if best is not None and best.encoding:
            guessed = _codec(best.encoding) or best.encoding
            return Decoded(raw.decode(best.encoding, "replace"), guessed, "detected")
    return Decoded(raw.decode("cp1252", "replace"), "cp1252", "fallback")


def _is_ascii_superset(codec: str) -> bool:
    """Whether ASCII bytes mean the same characters in ``codec`` (not UTF-16/32)."""
    try:
        return "Aa0<".encode(codec) == b"Aa0<"
    except (UnicodeError, LookupError):
        return False


def decode(raw: bytes, content_type: str | None = None) -> str:
    """The text of ``raw``; never fails (undecodable bytes become U+FFFD)."""
    return decode_body(raw, content_type).text


def utf8(raw: bytes, content_type: str | None = None) -> bytes:
    """The text of ``raw`` as UTF-8 bytes, which the HTML parser reads as they are.

    A page that is UTF-8 already (nearly all are) is handed over without a copy: a decoded
    str of a 10 MiB page costs up to 40 MiB more (Python stores it at 1, 2 or 4 bytes a
    character), and the parser would encode it back to UTF-8 anyway.
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith(tuple(bom for bom, _, _ in _BOMS)):
        return decode(raw, content_type).encode("utf-8")
    if raw.isascii():
        return raw
    try:
        raw.decode("utf-8")  # a check only: the str is dropped at once
    except UnicodeDecodeError:
        return decode(raw, content_type).encode("utf-8", "replace")
    return raw
