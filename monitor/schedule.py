"""Scheduling: which documents to check when, one pass over them, and the clock that runs passes.

The database is the truth for what is due: each document's ``next_check_at`` (the regular
interval with jitter, so documents spread out; exponential backoff after failures). A pass
*claims* the documents it is about to check, by moving their ``next_check_at`` to the end
of a lease (``Store.claim_document``), all in one write transaction; then:

- a finished check writes the document's status and its real next check time;
- an abandoned check (the pass cancelled before the check began, or while it waited on
  the network) gives the claim back, so the document is due again exactly as before;
- a check whose recording had started is let finish — snapshot, version, changes and
  state are written — before the cancellation goes on: no capture is lost or half-kept;
- a crash leaves the claim in place until the lease expires, and then the document is
  simply due again. (A pass that outlasts the lease — a very long due list — could see
  another process claim its last documents; the scheduler's own passes never overlap.)

So a restart loses nothing and runs nothing twice. Passes never overlap: APScheduler runs
the pass as one job with ``max_instances=1`` and ``coalesce`` (and the tracking worker as a
second such job, so a slow backfill never delays checks), and inside a pass the Fetcher's
politeness (one request per host, a global limit) bounds what is in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from db import Store
from db.rows import Document, DocumentRow
from monitor.archive import Archiver
from monitor.check import (
    CheckResult,
    Fetches,
    document_state,
    fetch_document,
    record_fetch,
    same_bytes_as_last,
)
from monitor.fetch import FetchResult
from monitor.model import PolicyDocument
from monitor.pruning import Pruner
from monitor.record import Pipeline, extraction
from monitor.tracking import track_pending_sites

log = logging.getLogger("clausewatch.schedule")

Clock = Callable[[], datetime]  # the current moment, timezone-aware UTC
Backfill = Callable[[DocumentRow], Awaitable[Any]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Timing:
    """When documents are checked. All durations in seconds."""

    interval: float = 6 * 3600.0  # between two checks of a healthy document
    jitter: float = 0.1  # +- this fraction of each wait, so checks do not bunch up
    retry: float = 15 * 60.0  # the first wait after a failure; doubles with each failure
    max_backoff: float = 24 * 3600.0
    lease: float = 15 * 60.0  # how long a claim holds if its check never settles (a crash)

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """The wait before the next check, before jitter (pure)."""
        if failures <= 0:
            return self.interval
        wait: float = min(self.retry * 2.0 ** (failures - 1), self.max_backoff)
        if retry_after is not None:
            # A server that says when to come back is believed, within our own bound.
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait

    def next_check(
        self,
        now: datetime,
        failures: int,
        rng: random.Random,
        retry_after: float | None = None,
    ) -> datetime:
        wait = self.delay(failures, retry_after)
        return now + timedelta(seconds=wait * (1 + rng.uniform(-self.jitter, self.jitter)))


@dataclass
class PassReport:
    """What one pass did."""

    started_at: datetime
    results: list[CheckResult] = field(default_factory=list)
    tracking: list[Any] = field(default_factory=list)  # monitor.tracking.TrackingReport
    skipped: int = 0  # due when listed, but claimed by someone else first
    finished_at: datetime | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


class Monitor:
    """Runs passes: pending sites first (the tracking worker), then every due document."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetches,
        *,
        timing: Timing | None = None,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        pipeline: Pipeline | None = None,
        archiver: Archiver | None = None,
        backfill: Backfill | None = None,
        discover: Callable[[str], Awaitable[Any]] | None = None,
        extract_pool: Executor | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.timing = timing or Timing()
        self.clock = clock
        self.rng = rng or random.Random()
        self.pipeline = pipeline
        self.archiver = archiver
        self.backfill = backfill
        self.discover = discover
        # Extraction is pure CPU under the GIL: a process pool lets it use the other cores.
        # Only with the default pipeline (an injected one may not be picklable).
        self.extract_pool = extract_pool if pipeline is None else None

    async def run_pass(self, *, site_id: int | None = None, tracking: bool = True) -> PassReport:
        """Check what is due now; with `site_id`, every document of that site, due or not.

        With `tracking` (and no `site_id`), pending sites are brought to tracked first; the
        Scheduler runs them as a job of their own instead, so that a long backfill never
        holds up the checks of documents already tracked.
        """
        now = self.clock()
        report = PassReport(started_at=now)
        if site_id is None:
            if tracking:
                report.tracking = await track_pending_sites(self)
            documents = self.store.checkable_documents_due(now)
        else:
            documents = self.store.documents_of_site(site_id)
        # One transaction claims the whole list: one commit, not one per document.
        until = now + timedelta(seconds=self.timing.lease)
        with self.store.write():
            claims = [
                (doc, self.store.claim_document(doc["id"], now=now, until=until, force=forced))
                for doc in documents
                for forced in [site_id is not None]
            ]
        report.skipped = sum(1 for _, claimed in claims if claimed is None)
        started: set[int] = set()
        checks = [
            asyncio.ensure_future(self._check_claimed(claimed, doc["next_check_at"], started))
            for doc, claimed in claims
            if claimed is not None
        ]
        try:
            results = await asyncio.gather(*checks)
        except asyncio.CancelledError:
            # gather has cancelled every check but returns at the first one that stops: wait
            # until each has given its claim back or finished recording...
            if checks:
                await asyncio.wait(checks)
            # ...and give back the claims of the checks that were cancelled before they began.
            with self.store.write():
                for doc, claimed in claims:
                    if claimed is not None and doc["id"] not in started:
                        self.store.update_document(doc["id"], next_check_at=doc["next_check_at"])
            raise
        report.results.extend(results)
        report.finished_at = self.clock()
        return report

    async def check(
        self, document: Document, *, now: datetime, force: bool = False, origin: str | None = None
    ) -> CheckResult | None:
        """Claim, fetch, record and settle one document; None if it was not ours to check."""
        claimed = self.store.claim_document(
            document["id"],
            now=now,
            until=now + timedelta(seconds=self.timing.lease),
            force=force,
        )
        if claimed is None:
            return None
        return await self._check_claimed(claimed, document["next_check_at"], set(), origin)

    async def _check_claimed(
        self,
        claimed: Document,
        next_before_claim: str | None,
        started: set[int],
        origin: str | None = None,
    ) -> CheckResult:
        doc_id = claimed["id"]
        started.add(doc_id)
        extracted: PolicyDocument | str | None = None
        try:
            fetched = await fetch_document(self.fetcher, claimed)
            extracted = await self._extract_elsewhere(doc_id, fetched)
        except asyncio.CancelledError:
            # Nothing was written: give the claim back, due again as it was.
            self.store.update_document(doc_id, next_check_at=next_before_claim)
            raise
        except Exception as exc:  # a bug in one fetch must not end the pass
            log.exception("fetching document %s failed", doc_id)
            fetched = FetchResult(
                url=claimed["url"],
                outcome="unreachable",
                final_url=claimed["url"],
                error=f"{type(exc).__name__}: {exc}",
            )
        recording = asyncio.ensure_future(
            asyncio.to_thread(self._record_and_settle, claimed, fetched, origin, extracted)
        )
        try:
            result = await asyncio.shield(recording)
        except asyncio.CancelledError:
            # The snapshot is being written: let it and the document's state land, however
            # often we are asked to stop meanwhile (it is bounded by the fetch's size cap).
            while not recording.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(recording)
            raise
        if result.changes and self.archiver is not None:
            await self.archiver.archive_changes(result.final_url or result.url, result.changes)
        return result

    async def _extract_elsewhere(
        self, doc_id: int, fetched: FetchResult
    ) -> PolicyDocument | str | None:
        """The body's extraction from the process pool, or None (done in-thread)."""
        if self.extract_pool is None or not fetched.has_body:
            return None
        if same_bytes_as_last(self.store, doc_id, fetched.body):
            return None  # nothing to extract
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self.extract_pool,
                extraction,
                fetched.body,
                fetched.content_type,
                fetched.final_url,
            )
        except BrokenExecutor as exc:  # a worker died: extract here
            log.warning("extraction pool broken (%s); extracting in-process", exc)
            return None
        except Exception:  # an extractor bug: the in-process path records it on the snapshot
            log.exception("extraction of document %s failed in the pool", doc_id)
            return None

    def _record_and_settle(
        self,
        document: Document,
        fetched: FetchResult,
        origin: str | None,
        extracted: PolicyDocument | str | None,
    ) -> CheckResult:
        now = self.clock()
        # Without extraction to protect, the capture and the state go in one transaction.
        quick = not fetched.has_body or same_bytes_as_last(self.store, document["id"], fetched.body)
        with self.store.write() if quick else contextlib.nullcontext():
            return self._record_and_settle_now(document, fetched, origin, now, extracted)

    def _record_and_settle_now(
        self,
        document: Document,
        fetched: FetchResult,
        origin: str | None,
        now: datetime,
        extracted: PolicyDocument | str | None,
    ) -> CheckResult:
        try:
            result = record_fetch(
                self.store,
                document,
                fetched,
                now=now,
                pipeline=self.pipeline,
                origin=origin,
                extracted=extracted,
            )
        except Exception as exc:  # the snapshot is stored first; its processing can be re-run
            log.exception("recording document %s failed", document["id"])
            result = CheckResult(
                document_id=document["id"],
                url=document["url"],
                status="empty",
                outcome=fetched.outcome,
                detail=f"processing failed ({type(exc).__name__}: {exc})",
                http_status=fetched.status,
                final_url=fetched.final_url,
            )
        state = document_state(result, now=now, failures=document.get("failures") or 0)
        state["next_check_at"] = self.timing.next_check(
            now, state["failures"], self.rng, retry_after=result.retry_after
        )
        self.store.update_document(document["id"], **state)
        return result


