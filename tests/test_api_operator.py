"""Operator calls over HTTP (api/routes/operator.py): setting a document's `render`."""

from __future__ import annotations

import pytest
from apisupport import make_app

from db import Store

TOKEN = "operator-secret-token-0123456789"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
def document(store):
    site = store.add_site("example.com")
    doc = store.add_document(site["id"], "https://example.com/privacy")
    store.update_document(doc["id"], render_decision="plain", render_reason="decided")
    return doc


async def client_for(aiohttp_client, store, token):
    return await aiohttp_client(make_app(store, operator_token=token))


def path(doc, site="example.com"):
    return f"/api/v1/sites/{site}/documents/{doc['id']}"


def auth(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


async def test_the_operator_sets_render_and_the_decision_is_forgotten(
    aiohttp_client, store, document
):
    client = await client_for(aiohttp_client, store, TOKEN)
    answer = await client.patch(path(document), json={"render": "always"}, headers=auth())
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert (body["id"], body["render"], body["fetched_with"]) == (
        document["id"],
        "always",
        "rendered",
    )
    assert answer.headers["Cache-Control"] == "no-store"
    row = store.get_document(document["id"])
    assert row["render"] == "always" and row["render_decision"] is None
    site = await (await client.get("/api/v1/sites/example.com")).json()
    assert site["documents"][0]["render"] == "always"


async def test_without_the_token_nothing_changes(aiohttp_client, store, document):
    client = await client_for(aiohttp_client, store, TOKEN)
    for headers in ({}, auth("wrong"), {"Authorization": f"Basic {TOKEN}"}):
        answer = await client.patch(path(document), json={"render": "never"}, headers=headers)
        assert answer.status == 401, headers
        assert answer.content_type == "application/problem+json"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert store.get_document(document["id"])["render"] == "auto"


async def test_operator_calls_are_off_without_a_configured_token(aiohttp_client, store, document):
    client = await client_for(aiohttp_client, store, "")
    answer = await client.patch(path(document), json={"render": "never"}, headers=auth(""))
    assert answer.status == 403
    assert "CLAUSEWATCH_OPERATOR_TOKEN" in (await answer.json())["detail"]
    assert store.get_document(document["id"])["render"] == "auto"


@pytest.mark.parametrize(
    "body",
    [{"render": "sometimes"}, {"render": None}, {}, {"render": "auto", "url": "x"}, [1]],
)
async def test_bad_input_is_a_problem(aiohttp_client, store, document, body):
    client = await client_for(aiohttp_client, store, TOKEN)
    answer = await client.patch(path(document), json=body, headers=auth())
    assert answer.status == 400
    assert answer.content_type == "application/problem+json"
    assert store.get_document(document["id"])["render"] == "auto"


async def test_unknown_documents_and_sites(aiohttp_client, store, document):
    client = await client_for(aiohttp_client, store, TOKEN)
    other = store.add_document(store.add_site("other.org")["id"], "https://other.org/privacy")
    for url, status in (
        (path(other), 404),  # a document of another site
        (path({"id": 999}), 404),
        (path(document, "unknown.net"), 404),
        (path(document, "a..b"), 400),
        ("/api/v1/sites/example.com/documents/0", 400),
    ):
        answer = await client.patch(url, json={"render": "never"}, headers=auth())
        assert answer.status == status, url
        assert answer.content_type == "application/problem+json"


async def test_a_non_json_body_is_refused(aiohttp_client, store, document):
    client = await client_for(aiohttp_client, store, TOKEN)
    answer = await client.patch(path(document), data="render=never", headers=auth())
    assert answer.status == 415
