"""What the API's route groups share: JSON with ETags, the change object, input checks.

Every check raises `Problem` (400/404 ...) with a one-line detail, so a bad input is a clear
`application/problem+json` answer, never a 500.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any

from aiohttp import web

from api import keys
from api.problems import Problem
from api.shapes import Change
from db import Store
from db.reads import is_public
from db.rows import ChangeEntry, Document, SiteRow, VersionRow
from monitor.domains import DomainError, normalize_domain

JSON_TYPE = "application/json"
# SQLite integers are signed 64-bit: a larger number is no id, cursor or count we issued,
# and handing it to SQLite raises OverflowError (a 500) instead of answering "not found".
MAX_ID = 2**63 - 1
# No body we accept nests deeper than a few levels; json.loads recurses, so a body nested
# a thousand deep raises RecursionError (a 500) unless refused before parsing.
MAX_JSON_DEPTH = 32
# Seconds a client may take to send a whole body (the head is bounded by the server's
# idle timeout; see api/service.py). Overridden by Settings.body_timeout.
BODY_TIMEOUT = 15.0


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


def parse_id(raw: str) -> int | None:
    """A decimal integer in 1..MAX_ID, or None: the one integer parse for paths, queries
    and cursors. The length check comes first, as int() of 5,000 digits raises ValueError."""
    if not raw or len(raw) > len(str(MAX_ID)) or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def positive_int(raw: str | None, name: str, *, default: int | None = None) -> int:
    """A positive integer path or query parameter, or a 400 problem naming it."""
    if raw is None or raw == "":
        if default is not None:
            return default
        raise Problem(400, "Missing parameter", f"{name} is required")
    value = parse_id(raw)
    if value is None:
        raise Problem(400, "Bad parameter", f"{name} must be a positive integer, not {raw[:40]!r}")
    return value


def parse_flag(
    raw: str, true: tuple[str, ...] = ("true",), false: tuple[str, ...] = ("false",)
) -> bool | None:
    """True or False by the words given, or None for anything else: the one yes/no parse
    of the API (`true`/`false`) and the viewer (which also takes a form's 1/0, on/off)."""
    if raw in true:
        return True
    if raw in false:
        return False
    return None


def boolean(raw: str | None, name: str) -> bool | None:
    if raw is None:
        return None
    value = parse_flag(raw)
    if value is None:
        raise Problem(400, "Bad parameter", f"{name} must be true or false, not {raw[:40]!r}")
    return value


def public_site(store: Store, raw: str) -> tuple[str, SiteRow | None]:
    """The domain `raw` names and its site row if it is public (tracked), else None; a
    request or a failure is nobody else's business. DomainError if `raw` is no domain."""
    name = normalize_domain(raw)
    site = store.get_site(name)
    return name, site if is_public(store, site) else None


def public_version(store: Store, version_id: int) -> tuple[VersionRow, Document]:
    """A version of a public site's document, and the document, or a 404 problem."""
    version = store.get_version(version_id)
    doc = store.get_document(version["document_id"]) if version else None
    if version is None or doc is None or not is_public(store, store.get_site(doc["site_id"])):
        raise Problem(404, "Unknown version", f"there is no version {version_id}")
    return version, doc


def site_or_404(request: web.Request) -> SiteRow:
    """The public site named in the path, or a 400/404 problem."""
    try:
        name, site = public_site(request.app[keys.STORE], request.match_info["site"])
    except DomainError:
        raise Problem(400, "Bad site", "site must be a domain name such as example.com") from None
    if site is None:
        raise Problem(404, "Unknown site", f"{name} is not tracked")
    return site


def change_url(site: str, change_id: int) -> str:
    """The diff viewer's page of a change, relative to the server's base URL."""
    return f"/sites/{site}/changes/{change_id}"


def change_json(row: ChangeEntry) -> Change:
    """A change as the feed and the site answer it (docs/extension-api.md); its shape, and
    the OpenAPI schema of it, is `api.shapes.Change`."""
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


# A JSON string, written as the "unrolled loop" (runs of plain characters between escapes),
# which matches three times faster than an alternation per character.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str, *, stop_above: int | None = None) -> int:
    """How deep arrays and objects nest in `text` (brackets inside strings do not count);
    the walk ends as soon as the depth passes `stop_above`.

    Only brackets are walked, so this costs little beside the parse it protects."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes) -> Any:
    """The JSON value of a request body, or a 400 problem: never a 500, however hostile."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "Bad JSON", "the body is not valid UTF-8 JSON") from None
    # Counting brackets is microseconds and bounds the depth from above: only a body with
    # more of them than the limit pays for the exact walk.
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_JSON_DEPTH and json_depth(text, stop_above=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise Problem(400, "Bad JSON", f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Problem(400, "Bad JSON", "the body is not valid UTF-8 JSON") from None


async def read_body(request: web.Request, *, limit: int, timeout: float | None = None) -> bytes:
    """The whole body, of at most `limit` bytes, or a 413 problem.

    Reads until the end of the body, however the client's TCP segments (or chunks) split
    it: one `read()` returns only what has arrived so far. The whole read is bounded by
    `timeout` (Settings.body_timeout): a client dripping a body is dropped with a 408.
    """
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, "Body too large", f"the body must be at most {limit} bytes")
    if timeout is None:
        settings = request.app.get(keys.SETTINGS)
        timeout = getattr(settings, "body_timeout", BODY_TIMEOUT)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            while True:
                chunk = await request.content.read(limit + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise Problem(413, "Body too large", f"the body must be at most {limit} bytes")
    except TimeoutError:
        raise Problem(
            408, "Request Timeout", f"the body did not arrive within {timeout:g} s"
        ) from None
    return b"".join(chunks)


async def read_json_body(request: web.Request, *, limit: int) -> dict:
    """A JSON object body of at most `limit` bytes, or a 413/415/400 problem.

    The one body reader of every JSON route (tracking requests, webhook registration and
    changes)."""
    ctype = request.content_type
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, "Body too large", f"the body must be at most {limit} bytes")
    if ctype not in (JSON_TYPE, "application/merge-patch+json") and not ctype.endswith("+json"):
        raise Problem(415, "Unsupported media type", "send the body as application/json")
    value = parse_json(await read_body(request, limit=limit))
    if not isinstance(value, dict):
        raise Problem(400, "Bad JSON", "the body must be a JSON object")
    return value
