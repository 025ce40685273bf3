"""Issue 23, item 5: comparisons of any two versions cannot swamp the server.

One service (api.comparisons) answers the API's /api/v1/compare and the viewer's compare
page: from the stored change when the pair is one, else from a bounded cache, else computed
on its own executor within a size bound and a concurrency limit (503 + Retry-After beyond
it); search and compare, API and viewer, share one rate-limit class. Blocking comparisons
are injected (a function waiting on an event), never slept for.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

import pytest
from apisupport import copy_db, make_app
from multidict import CIMultiDict, CIMultiDictProxy
from policysites import policy_html

from api.comparisons import COMPARISONS, ComparisonService, Limits, compare_versions
from api.ratelimit import LIMITER, RateLimiter, Rule, route_class
from db import Store
from monitor.fetch import FetchResult
from monitor.schedule import Monitor

# A generous failure bound for awaiting what must finish; nothing waits on it to pass.
BOUND_S = 60


@pytest.fixture
def store(populated_template, tmp_path):
    with Store.open(copy_db(populated_template, tmp_path / "cw.db")) as s:
        yield s


class Gate:
    """A comparison that waits until the test opens the gate, counting who entered."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = 0
        self._lock = threading.Lock()

    def __call__(self, old: dict, new: dict) -> dict:
        with self._lock:
            self.entered += 1
        assert self.open.wait(BOUND_S), "the test never opened the gate"
        return compare_versions(old, new)


def threads(n: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=n, thread_name_prefix="test-compare")


def service(**kw) -> ComparisonService:
    compute = kw.pop("compute", compare_versions)
    return ComparisonService(Limits(**kw), executor=threads, compute=compute)


async def client_for(aiohttp_client, store, comparisons, limiter=None):
    app = make_app(store)
    app[COMPARISONS] = comparisons
    if limiter is not None:
        app[LIMITER] = limiter
    return await aiohttp_client(app)


def versions(store: Store, site: str) -> list[dict]:
    doc = store.documents_of_site(store.get_site(site)["id"])[0]
    return store.versions_of_document(doc["id"])


def far_pairs(store: Store, site: str, n: int) -> list[tuple[int, int]]:
    """`n` pairs of versions that are no stored change (so each must be computed)."""
    vs = [v["id"] for v in versions(store, site)]
    pairs = [(vs[i], vs[j]) for i in range(len(vs)) for j in range(len(vs)) if j > i + 1]
    assert len(pairs) >= n
    return pairs[:n]


async def test_a_stored_change_is_answered_from_its_row(aiohttp_client, store):
    comparisons = service()
    client = await client_for(aiohttp_client, store, comparisons)
    doc = store.documents_of_site(store.get_site("bitwarden.com")["id"])[0]
    change = store.changes_of_document(doc["id"])[2]
    query = {"from": change["from_version_id"], "to": change["to_version_id"]}
    body = await (await client.get("/api/v1/compare", params=query)).json()
    assert body["comparison"] == change["comparison"]
    assert comparisons.computed == 0


async def test_a_computed_pair_is_cached_for_api_and_viewer(aiohttp_client, store):
    comparisons = service()
    client = await client_for(aiohttp_client, store, comparisons)
    ((old, new),) = far_pairs(store, "bitwarden.com", 1)
    first = await client.get("/api/v1/compare", params={"from": old, "to": new})
    second = await client.get("/api/v1/compare", params={"from": old, "to": new})
    page = await client.get("/sites/bitwarden.com/compare", params={"from": old, "to": new})
    assert first.status == second.status == page.status == 200
    assert (await first.json())["comparison"] == (await second.json())["comparison"]
    assert comparisons.computed == 1


async def test_identical_requests_in_flight_share_one_computation(aiohttp_client, store):
    gate = Gate()
    comparisons = service(compute=gate, concurrency=1, queue=0)
    client = await client_for(aiohttp_client, store, comparisons)
    ((old, new),) = far_pairs(store, "bitwarden.com", 1)
    asks = [
        asyncio.ensure_future(client.get("/api/v1/compare", params={"from": old, "to": new}))
        for _ in range(5)
    ]
    while gate.entered == 0:
        await asyncio.sleep(0)  # a yield to the loop, not a wait for time
    gate.open.set()
    answers = await asyncio.wait_for(asyncio.gather(*asks), BOUND_S)
    assert [a.status for a in answers] == [200] * 5
    assert gate.entered == 1 and comparisons.computed == 1


async def test_beyond_the_concurrency_limit_and_queue_a_503_with_retry_after(aiohttp_client, store):
    gate = Gate()
    comparisons = service(compute=gate, concurrency=1, queue=1)
    client = await client_for(aiohttp_client, store, comparisons)
    pairs = far_pairs(store, "bitwarden.com", 4)
    held = [
        asyncio.ensure_future(client.get("/api/v1/compare", params={"from": a, "to": b}))
        for a, b in pairs[:2]
    ]
    while comparisons.admitted < 2:
        await asyncio.sleep(0)
    (a, b), (c, d) = pairs[2:]
    busy = await client.get("/api/v1/compare", params={"from": a, "to": b})
    assert busy.status == 503 and busy.content_type == "application/problem+json"
    assert int(busy.headers["Retry-After"]) >= 1
    page = await client.get("/sites/bitwarden.com/compare", params={"from": c, "to": d})
    assert page.status == 503 and page.content_type == "text/html"
    assert int(page.headers["Retry-After"]) >= 1
    gate.open.set()
    assert [r.status for r in await asyncio.wait_for(asyncio.gather(*held), BOUND_S)] == [200, 200]
    assert gate.entered == 2 and comparisons.refused == 2
    # Slots free again: the refused pair now computes.
    assert (await client.get("/api/v1/compare", params={"from": a, "to": b})).status == 200


