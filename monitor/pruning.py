"""Retention on a timer: `serve` prunes raw captures (db.retention) a bounded batch at a time.

Opt-in like `clausewatch prune`: only when settings.keep_raw is "run-ends". A run goes at most
once per `interval` seconds, by the monitor's clock (so tests drive it with an injected one),
and handles at most `batch` documents: those checked since the last run, oldest check first,
found by a cursor over snapshot ids. A backlog (the first run after a start, which walks the
whole history once since the cursor lives in memory; or more checks per interval than a batch)
is worked off over the next runs; pruning a document twice changes nothing the second time.
Each document is its own short write transaction, run off the event loop; `stop()` ends a
run between two documents (the cursor stays, so the next run does them again).

A check whose processing finishes after a run has passed its snapshot (the version is set on
the same row) is pruned with its document's next check.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from db import Store
from db.retention import Pruned, documents_checked_after, prune_document

log = logging.getLogger(__name__)


class Pruner:
    def __init__(self, store: Store, *, interval: float, batch: int) -> None:
        if interval <= 0 or batch <= 0:
            raise ValueError("a pruning interval and batch are positive")
        self.store = store
        self.interval = timedelta(seconds=interval)
        self.batch = batch
        self.cursor = 0  # the last snapshot id whose document has been pruned
        self.last_run: datetime | None = None
        self.runs = 0
        self.last_report: Pruned | None = None
        self._stopping = False

    def stop(self) -> None:
        """End a run in flight after its current document (shutdown)."""
        self._stopping = True

    def due(self, now: datetime) -> bool:
        return self.last_run is None or now - self.last_run >= self.interval

    def run(self, now: datetime) -> Pruned:
        """Prune the next batch (blocking: call it in a thread); the clock says when it ran."""
        self.last_run = now
        documents, cursor = documents_checked_after(self.store, self.cursor, self.batch)
        report = Pruned()
        for document_id in documents:
            if self._stopping:
                return report
            prune_document(self.store, document_id, report)
        self.cursor = cursor
        self.runs += 1
        self.last_report = report
        if report.snapshots:
            log.info(
                "pruned %d checks' raw bodies (%d documents, %.1f MB)",
                report.snapshots,
                report.documents,
                report.bytes / 1e6,
            )
        return report
