"""CORS: public reads for any origin (one cacheable answer), the rest for extension and
configured origins only; preflights; ETag exposed."""

from __future__ import annotations

import pytest
from apisupport import make_app

from db import Store

CHROME = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
FIREFOX = "moz-extension://2c127fa4-62c7-7e4f-90e5-472b45eecfdc"
WEB = "https://clausewatch.example"
EVIL = "https://evil.example"


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        yield await aiohttp_client(make_app(store, cors_origins=f"{WEB}, https://other.example"))


async def test_public_reads_answer_any_origin_and_expose_etag(client):
    for origin in (CHROME, FIREFOX, EVIL):
        resp = await client.get("/api/v1/lookup/abcde", headers={"Origin": origin})
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in resp.headers["Access-Control-Expose-Headers"]
        assert "Origin" not in resp.headers.get("Vary", "")


async def test_problems_and_304s_carry_cors_headers_too(client):
    bad = await client.get("/api/v1/changes?buckets=zz", headers={"Origin": CHROME})
    assert bad.status == 400 and bad.headers["Access-Control-Allow-Origin"] == "*"
    first = await client.get("/api/v1/changes", headers={"Origin": CHROME})
    same = await client.get(
        "/api/v1/changes", headers={"Origin": CHROME, "If-None-Match": first.headers["ETag"]}
    )
    assert same.status == 304 and same.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("origin", [CHROME, FIREFOX, WEB])
async def test_extension_and_configured_origins_may_post(client, origin):
    pre = await client.options(
        "/api/v1/sites",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status == 204
    assert pre.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]
    assert pre.headers["Vary"] == "Origin"
    resp = await client.post("/api/v1/sites", json={"site": "10.0.0.1"}, headers={"Origin": origin})
    assert resp.status == 400 and resp.headers["Access-Control-Allow-Origin"] == origin


async def test_other_origins_may_not_post_or_manage_webhooks(client):
    pre = await client.options(
        "/api/v1/sites", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    )
    assert pre.status == 403 and "Access-Control-Allow-Origin" not in pre.headers
    resp = await client.post("/api/v1/sites", json={"site": "10.0.0.1"}, headers={"Origin": EVIL})
    assert "Access-Control-Allow-Origin" not in resp.headers
    hook = await client.get("/api/v1/webhooks/1", headers={"Origin": EVIL})
    assert "Access-Control-Allow-Origin" not in hook.headers


async def test_preflight_for_a_public_read(client):
    pre = await client.options(
        "/api/v1/changes",
        headers={
            "Origin": FIREFOX,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert pre.status == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in pre.headers["Access-Control-Allow-Headers"]
