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

# Bot walls answer with a page of their own, sometimes with status 200. Their titles are
# distinctive. Their scripts and captcha widgets count only on an error status: Cloudflare
# injects its challenge-platform script into ordinary pages too, and a real policy page may
# carry a contact form with a captcha.
_WALL_TITLES = (
    "just a moment",
    "attention required",
    "access denied",
    "ddos-guard",
    "checking your browser",
    "one more step",
    "please verify you are a human",
    "pardon our interruption",
    "are you a robot",
)
_WALL_MARKERS = (
    b"/cdn-cgi/challenge-platform/",
    b"cf-browser-verification",
    b"cf_chl_opt",
    b"captcha-delivery.com",
    b"px-captcha",
    b"_incapsula_resource",
    b"sucuri_cloudproxy",
)
_CAPTCHA_WIDGETS = (b"g-recaptcha", b"h-captcha", b"hcaptcha.com", b"challenges.cloudflare.com")
_HEAD = 32 * 1024


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


def _title(head: bytes, lowered: bytes) -> str | None:
    """The text of the first <title>, found in ``lowered``, cut from ``head`` (same offsets)."""
    start = lowered.find(b"<title")
    if start < 0:
        return None
    start = lowered.find(b">", start) + 1
    end = lowered.find(b"</title", start)
    if start <= 0 or end < 0:
        return None
    return " ".join(head[start:end].decode("utf-8", "replace").split())


def challenge_reason(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why this response is a bot wall (captcha or challenge), or None."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "cloudflare challenge (cf-mitigated)"
    # Lowercase once, then plain substring searches: this runs on every response.
    head = body[:_HEAD]
    lowered = head.lower()
    title = _title(head, lowered)
    if title and title.lower().startswith(_WALL_TITLES):
        return f"challenge page ({title})"
    if status >= 400:
        if any(marker in lowered for marker in _WALL_MARKERS):
            return "challenge script"
        if any(widget in lowered for widget in _CAPTCHA_WIDGETS):
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