class Scheduler:
    """Runs APScheduler jobs every `tick` seconds, each never twice at once: the pass over
    due documents, the tracking worker for pending sites (whose backfills may take minutes
    under the Wayback Machine's rate limits, so they get a job of their own), and with a
    `pruner` (retention configured), a pruning run whenever the pruner is due by the
    monitor's clock (monitor.pruning)."""

    PASS_JOB = "clausewatch-pass"
    TRACKING_JOB = "clausewatch-tracking"
    PRUNE_JOB = "clausewatch-prune"

    def __init__(
        self, monitor: Monitor, *, tick: float = 60.0, pruner: Pruner | None = None
    ) -> None:
        self.monitor = monitor
        self.tick = tick
        self.pruner = pruner
        self.passes = 0
        self.last_report: PassReport | None = None
        self.last_tracking: list[Any] = []  # monitor.tracking.TrackingReport
        # Set after each run of the job; tests (and anyone curious) wait on them.
        self.pass_done = asyncio.Event()
        self.tracking_done = asyncio.Event()
        self.prune_done = asyncio.Event()
        self._scheduler: Any = None
        self._running: set[asyncio.Task] = set()
        self._pruning: asyncio.Task | None = None

    def _jobs(self) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        jobs: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            (self.PASS_JOB, self._pass_job),
            (self.TRACKING_JOB, self._track_job),
        ]
        if self.pruner is not None:
            jobs.append((self.PRUNE_JOB, self._prune_job))
        return jobs

    def start(self, *, first_run: datetime | None = None) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        self._scheduler = AsyncIOScheduler(timezone=UTC)
        for job_id, job in self._jobs():
            self._scheduler.add_job(
                job,
                IntervalTrigger(seconds=self.tick, timezone=UTC),
                id=job_id,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=first_run or utc_now(),
            )
        self._scheduler.start()

    def run_soon(self) -> None:
        """Run every job now (or right after the runs in flight)."""
        for job_id, _ in self._jobs():
            self._scheduler.modify_job(job_id, next_run_time=utc_now())

    async def _pass_job(self) -> None:
        report = await self._guarded(self.monitor.run_pass(tracking=False), "monitoring pass")
        if report is None:
            return
        self.passes += 1
        self.last_report = report
        if report.results:
            log.info("pass: %s", report.counts())
        self.pass_done.set()

    async def _track_job(self) -> None:
        reports = await self._guarded(track_pending_sites(self.monitor), "tracking run")
        if reports is None:
            return
        self.last_tracking = reports
        for r in reports:
            log.info("tracking %s: %s%s", r.site, r.state, f" ({r.detail})" if r.detail else "")
        self.tracking_done.set()

    async def _prune_job(self) -> None:
        pruner = self.pruner
        assert pruner is not None  # the job exists only with a pruner
        now = self.monitor.clock()
        if not pruner.due(now):
            return
        # Not among the runs shutdown cancels: a thread cannot be cancelled, so shutdown
        # stops the pruner between two documents and waits for this instead.
        self._pruning = asyncio.current_task()
        try:
            await asyncio.to_thread(pruner.run, now)
        except Exception:  # one bad run must not stop the next ones
            log.exception("a pruning run failed")
            return
        finally:
            self._pruning = None
        self.prune_done.set()

    async def _guarded(self, work: Awaitable[Any], what: str) -> Any:
        task = asyncio.current_task()
        assert task is not None  # awaited inside a task of the service
        self._running.add(task)
        try:
            return await work
        except asyncio.CancelledError:
            # Shutdown: every claim is settled or given back. Returning (rather than
            # raising) keeps APScheduler from logging a stop as a failed job.
            return None
        except Exception:  # one bad run must not stop the next ones
            log.exception("a %s failed", what)
            return None
        finally:
            self._running.discard(task)

    async def shutdown(self) -> None:
        """Stop scheduling; runs in flight give back what they had not started recording."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self.pruner is not None:
            self.pruner.stop()
        if self._pruning is not None:
            await asyncio.wait([self._pruning])
        running = [t for t in self._running if not t.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)
