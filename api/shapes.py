"""The shapes of the API's JSON answers, as types, and their JSON Schemas built from them.

A TypedDict here is what a handler builds (mypy checks every key and value) and what
the OpenAPI document states (`json_schema`): the fields are declared once. Schema facts a
Python type cannot carry (a pattern, a format, a description) ride in `Annotated`.
"""

# No `from __future__ import annotations` here: on Python 3.11 a TypedDict whose
# annotations are strings cannot see NotRequired, and every key would count as required.
import types
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from monitor.classify.lexicon import CATEGORY_SLUGS

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
    # Not required by the schema: the first clients were written before these two fields.
    document_id: NotRequired[int]
    detected_at: Timestamp
    from_captured_at: Timestamp
    to_captured_at: Timestamp
    origin: NotRequired[
        Annotated[
            Literal["live", "backfill", "reprocess"],
            {"description": "only `live` changes are news; the others are history told late"},
        ]
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
    score: NotRequired[float | None]
    archive_url: NotRequired[str | None]
    document_url: NotRequired[str]
    # None for a change recorded without its comparison (none of the monitor's own).
    comparison: Annotated[
        dict[str, Any] | None, Replace({"anyOf": [ref("Comparison"), {"type": "null"}]})
    ]


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
            schema.update(extra)
        return schema
    if origin is NotRequired:
        return type_schema(get_args(tp)[0])
    if origin is Literal:
        values = list(get_args(tp))
        return {"type": _SCALARS[type(values[0])], "enum": values}
    if origin is list:
        return {"type": "array", "items": type_schema(get_args(tp)[0])}
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1 and len(get_args(tp)) == 2:
            return {"type": [_SCALARS[members[0]], "null"]}
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    raise TypeError(f"no JSON Schema for {tp!r}")


def json_schema(shape: type, *, extends: tuple[str, type] | None = None) -> dict[str, Any]:
    """The object schema of a TypedDict: its fields in order, its required keys required.

    `extends=(name, base)` for a TypedDict that adds to another with a schema of its own:
    the named schema, allOf the fields added."""
    hints = get_type_hints(shape, include_extras=True)
    if extends is not None:
        inherited = get_type_hints(extends[1])
        hints = {name: tp for name, tp in hints.items() if name not in inherited}
    required_keys: frozenset[str] = shape.__required_keys__  # type: ignore[attr-defined]
    schema = {
        "type": "object",
        "required": [name for name in hints if name in required_keys],
        "properties": {name: type_schema(tp) for name, tp in hints.items()},
    }
    return schema if extends is None else {"allOf": [ref(extends[0]), schema]}
