"""The private lookup: which sites under a hash prefix are tracked, and their last changes.

The extension asks by prefix so the server never learns the site a person is visiting;
nothing here may log or store a site name (the access log holds only the prefix).

A prefix hides a site only among the tracked sites that share it: with 5,000 sites a 5-hex
prefix names one site, so asking by it would tell the server exactly which tracked site a
person is on. Prefixes of 2 to 5 hex digits are therefore accepted, and every answer
carries `prefix_length`, the longest length that still leaves about `SITES_PER_BUCKET`
tracked sites behind each prefix; clients ask with that length (see docs/extension-api.md).
"""

from __future__ import annotations

import hashlib
import re

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import dumps, strong_etag
from api.routes.readcache import READ_CACHE, Entry, install, read_generation, respond
from api.shapes import Lookup, LookupSite
from db import Store
from db.reads import lookup_bucket, tracked_site_count

PREFIX = re.compile(r"^[0-9a-f]{2,5}$")
MIN_PREFIX, MAX_PREFIX = 2, 5
# How many tracked sites a prefix should stand for before a longer one is recommended.
SITES_PER_BUCKET = 20
LOOKUP_CACHE = "public, max-age=300"


async def lookup(request: web.Request) -> web.StreamResponse:
    prefix = request.match_info["prefix"]
    if not PREFIX.match(prefix):
        raise Problem(
            400, "Bad prefix", "prefix is the first 2 to 5 lower-case hex digits of site_hash"
        )
    store = request.app[keys.STORE]
    cache, version, key = request.app[READ_CACHE], read_generation(store), ("lookup", prefix)
    entry = cache.get(key, version)
    if entry is None:
        # A count over every tracked site, the same for every prefix: once per data version.
        tracked = cache.value("tracked-sites", version, lambda: tracked_site_count(store))
        entry = _build(store, prefix, version, tracked)
        cache.put(key, entry)
    return respond(request, entry)


def _build(store: Store, prefix: str, version: tuple[int, int], tracked: int) -> Entry:
    sites: list[LookupSite] = [
        {
            "site_hash": row["site_hash"],
            "status": row["status"],
            "last_change": row["last_change"],
            "last_change_id": row["last_change_id"],
            "last_material_change": row["last_material_change"],
            "last_material_change_id": row["last_material_change_id"],
        }
        for row in lookup_bucket(store, prefix)
    ]
    length = recommended_prefix_length(tracked)
    answer: Lookup = {"prefix": prefix, "prefix_length": length, "sites": sites}
    body = dumps(answer)
    return Entry(
        version, body, strong_etag("lookup", hashlib.sha256(body).hexdigest()), LOOKUP_CACHE
    )


def recommended_prefix_length(tracked: int, per_bucket: int = SITES_PER_BUCKET) -> int:
    """The longest prefix length whose buckets still hold about `per_bucket` tracked sites."""
    length = MIN_PREFIX
    while length < MAX_PREFIX and tracked / 16 ** (length + 1) >= per_bucket:
        length += 1
    return length


def setup(app: web.Application) -> None:
    install(app)
