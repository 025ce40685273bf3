"""The route table is the one declaration of a route: the router, OpenAPI, rate limits and
CORS all answer from it; the answers' schemas come from the types their handlers build."""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

import pytest

from api.cors import cors_class
from api.openapi import SCHEMAS, document
from api.ratelimit import route_class
from api.routes.common import change_json
from api.routes.meta import health
from api.routetable import ROUTES, Route, find
from api.shapes import UNPROMISED, Change, json_schema


def test_every_api_route_is_documented_with_its_own_method_and_path():
    paths = document()["paths"]
    for route in ROUTES:
        if route.path.startswith(("/api/", "/feeds/")):
            assert route.operation is not None, route.path
            assert route.method.lower() in paths[route.path]
        else:
            assert route.operation is None and route.path not in paths


def test_a_parameter_every_operation_shares_is_said_once_at_the_path():
    item = document()["paths"]["/api/v1/webhooks/{id}"]
    assert [p["name"] for p in item["parameters"]] == ["id"]
    assert all("parameters" not in item[m] for m in ("get", "patch", "delete"))


@pytest.mark.parametrize(
    "method,path,handler",
    [
        ("GET", "/api/v1/changes/12", "change_detail"),
        ("HEAD", "/api/v1/changes", "feed"),
        ("GET", "/feeds/sites/example.com.atom", "site_feed"),
        ("DELETE", "/api/v1/webhooks/3", "remove"),
        ("GET", "/sites/example.com/compare", "compare_page"),
    ],
)
def test_find_matches_like_the_router(method, path, handler):
    route = find(method, path)
    assert route is not None and route.handler.__name__ == handler


@pytest.mark.parametrize(
    "method,path",
    [("GET", "/api/v1/changes/1/2"), ("POST", "/api/v1/changes"), ("GET", "/feeds/x.atom")],
)
def test_find_refuses_what_the_router_does_not_serve(method, path):
    assert find(method, path) is None


@pytest.mark.parametrize(
    "method,path,cls",
    [
        ("GET", "/api/v1/changes", "public"),
        ("GET", "/api/v1/webhooks/1", "origins"),
        ("POST", "/api/v1/sites", "origins"),
        ("GET", "/api/v1/nothing", "public"),  # a 404 a browser may read
        ("PUT", "/api/v1/changes", "origins"),
        ("GET", "/sites/example.com", None),  # the viewer is outside CORS
        ("GET", "/elsewhere", None),
    ],
)
def test_cors_classes_come_from_the_table(method, path, cls):
    assert cors_class(method, path) == cls


def test_rate_and_cors_classes_are_the_routes_own():
    for route in ROUTES:
        concrete = route.path.replace("{site}", "example.com").replace("{id}", "7")
        concrete = concrete.replace("{prefix}", "ab").replace("{name}", "viewer.css")
        assert find(route.method, concrete) is route
        assert route_class(route.method, concrete) == route.rate
        assert cors_class(route.method, concrete) == route.cors


def test_a_path_template_matches_one_segment_per_name():
    route = Route("GET", "/a/{x}.atom", health, rate=None, cors=None)
    assert route.pattern.match("/a/b.c.atom") and not route.pattern.match("/a/b/c.atom")


class _Shape(TypedDict):
    n: Annotated[int, {"minimum": 1}]
    when: Annotated[str | None, {"format": "date-time"}, UNPROMISED]
    kind: Literal["a", "b"]
    tags: list[str]
    inner: _Inner


class _Inner(TypedDict):
    flag: bool


def test_json_schema_of_a_typed_dict():
    assert json_schema(_Shape) == {
        "type": "object",
        "required": ["n", "kind", "tags", "inner"],
        "properties": {
            "n": {"type": "integer", "minimum": 1},
            "when": {"type": ["string", "null"], "format": "date-time"},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "inner": {
                "type": "object",
                "required": ["flag"],
                "properties": {"flag": {"type": "boolean"}},
            },
        },
    }


def test_the_change_json_and_its_schema_have_the_same_fields():
    row = {
        "id": 1,
        "site": "example.com",
        "site_hash": "0" * 64,
        "document_kind": "privacy",
        "document_id": 2,
        "detected_at": "2024-01-01T00:00:00Z",
        "from_captured_at": "2023-01-01T00:00:00Z",
        "to_captured_at": "2024-01-01T00:00:00Z",
        "origin": "live",
        "material": 1,
        "categories": None,
        "summary": None,
    }
    answer = change_json(row)
    assert list(answer) == list(Change.__annotations__) == list(SCHEMAS["Change"]["properties"])
