"""The OpenAPI 3.1 document of the HTTP API, served at /api/v1/openapi.json.

The paths come from the route table (api/routetable.py), the one place a route is declared,
so the router serves exactly what is documented (tests/test_api_openapi.py checks it still);
schemathesis checks live answers against the schemas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from api.shapes import Change, ChangeDetail, json_schema
from monitor.check import STATUSES
from monitor.classify.lexicon import CATEGORY_SLUGS

if TYPE_CHECKING:
    from api.routetable import Route

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
    "Change": json_schema(Change),
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
    "ChangeDetail": json_schema(ChangeDetail, extends=("Change", Change)),
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


def ok(schema: str, description: str, *, media: str = JSON, cached: bool = False) -> dict:
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


def responses(ok: dict[int, dict], *problems: int, cached: bool = False) -> dict:
    out: dict[str, Any] = {str(status): body for status, body in ok.items()}
    if cached:
        out["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    for status in (*problems, 429):
        out[str(status)] = {
            "description": _PROBLEM_TITLES[status],
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
    return out


def param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


def body(schema: str) -> dict:
    return {"required": True, "content": {JSON: {"schema": _ref(schema)}}}


def paths(routes: tuple[Route, ...]) -> dict[str, dict]:
    """The document's paths: one operation per documented route, in the table's order.

    A parameter every operation of a path shares (a webhook's id) is said once, at the
    path."""
    out: dict[str, dict] = {}
    for route in routes:
        if route.operation is not None:
            out.setdefault(route.path, {})[route.method.lower()] = route.operation
    for path, item in out.items():
        shared = [op.get("parameters") for op in item.values()]
        if len(shared) > 1 and shared[0] and all(p == shared[0] for p in shared):
            ops = {m: {k: v for k, v in op.items() if k != "parameters"} for m, op in item.items()}
            out[path] = {"parameters": shared[0], **ops}
    return out


def document() -> dict:
    from importlib.metadata import version

    # The table imports this module's helpers, so it is read when the document is built.
    from api.routetable import ROUTES

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clausewatch API",
            "version": version("clausewatch"),
            "description": "Private lookups, a public change feed, tracking requests, feeds "
            "and webhooks. Errors are application/problem+json.",
        },
        "paths": paths(ROUTES),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(), headers={"Cache-Control": "public, max-age=3600"})
