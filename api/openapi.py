"""The OpenAPI 3.1 document of the HTTP API, served at /api/v1/openapi.json.

Kept true to the implementation by tests: every route the router serves under /api/ and
/feeds/ is described here and every path here is served (tests/test_api_openapi.py), and
schemathesis checks live answers against these schemas.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.check import STATUSES
from monitor.classify.lexicon import CATEGORY_SLUGS

JSON = "application/json"
PROBLEM = "application/problem+json"
ATOM = "application/atom+xml"

_TIME = {"type": ["string", "null"], "format": "date-time"}
_TIME_REQ = {"type": "string", "format": "date-time"}
_CATEGORIES = {"type": "array", "items": {"type": "string", "enum": list(CATEGORY_SLUGS)}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], props: dict, *, extra: bool = True) -> dict:
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": props}
    if not extra:
        schema["additionalProperties"] = False
    return schema


SCHEMAS: dict[str, dict] = {
    "Problem": _obj(
        ["type", "title", "status"],
        {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    ),
    "Change": _obj(
        [
            "id",
            "site",
            "site_hash",
            "document",
            "detected_at",
            "from_captured_at",
            "to_captured_at",
            "material",
            "categories",
            "summary",
            "url",
        ],
        {
            "id": {"type": "integer", "minimum": 1},
            "site": {"type": "string"},
            "site_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "document": {"type": "string", "description": "the document's kind (privacy)"},
            "document_id": {"type": "integer"},
            "detected_at": _TIME_REQ,
            "from_captured_at": _TIME_REQ,
            "to_captured_at": _TIME_REQ,
            "origin": {
                "type": "string",
                "enum": ["live", "backfill", "reprocess"],
                "description": "only `live` changes are news; the others are history told late",
            },
            "material": {"type": "boolean"},
            "categories": _CATEGORIES,
            "summary": {"type": "string"},
            "url": {"type": "string", "description": "diff viewer page, relative to the server"},
        },
    ),
    "Feed": _obj(
        ["changes", "next", "more"],
        {
            "changes": {"type": "array", "items": _ref("Change")},
            "next": {"type": ["string", "null"], "description": "pass as after="},
            "more": {"type": "boolean"},
        },
    ),
    "Lookup": _obj(
        ["prefix", "prefix_length", "sites"],
        {
            "prefix": {"type": "string", "pattern": "^[0-9a-f]{2,5}$"},
            "prefix_length": {
                "type": "integer",
                "minimum": 2,
                "maximum": 5,
                "description": "the prefix length clients should ask with: the longest that "
                "still hides a site among about 20 tracked ones",
            },
            "sites": {
                "type": "array",
                "items": _obj(
                    [
                        "site_hash",
                        "status",
                        "last_change",
                        "last_change_id",
                        "last_material_change",
                        "last_material_change_id",
                    ],
                    {
                        "site_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "status": {"type": "string"},
                        "last_change": _TIME,
                        "last_change_id": {"type": ["integer", "null"]},
                        "last_material_change": _TIME,
                        "last_material_change_id": {"type": ["integer", "null"]},
                    },
                ),
            },
        },
    ),
    "TrackRequest": {
        "oneOf": [
            _obj(["site"], {"site": {"type": "string", "examples": ["example.com"]}}, extra=False),
            _obj(["url"], {"url": {"type": "string", "format": "uri"}}, extra=False),
        ]
    },
    "TrackAnswer": _obj(
        ["site", "status_url", "state"],
        {
            "site": {"type": "string"},
            "status_url": {"type": "string"},
            "state": {
                "type": "string",
                "enum": ["pending", "tracked"],
                "description": "tracked, or pending for any site not tracked yet",
            },
        },
    ),
    "Site": _obj(
        ["site", "site_hash", "state", "documents", "changes", "viewer_url"],
        {
            "site": {"type": "string"},
            "site_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "state": {"type": "string"},
            "detail": {"type": ["string", "null"], "description": "why the site is in its state"},
            "documents": {
                "type": "array",
                "items": _obj(
                    ["id", "kind", "url", "status", "last_checked_at", "versions"],
                    {
                        "id": {"type": "integer"},
                        "kind": {"type": "string"},
                        "url": {"type": "string"},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "last_checked_at": _TIME,
                        "versions": {"type": "integer"},
                        "versions_url": {"type": "string"},
                        # How checks fetch it (set by the operator's `track --render`)
                        # and what they use now: rendered in a browser or not.
                        "render": {"type": "string", "enum": ["auto", "always", "never"]},
                        "fetched_with": {
                            "type": ["string", "null"],
                            "enum": ["plain", "rendered", None],
                        },
                    },
                ),
            },
            "changes": {"type": "array", "items": _ref("Change"), "maxItems": 20},
            "viewer_url": {"type": "string"},
        },
    ),
    "Timeline": _obj(
        ["site", "document", "versions"],
        {
            "site": {"type": "string"},
            "document": _obj(
                ["id", "kind", "url"],
                {"id": {"type": "integer"}, "kind": {"type": "string"}, "url": {"type": "string"}},
            ),
            "versions": {
                "type": "array",
                "items": _obj(
                    ["id", "first_captured_at", "last_captured_at", "snapshots", "clauses", "url"],
                    {
                        "id": {"type": "integer"},
                        "title": {"type": ["string", "null"]},
                        "effective_date": {"type": ["string", "null"]},
                        "language": {"type": ["string", "null"]},
                        "format": {"type": ["string", "null"]},
                        "first_captured_at": _TIME,
                        "last_captured_at": _TIME,
                        "snapshots": {"type": "integer"},
                        "clauses": {"type": "integer"},
                        "url": {"type": "string"},
                    },
                ),
            },
        },
    ),
    "Version": _obj(
        ["id", "document_id", "site", "clauses"],
        {
            "id": {"type": "integer"},
            "document_id": {"type": "integer"},
            "site": {"type": ["string", "null"]},
            "title": {"type": ["string", "null"]},
            "effective_date": {"type": ["string", "null"]},
            "language": {"type": ["string", "null"]},
            "format": {"type": ["string", "null"]},
            "first_captured_at": _TIME,
            "last_captured_at": _TIME,
            "clauses": {
                "type": "array",
                "items": _obj(
                    ["section", "kind", "text"],
                    {
                        "section": {"type": "array", "items": {"type": "string"}},
                        "kind": {
                            "type": "string",
                            "enum": ["heading", "paragraph", "list-item", "table-row"],
                        },
                        "text": {"type": "string"},
                    },
                ),
            },
        },
    ),
    "Comparison": _obj(
        ["material", "score", "summary", "old", "new", "changes"],
        {
            "material": {"type": "boolean"},
            "score": {"type": "number"},
            "summary": {"type": "string"},
            "rewrite": {"type": "boolean"},
            "categories": _CATEGORIES,
            "old": {"type": "object"},
            "new": {"type": "object"},
            "changes": {
                "type": "array",
                "items": _obj(
                    ["kind", "section", "old", "new", "material", "categories", "reason"],
                    {
                        "kind": {
                            "type": "string",
                            "enum": ["added", "removed", "modified", "moved"],
                        },
                        "section": {"type": "string"},
                        "old": {"type": ["string", "null"]},
                        "new": {"type": ["string", "null"]},
                        "material": {"type": "boolean"},
                        "categories": _CATEGORIES,
                        "reason": {"type": "string"},
                    },
                ),
            },
        },
    ),
    "ChangeDetail": {
        "allOf": [
            _ref("Change"),
            _obj(
                ["from_version_id", "to_version_id", "comparison"],
                {
                    "from_version_id": {"type": "integer"},
                    "to_version_id": {"type": "integer"},
                    "score": {"type": ["number", "null"]},
                    "archive_url": {"type": ["string", "null"]},
                    "document_url": {"type": "string"},
                    "comparison": {"anyOf": [_ref("Comparison"), {"type": "null"}]},
                },
            ),
        ]
    },
    "CompareAnswer": _obj(
        ["document_id", "from", "to", "comparison"],
        {
            "document_id": {"type": "integer"},
            "from": {"type": "object"},
            "to": {"type": "object"},
            "comparison": _ref("Comparison"),
        },
    ),
    "Search": _obj(
        ["q", "results"],
        {
            "q": {"type": "string"},
            "results": {
                "type": "array",
                "items": _obj(
                    ["site", "version_id", "text", "snippet", "version_url"],
                    {
                        "site": {"type": "string"},
                        "document_id": {"type": "integer"},
                        "document_url": {"type": "string"},
                        "version_id": {"type": "integer"},
                        "position": {"type": "integer"},
                        "section": {"type": "string"},
                        "kind": {"type": "string"},
                        "text": {"type": "string"},
                        "snippet": {"type": "string"},
                        "first_captured_at": _TIME,
                        "last_captured_at": _TIME,
                        "version_url": {"type": "string"},
                    },
                ),
            },
        },
    ),
    "WebhookCreate": _obj(
        ["url", "sites"],
        {
            "url": {"type": "string", "format": "uri"},
            "sites": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100},
        },
        extra=False,
    ),
    "WebhookChange": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "sites": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100},
            "active": {"type": "boolean"},
        },
    },
    "Webhook": _obj(
        ["id", "url", "sites", "active", "failures"],
        {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "sites": {"type": "array", "items": {"type": "string"}},
            "active": {"type": "boolean"},
            "failures": {"type": "integer"},
            "last_attempt_at": _TIME,
            "last_status": {"type": ["integer", "null"]},
            "last_error": {"type": ["string", "null"]},
            "disabled_reason": {"type": ["string", "null"]},
            "created_at": _TIME_REQ,
        },
    ),
    "WebhookCreated": {
        "allOf": [
            _ref("Webhook"),
            _obj(
                ["token", "secret"],
                {
                    "token": {"type": "string", "description": "shown once: manage with Bearer"},
                    "secret": {
                        "type": "string",
                        "description": "shown once: the Standard Webhooks signing secret"
                        " (whsec_…); see docs/security.md",
                    },
                },
            ),
        ]
    },
    "Health": _obj(
        ["status", "sites", "changes"],
        {
            "status": {"type": "string"},
            "sites": {"type": "integer"},
            "changes": {"type": "integer"},
        },
    ),
    "VersionInfo": _obj(
        ["name", "version", "api"],
        {"name": {"type": "string"}, "version": {"type": "string"}, "api": {"type": "string"}},
    ),
}

_PROBLEM_TITLES = {
    400: "Invalid input",
    401: "Missing or malformed bearer token",
    404: "Not found",
    408: "The body did not arrive in time",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Too large to compare (stored changes are always answered)",
    429: "Rate limited (see Retry-After)",
    503: "Comparisons busy (see Retry-After)",
}


def _ok(schema: str, description: str, *, media: str = JSON, cached: bool = False) -> dict:
    response: dict[str, Any] = {
        "description": description,
        "content": {media: {"schema": _ref(schema)}},
    }
    if cached:
        response["headers"] = {
            "ETag": {"schema": {"type": "string"}, "description": "strong"},
            "Cache-Control": {"schema": {"type": "string"}},
        }
    return response


def _responses(ok: dict[int, dict], *problems: int, cached: bool = False) -> dict:
    out: dict[str, Any] = {str(status): body for status, body in ok.items()}
    if cached:
        out["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    for status in (*problems, 429):
        out[str(status)] = {
            "description": _PROBLEM_TITLES[status],
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
    return out


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


# Ids are SQLite integers: larger ones are refused with a 400 (api/routes/common.py).
_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
_SITE = _param("site", "path", {"type": "string"}, "a registrable domain (example.com)")
_AUTH = [{"bearer": []}]


def _body(schema: str) -> dict:
    return {"required": True, "content": {JSON: {"schema": _ref(schema)}}}


PATHS: dict[str, dict] = {
    "/api/v1/health": {
        "get": {
            "summary": "Health and counts",
            "operationId": "health",
            "responses": {"200": _ok("Health", "Up")},
        }
    },
    "/api/v1/version": {
        "get": {
            "summary": "Server and API version",
            "operationId": "version",
            "responses": {"200": _ok("VersionInfo", "Version")},
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1",
                    "content": {JSON: {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/v1/lookup/{prefix}": {
        "get": {
            "summary": "Private lookup: tracked sites under a 2-5 hex sha256 prefix",
            "description": "The server logs no site for this call.",
            "operationId": "lookup",
            "parameters": [
                _param(
                    "prefix",
                    "path",
                    {"type": "string", "pattern": "^[0-9a-f]{2,5}$"},
                    "first 2 to 5 hex digits of sha256(site); use the answer's prefix_length",
                )
            ],
            "responses": _responses(
                {200: _ok("Lookup", "The bucket", cached=True)}, 400, cached=True
            ),
        }
    },
    "/api/v1/changes": {
        "get": {
            "summary": "The change feed, oldest first, by cursor",
            "operationId": "feed",
            "parameters": [
                _param("after", "query", {"type": "string"}, "a cursor from `next`; omit to start"),
                _param(
                    "buckets",
                    "query",
                    {"type": "string", "pattern": "^[0-9a-f]{2}(,[0-9a-f]{2}){0,99}$"},
                    "comma-separated 2-hex-digit prefixes of site_hash (at most 100)",
                ),
                _param(
                    "material", "query", {"type": "string", "enum": ["true", "false"]}, "filter"
                ),
                _param(
                    "category", "query", {"type": "string", "enum": list(CATEGORY_SLUGS)}, "filter"
                ),
                _param(
                    "limit",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 500},
                    "page size (100)",
                ),
            ],
            "responses": _responses({200: _ok("Feed", "A page", cached=True)}, 400, cached=True),
        }
    },
    "/api/v1/changes/{id}": {
        "get": {
            "summary": "One change with its full clause diff and judgment",
            "operationId": "change",
            "parameters": [_param("id", "path", _ID, "change id")],
            "responses": _responses(
                {200: _ok("ChangeDetail", "The change", cached=True)}, 400, 404, cached=True
            ),
        }
    },
    "/api/v1/compare": {
        "get": {
            "summary": "Any two versions of one document, compared",
            "operationId": "compare",
            "parameters": [
                _param("from", "query", _ID, "older version id", required=True),
                _param("to", "query", _ID, "newer version id", required=True),
            ],
            "responses": _responses(
                {200: _ok("CompareAnswer", "The comparison", cached=True)},
                400,
                404,
                422,
                503,
                cached=True,
            ),
        }
    },
    "/api/v1/sites": {
        "post": {
            "summary": "Ask the server to track a site (validated; discovery and backfill follow)",
            "operationId": "track",
            "requestBody": _body("TrackRequest"),
            "responses": _responses(
                {
                    202: _ok(
                        "TrackAnswer",
                        "Accepted. A site not tracked yet always answers this (state pending),"
                        " first or repeat request alike; a policy URL is tracked only once it"
                        " is verified as the site's privacy policy",
                    ),
                    200: _ok(
                        "TrackAnswer",
                        "Nothing to do: the site is tracked (and the URL given is one of its"
                        " documents)",
                    ),
                },
                400,
                413,
                415,
            ),
        }
    },
    "/api/v1/sites/{site}": {
        "get": {
            "summary": "A site: documents, state, latest changes",
            "operationId": "site",
            "parameters": [_SITE],
            "responses": _responses(
                {200: _ok("Site", "The site", cached=True)}, 400, 404, cached=True
            ),
        }
    },
    "/api/v1/sites/{site}/documents/{id}/versions": {
        "get": {
            "summary": "A document's versions timeline",
            "operationId": "timeline",
            "parameters": [_SITE, _param("id", "path", _ID, "document id")],
            "responses": _responses(
                {200: _ok("Timeline", "The versions", cached=True)}, 400, 404, cached=True
            ),
        }
    },
    "/api/v1/versions/{id}": {
        "get": {
            "summary": "One version with its clauses",
            "operationId": "version_clauses",
            "parameters": [_param("id", "path", _ID, "version id")],
            "responses": _responses(
                {200: _ok("Version", "The version", cached=True)}, 400, 404, cached=True
            ),
        }
    },
    "/api/v1/search": {
        "get": {
            "summary": "Full-text search across every stored policy version",
            "operationId": "search",
            "parameters": [
                _param(
                    "q",
                    "query",
                    {"type": "string", "minLength": 1, "maxLength": 200},
                    "words",
                    True,
                ),
                _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}, "(20)"),
            ],
            "responses": _responses({200: _ok("Search", "Matches", cached=True)}, 400, cached=True),
        }
    },
    "/api/v1/webhooks": {
        "post": {
            "summary": "Register a webhook; the token and the secret are shown once",
            "operationId": "webhook_register",
            "requestBody": _body("WebhookCreate"),
            "responses": _responses({201: _ok("WebhookCreated", "Registered")}, 400, 408, 413, 415),
        }
    },
    "/api/v1/webhooks/{id}": {
        "parameters": [_param("id", "path", _ID, "webhook id")],
        "get": {
            "summary": "A registration (its own token only)",
            "operationId": "webhook_show",
            "security": _AUTH,
            "responses": _responses({200: _ok("Webhook", "The registration")}, 400, 401, 404),
        },
        "patch": {
            "summary": "Change url, sites, or re-enable (active: true)",
            "operationId": "webhook_change",
            "security": _AUTH,
            "requestBody": _body("WebhookChange"),
            "responses": _responses({200: _ok("Webhook", "Changed")}, 400, 401, 404, 408, 413, 415),
        },
        "delete": {
            "summary": "Delete a registration",
            "operationId": "webhook_delete",
            "security": _AUTH,
            "responses": _responses({204: {"description": "Deleted"}}, 400, 401, 404),
        },
    },
    "/feeds/sites/{site}.atom": {
        "get": {
            "summary": "Atom feed of a site's changes",
            "operationId": "site_feed",
            "parameters": [_SITE],
            "responses": _responses(
                {200: {"description": "Atom", "content": {ATOM: {"schema": {"type": "string"}}}}},
                400,
                404,
                cached=True,
            ),
        }
    },
    "/feeds/material.atom": {
        "get": {
            "summary": "Atom feed of every material change",
            "operationId": "material_feed",
            "responses": _responses(
                {200: {"description": "Atom", "content": {ATOM: {"schema": {"type": "string"}}}}},
                cached=True,
            ),
        }
    },
}


def document() -> dict:
    from importlib.metadata import version

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clausewatch API",
            "version": version("clausewatch"),
            "description": "Private lookups, a public change feed, tracking requests, feeds "
            "and webhooks. Errors are application/problem+json.",
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(), headers={"Cache-Control": "public, max-age=3600"})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi)
