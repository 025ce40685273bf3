"""Issue 23, item 2, for real: a process recording a live check is killed with SIGKILL
between the version's commit and the change's; the next `clausewatch serve` writes the lost
change at start, and it is in the public feed and the lookup and delivered to a webhook
exactly once, across restarts.

The kill is injected where it matters: the recording subprocess replaces the step after the
version commit (`monitor.record.reconcile_changes`) with a SIGKILL of itself.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from db import Store, site_hash
from db.webhooks import add_webhook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from policysites import CLAUSES, policy_html
from servesupport import clean_env, start_serve

pytestmark = pytest.mark.e2e
BOUND_S = 60
URL = "https://example.com/privacy"

RECORDER = """
import os, signal, sys
from datetime import UTC, datetime
from multidict import CIMultiDict, CIMultiDictProxy
import monitor.record as record
from db import Store
from monitor.check import record_fetch
from monitor.fetch import FetchResult

URL = "https://example.com/privacy"


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

db, doc_id, path, when = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = open(path, "rb").read()
if when == "crash":
    record.reconcile_changes = die
store = Store.open(db)
fetched = FetchResult(
    url=URL, outcome="ok", final_url=URL, status=200,
    headers=CIMultiDictProxy(CIMultiDict()), body=body, content_type="text/html", kind="html",
    text=body.decode(),
)
at = datetime(2030, 1, 1, 12 if when == "crash" else 0, tzinfo=UTC)
record_fetch(store, store.get_document(doc_id), fetched, now=at)
store.close()
"""


async def _record(db: Path, doc_id: int, body: Path, when: str) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RECORDER, str(db), str(doc_id), str(body), when, env=clean_env()
    )
    return await asyncio.wait_for(proc.wait(), BOUND_S)


class Receiver:
    """A webhook receiver on loopback: what was delivered, and an event per delivery."""

    def __init__(self) -> None:
        self.deliveries: list[dict] = []
        self.arrived = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self.hook)
        return app

    async def hook(self, request: web.Request) -> web.Response:
        self.deliveries.append(await request.json())
        self.arrived.set()
        return web.Response(status=204)


async def _serve_and_read(db: Path, receiver: Receiver) -> tuple[dict, dict, str]:
    proc = await start_serve(
        db,
        "--no-archive",
        "--wayback-url",
        "http://127.0.0.1:9",
        "--allow-private-addresses",  # the webhook receiver is on loopback
        env=clean_env(),
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), BOUND_S)).decode()
        assert line.startswith("Clausewatch serving on"), line
        base = line.split()[3]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/api/v1/changes") as resp:
                feed = await resp.json()
            prefix = site_hash("example.com")[:5]
            async with session.get(f"{base}/api/v1/lookup/{prefix}") as resp:
                lookup = await resp.json()
        if feed["changes"] and not receiver.deliveries:
            # The deliverer passes every 5 s: a bound on the wait, not a pause.
            await asyncio.wait_for(receiver.arrived.wait(), BOUND_S)
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), BOUND_S)
        assert proc.returncode == 0, err.decode()
        return feed, lookup, err.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_a_change_lost_to_kill_9_is_announced_once_after_restart(tmp_path, aiohttp_server):
    receiver = Receiver()
    hook_url = str((await aiohttp_server(receiver.app())).make_url("/hook"))
    db = tmp_path / "cw.db"
    v1, v2 = tmp_path / "v1.html", tmp_path / "v2.html"
    v1.write_text(policy_html())
    v2.write_text(policy_html([*CLAUSES[:2], "We sell your personal information.", *CLAUSES[3:]]))
    with Store.open(db) as store:
        doc = store.add_document(store.add_site("example.com")["id"], URL)
        # Not due while the service runs: only the start-up reconcile can write the change.
        store.update_document(doc["id"], next_check_at="2999-01-01T00:00:00Z")
        add_webhook(store, url=hook_url, sites=["example.com"], token_sha256="0" * 64, secret="s")
    assert await _record(db, doc["id"], v1, "first") == 0
    assert await _record(db, doc["id"], v2, "crash") == -signal.SIGKILL
    with Store.open(db) as store:
        assert len(store.versions_of_document(doc["id"])) == 2
        assert store.changes_of_document(doc["id"]) == []  # the crash's damage

    feed, lookup, log = await _serve_and_read(db, receiver)
    (change,) = feed["changes"]
    assert change["origin"] == "live" and change["material"]
    assert change["to_captured_at"] == "2030-01-01T12:00:00Z"
    (entry,) = lookup["sites"]
    assert entry["last_material_change_id"] == change["id"] == entry["last_change_id"]
    assert "recovered at start" in log
    (delivered,) = receiver.deliveries
    assert delivered["change"]["id"] == change["id"] and delivered["change"]["origin"] == "live"

    # A second start finds nothing to recover: the change is there once, with its id.
    feed, _lookup, log = await _serve_and_read(db, receiver)
    assert [c["id"] for c in feed["changes"]] == [change["id"]]
    assert "recovered" not in log
    assert len(receiver.deliveries) == 1
    with Store.open(db) as store:
        (hook,) = store.reading().execute("SELECT cursor FROM webhooks").fetchall()
        assert hook[0] == change["id"]  # delivered, and never owed again
