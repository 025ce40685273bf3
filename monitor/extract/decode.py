"""Bytes to text: the charset the bytes declare, else UTF-8, else the best guess.

Servers often send no charset or the wrong one; UTF-8 is tried before any guess because a
strict UTF-8 decode that succeeds is almost never wrong.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MIN_GUESS = 1024
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(raw: bytes, content_type: str | None) -> str | None:
    """The charset named by the Content-Type header, else by the document's own meta tag."""
    if content_type and (m := _CHARSET.search(content_type.encode("latin-1", "ignore"))):
        return _codec(m[1])
    if m := _CHARSET.search(raw[:4096]):
        return _codec(m[1])
    return None


def decode(raw: bytes, content_type: str | None = None) -> str:
    """The text of ``raw``; never fails (undecodable bytes become U+FFFD)."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(name, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Latin-1 and ASCII are what pages declare by default; cp1252 is what they mean.
    name = declared_charset(raw, content_type)
    if name in ("latin-1", "iso8859-1", "ascii"):
        name = "cp1252"
    if name and name != "utf-8":
        try:
            return raw.decode(name)
        except (UnicodeDecodeError, LookupError):
            pass
    # Guessing needs evidence: on a few bytes the detector is wrong more often than cp1252,
    # the web's own fallback for undeclared pages.
    if len(raw) >= _MIN_GUESS:
        best = from_bytes(raw[:65536]).best()
        if best is not None and best.encoding:
            return raw.decode(best.encoding, "replace")
    return raw.decode("cp1252", "replace")


def utf8(raw: bytes, content_type: str | None = None) -> bytes:
    """The text of ``raw`` as UTF-8 bytes, which the HTML parser reads as they are.

    A page that is UTF-8 already (nearly all are) is handed over without a copy: a decoded
    str of a 10 MiB page costs up to 40 MiB more (Python stores it at 1, 2 or 4 bytes a
    character), and the parser would encode it back to UTF-8 anyway.
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith(tuple(bom for bom, _ in _BOMS)):
        return decode(raw, content_type).encode("utf-8")
    if raw.isascii():
        return raw
    try:
        raw.decode("utf-8")  # a check only: the str is dropped at once
    except UnicodeDecodeError:
        return decode(raw, content_type).encode("utf-8", "replace")
    return raw
