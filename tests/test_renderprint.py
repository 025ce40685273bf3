"""Render fingerprints (monitor/renderprint.py) and how the ChoosingFetcher uses them, with
the renderer injected (the real one, in Chromium: tests/e2e/test_render_fingerprint.py)."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta

import pytest
from policysites import WallClock, loopback_fetcher, policy_html, start

from db import Store
from monitor.fetch import FetchResult
from monitor.renderchoice import ChoosingFetcher, StorePrints, store_remember
from monitor.renderprint import Fingerprint, Resource, replay_headers, stale
from monitor.schedule import Monitor, Timing

TIMING = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=3600, lease=600)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
PRINT = Fingerprint(
    resources=(Resource("https://a.test/", 200, "aa"),),
    dom_sha256="dd",
    rendered_at=(NOW - timedelta(days=1)).isoformat(),
)


def test_stale_says_why_a_fingerprint_cannot_stand_for_a_render():
    ok = {"status": "ok", "latest_sha256": "dd", "now": NOW}
    assert stale(PRINT, **ok) is None
    assert stale(None, **ok) == "no render fingerprint"
    assert "POST" in stale(Fingerprint(PRINT.resources, "dd", "a POST request"), **ok)
    assert stale(Fingerprint((), "dd", rendered_at=PRINT.rendered_at), **ok)
    assert "ended structure-changed" in stale(PRINT, **{**ok, "status": "structure-changed"})
    assert "latest snapshot" in stale(PRINT, **{**ok, "latest_sha256": "other"})
    assert "older than 1 days" in stale(PRINT, **ok, max_age=timedelta(days=1))
    assert "older than 0.5 days" in stale(PRINT, **ok, max_age=timedelta(hours=12))
    assert stale(Fingerprint(PRINT.resources, "dd"), **ok) == "the render time is unknown"


def test_replayed_headers_are_those_that_select_content():
    sent = {"Accept": "application/json", "Referer": "https://a.test/", "Cookie": "c=1"}
    assert replay_headers(sent) == (("accept", "application/json"), ("cookie", "c=1"))
    assert Resource("u", 200, "s", etag='"e"', last_modified="x").conditional == {
        "If-None-Match": '"e"',
        "If-Modified-Since": "x",
    }


class PrintingRenderer:
    """The renderer, injected: a DOM per URL, a fingerprint of one resource per render,
    and a replay that answers what ``changed`` says."""

    def __init__(self) -> None:
        self.dom: dict[str, str] = {}
        self.renders: list[str] = []
        self.replays: list[str] = []
        self.changed: str | None = None

    async def fetch(self, url, etag=None, last_modified=None) -> FetchResult:
        return (await self.render_with_print(url))[0]

    async def render_with_print(self, url):
        self.renders.append(url)
        body = self.dom[url].encode()
        fetched = FetchResult(
            url=url,
            outcome="ok",
            final_url=url,
            status=200,
            body=body,
            content_type="text/html",
            kind="html",
            text=self.dom[url],
            rendered=True,
        )
        resource = Resource(url, 200, hashlib.sha256(body).hexdigest())
        return fetched, Fingerprint((resource,), hashlib.sha256(body).hexdigest())

    async def replay(self, url, fingerprint):
        self.replays.append(url)
        return self.changed


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def sites(aiohttp_server):
    return await start(aiohttp_server)


@pytest.fixture
async def plain():
    async with loopback_fetcher(("site.test",)) as fetcher:
        yield fetcher


def monitor_for(store, plain, renderer, rerender_after=timedelta(days=7)) -> Monitor:
    clock = WallClock()
    chooser = ChoosingFetcher(
        plain,
        renderer,
        remember=store_remember(store),
        prints=StorePrints(store),
        rerender_after=rerender_after,
        clock=clock,
    )
    return Monitor(store, chooser, timing=TIMING, clock=clock, rng=random.Random(1))


async def check(monitor, doc_id):
    monitor.clock.advance(7200)
    return await monitor.check(monitor.store.get_document(doc_id), now=monitor.clock())


async def test_always_documents_are_replayed_too_and_a_change_renders(store, sites, plain):
    renderer = PrintingRenderer()
    url = sites.set("site.test", "/privacy", "<p>whatever a plain GET sees</p>")
    renderer.dom[url] = policy_html()
    doc = store.add_document(store.add_site("site.test")["id"], url, render="always")
    monitor = monitor_for(store, plain, renderer)
    assert (await check(monitor, doc["id"])).new_version
    second = await check(monitor, doc["id"])
    assert second.status == "ok" and second.not_modified
    assert (len(renderer.renders), len(renderer.replays)) == (1, 1)
    renderer.changed = "https://site.test/api.json: its body changed"
    third = await check(monitor, doc["id"])
    assert not third.not_modified and len(renderer.renders) == 2
    assert sites.requests == []  # an `always` document never had a plain fetch


async def test_no_replay_once_the_render_is_old_or_after_the_setting_changes(store, sites, plain):
    renderer = PrintingRenderer()
    url = sites.set("site.test", "/privacy", "<p>shell</p>")
    renderer.dom[url] = policy_html()
    doc = store.add_document(store.add_site("site.test")["id"], url, render="always")
    monitor = monitor_for(store, plain, renderer, rerender_after=timedelta(hours=3))
    await check(monitor, doc["id"])  # rendered
    await check(monitor, doc["id"])  # 2 h later: replayed
    await check(monitor, doc["id"])  # 4 h after the render: rendered again
    assert (len(renderer.renders), len(renderer.replays)) == (2, 1)
    assert store.get_document(doc["id"])["render_fingerprint"]
    # A new setting forgets the fingerprint with the decision.
    store.add_document(doc["site_id"], url, render="never")
    assert store.get_document(doc["id"])["render_fingerprint"] is None
