"""The private lookup: which sites under a 5-hex hash prefix are tracked, and their last changes.

The extension asks by prefix so the server never learns the site a person is visiting;
nothing here may log or store a site name (the access log holds only the prefix).
"""

from __future__ import annotations

import re

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import json_response
from db.reads import lookup_bucket

PREFIX = re.compile(r"^[0-9a-f]{5}$")
LOOKUP_CACHE = "public, max-age=300"


async def lookup(request: web.Request) -> web.StreamResponse:
    prefix = request.match_info["prefix"]
    if not PREFIX.match(prefix):
        raise Problem(400, "Bad prefix", "prefix is the first 5 lower-case hex digits of site_hash")
    sites = [
        {
            "site_hash": row["site_hash"],
            "status": row["status"],
            "last_change": row["last_change"],
            "last_change_id": row["last_change_id"],
            "last_material_change": row["last_material_change"],
            "last_material_change_id": row["last_material_change_id"],
        }
        for row in lookup_bucket(request.app[keys.STORE], prefix)
    ]
    return json_response(request, {"prefix": prefix, "sites": sites}, cache=LOOKUP_CACHE)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/lookup/{prefix}", lookup)
