"""Small pure helpers the pages share: dates for people, safe links, search highlights."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from db.rows import SnapshotRow

_WORD = re.compile(r"\w+", re.UNICODE)


def parse_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def day(iso: str | None) -> str:
    """'2023-10-06T03:52:40Z' -> '6 Oct 2023' (what a reader scans for)."""
    moment = parse_time(iso)
    return moment.strftime("%-d %b %Y") if moment else (iso or "")


def clip(text: str, limit: int = 240) -> str:
    """At most `limit` characters, cut at a word, for lists that link to the whole text."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def wayback_stamp(iso: str) -> str:
    """The Wayback Machine's 14-digit timestamp of a capture time."""
    moment = parse_time(iso)
    if moment is None:
        raise ValueError(f"not a capture time: {iso!r}")
    return moment.strftime("%Y%m%d%H%M%S")


def safe_href(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None: nothing else is ever emitted as a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def capture_url(wayback_url: str, snapshot: SnapshotRow, document_url: str) -> str | None:
    """Where a person can look at a capture: the Wayback page of a wayback snapshot.

    Live fetches have no public copy of their own (the change row's archive_url may).
    """
    if snapshot.get("source") not in ("wayback", "wayback-rendered"):
        return None
    if not snapshot.get("captured_at"):
        return None
    original = safe_href(document_url)
    if original is None:
        return None
    return f"{wayback_url.rstrip('/')}/web/{wayback_stamp(snapshot['captured_at'])}/{original}"


def query_words(q: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(q)]


def _matches(word: str, wanted: list[str]) -> bool:
    # The index stems (porter), so "sharing" finds "shared": compare on a common stem.
    w = word.lower()
    return any(w.startswith(q[: max(3, len(q) - 3)]) for q in wanted)


def highlight(text: str, q: str, *, context: int = 14) -> list[tuple[bool, str]]:
    """The words of `text` around the first match of the query, as (matched, text) pieces.

    Done here rather than with FTS snippet markers because policy text may contain any
    marker character; the template escapes every piece.
    """
    wanted = query_words(q)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    hits = [i for i, (a, b) in enumerate(spans) if wanted and _matches(text[a:b], wanted)]
    if not spans:
        return [(False, text)]
    first = hits[0] if hits else 0
    lo = max(0, first - context)
    hi = min(len(spans), first + 3 * context)
    start = spans[lo][0] if lo else 0
    end = spans[hi - 1][1] if hi < len(spans) else len(text)
    pieces: list[tuple[bool, str]] = [(False, "…")] if start else []
    pos = start
    hit_set = set(hits)
    for i in range(lo, hi):
        a, b = spans[i]
        if i in hit_set:
            if a > pos:
                pieces.append((False, text[pos:a]))
            pieces.append((True, text[a:b]))
            pos = b
    if end > pos:
        pieces.append((False, text[pos:end]))
    if end < len(text):
        pieces.append((False, "…"))
    return pieces
