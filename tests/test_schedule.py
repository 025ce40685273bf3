"""Scheduling: due times, jitter and backoff bounds, claims and leases, a restart mid-pass,
and the APScheduler job that never runs two passes at once."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from policysites import WallClock, policy_html

from db import Store, utc_iso
from monitor.fetch import FetchResult
from monitor.schedule import Monitor, Scheduler, Timing

TIMING = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=1800, lease=600)


class FakeFetcher:
    """Serves each URL's page from a dict; a URL in `hold` waits until its event is set."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.calls: list[str] = []
        self.completed: list[str] = []  # fetches that returned (not abandoned)
        self.hold: dict[str, asyncio.Event] = {}
        self.waiting = asyncio.Event()  # set when someone waits on a hold
        self.in_flight = 0
        self.max_in_flight = 0

    async def fetch(self, url, etag=None, last_modified=None) -> FetchResult:
        self.calls.append(url)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if url in self.hold:
                self.waiting.set()
                await self.hold[url].wait()
            await asyncio.sleep(0)  # a real fetch yields to the loop
            if url not in self.pages:
                result = FetchResult(url, "unreachable", url, error="connect: refused")
            else:
                body = self.pages[url].encode()
                result = FetchResult(
                    url, "ok", url, status=200, body=body, content_type="text/html", kind="html"
                )
            self.completed.append(url)
            return result
        finally:
            self.in_flight -= 1


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "cw.db"


def add_documents(store: Store, n: int, site: str = "site.test") -> tuple[list[dict], dict]:
    row = store.add_site(site)
    docs = [store.add_document(row["id"], f"http://{site}/p{i}") for i in range(n)]
    pages = {d["url"]: policy_html(title=f"Policy {i}") for i, d in enumerate(docs)}
    return docs, pages


# --- timing (pure) ---------------------------------------------------------------------


def test_next_check_stays_within_the_jitter_bounds_and_spreads():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    rng = random.Random(7)
    waits = [(TIMING.next_check(now, 0, rng) - now).total_seconds() for _ in range(500)]
    assert all(3240 <= w <= 3960 for w in waits)
    assert max(waits) - min(waits) > 500  # really spread, not one fixed offset


def test_backoff_doubles_up_to_its_bound_and_believes_retry_after_within_it():
    assert [TIMING.delay(f) for f in range(6)] == [3600, 60, 120, 240, 480, 960]
    assert TIMING.delay(10) == 1800
    assert TIMING.delay(1, retry_after=300) == 300
    assert TIMING.delay(1, retry_after=10**6) == 1800  # no server holds us off for days
    assert TIMING.delay(3, retry_after=5) == 240


# --- claims and leases -----------------------------------------------------------------


def test_a_claim_is_taken_once_and_a_crashed_claim_expires(db_path):
    with Store.open(db_path) as store:
        [doc], _ = add_documents(store, 1)
        now = datetime(2030, 1, 1, tzinfo=UTC)
        lease = now + timedelta(seconds=600)
        assert store.claim_document(doc["id"], now=now, until=lease) is not None
        assert store.claim_document(doc["id"], now=now, until=lease) is None
        # The process dies here, never settling the check: not due until the lease ends...
        assert store.checkable_documents_due(now + timedelta(seconds=599)) == []
        # ...and then due again, for whoever comes next.
        due = store.checkable_documents_due(lease)
        assert [d["id"] for d in due] == [doc["id"]]
        assert store.claim_document(doc["id"], now=lease, until=lease + timedelta(600))


def test_only_checked_site_states_are_due(db_path):
    with Store.open(db_path) as store:
        add_documents(store, 1)
        site = store.get_site("site.test")
        now = "2030-01-01T00:00:00Z"
        for state, due in [("pending", False), ("failed", False), ("tracked", True)]:
            store.set_site_state(site["id"], state, "why")
            assert bool(store.checkable_documents_due(now)) is due, state
        assert store.get_site(site["id"])["state_detail"] == "why"


# --- passes ----------------------------------------------------------------------------