async def test_too_large_pairs_are_refused_but_stored_changes_still_answer(aiohttp_client, store):
    comparisons = service(max_chars=1000)
    client = await client_for(aiohttp_client, store, comparisons)
    ((old, new),) = far_pairs(store, "bitwarden.com", 1)
    resp = await client.get("/api/v1/compare", params={"from": old, "to": new})
    assert resp.status == 422 and resp.content_type == "application/problem+json"
    assert "limited to 1000 characters" in (await resp.json())["detail"]
    page = await client.get("/sites/bitwarden.com/compare", params={"from": old, "to": new})
    assert page.status == 422 and "Too large" in await page.text()
    change = store.changes_of_document(versions(store, "bitwarden.com")[0]["document_id"])[0]
    query = {"from": change["from_version_id"], "to": change["to_version_id"]}
    assert (await client.get("/api/v1/compare", params=query)).status == 200
    assert comparisons.computed == 0


@pytest.mark.parametrize(
    "path,cls",
    [("/search", "costly"), ("/sites/a.com/compare", "costly"), ("/sites/a.com", None)],
)
def test_viewer_search_and_compare_pages_are_costly(path, cls):
    assert route_class("GET", path) == cls


async def test_viewer_compare_and_search_pages_are_rate_limited_with_the_api(aiohttp_client, store):
    now = [0.0]
    limiter = RateLimiter({"costly": Rule(burst=3, per_second=0.5)}, clock=lambda: now[0])
    client = await client_for(aiohttp_client, store, service(), limiter)
    change = store.changes_of_document(versions(store, "bitwarden.com")[0]["document_id"])[0]
    query = {"from": change["from_version_id"], "to": change["to_version_id"]}
    assert (await client.get("/search", params={"q": "cookies"})).status == 200
    assert (await client.get("/sites/bitwarden.com/compare", params=query)).status == 200
    assert (await client.get("/api/v1/compare", params=query)).status == 200
    for path, params in (("/search", {"q": "cookies"}), ("/sites/bitwarden.com/compare", query)):
        limited = await client.get(path, params=params)
        assert limited.status == 429 and limited.content_type == "text/html", path
        assert limited.headers["Retry-After"] == "2"
    api = await client.get("/api/v1/search", params={"q": "cookies"})
    assert api.status == 429 and api.content_type == "application/problem+json"
    # Cheap pages are another class.
    assert (await client.get("/sites/bitwarden.com")).status == 200
    now[0] += 2
    assert (await client.get("/search", params={"q": "cookies"})).status == 200


class OnePage:
    """A fetcher that serves one policy page (the monitor's only network)."""

    async def fetch(self, url, etag=None, last_modified=None) -> FetchResult:
        body = policy_html().encode()
        return FetchResult(
            url=url,
            outcome="ok",
            final_url=url,
            status=200,
            headers=CIMultiDictProxy(CIMultiDict()),
            body=body,
            content_type="text/html",
            kind="html",
            text=body.decode(),
        )


async def test_a_monitor_check_completes_while_comparisons_are_saturated(aiohttp_client, store):
    # A small default pool, as on a two-core host: before, six comparisons filled it and the
    # monitor's recording (asyncio.to_thread) waited behind them.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=2))
    gate = Gate()
    comparisons = service(compute=gate, concurrency=1, queue=2)
    client = await client_for(aiohttp_client, store, comparisons)
    asks = [
        asyncio.ensure_future(client.get("/api/v1/compare", params={"from": a, "to": b}))
        for a, b in far_pairs(store, "bitwarden.com", 6)
    ]
    while comparisons.admitted < 3 or comparisons.refused < 3 or gate.entered < 1:
        await asyncio.sleep(0)
    assert gate.entered == 1  # saturated: one running, two queued, three refused
    site = store.add_site("checked.example")
    doc = store.add_document(site["id"], "https://checked.example/privacy")
    monitor = Monitor(store, OnePage())
    now = datetime(2030, 1, 1, tzinfo=UTC)
    result = await asyncio.wait_for(monitor.check(doc, now=now, force=True), BOUND_S)
    assert result.status == "ok" and result.version_id is not None
    assert not gate.open.is_set()  # the check finished while every comparison still waited
    gate.open.set()
    statuses = sorted(r.status for r in await asyncio.wait_for(asyncio.gather(*asks), BOUND_S))
    assert statuses == [200, 200, 200, 503, 503, 503]


class DeadPool(Executor):
    """What a process pool is after its worker was killed."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_exception(BrokenProcessPool("a worker died"))
        return future


async def test_a_dead_worker_is_a_503_then_replaced(aiohttp_client, store):
    pools = iter([DeadPool(), threads(1)])
    comparisons = ComparisonService(Limits(), executor=lambda n: next(pools))
    client = await client_for(aiohttp_client, store, comparisons)
    ((old, new),) = far_pairs(store, "bitwarden.com", 1)
    first = await client.get("/api/v1/compare", params={"from": old, "to": new})
    assert first.status == 503 and "Retry-After" in first.headers
    assert (await client.get("/api/v1/compare", params={"from": old, "to": new})).status == 200


async def test_feeds_keep_their_problem_document_when_limited(aiohttp_client, store):
    limiter = RateLimiter({"read": Rule(burst=1, per_second=0.01)}, clock=lambda: 0.0)
    client = await client_for(aiohttp_client, store, service(), limiter)
    assert (await client.get("/feeds/material.atom")).status == 200
    limited = await client.get("/feeds/material.atom")
    assert limited.status == 429 and limited.content_type == "application/problem+json"
