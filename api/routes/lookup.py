"""The private lookup: which sites under a 5-hex hash prefix are tracked, and their last changes.

The extension asks by prefix so the server never learns the site a person is visiting;
nothing here may log or store a site name (the access log holds only the prefix).
"""

from __future__ import annotations

import hashlib
import re

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import dumps, strong_etag
from api.routes.readcache import READ_CACHE, Entry, data_version, install, respond
from db.reads import lookup_bucket

PREFIX = re.compile(r"^[0-9a-f]{5}$")
LOOKUP_CACHE = "public, max-age=300"


async def lookup(request: web.Request) -> web.StreamResponse:
    prefix = request.match_info["prefix"]
    if not PREFIX.match(prefix):
        raise Problem(400, "Bad prefix", "prefix is the first 5 lower-case hex digits of site_hash")
    store = request.app[keys.STORE]
    cache, version, key = request.app[READ_CACHE], data_version(store), ("lookup", prefix)
    entry = cache.get(key, version)
    if entry is None:
        entry = _build(store, prefix, version)
        cache.put(key, entry)
    return respond(request, entry)


def _build(store, prefix: str, version: tuple[int, int]) -> Entry:
    sites = [
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
    body = dumps({"prefix": prefix, "sites": sites})
    return Entry(
        version, body, strong_etag("lookup", hashlib.sha256(body).hexdigest()), LOOKUP_CACHE
    )


def setup(app: web.Application) -> None:
    install(app)
    app.router.add_get("/api/v1/lookup/{prefix}", lookup)
