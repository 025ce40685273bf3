"""CORS: the browser extensions and the configured web origins may call the API.

Public reads (GET of the feed, lookups, sites, feeds) answer ``Access-Control-Allow-Origin:
*``: they carry no credentials, and one answer for every origin is what lets a CDN cache
them (Firefox gives each install its own ``moz-extension://<uuid>`` origin, so echoing
the origin with ``Vary: Origin`` would split the cache per install). Calls that name a site
or manage a webhook answer only the allowed origins: ``chrome-extension://``,
``moz-extension://`` and ``settings.cors_origins``.
"""

from __future__ import annotations

from aiohttp import web

from api import keys
from api.problems import Handler, problem

EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://")
ALLOW_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, If-None-Match, Accept"
EXPOSE_HEADERS = "ETag, Retry-After, Location, Content-Length"
PREFLIGHT_MAX_AGE = "86400"


def configured_origins(settings) -> frozenset[str]:
    raw = getattr(settings, "cors_origins", "") or ""
    return frozenset(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def origin_allowed(origin: str, configured: frozenset[str]) -> bool:
    return origin.startswith(EXTENSION_SCHEMES) or origin in configured


def _covered(path: str) -> bool:
    return path.startswith(("/api/", "/feeds/"))


def _public_read(request: web.Request) -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith("/api/v1/webhooks")


@web.middleware
async def preflight_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if (
        request.method != "OPTIONS"
        or not _covered(request.path)
        or "Access-Control-Request-Method" not in request.headers
    ):
        return await handler(request)
    origin = request.headers.get("Origin", "")
    wanted = request.headers["Access-Control-Request-Method"].upper()
    public = wanted in ("GET", "HEAD") and not request.path.startswith("/api/v1/webhooks")
    configured = configured_origins(request.app[keys.SETTINGS])
    if not public and not origin_allowed(origin, configured):
        return problem(403, "Origin not allowed", f"{origin or 'no origin'} may not call this")
    headers = {
        "Access-Control-Allow-Origin": "*" if public else origin,
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
    }
    if not public:
        headers["Vary"] = "Origin"
    return web.Response(status=204, headers=headers)


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every answer, problems and 304s included, so browsers can read errors too."""
    if not _covered(request.path) or "Access-Control-Allow-Origin" in response.headers:
        return
    origin = request.headers.get("Origin")
    if _public_read(request):
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin and origin_allowed(origin, configured_origins(request.app[keys.SETTINGS])):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
    else:
        return
    response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS


def setup(app: web.Application) -> None:
    app.middlewares.append(preflight_middleware)
    app.on_response_prepare.append(add_cors_headers)
