"""The public change feed, one change with its full diff, and any two versions compared.

The feed is what every extension polls, so it is built for caches: a cursor that is the
last change id (change ids are AUTOINCREMENT and SQLite commits one writer at a time, so
ids become visible in order and paging by `id > cursor` never skips or repeats), a strong
ETag that changes exactly when the page would, and a short shared max-age.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from api import keys
from api.comparisons import COMPARISONS, Busy, TooLarge
from api.comparisons import install as install_comparisons
from api.problems import Problem
from api.routes.common import (
    boolean,
    change_json,
    dumps,
    json_response,
    parse_id,
    positive_int,
    public_version,
    strong_etag,
)
from api.routes.readcache import READ_CACHE, Entry, install, read_generation, respond
from api.shapes import ChangeDetail, Feed
from db import Store
from db.changes import feed_page
from db.reads import is_public
from db.rows import ChangeRow, VersionRow
from monitor.classify.categories import CATEGORY_SLUGS

MAX_BUCKETS = 100
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def feed_cache(max_age: int) -> str:
    """A CDN may serve a page for `max_age` s (settings.feed_max_age, 30 by default) and a
    stale one while it revalidates; clients poll in minutes. The max-age bounds how late a
    new change reaches a client behind a cache (docs/deploy.md)."""
    return f"public, max-age={max_age}, stale-while-revalidate={2 * max_age}"


DETAIL_CACHE = "public, max-age=300"

_CURSOR_PREFIX = "c1."
_BUCKET = re.compile(r"^[0-9a-f]{2}$")


def encode_cursor(change_id: int) -> str:
    raw = f"{_CURSOR_PREFIX}{change_id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The change id inside a cursor; ValueError for anything we did not hand out."""
    if not cursor or len(cursor) > 40 or not cursor.isascii():
        raise ValueError("not a cursor")
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise ValueError("not a cursor") from None
    if not raw.startswith(_CURSOR_PREFIX):
        raise ValueError("not a cursor")
    # parse_id bounds the id to SQLite's integers: a cursor above 2**63-1 is refused here
    # rather than overflowing in the query.
    change_id = parse_id(raw[len(_CURSOR_PREFIX) :])
    if change_id is None or encode_cursor(change_id) != cursor:
        raise ValueError("not a cursor")
    return change_id


def parse_buckets(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    buckets = sorted({b.strip().lower() for b in raw.split(",") if b.strip()})
    bad = [b for b in buckets if not _BUCKET.match(b)]
    if bad:
        raise Problem(400, "Bad bucket", f"buckets are 2 hex digits, not {bad[0][:20]!r}")
    if not buckets:
        raise Problem(400, "Bad bucket", "buckets is empty; omit it for every bucket")
    if len(buckets) > MAX_BUCKETS:
        raise Problem(400, "Too many buckets", f"at most {MAX_BUCKETS} buckets per request")
    return buckets


def parse_category(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in CATEGORY_SLUGS:
        raise Problem(400, "Bad category", f"category must be one of {', '.join(CATEGORY_SLUGS)}")
    return raw


async def feed(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    cache, version = request.app[READ_CACHE], read_generation(store)
    # Keyed on the raw query: only valid queries are ever stored, so a hit needs no checks.
    key = ("feed", request.query_string)
    entry = cache.get(key, version)
    if entry is None:
        entry = _build_page(
            store, request.query, version, feed_cache(request.app[keys.SETTINGS].feed_max_age)
        )
        cache.put(key, entry)
    return respond(request, entry)


def _build_page(
    store: Store, query: Mapping[str, str], version: tuple[int, int], cache_control: str
) -> Entry:
    after_raw = query.get("after")
    try:
        after = decode_cursor(after_raw) if after_raw else 0
    except ValueError:
        raise Problem(400, "Bad cursor", "after must be a cursor this feed handed out") from None
    buckets = parse_buckets(query.get("buckets"))
    material = boolean(query.get("material"), "material")
    category = parse_category(query.get("category"))
    limit = positive_int(query.get("limit"), "limit", default=DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        raise Problem(400, "Bad parameter", f"limit must be at most {MAX_LIMIT}")
    # Read the feed's end first: every id up to it is committed, so a page that stops
    # short of `limit` has seen all of them and the cursor may jump there, past changes
    # of other buckets or filters (a quiet subscription does not rescan them every poll).
    end = store.last_change_id()
    rows = feed_page(
        store,
        after,
        until=end,
        buckets=buckets,
        material=material,
        category=category,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1]["id"] if more else max(after, end)
    # The page is fixed by its query and where it ends: same inputs, same bytes (save a
    # change re-judged in place by a reprocess, which keeps its id).
    etag = strong_etag("feed", after, buckets, material, category, limit, last, more)
    body: Feed = {
        "changes": [change_json(r) for r in rows],
        "next": encode_cursor(last) if last else after_raw,
        "more": more,
    }
    return Entry(version, dumps(body), etag, cache_control)


def _comparison_of(row: ChangeRow) -> dict[str, Any] | None:
    # None for a change recorded without its comparison (none of the monitor's own).
    return row.get("comparison") or None


async def change_detail(request: web.Request) -> web.StreamResponse:
    change_id = positive_int(request.match_info["id"], "change id")
    store = request.app[keys.STORE]
    row = store.change_by_id(change_id)
    if row is None or not is_public(store, store.get_site(row["site"])):
        raise Problem(404, "Unknown change", f"there is no change {change_id}")
    body: ChangeDetail = {
        **change_json(row),
        "from_version_id": row["from_version_id"],
        "to_version_id": row["to_version_id"],
        "score": row["score"],
        "archive_url": row["archive_url"],
        "document_url": row["document_url"],
        "comparison": _comparison_of(row),
    }
    return json_response(request, body, cache=DETAIL_CACHE)


async def compare_versions(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    from_id = positive_int(request.query.get("from"), "from")
    to_id = positive_int(request.query.get("to"), "to")
    (old, _), (new, _) = public_version(store, from_id), public_version(store, to_id)
    if old["document_id"] != new["document_id"]:
        raise Problem(
            400, "Different documents", "from and to must be versions of the same document"
        )
    # The shared service: a stored change's own judgment, a cache, a size bound and its own
    # bounded executor (api.comparisons), never the pool the monitor records on.
    try:
        comparison = await request.app[COMPARISONS].between(store, old, new)
    except TooLarge as exc:
        raise Problem(422, "Comparison too large", str(exc)) from None
    except Busy as exc:
        busy = Problem(503, "Comparisons busy", str(exc))
        busy.problem.headers["Retry-After"] = str(math.ceil(exc.retry_after))
        raise busy from None
    body = {
        "document_id": old["document_id"],
        "from": _version_ref(old),
        "to": _version_ref(new),
        "comparison": comparison,
    }
    return json_response(request, body, cache=DETAIL_CACHE)


def _version_ref(version: VersionRow) -> dict:
    return {
        "id": version["id"],
        "first_captured_at": version["first_captured_at"],
        "last_captured_at": version["last_captured_at"],
    }


def setup(app: web.Application) -> None:
    install(app)
    install_comparisons(app)
