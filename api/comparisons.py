"""One comparison service for the API's `/api/v1/compare` and the viewer's compare page.

Comparing two long policies years apart is seconds of CPU, and anyone may ask for any pair:
unbounded, a few clients starve the server (and the monitor's checks, whose recordings wait
on the same default thread pool). So every comparison goes through here:

1. a pair that is a stored change is answered from its row (the monitor already judged it);
2. a computed comparison is kept in a bounded LRU keyed by the two texts' hashes (a
   reprocess that rewrites a version changes its hash, so nothing stale is served), and
   identical requests in flight share one computation;
3. a pair larger than `Limits.max_chars` / `max_clauses` is refused (`TooLarge`);
4. computations run on the service's own executor (a process by default, so they hold
   neither the server's GIL nor the default thread pool the monitor records on), at most
   `concurrency` at once with at most `queue` waiting; beyond that `Busy` says when to retry.

Routes turn `TooLarge` into 422 and `Busy` into 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from dataclasses import dataclass

from aiohttp import web

from db import Store
from db.reads import stored_comparison
from db.rows import VersionRow
from monitor.compare import compare
from monitor.model import PolicyDocument


@dataclass(frozen=True, slots=True)
class Limits:
    # About five times the largest policy in the corpus (PayPal, 117,000 characters in 393
    # clauses), counted over both versions.
    max_chars: int = 1_200_000
    max_clauses: int = 8_000
    concurrency: int = 1
    queue: int = 4
    cache_size: int = 64
    # What a refused request is told to wait: about one large comparison.
    retry_after: float = 5.0


class TooLarge(Exception):
    """The pair is over the size bound; the message says by how much."""


class Busy(Exception):
    """Every slot and queue place is taken; retry after `retry_after` seconds."""

    def __init__(self, retry_after: float):
        super().__init__(f"comparisons are busy; retry in {math.ceil(retry_after)} s")
        self.retry_after = retry_after


def compare_versions(old: VersionRow, new: VersionRow) -> dict:
    """`Comparison.to_detail_dict()` of two version rows (with clauses). Picklable: runs in
    the service's worker process."""
    return compare(PolicyDocument.from_dict(old), PolicyDocument.from_dict(new)).to_detail_dict()


def _process_pool(workers: int) -> Executor:
    # spawn, not fork: the server has threads (sqlite, aiohttp) a fork would copy.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def size_of(version: VersionRow) -> tuple[int, int]:
    """(characters, clauses) of a version row."""
    clauses = version["clauses"]
    return sum(len(c["text"]) for c in clauses), len(clauses)


class ComparisonService:
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        executor: Callable[[int], Executor] = _process_pool,
        compute: Callable[[VersionRow, VersionRow], dict] = compare_versions,
    ) -> None:
        self.limits = limits or Limits()
        self._make_executor = executor
        self._executor: Executor | None = None
        self._compute = compute
        self._cache: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._inflight: dict[tuple[str, str], asyncio.Future] = {}
        self._gate: asyncio.Semaphore | None = None
        self.admitted = 0  # computations running or waiting for a slot
        # Counters for tests and diagnostics.
        self.computed = 0
        self.refused = 0

    async def between(self, store: Store, old: VersionRow, new: VersionRow) -> dict:
        """The comparison of two versions (rows with clauses) of one document."""
        stored = stored_comparison(store, old["document_id"], old["id"], new["id"])
        if stored is not None:
            return stored
        key = (old["text_hash"], new["text_hash"])
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if key in self._inflight:  # the same pair asked again meanwhile: wait for it
            return await asyncio.shield(self._inflight[key])
        self._check_size(old, new)
        limits = self.limits
        if self.admitted >= limits.concurrency + limits.queue:
            self.refused += 1
            raise Busy(limits.retry_after * (1 + self.admitted // max(1, limits.concurrency)))
        # The computation is its own task, shared by every request for the pair, so one
        # client going away neither cancels it for the others nor leaks its slot.
        task = asyncio.ensure_future(self._run(old, new))
        self._inflight[key] = task
        self.admitted += 1
        task.add_done_callback(lambda done: self._settle(key, done))
        return await asyncio.shield(task)

    def _settle(self, key: tuple[str, str], task: asyncio.Future) -> None:
        self.admitted -= 1
        self._inflight.pop(key, None)
        if not task.cancelled() and task.exception() is None:
            self.computed += 1
            self._remember(key, task.result())

    async def _run(self, old: VersionRow, new: VersionRow) -> dict:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.limits.concurrency)
        async with self._gate:
            if self._executor is None:
                self._executor = self._make_executor(self.limits.concurrency)
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._executor, self._compute, old, new)
            except BrokenExecutor:
                # The worker died (killed, out of memory): a new one for the next request.
                self._executor = None
                raise Busy(self.limits.retry_after) from None

    def _check_size(self, old: VersionRow, new: VersionRow) -> None:
        (c1, n1), (c2, n2) = size_of(old), size_of(new)
        chars, clauses = c1 + c2, n1 + n2
        if chars > self.limits.max_chars or clauses > self.limits.max_clauses:
            raise TooLarge(
                f"these two versions hold {chars} characters in {clauses} clauses; comparisons"
                f" of any two versions are limited to {self.limits.max_chars} characters and"
                f" {self.limits.max_clauses} clauses (each stored change is always available)"
            )

    def _remember(self, key: tuple[str, str], value: dict) -> None:
        self._cache[key] = value
        while len(self._cache) > self.limits.cache_size:
            self._cache.popitem(last=False)

    def close(self) -> None:
        if self._executor is not None:
            # A comparison still running finishes in its worker; nobody waits for it.
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


COMPARISONS = web.AppKey("comparisons", ComparisonService)


def install(app: web.Application) -> ComparisonService:
    """The app's one service (created on first call; replace it before start in tests)."""
    if COMPARISONS not in app:
        app[COMPARISONS] = ComparisonService()

        async def close(app: web.Application) -> None:
            app[COMPARISONS].close()

        app.on_cleanup.append(close)
    return app[COMPARISONS]
