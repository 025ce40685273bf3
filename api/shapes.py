"""The shapes of the API's JSON answers, as types, and their JSON Schemas built from them.

A TypedDict here is what a handler builds (mypy checks every key and value) and what
the OpenAPI document states (`json_schema`): the fields are declared once. Schema facts a
Python type cannot carry (a pattern, a format, a description) ride in `Annotated`.
"""

# No `from __future__ import annotations`: the schemas are built from the evaluated types.
import types
from typing import (
    Annotated,
    Any,
    Literal,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from monitor.check import Status
from monitor.classify.categories import CATEGORY_SLUGS


class _Unpromised:
    """`Annotated` marker of a field every answer carries but the schema does not require:
    the schema promised less when the field was added, and clients written against it
    must still validate."""

    def __repr__(self) -> str:
        return "UNPROMISED"


UNPROMISED = _Unpromised()

Timestamp = Annotated[str, {"format": "date-time"}]
SiteHash = Annotated[str, {"pattern": "^[0-9a-f]{64}$"}]
Category = Annotated[str, {"enum": list(CATEGORY_SLUGS)}]


class Change(TypedDict):
    """A change as the feed, a site, a change's detail and a webhook event answer it
    (docs/extension-api.md); built by api.routes.common.change_json."""

    id: Annotated[int, {"minimum": 1}]
    site: str
    site_hash: SiteHash
    document: Annotated[str, {"description": "the document's kind (privacy)"}]
    document_id: Annotated[int, UNPROMISED]
    detected_at: Timestamp
    from_captured_at: Timestamp
    to_captured_at: Timestamp
    origin: Annotated[
        Literal["live", "backfill", "reprocess"],
        {"description": "only `live` changes are news; the others are history told late"},
        UNPROMISED,
    ]
    material: bool
    categories: list[Category]
    summary: str
    url: Annotated[str, {"description": "diff viewer page, relative to the server"}]


class Replace(dict[str, Any]):
    """`Annotated` metadata that is the whole schema of its field, for a type JSON Schema
    says differently (a reference to a named schema, say)."""


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


class ChangeDetail(Change):
    """One change with its full clause diff and judgment (GET /api/v1/changes/{id})."""

    from_version_id: int
    to_version_id: int
    score: Annotated[float | None, UNPROMISED]
    archive_url: Annotated[str | None, UNPROMISED]
    document_url: Annotated[str, UNPROMISED]
    # None for a change recorded without its comparison (none of the monitor's own).
    comparison: Annotated[
        dict[str, Any] | None, Replace({"anyOf": [ref("Comparison"), {"type": "null"}]})
    ]


OptionalTime = Annotated[str | None, {"format": "date-time"}]


class Feed(TypedDict):
    changes: list[Change]
    next: Annotated[str | None, {"description": "pass as after="}]
    more: bool


class LookupSite(TypedDict):
    site_hash: SiteHash
    status: str
    last_change: OptionalTime
    last_change_id: int | None
    last_material_change: OptionalTime
    last_material_change_id: int | None


class Lookup(TypedDict):
    prefix: Annotated[
        str,
        {
            "pattern": "^[0-9a-f]{1,5}$",
            "description": "the prefix asked for: ceil(bits / 4) hex digits",
        },
    ]
    bits: Annotated[
        int,
        {
            "minimum": 1,
            "maximum": 20,
            "description": "how many leading bits of `prefix` the bucket shares",
        },
    ]
    prefix_bits: Annotated[
        int,
        {
            "minimum": 1,
            "maximum": 20,
            "description": "the prefix length, in bits, clients should ask with: the longest "
            "whose buckets still hold at least 20 tracked sites (so fewer than 40)",
        },
    ]
    prefix_length: Annotated[
        int,
        {
            "minimum": 2,
            "maximum": 5,
            "description": "the same in whole hex digits, for clients that ask without bits: "
            "the longest that still hides a site among at least 20 tracked ones",
        },
    ]
    sites: list[LookupSite]


class SiteDocument(TypedDict):
    id: int
    kind: str
    url: str
    status: Status
    last_checked_at: OptionalTime
    versions: int
    versions_url: Annotated[str, UNPROMISED]
    # How checks fetch it (set by the operator's `track --render`) and what they use now:
    # rendered in a browser or not (monitor/renderchoice.py).
    render: Annotated[
        str,
        Replace({"type": "string", "enum": ["auto", "always", "never"]}),
        UNPROMISED,
    ]
    fetched_with: Annotated[
        str | None,
        Replace({"type": ["string", "null"], "enum": ["plain", "rendered", None]}),
        UNPROMISED,
    ]


class Site(TypedDict):
    site: str
    site_hash: SiteHash
    state: str
    detail: Annotated[str | None, {"description": "why the site is in its state"}, UNPROMISED]
    documents: list[SiteDocument]
    changes: Annotated[list[Change], {"maxItems": 20}]
    viewer_url: str


class VersionMeta(TypedDict):
    """What the timeline and a version's own answer both say of a version."""

    title: str | None
    effective_date: str | None
    language: str | None
    format: str | None
    first_captured_at: OptionalTime
    last_captured_at: OptionalTime


class DocumentRef(TypedDict):
    id: int
    kind: str
    url: str


class TimelineVersion(TypedDict):
    id: int
    title: Annotated[str | None, UNPROMISED]
    effective_date: Annotated[str | None, UNPROMISED]
    language: Annotated[str | None, UNPROMISED]
    format: Annotated[str | None, UNPROMISED]
    first_captured_at: OptionalTime
    last_captured_at: OptionalTime
    snapshots: int
    clauses: int
    url: str


class Timeline(TypedDict):
    site: str
    document: DocumentRef
    versions: list[TimelineVersion]


class Clause(TypedDict):
    section: list[str]
    kind: Literal["heading", "paragraph", "list-item", "table-row"]
    text: str


class Version(TypedDict):
    id: int
    document_id: int
    site: str | None
    title: Annotated[str | None, UNPROMISED]
    effective_date: Annotated[str | None, UNPROMISED]
    language: Annotated[str | None, UNPROMISED]
    format: Annotated[str | None, UNPROMISED]
    first_captured_at: Annotated[OptionalTime, UNPROMISED]
    last_captured_at: Annotated[OptionalTime, UNPROMISED]
    clauses: list[Clause]


class SearchResult(TypedDict):
    site: str
    document_id: Annotated[int, UNPROMISED]
    document_url: Annotated[str, UNPROMISED]
    version_id: int
    position: Annotated[int, UNPROMISED]
    section: Annotated[str, UNPROMISED]
    kind: Annotated[str, UNPROMISED]
    text: str
    snippet: str
    first_captured_at: Annotated[OptionalTime, UNPROMISED]
    last_captured_at: Annotated[OptionalTime, UNPROMISED]
    version_url: str


class Search(TypedDict):
    q: str
    results: list[SearchResult]


class Webhook(TypedDict):
    id: int
    url: str
    sites: list[str]
    active: bool
    failures: int
    last_attempt_at: Annotated[OptionalTime, UNPROMISED]
    last_status: Annotated[int | None, UNPROMISED]
    last_error: Annotated[str | None, UNPROMISED]
    disabled_reason: Annotated[str | None, UNPROMISED]
    created_at: Annotated[Timestamp, UNPROMISED]


class WebhookCreated(Webhook):
    token: Annotated[str, {"description": "shown once: manage with Bearer"}]
    secret: Annotated[
        str,
        {
            "description": "shown once: the Standard Webhooks signing secret"
            " (whsec_…); see docs/security.md"
        },
    ]


class Health(TypedDict):
    status: str
    sites: int
    changes: int


class VersionInfo(TypedDict):
    name: str
    version: str
    api: str


# Shapes the document names (components/schemas): a field of one of these types refers to
# it by name instead of repeating it.
NAMED: dict[type, str] = {Change: "Change"}

_SCALARS: dict[Any, str] = {int: "integer", str: "string", bool: "boolean", float: "number"}


def type_schema(tp: Any) -> dict[str, Any]:
    """The JSON Schema of one Python type as the shapes above use them."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extras = get_args(tp)
        replaced = [extra for extra in extras if isinstance(extra, Replace)]
        if replaced:
            return dict(replaced[-1])
        schema = type_schema(base)
        for extra in extras:
            if isinstance(extra, dict):
                schema.update(extra)
        return schema
    if origin is Literal:
        values = list(get_args(tp))
        return {"type": _SCALARS[type(values[0])], "enum": values}
    if origin is list:
        return {"type": "array", "items": type_schema(get_args(tp)[0])}
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1 and len(get_args(tp)) == 2:
            return {"type": [_SCALARS[members[0]], "null"]}
    if tp in NAMED:
        return ref(NAMED[tp])
    if hasattr(tp, "__required_keys__"):  # a TypedDict inside another
        return json_schema(tp)
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _extras(tp: Any) -> tuple[Any, ...]:
    return tuple(get_args(tp)[1:]) if get_origin(tp) is Annotated else ()


def json_schema(shape: type, *, extends: tuple[str, type] | None = None) -> dict[str, Any]:
    """The object schema of a TypedDict: its fields in order, all required but UNPROMISED ones.

    `extends=(name, base)` for a TypedDict that adds to another with a schema of its own:
    the named schema, allOf the fields added."""
    hints = get_type_hints(shape, include_extras=True)
    if extends is not None:
        inherited = get_type_hints(extends[1])
        hints = {name: tp for name, tp in hints.items() if name not in inherited}
    schema = {
        "type": "object",
        "required": [name for name, tp in hints.items() if UNPROMISED not in _extras(tp)],
        "properties": {name: type_schema(tp) for name, tp in hints.items()},
    }
    return schema if extends is None else {"allOf": [ref(extends[0]), schema]}
