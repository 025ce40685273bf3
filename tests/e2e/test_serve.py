"""`clausewatch serve`: a real process that answers, and stops cleanly on SIGTERM; and the
service composition (API + scheduler) noticing a changed policy on its next pass."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from api.config import Settings
from api.service import SCHEDULER, Injected, create_service
from db import ANNOUNCED_ORIGINS, Store
from monitor.netguard import StaticLookup
from monitor.wayback import payload_digest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from policysites import CLAUSES, WallClock, policy_html, start
from servesupport import clean_env, start_serve
from storesupport import changes_recorded

pytestmark = pytest.mark.e2e
# How long a SIGTERM may take to stop the service (generous: the machine may be busy).
STOP_BOUND_S = 30


async def test_serve_answers_and_stops_on_sigterm(tmp_path):
    env = clean_env()
    proc = await start_serve(
        tmp_path / "cw.db",
        "--no-archive",
        "--wayback-url",
        "http://127.0.0.1:9",
        env=env,
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert line.startswith("Clausewatch serving on http://127.0.0.1:"), line
        base = line.split()[3]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base}/api/v1/health") as resp,
        ):
            assert resp.status == 200
            assert (await resp.json())["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        # communicate() drains both pipes while waiting, so a chatty stderr cannot block it.
        out, err = await asyncio.wait_for(proc.communicate(), STOP_BOUND_S)
        code, rest, errors = proc.returncode, out.decode(), err.decode()
        assert code == 0, errors
        assert "Stopping" in rest and "Traceback" not in errors
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_sigterm_during_a_pass_gives_the_stuck_check_back_and_exits_0(
    tmp_path, aiohttp_server
):
    sites = await start(aiohttp_server)
    url = sites.set("127.0.0.1", "/privacy", policy_html())
    sites.gate[("127.0.0.1", "/privacy")] = asyncio.Event()  # the page never answers
    db = tmp_path / "cw.db"
    with Store.open(db) as store:
        doc = store.add_document(store.add_site("example.test")["id"], url)
    env = clean_env(CLAUSEWATCH_MIN_HOST_DELAY="0")
    proc = await start_serve(
        db,
        "--no-archive",
        "--allow-private-addresses",
        env=env,
    )
    try:
        await asyncio.wait_for(proc.stdout.readline(), 30)
        await asyncio.wait_for(sites.held.wait(), 30)  # the first pass is stuck on the page
        with Store.open(db) as store:
            assert store.get_document(doc["id"])["next_check_at"] is not None  # claimed
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), STOP_BOUND_S)
        code, errors = proc.returncode, err.decode()
        assert code == 0, errors
        assert "Traceback" not in errors
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        sites.gate[("127.0.0.1", "/privacy")].set()
    with Store.open(db) as store:
        state = store.get_document(doc["id"])
        assert state["next_check_at"] is None and state["last_checked_at"] is None  # given back
        assert store.snapshots_of_document(doc["id"]) == []


async def test_serve_refuses_a_busy_port_in_one_line(tmp_path):
    busy = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = busy.sockets[0].getsockname()[1]
    try:
        proc = await start_serve(
            tmp_path / "cw.db",
            "--no-archive",
            port=port,
        )
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        busy.close()
    assert proc.returncode == 1
    assert err.decode().strip().startswith(f"Error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in err.decode()


async def test_a_running_service_detects_a_changed_policy_on_its_next_pass(
    tmp_path, aiohttp_server, aiohttp_client
):
    sites = await start(aiohttp_server)
    url = sites.set("site.test", "/privacy", policy_html())
    db = tmp_path / "cw.db"
    with Store.open(db) as store:
        site = store.add_site("site.test")
        doc = store.add_document(site["id"], url)
    settings = Settings(
        db_path=str(db),
        allow_private_addresses=True,
        archive_on_change=False,
        check_interval=3600,
        min_host_delay=0,
        wayback_url="http://127.0.0.1:9",
        extract_workers=2,
    )
    clock = WallClock()
    app = create_service(
        settings, Injected(clock=clock, lookup=StaticLookup({"site.test": "127.0.0.1"}))
    )
    client = await aiohttp_client(app)
    scheduler = app[SCHEDULER]
    assert scheduler.monitor.extract_pool is not None  # pages are extracted in worker processes
    # The first pass starts with the service and records the policy as it is.
    await asyncio.wait_for(scheduler.pass_done.wait(), 20)
    assert scheduler.last_report.counts() == {"ok": 1}

    sites.set("site.test", "/privacy", policy_html([*LONG, "We sell your data to brokers."]))
    clock.advance(2 * 3600)  # past the next check, jitter included
    scheduler.pass_done.clear()
    scheduler.run_soon()
    await asyncio.wait_for(scheduler.pass_done.wait(), 20)

    with Store.open(db) as store:
        [change] = changes_recorded(store, 0, origins=ANNOUNCED_ORIGINS)
        assert change["document_id"] == doc["id"] and change["origin"] == "live"
    health = await (await client.get("/api/v1/health")).json()
    assert health["changes"] == 1 and health["sites"] == 1


class Archive:
    """A one-capture Wayback Machine: a CDX answer and the capture's raw bytes."""

    def __init__(self, original: str, body: bytes, timestamp: str = "20240301000000") -> None:
        self.original, self.body, self.timestamp = original, body, timestamp
        self.requests: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cdx/search/cdx", self.cdx)
        app.router.add_get("/web/{ts}id_/{url:.*}", self.raw)
        return app

    async def cdx(self, request: web.Request) -> web.Response:
        self.requests.append("cdx")
        fields = ["timestamp", "original", "statuscode", "digest", "mimetype", "length"]
        row = [
            self.timestamp,
            self.original,
            "200",
            payload_digest(self.body),
            "text/html",
            str(len(self.body)),
        ]
        return web.json_response([fields, row] if request.query["url"] == self.original else [])

    async def raw(self, request: web.Request) -> web.Response:
        self.requests.append("raw")
        return web.Response(body=self.body, content_type="text/html")


