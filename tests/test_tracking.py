"""The tracking worker: pending sites become tracked (or failed, with a reason)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import pytest
from policysites import WallClock, loopback_fetcher, policy_html, start

from db import Store
from monitor.schedule import Monitor, Timing
from monitor.wayback import WaybackError


@dataclass
class Found:
    url: str | None
    notes: tuple[str, ...] = ()


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def sites(aiohttp_server):
    return await start(aiohttp_server)


def pending(store: Store, name: str) -> dict:
    site = store.add_site(name)
    store.set_site_state(site["id"], "pending")
    return store.get_site(site["id"])


async def monitor_for(store, fetcher, **kw) -> Monitor:
    return Monitor(
        store, fetcher, timing=Timing(interval=3600), clock=WallClock(), rng=random.Random(0), **kw
    )


async def test_a_pending_site_with_a_url_is_backfilled_checked_and_tracked(store, sites):
    url = sites.set("site.test", "/privacy", policy_html())
    site = pending(store, "site.test")
    doc = store.add_document(site["id"], url)
    backfilled = []

    async def backfill(document):
        # What a backfill leaves behind is the store's business; here: that it ran first.
        assert store.snapshots_of_document(document["id"]) == []
        backfilled.append(document["id"])

    async with loopback_fetcher(["site.test"]) as fetcher:
        monitor = await monitor_for(store, fetcher, backfill=backfill)
        report = await monitor.run_pass()
    [tracking] = report.tracking
    assert (tracking.site, tracking.state) == ("site.test", "tracked")
    assert backfilled == [doc["id"]]
    assert store.get_site("site.test")["state"] == "tracked"
    assert store.get_document(doc["id"])["status"] == "ok"
    assert len(store.versions_of_document(doc["id"])) == 1
    # Its first live check is done: the regular part of the pass does not check it again.
    assert report.results == []
    assert len([p for h, p in sites.requests if p == "/privacy"]) == 1


async def test_a_failing_backfill_costs_history_not_tracking(store, sites):
    url = sites.set("site.test", "/privacy", policy_html())
    site = pending(store, "site.test")
    store.add_document(site["id"], url)

    async def backfill(document):
        raise WaybackError("CDX: HTTP 503 after 4 tries")

    async with loopback_fetcher(["site.test"]) as fetcher:
        report = await (await monitor_for(store, fetcher, backfill=backfill)).run_pass()
    [tracking] = report.tracking
    assert tracking.state == "tracked" and "history not recovered" in tracking.detail
    assert "history not recovered" in store.get_site("site.test")["state_detail"]


async def test_a_site_without_document_is_discovered(store, sites):
    url = sites.set("site.test", "/legal/privacy", policy_html())
    pending(store, "site.test")
    asked = []

    async def discover(domain):
        asked.append(domain)
        return Found(url)

    async with loopback_fetcher(["site.test"]) as fetcher:
        report = await (await monitor_for(store, fetcher, discover=discover)).run_pass()
    assert asked == ["site.test"] and report.tracking[0].state == "tracked"
    [doc] = store.documents_of_site(store.get_site("site.test")["id"])
    assert doc["url"] == url and doc["status"] == "ok"


async def test_no_policy_found_or_unreachable_fails_with_a_reason(store, sites):
    pending(store, "nothing.test")
    dead = pending(store, "dead.test")
    store.add_document(dead["id"], sites.url("dead.test", "/privacy"))  # answers 404

    async def discover(domain):
        return Found(None, ("home page http://nothing.test/", "no candidate reads like a policy"))

    async with loopback_fetcher(["nothing.test", "dead.test"]) as fetcher:
        report = await (await monitor_for(store, fetcher, discover=discover)).run_pass()
    states = {t.site: (t.state, t.detail) for t in report.tracking}
    assert states["nothing.test"][0] == "failed"
    assert "no privacy policy found" in states["nothing.test"][1]
    assert states["dead.test"][0] == "failed" and "404" in states["dead.test"][1]
    assert store.get_site("dead.test")["state"] == "failed"
    # Failed sites wait for a person: the next pass leaves them alone.
    async with loopback_fetcher(["nothing.test", "dead.test"]) as fetcher:
        again = await (await monitor_for(store, fetcher, discover=discover)).run_pass()
    assert again.tracking == [] and again.results == []


async def test_a_slow_backfill_never_holds_up_the_checks_of_tracked_sites(store, sites):
    from monitor.schedule import Scheduler

    tracked_url = sites.set("site.test", "/privacy", policy_html())
    tracked = store.add_document(store.add_site("site.test")["id"], tracked_url)
    new = pending(store, "other.test")
    store.add_document(new["id"], sites.set("other.test", "/privacy", policy_html()))
    backfilling, forever = asyncio.Event(), asyncio.Event()

    async def backfill(document):
        backfilling.set()
        await forever.wait()  # the Wayback Machine at its slowest

    async with loopback_fetcher(["site.test", "other.test"]) as fetcher:
        scheduler = Scheduler(await monitor_for(store, fetcher, backfill=backfill), tick=3600)
        scheduler.start()
        await asyncio.wait_for(backfilling.wait(), 10)
        await asyncio.wait_for(scheduler.pass_done.wait(), 10)
        assert [r.document_id for r in scheduler.last_report.results] == [tracked["id"]]
        await asyncio.wait_for(scheduler.shutdown(), 10)
    # Stopped mid-backfill: still pending, so the next start picks it up again.
    assert store.get_site("other.test")["state"] == "pending"
    assert not scheduler.tracking_done.is_set()
