import pytest

from api.app import create_app
from api.config import Settings


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
