"""The OpenAPI 3.1 document of the HTTP API, served at /api/v1/openapi.json.

The paths come from the route table (api/routetable.py), the one place a route is declared,
so the router serves exactly what is documented (tests/test_api_openapi.py checks it still);
schemathesis checks live answers against the schemas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from api.shapes import (
    Change,
    ChangeDetail,
    Feed,
    Health,
    Lookup,
    Search,
    Site,
    SiteDocument,
    Timeline,
    Version,
    VersionInfo,
    Webhook,
    WebhookCreated,
    json_schema,
)
from monitor.classify.categories import CATEGORY_SLUGS

if TYPE_CHECKING:
    from api.routetable import Route

JSON = "application/json"
PROBLEM = "application/problem+json"
ATOM = "application/atom+xml"

_CATEGORIES = {"type": "array", "items": {"type": "string", "enum": list(CATEGORY_SLUGS)}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], props: dict, *, extra: bool = True) -> dict:
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": props}
    if not extra:
        schema["additionalProperties"] = False
    return schema


# The answers' schemas are built from the types their handlers build (api/shapes.py); the
# request bodies, the problem document and the comparison (monitor/compare.py) are written here.
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
    "Feed": json_schema(Feed),
    "Lookup": json_schema(Lookup),
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
    "Site": json_schema(Site),
    "Timeline": json_schema(Timeline),
    "Version": json_schema(Version),
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
    "Search": json_schema(Search),
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
    "DocumentChange": _obj(
        ["render"],
        {"render": {"type": "string", "enum": ["auto", "always", "never"]}},
        extra=False,
    ),
    "SiteDocument": json_schema(SiteDocument),
    "Webhook": json_schema(Webhook),
    "WebhookCreated": json_schema(WebhookCreated, extends=("Webhook", Webhook)),
    "Health": json_schema(Health),
    "VersionInfo": json_schema(VersionInfo),
}

_PROBLEM_TITLES = {
    400: "Invalid input",
    401: "Missing or malformed bearer token",
    403: "Operator calls are off (no operator token configured)",
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
