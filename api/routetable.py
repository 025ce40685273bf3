"""The route table: every route of the HTTP side, declared once.

One `Route` per method and path names its handler, its rate-limit class (api/ratelimit.py),
its CORS class (api/cors.py) and, for the API, its OpenAPI operation with the response
schemas it answers (api/openapi.py builds the document's paths from these). The router
mounts exactly these (api/app.py); the rate limiter, CORS and OpenAPI read them, so a
route cannot be served under one spelling and limited, exposed or documented under
another.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from aiohttp import web

from api import openapi
from api.openapi import ATOM, body, ok, param, responses
from api.routes import changes, feeds, lookup, meta, operator, search, sites, webhooks
from api.viewer import routes as viewer
from monitor.classify.categories import CATEGORY_SLUGS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Who may read the answer from a browser: "public" answers any origin with `*` (no
# credentials, one cacheable answer), "origins" only the extensions and configured web
# origins; None is a page of the viewer, outside CORS.
CorsClass = Literal["public", "origins"] | None
# Paths under these prefixes are the API's: a request here matching no route is still
# rate-limited as a read and answered with CORS headers (a 404 a browser can read).
API_PREFIXES = ("/api/", "/feeds/")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    # The RateLimiter bucket (api/ratelimit.py DEFAULT_RULES), None: never limited.
    rate: str | None
    cors: CorsClass
    # The OpenAPI operation (summary, parameters, responses); None: not in the API document.
    operation: dict[str, Any] | None = None
    # The router's name, for `url_for` (the viewer's pages).
    name: str | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The path template as aiohttp matches it: a {name} is one non-empty segment part.
        parts = re.split(r"\{[^}]+\}", self.path)
        regex = "[^{}/]+".join(re.escape(p) for p in parts)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))


# Ids are SQLite integers: larger ones are refused with a 400 (api/routes/common.py).
_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
_SITE = param("site", "path", {"type": "string"}, "a registrable domain (example.com)")
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_ATOM_OK = {"description": "Atom", "content": {ATOM: {"schema": {"type": "string"}}}}

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/api/v1/health",
        meta.health,
        rate=None,
        cors="public",
        operation={
            "summary": "Health and counts",
            "operationId": "health",
            "responses": {"200": ok("Health", "Up")},
        },
    ),
    Route(
        "GET",
        "/api/v1/version",
        meta.version_info,
        rate=None,
        cors="public",
        operation={
            "summary": "Server and API version",
            "operationId": "version",
            "responses": {"200": ok("VersionInfo", "Version")},
        },
    ),
    Route("GET", "/", viewer.home, rate=None, cors=None, name="viewer-home"),
    # Search and any two versions compared cost CPU per request: one "costly" bucket for
    # the viewer's pages and the API's calls alike, so switching between them gains nothing.
    Route("GET", "/search", viewer.search_page, rate="costly", cors=None, name="viewer-search"),
    Route("GET", "/sites/{site}", viewer.site_page, rate=None, cors=None, name="viewer-site"),
    Route(
        "GET",
        "/sites/{site}/changes/{id}",
        viewer.change_page,
        rate=None,
        cors=None,
        name="viewer-change",
    ),
    Route(
        "GET",
        "/sites/{site}/compare",
        viewer.compare_page,
        rate="costly",
        cors=None,
        name="viewer-compare",
    ),
    Route(
        "GET",
        "/sites/{site}/versions/{id}",
        viewer.version_page,
        rate=None,
        cors=None,
        name="viewer-version",
    ),
    Route("GET", "/static/{name}", viewer.static_file, rate=None, cors=None, name="viewer-static"),
    Route(
        "GET",
        "/api/v1/openapi.json",
        openapi.openapi,
        rate="read",
        cors="public",
        operation={
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1",
                    "content": {openapi.JSON: {"schema": {"type": "object"}}},
                }
            },
        },
    ),
    Route(
        "GET",
        "/api/v1/lookup/{prefix}",
        lookup.lookup,
        rate="read",
        cors="public",
        operation={
            "summary": "Private lookup: tracked sites under a sha256 prefix of 1 to 20 bits",
            "description": "The server logs no site for this call. A bucket has one URL: "
            "`/api/v1/lookup/{hex}` when its bits are whole hex digits, else "
            "`/api/v1/lookup/{hex}?bits=N` with ceil(N/4) hex digits whose bits past the N-th "
            "are 0; any other spelling (another query parameter, `bits` a multiple of 4, "
            "a leading zero) is a 400 problem. Ask with the answer's `prefix_bits`.",
            "operationId": "lookup",
            "parameters": [
                param(
                    "prefix",
                    "path",
                    {"type": "string", "pattern": "^[0-9a-f]{1,5}$"},
                    "the first hex digits of sha256(site): 4 bits each, or ceil(bits/4)",
                ),
                param(
                    "bits",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 20, "not": {"multipleOf": 4}},
                    "the bucket's width in bits when it is not a whole number of hex digits",
                ),
            ],
            "responses": responses(
                {200: ok("Lookup", "The bucket", cached=True)}, 400, cached=True
            ),
        },
    ),
    Route(
        "GET",
        "/api/v1/changes",
        changes.feed,
        rate="read",
        cors="public",
        operation={
            "summary": "The change feed, oldest first, by cursor",
            "operationId": "feed",
            "parameters": [
                param("after", "query", {"type": "string"}, "a cursor from `next`; omit to start"),
                param(
                    "buckets",
                    "query",
                    {"type": "string", "pattern": "^[0-9a-f]{2}(,[0-9a-f]{2}){0,99}$"},
                    "comma-separated 2-hex-digit prefixes of site_hash (at most 100)",
                ),
                param("material", "query", {"type": "string", "enum": ["true", "false"]}, "filter"),
                param(
                    "category", "query", {"type": "string", "enum": list(CATEGORY_SLUGS)}, "filter"
                ),
                param(
                    "limit",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 500},
                    "page size (100)",
                ),
            ],
            "responses": responses({200: ok("Feed", "A page", cached=True)}, 400, cached=True),
        },
    ),
    Route(
        "GET",
        "/api/v1/changes/{id}",
        changes.change_detail,
        rate="read",
        cors="public",
        operation={
            "summary": "One change with its full clause diff and judgment",
            "operationId": "change",
            "parameters": [param("id", "path", _ID, "change id")],
            "responses": responses(
                {200: ok("ChangeDetail", "The change", cached=True)}, 400, 404, cached=True
            ),
        },
    ),
    Route(
        "GET",
        "/api/v1/compare",
        changes.compare_versions,
        rate="costly",
        cors="public",
        operation={
            "summary": "Any two versions of one document, compared",
            "operationId": "compare",
            "parameters": [
                param("from", "query", _ID, "older version id", required=True),
                param("to", "query", _ID, "newer version id", required=True),
            ],
            "responses": responses(
                {200: ok("CompareAnswer", "The comparison", cached=True)},
                400,
                404,
                422,
                503,
                cached=True,
            ),
        },
    ),
    Route(
        "POST",
        "/api/v1/sites",
        sites.track,
        # The one call that names a site: its own, tight bucket.
        rate="track",
        cors="origins",
        operation={
            "summary": "Ask the server to track a site (validated; discovery and backfill follow)",
            "operationId": "track",
            "requestBody": body("TrackRequest"),
            "responses": responses(
                {
                    202: ok(
                        "TrackAnswer",
                        "Accepted. A site not tracked yet always answers this (state pending),"
                        " first or repeat request alike; a policy URL is tracked only once it"
                        " is verified as the site's privacy policy",
                    ),
                    200: ok(
                        "TrackAnswer",
                        "Nothing to do: the site is tracked (and the URL given is one of its"
                        " documents)",
                    ),
                },
                400,
                413,
                415,
            ),
        },
    ),
    Route(
        "GET",
        "/api/v1/sites/{site}",
        sites.site_page,
        rate="read",
        cors="public",
        operation={
            "summary": "A site: documents, state, latest changes",
            "operationId": "site",
            "parameters": [_SITE],
            "responses": responses(
                {200: ok("Site", "The site", cached=True)}, 400, 404, cached=True
            ),
        },
    ),
    Route(
        "GET",
        "/api/v1/sites/{site}/documents/{id}/versions",
        sites.versions_timeline,
        rate="read",
        cors="public",
        operation={
            "summary": "A document's versions timeline",
            "operationId": "timeline",
            "parameters": [_SITE, param("id", "path", _ID, "document id")],
            "responses": responses(
                {200: ok("Timeline", "The versions", cached=True)}, 400, 404, cached=True
            ),
        },
    ),
    Route(
        "GET",
        "/api/v1/versions/{id}",
        sites.version,
        rate="read",
        cors="public",
        operation={
            "summary": "One version with its clauses",
            "operationId": "version_clauses",
            "parameters": [param("id", "path", _ID, "version id")],
            "responses": responses(
                {200: ok("Version", "The version", cached=True)}, 400, 404, cached=True
            ),
        },
    ),
    Route(
        "GET",
        "/api/v1/search",
        search.search,
        rate="costly",
        cors="public",
        operation={
            "summary": "Full-text search across every stored policy version",
            "operationId": "search",
            "parameters": [
                param(
                    "q",
                    "query",
                    {"type": "string", "minLength": 1, "maxLength": 200},
                    "words",
                    True,
                ),
                param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}, "(20)"),
            ],
            "responses": responses({200: ok("Search", "Matches", cached=True)}, 400, cached=True),
        },
    ),
    # Webhook registrations create and manage state: their own bucket, and readable only
    # by the allowed origins (a registration's answer is its owner's alone).
    Route(
        "POST",
        "/api/v1/webhooks",
        webhooks.register,
        rate="webhook",
        cors="origins",
        operation={
            "summary": "Register a webhook; the token and the secret are shown once",
            "operationId": "webhook_register",
            "requestBody": body("WebhookCreate"),
            "responses": responses({201: ok("WebhookCreated", "Registered")}, 400, 408, 413, 415),
        },
    ),
    Route(
        "GET",
        "/api/v1/webhooks/{id}",
        webhooks.show,
        rate="read",
        cors="origins",
        operation={
            "summary": "A registration (its own token only)",
            "operationId": "webhook_show",
            "parameters": [param("id", "path", _ID, "webhook id")],
            "security": _AUTH,
            "responses": responses({200: ok("Webhook", "The registration")}, 400, 401, 404),
        },
    ),
    Route(
        "PATCH",
        "/api/v1/webhooks/{id}",
        webhooks.change,
        rate="webhook",
        cors="origins",
        operation={
            "summary": "Change url, sites, or re-enable (active: true)",
            "operationId": "webhook_change",
            "parameters": [param("id", "path", _ID, "webhook id")],
            "security": _AUTH,
            "requestBody": body("WebhookChange"),
            "responses": responses({200: ok("Webhook", "Changed")}, 400, 401, 404, 408, 413, 415),
        },
    ),
    Route(
        "DELETE",
        "/api/v1/webhooks/{id}",
        webhooks.remove,
        rate="webhook",
        cors="origins",
        operation={
            "summary": "Delete a registration",
            "operationId": "webhook_delete",
            "parameters": [param("id", "path", _ID, "webhook id")],
            "security": _AUTH,
            "responses": responses({204: {"description": "Deleted"}}, 400, 401, 404),
        },
    ),
    # The operator's calls: bearer-authenticated (api/routes/operator.py), their own bucket,
    # readable only by the allowed origins.
    Route(
        "PATCH",
        "/api/v1/sites/{site}/documents/{id}",
        operator.change_document,
        rate="operator",
        cors="origins",
        operation={
            "summary": "Operator: set how a document is fetched (render auto, always, never)",
            "operationId": "document_change",
            "parameters": [_SITE, param("id", "path", _ID, "document id")],
            "security": _AUTH,
            "requestBody": body("DocumentChange"),
            "responses": responses(
                {200: ok("SiteDocument", "Changed")}, 400, 401, 403, 404, 408, 413, 415
            ),
        },
    ),
    Route(
        "GET",
        "/feeds/sites/{site}.atom",
        feeds.site_feed,
        rate="read",
        cors="public",
        operation={
            "summary": "Atom feed of a site's changes",
            "operationId": "site_feed",
            "parameters": [_SITE],
            "responses": responses({200: _ATOM_OK}, 400, 404, cached=True),
        },
    ),
    Route(
        "GET",
        "/feeds/material.atom",
        feeds.material_feed,
        rate="read",
        cors="public",
        operation={
            "summary": "Atom feed of every material change",
            "operationId": "material_feed",
            "responses": responses({200: _ATOM_OK}, cached=True),
        },
    ),
)


def mount(app: web.Application, routes: tuple[Route, ...] = ROUTES) -> None:
    """Add every route to the router (a GET answers HEAD too)."""
    for route in routes:
        if route.method == "GET":
            app.router.add_get(route.path, route.handler, name=route.name)
        else:
            app.router.add_route(route.method, route.path, route.handler, name=route.name)


@cache
def _by_method(method: str) -> tuple[Route, ...]:
    return tuple(r for r in ROUTES if r.method == method)


def find(method: str, path: str) -> Route | None:
    """The route serving `method` on `path` (HEAD is served by the GET route), or None."""
    for route in _by_method("GET" if method == "HEAD" else method):
        if route.pattern.match(path):
            return route
    return None
