"""The token bucket: per client and class, refilled by an injected clock, bounded memory."""

from __future__ import annotations

import pytest
from apisupport import make_app

from api.ratelimit import LIMITER, RateLimiter, Rule, route_class
from db import Store


def test_bucket_allows_a_burst_then_refills_with_time():
    now = [0.0]
    limiter = RateLimiter({"read": Rule(burst=3, per_second=2)}, clock=lambda: now[0])
    assert [limiter.take("a", "read") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a", "read") == pytest.approx(0.5)
    assert limiter.take("b", "read") == 0  # another client, another bucket
    now[0] += 0.5
    assert limiter.take("a", "read") == 0
    now[0] += 100
    assert [limiter.take("a", "read") for _ in range(3)] == [0, 0, 0]  # capped at burst


def test_classes_are_separate_and_unknown_classes_unlimited():
    limiter = RateLimiter({"track": Rule(1, 0.01), "read": Rule(1, 0.01)}, clock=lambda: 0.0)
    assert limiter.take("a", "track") == 0 and limiter.take("a", "read") == 0
    assert limiter.take("a", "track") > 0
    assert limiter.take("a", "costly") == 0


def test_memory_is_bounded():
    limiter = RateLimiter({"read": Rule(1, 0.001)}, clock=lambda: 0.0, max_clients=10)
    for i in range(100):
        limiter.take(f"client{i}", "read")
    assert len(limiter._buckets) == 10


@pytest.mark.parametrize(
    "method,path,cls",
    [
        ("POST", "/api/v1/sites", "track"),
        ("GET", "/api/v1/sites/example.com", "read"),
        ("POST", "/api/v1/webhooks", "webhook"),
        ("PATCH", "/api/v1/webhooks/3", "webhook"),
        ("GET", "/api/v1/search", "costly"),
        ("GET", "/api/v1/compare", "costly"),
        ("GET", "/api/v1/changes", "read"),
        ("GET", "/feeds/material.atom", "read"),
        ("GET", "/api/v1/health", None),
        ("OPTIONS", "/api/v1/sites", None),
        ("GET", "/sites/example.com", None),
    ],
)
def test_route_classes(method, path, cls):
    assert route_class(method, path) == cls


async def test_429_problem_with_retry_after(aiohttp_client, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        app = make_app(store)
        now = [0.0]
        app[LIMITER] = RateLimiter({"read": Rule(2, 0.25)}, clock=lambda: now[0])
        client = await aiohttp_client(app)
        assert [(await client.get("/api/v1/changes")).status for _ in range(2)] == [200, 200]
        resp = await client.get("/api/v1/changes")
        assert resp.status == 429 and resp.content_type == "application/problem+json"
        assert resp.headers["Retry-After"] == "4"
        assert (await resp.json())["status"] == 429
        assert (await client.get("/api/v1/health")).status == 200  # never limited
        now[0] += 4
        assert (await client.get("/api/v1/changes")).status == 200


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_bucket(
    aiohttp_client, tmp_path
):
    with Store.open(tmp_path / "cw.db") as store:
        # The test client connects from 127.0.0.1: the "proxy".
        app = make_app(store, trusted_proxies="127.0.0.0/8, 10.0.0.0/8")
        app[LIMITER] = RateLimiter({"read": Rule(1, 0.001)}, clock=lambda: 0.0)
        client = await aiohttp_client(app)

        async def status(forwarded):
            resp = await client.get("/api/v1/changes", headers={"X-Forwarded-For": forwarded})
            return resp.status

        assert await status("203.0.113.5") == 200
        assert await status("203.0.113.5") == 429
        assert await status("198.51.100.7, 10.1.1.1") == 200  # through a second proxy
        # What the client wrote left of the last untrusted hop does not buy a new bucket.
        assert await status("1.2.3.4, 203.0.113.5") == 429


async def test_without_trusted_proxies_forwarded_for_is_ignored(aiohttp_client, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        app = make_app(store)
        app[LIMITER] = RateLimiter({"read": Rule(1, 0.001)}, clock=lambda: 0.0)
        client = await aiohttp_client(app)
        first = await client.get("/api/v1/changes", headers={"X-Forwarded-For": "203.0.113.5"})
        second = await client.get("/api/v1/changes", headers={"X-Forwarded-For": "198.51.100.9"})
        assert (first.status, second.status) == (200, 429)
