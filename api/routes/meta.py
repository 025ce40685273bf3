"""Health and version: what an operator or a load balancer asks first."""

from __future__ import annotations

from importlib.metadata import version

from aiohttp import web

from api import keys
from api.shapes import Health, VersionInfo


async def health(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    counts = store.counts()
    body: Health = {
        "status": "ok",
        "sites": counts.get("sites", 0),
        "changes": counts.get("changes", 0),
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def version_info(request: web.Request) -> web.Response:
    body: VersionInfo = {"name": "clausewatch", "version": version("clausewatch"), "api": "v1"}
    return web.json_response(body, headers={"Cache-Control": "public, max-age=3600"})
