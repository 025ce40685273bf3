"""CORS: the browser extensions and the configured web origins may call the API.

Public reads (GET of the feed, lookups, sites, feeds) answer ``Access-Control-Allow-Origin:
*``: they carry no credentials, and one answer for every origin is what lets a CDN cache
them (Firefox gives each install its own ``moz-extension://<uuid>`` origin, so echoing
the origin with ``Vary: Origin`` would split the cache per install). Calls that name a site
or manage a webhook answer only the allowed origins: ``chrome-extension://``,
``moz-extension://`` and ``settings.cors_origins``. Each route's class is in its declaration
(api/routetable.py).
"""

from __future__ import annotations

from aiohttp import web

from api import keys
from api.config import Settings
from api.problems import Handler, problem
from api.routetable import API_PREFIXES, CorsClass, find

EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://")
ALLOW_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, If-None-Match, Accept"
EXPOSE_HEADERS = "ETag, Retry-After, Location, Content-Length"
PREFLIGHT_MAX_AGE = "86400"


def configured_origins(settings: Settings) -> frozenset[str]:
    raw = getattr(settings, "cors_origins", "") or ""
    return frozenset(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def origin_allowed(origin: str, configured: frozenset[str]) -> bool:
    return origin.startswith(EXTENSION_SCHEMES) or origin in configured


def cors_class(method: str, path: str) -> CorsClass:
    """The CORS class of a request, or of the request a preflight announces: its route's
    (api/routetable.py). A request under the API's prefixes that no route serves (a 404 or
    405) is public for a read and origin-bound for anything else."""
    route = find(method, path)
    if route is not None:
        return route.cors
    if not path.startswith(API_PREFIXES):
        return None
    return "public" if method in ("GET", "HEAD") else "origins"


@web.middleware
async def preflight_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    wanted = request.headers.get("Access-Control-Request-Method", "").upper()
    cls = cors_class(wanted, request.path) if request.method == "OPTIONS" and wanted else None
    if cls is None:
        return await handler(request)
    origin = request.headers.get("Origin", "")
    public = cls == "public"
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
    cls = cors_class(request.method, request.path)
    if cls is None or "Access-Control-Allow-Origin" in response.headers:
        return
    origin = request.headers.get("Origin")
    if cls == "public":
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
