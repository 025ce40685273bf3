import asyncio

import pytest

from api.app import create_app
from api.config import Settings
from api.webhooks import delivery_ctx


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(db_path=str(tmp_path / "cw.db")))
    return await aiohttp_client(app)


async def test_health_counts_from_the_store(client):
    resp = await client.get("/api/v1/health")
    assert resp.status == 200
    body = await resp.json()
    assert body == {"status": "ok", "sites": 0, "changes": 0}


async def test_version(client):
    body = await (await client.get("/api/v1/version")).json()
    assert body["name"] == "clausewatch" and body["api"] == "v1"


async def test_unknown_api_path_is_a_problem(client):
    resp = await client.get("/api/v1/nope")
    assert resp.status == 404
    assert resp.content_type == "application/problem+json"
    body = await resp.json()
    assert body["status"] == 404 and body["title"] == "Not Found"


async def test_wrong_method_is_a_problem_with_allow(client):
    resp = await client.post("/api/v1/health")
    assert resp.status == 405
    assert resp.content_type == "application/problem+json"
    assert "GET" in resp.headers["Allow"]


async def test_the_app_alone_runs_no_background_worker(client):
    # Workers start in api/service.py only (create_service), never from a route module.
    from api.webhooks import DELIVERER

    assert DELIVERER not in client.app
    assert not any(task.get_name().startswith("webhook") for task in asyncio.all_tasks())


async def test_the_service_starts_the_webhook_delivery(tmp_path):
    from api.service import create_service
    from api.webhooks import DELIVERER, DELIVERY_INTERVAL

    app = create_service(Settings(db_path=str(tmp_path / "cw.db")))
    assert delivery_ctx in app.cleanup_ctx
    app[DELIVERY_INTERVAL] = None
    assert DELIVERER not in app


def test_every_route_is_mounted_from_the_table(tmp_path):
    # The router holds exactly the table's routes (and HEAD beside each GET).
    from api.routetable import ROUTES

    app = create_app(Settings(db_path=str(tmp_path / "cw.db")))
    mounted = {(r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
    assert mounted == {(r.method, r.path) for r in ROUTES}