async def test_a_pass_checks_what_is_due_and_sets_statuses(db_path):
    clock = WallClock()
    with Store.open(db_path) as store:
        docs, pages = add_documents(store, 4)
        pages.pop(docs[3]["url"])  # this one is unreachable
        pages[docs[2]["url"]] = "<html><body></body></html>"  # and this one empty
        fetcher = FakeFetcher(pages)
        monitor = Monitor(store, fetcher, timing=TIMING, clock=clock, rng=random.Random(3))
        report = await monitor.run_pass()
        assert report.counts() == {"ok": 2, "empty": 1, "unreachable": 1}
        statuses = [store.get_document(d["id"])["status"] for d in docs]
        assert statuses == ["ok", "ok", "empty", "unreachable"]
        # Nothing is due right after a pass; the failing one comes back first (backoff 60 s).
        assert store.checkable_documents_due(clock()) == []
        clock.advance(70)
        assert [d["id"] for d in store.checkable_documents_due(clock())] == [docs[3]["id"]]
        second = await monitor.run_pass()
        assert [r.document_id for r in second.results] == [docs[3]["id"]]
        assert store.get_document(docs[3]["id"])["failures"] == 2
        # A second failure waits about twice as long.
        wait = (
            datetime.fromisoformat(
                store.get_document(docs[3]["id"])["next_check_at"].replace("Z", "+00:00")
            )
            - clock()
        )
        assert 108 <= wait.total_seconds() <= 132


async def test_a_site_pass_checks_its_documents_due_or_not(db_path):
    clock = WallClock()
    with Store.open(db_path) as store:
        docs, pages = add_documents(store, 2)
        _, other_pages = add_documents(store, 1, site="other.test")
        fetcher = FakeFetcher(pages | other_pages)
        monitor = Monitor(store, fetcher, timing=TIMING, clock=clock)
        await monitor.run_pass()
        assert len(fetcher.calls) == 3
        report = await monitor.run_pass(site_id=store.get_site("site.test")["id"])
        assert sorted(r.document_id for r in report.results) == [d["id"] for d in docs]
        assert len(fetcher.calls) == 5


async def test_restart_during_a_pass_loses_nothing_and_checks_nothing_twice(db_path):
    clock = WallClock()
    with Store.open(db_path) as store:
        docs, pages = add_documents(store, 6)
    fetcher = FakeFetcher(pages)
    third = docs[2]["url"]
    fetcher.hold[third] = asyncio.Event()  # never set: the pass is stuck on document 3

    store = Store.open(db_path)
    monitor = Monitor(store, fetcher, timing=TIMING, clock=clock)
    running = asyncio.ensure_future(monitor.run_pass())
    await fetcher.waiting.wait()
    running.cancel()  # Ctrl-C, or the scheduler shutting down, mid-pass
    with pytest.raises(asyncio.CancelledError):
        await running
    first = set(fetcher.completed)
    assert third not in first and first  # some checks were done, one was stuck
    store.close()  # the process goes away

    store = Store.open(db_path)  # and comes back, at the same moment
    held = store.get_document(docs[2]["id"])
    assert held["last_checked_at"] is None and held["next_check_at"] is None  # given back
    for doc in docs:
        state = store.get_document(doc["id"])
        assert (state["last_checked_at"] is not None) == (doc["url"] in first)
    del fetcher.hold[third]
    report = await Monitor(store, fetcher, timing=TIMING, clock=clock).run_pass()
    assert {r.url for r in report.results} == {d["url"] for d in docs} - first
    # Each document's check completed exactly once across the two runs.
    assert sorted(fetcher.completed) == sorted(d["url"] for d in docs)
    for doc in docs:
        assert len(store.snapshots_of_document(doc["id"])) == 1
        assert store.get_document(doc["id"])["status"] == "ok"
    assert store.counts()["snapshots"] == 6
    store.close()


