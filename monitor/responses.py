"""What an HTTP response means for a tracked document: its kind, a bot wall, a retry hint.

Pure functions over status, headers and the first bytes of a body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

BodyKind = Literal["html", "pdf", "text", "json", "xml", "other"]

_MIME_KINDS: dict[str, BodyKind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
    "application/json": "json",
    "text/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)

# Bot walls answer with a page of their own, sometimes with status 200. Their titles and
# scripts are distinctive; a generic captcha widget counts only on an error or a tiny page,
# because a real policy page may carry a contact form with one.
_WALL_TITLES = re.compile(
    rb"<title>\s*(?:just a moment\.\.\.|attention required!? \| cloudflare|"
    rb"access denied|ddos-guard|checking your browser[^<]*|one more step[^<]*|"
    rb"please verify you are a human|pardon our interruption)\s*</title>",
    re.I,
)
_WALL_MARKERS = re.compile(
    rb"/cdn-cgi/challenge-platform/|cf-browser-verification|cf_chl_opt|"
    rb"captcha-delivery\.com|px-captcha|_Incapsula_Resource|"
    rb"window\._cf_chl|sucuri_cloudproxy",
    re.I,
)
_CAPTCHA_WIDGETS = re.compile(rb"g-recaptcha|h-captcha|hcaptcha\.com|turnstile", re.I)
_TINY_PAGE = 32 * 1024


def mime_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def body_kind(content_type: str | None, body: bytes) -> BodyKind:
    """The kind of document a body is, from its Content-Type, checked against its bytes."""
    head = body[:1024]
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    mime = mime_type(content_type)
    kind = _MIME_KINDS.get(mime or "")
    if kind is None and mime:
        if mime.endswith("+json"):
            kind = "json"
        elif mime.endswith("+xml"):
            kind = "xml"
        elif mime.startswith("text/"):
            kind = "text"
    if kind in (None, "text") and _HTML_START.match(head):
        return "html"
    if kind is None:
        stripped = head.lstrip()
        if stripped[:1] in (b"{", b"["):
            return "json"
        if stripped.startswith(b"<?xml"):
            return "xml"
        return "other"
    return kind


def challenge_reason(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why this response is a bot wall (captcha or challenge), or None."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "cloudflare challenge (cf-mitigated)"
    head = body[:_TINY_PAGE]
    m = _WALL_TITLES.search(head)
    if m:
        title = re.sub(rb"</?title>", b"", m.group(0)).strip().decode("utf-8", "replace")
        return f"challenge page ({title})"
    if _WALL_MARKERS.search(head):
        return "challenge script"
    if (status >= 400 or len(body) < _TINY_PAGE) and _CAPTCHA_WIDGETS.search(head):
        return "captcha"
    return None


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the server asks us to wait (Retry-After: seconds or an HTTP date), or None."""
    raw = headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