LONG = [
    *CLAUSES,
    "We share your personal information with service providers who process it on our behalf"
    " under contracts that forbid them to use it for anything else.",
    "We use cookies and similar technologies to keep you signed in, to remember your"
    " preferences and to measure how our service is used; you can refuse analytics cookies.",
    "You have the right to access, correct, export and delete your personal data, and to"
    " object to its processing; write to our data protection officer to exercise them.",
    "We retain server logs, including IP addresses, for fourteen days to protect the service"
    " against abuse, then delete them.",
    "Our service is not directed at children under sixteen and we do not knowingly collect"
    " their personal information.",
    "We will tell you by email before any change to this privacy policy takes effect.",
]
HOME = (
    "<!doctype html><html><body><main><h1>Site</h1></main>"
    '<footer><a href="/privacy">Privacy Policy</a></footer></body></html>'
)


async def test_a_tracking_request_becomes_a_tracked_site_with_history_then_live_news(
    tmp_path, aiohttp_server, aiohttp_client
):
    sites = await start(aiohttp_server)
    # A policy long enough to read as one, linked from the site's home page as its policy:
    # what the tracking worker verifies before it tracks a URL someone asked for.
    url = sites.set("site.test", "/privacy", policy_html(LONG))
    sites.set("site.test", "/", HOME)
    archive = Archive(url, policy_html(LONG[:-1]).encode())
    archive_server = await aiohttp_server(archive.app())
    db = tmp_path / "cw.db"
    settings = Settings(
        db_path=str(db),
        allow_private_addresses=True,
        archive_on_change=False,
        check_interval=3600,
        min_host_delay=0,
        wayback_url=str(archive_server.make_url("")).rstrip("/"),
        extract_workers=0,
    )
    clock = WallClock()
    app = create_service(
        settings, Injected(clock=clock, lookup=StaticLookup({"site.test": "127.0.0.1"}))
    )
    client = await aiohttp_client(app)
    scheduler = app[SCHEDULER]
    await asyncio.wait_for(scheduler.tracking_done.wait(), 20)  # the first run: nothing yet

    asked = await client.post("/api/v1/sites", json={"url": url})
    assert asked.status == 202 and (await asked.json())["state"] == "pending"
    scheduler.tracking_done.clear()
    scheduler.run_soon()
    await asyncio.wait_for(scheduler.tracking_done.wait(), 20)
    [tracking] = scheduler.last_tracking
    assert tracking.state == "tracked", tracking.detail
    assert archive.requests == ["cdx", "raw"]

    page = await (await client.get("/api/v1/sites/site.test")).json()
    assert page["state"] == "tracked"
    [doc] = page["documents"]
    assert doc["status"] == "ok" and doc["versions"] == 2
    with Store.open(db) as store:
        # The history is there, and is history: nothing to announce.
        assert [c["origin"] for c in changes_recorded(store, 0)] == ["backfill"]
        assert changes_recorded(store, 0, origins=ANNOUNCED_ORIGINS) == []

    sites.set("site.test", "/privacy", policy_html([*LONG, "We sell your data to brokers."]))
    clock.advance(2 * 3600)
    scheduler.pass_done.clear()
    scheduler.run_soon()
    await asyncio.wait_for(scheduler.pass_done.wait(), 20)
    with Store.open(db) as store:
        [news] = changes_recorded(store, 0, origins=ANNOUNCED_ORIGINS)
        assert news["document_url"] == url and news["to_captured_at"].startswith("2030-01-01")