async def test_cancelling_while_recording_lets_the_snapshot_land(db_path):
    """A cancellation that arrives after the fetch waits for the recording to finish."""
    import threading

    clock = WallClock()
    with Store.open(db_path) as store:
        [doc], pages = add_documents(store, 1)
        started, release = threading.Event(), threading.Event()

        class SlowExtract:
            def __call__(self, raw, content_type, url):
                from monitor.extract import extract

                started.set()
                release.wait(10)
                return extract(raw, content_type, url)

        from monitor.compare import compare
        from monitor.record import Pipeline

        monitor = Monitor(
            store,
            FakeFetcher(pages),
            timing=TIMING,
            clock=clock,
            pipeline=Pipeline(extract=SlowExtract(), compare=compare),
        )
        running = asyncio.ensure_future(monitor.run_pass())
        await asyncio.to_thread(started.wait, 10)
        running.cancel()
        await asyncio.sleep(0)
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await running
        state = store.get_document(doc["id"])
        assert state["status"] == "ok" and state["last_checked_at"] == utc_iso(clock())
        [snap] = store.snapshots_of_document(doc["id"])
        assert snap["version_id"] is not None


# --- the APScheduler job ---------------------------------------------------------------


async def test_scheduler_runs_passes_never_two_at_once_and_stops_gracefully(db_path):
    clock = WallClock()
    with Store.open(db_path) as store:
        docs, pages = add_documents(store, 3)
        fetcher = FakeFetcher(pages)
        gate = asyncio.Event()
        fetcher.hold[docs[0]["url"]] = gate
        monitor = Monitor(store, fetcher, timing=TIMING, clock=clock)
        started = []
        run_pass = monitor.run_pass

        async def counting_pass(**kw):
            started.append(clock())
            return await run_pass(**kw)

        monitor.run_pass = counting_pass
        scheduler = Scheduler(monitor, tick=3600)
        scheduler.start()
        await fetcher.waiting.wait()
        # Asking for more passes while one is stuck starts none (max_instances=1).
        scheduler.run_soon()
        scheduler.run_soon()
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(started) == 1
        gate.set()
        await asyncio.wait_for(scheduler.pass_done.wait(), 10)
        assert scheduler.passes == 1 and len(scheduler.last_report.results) == 3

        # A second pass, stuck again, then shutdown: the stuck claim is given back.
        scheduler.pass_done.clear()
        clock.advance(4000)
        fetcher.waiting.clear()
        fetcher.hold[docs[1]["url"]] = asyncio.Event()
        scheduler.run_soon()
        await asyncio.wait_for(fetcher.waiting.wait(), 10)
        before = store.get_document(docs[1]["id"])["last_checked_at"]
        await asyncio.wait_for(scheduler.shutdown(), 10)
        stuck = store.get_document(docs[1]["id"])
        assert stuck["last_checked_at"] == before
        assert stuck["next_check_at"] <= utc_iso(clock())  # due again, as before the claim
        assert fetcher.max_in_flight <= 3


async def test_checks_cancelled_before_they_began_give_their_claims_back(db_path):
    clock = WallClock()
    with Store.open(db_path) as store:
        docs, pages = add_documents(store, 5)
        fetcher = FakeFetcher(pages)
        monitor = Monitor(store, fetcher, timing=TIMING, clock=clock)
        running = None

        async def first_fetch_stops_the_pass(url, etag=None, last_modified=None):
            # The first check to run cancels the pass: the other four have been claimed
            # (in one transaction) but have not run a single step.
            running.cancel()
            return await FakeFetcher.fetch(fetcher, url, etag, last_modified)

        fetcher.fetch = first_fetch_stops_the_pass
        running = asyncio.ensure_future(monitor.run_pass())
        with pytest.raises(asyncio.CancelledError):
            await running
        assert len(fetcher.calls) == 1
        assert all(store.get_document(d["id"])["next_check_at"] is None for d in docs)
        assert len(store.checkable_documents_due(clock())) == 5


async def test_a_broken_extraction_pool_falls_back_to_extracting_in_process(db_path):
    from concurrent.futures import Executor
    from concurrent.futures.process import BrokenProcessPool

    class DeadPool(Executor):
        def __init__(self) -> None:
            self.asked = 0

        def submit(self, fn, /, *args, **kwargs):
            self.asked += 1
            raise BrokenProcessPool("a worker died")

    with Store.open(db_path) as store:
        _, pages = add_documents(store, 2)
        pool = DeadPool()
        monitor = Monitor(
            store, FakeFetcher(pages), timing=TIMING, clock=WallClock(), extract_pool=pool
        )
        report = await monitor.run_pass()
    assert pool.asked == 2
    assert report.counts() == {"ok": 2} and all(r.new_version for r in report.results)
