"""What the API's route groups share: JSON with ETags, the change object, input checks.

Every check raises `Problem` (400/404 ...) with a one-line detail, so a bad input is a clear
`application/problem+json` answer, never a 500.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web

from api.problems import Problem

JSON_TYPE = "application/json"

# The state a site row holds -> the word the API speaks (docs/extension-api.md).
_STATE_WORDS = {"active": "tracked"}


def state_word(state: str) -> str:
    return _STATE_WORDS.get(state, state)


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def strong_etag(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f'"{digest[:32]}"'


def etag_matches(request: web.Request, etag: str) -> bool:
    """If-None-Match against a strong ETag (a list, or `*`)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in (t.strip() for t in header.split(","))


def json_response(
    request: web.Request,
    value: Any,
    *,
    status: int = 200,
    cache: str | None = None,
    etag: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """JSON, with a strong ETag (of the body unless given) and 304 when it matches."""
    body = dumps(value)
    out = dict(headers or {})
    if cache:
        out["Cache-Control"] = cache
    if status == 200:
        etag = etag or strong_etag(hashlib.sha256(body).hexdigest())
        out["ETag"] = etag
        if etag_matches(request, etag):
            return web.Response(status=304, headers=out)
    return web.Response(status=status, body=body, content_type=JSON_TYPE, headers=out)


def positive_int(raw: str | None, name: str, *, default: int | None = None) -> int:
    """A positive integer path or query parameter, or a 400 problem naming it."""
    if raw is None or raw == "":
        if default is not None:
            return default
        raise Problem(400, "Missing parameter", f"{name} is required")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
        raise Problem(400, "Bad parameter", f"{name} must be a positive integer, not {raw[:40]!r}")
    return int(raw)


def boolean(raw: str | None, name: str) -> bool | None:
    if raw is None:
        return None
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise Problem(400, "Bad parameter", f"{name} must be true or false, not {raw[:40]!r}")


def change_url(site: str, change_id: int) -> str:
    """The diff viewer's page of a change, relative to the server's base URL."""
    return f"/sites/{site}/changes/{change_id}"


def change_json(row: dict) -> dict:
    """A change as the feed and the site answer it (docs/extension-api.md)."""
    return {
        "id": row["id"],
        "site": row["site"],
        "site_hash": row["site_hash"],
        "document": row["document_kind"],
        "document_id": row["document_id"],
        "detected_at": row["detected_at"],
        "from_captured_at": row["from_captured_at"],
        "to_captured_at": row["to_captured_at"],
        "origin": row["origin"],
        "material": bool(row["material"]),
        "categories": list(row["categories"] or []),
        "summary": row["summary"] or "",
        "url": change_url(row["site"], row["id"]),
    }


async def read_json_body(request: web.Request, *, limit: int) -> dict:
    """A JSON object body of at most `limit` bytes, or a 413/415/400 problem."""
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, "Body too large", f"the body must be at most {limit} bytes")
    ctype = request.content_type
    if ctype not in (JSON_TYPE, "application/merge-patch+json") and not ctype.endswith("+json"):
        raise Problem(415, "Unsupported media type", "send the body as application/json")
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise Problem(413, "Body too large", f"the body must be at most {limit} bytes")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "Bad JSON", "the body is not valid UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise Problem(400, "Bad JSON", "the body must be a JSON object")
    return value
