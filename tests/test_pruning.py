"""Retention on a timer (monitor.pruning): `serve` prunes a bounded batch of the documents
checked since its last run, when keep_raw is "run-ends", at most once per interval by the
monitor's clock."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner
from policysites import WallClock
from test_retention import rec

from api.cli import cli
from api.config import Settings
from api.service import pruner_of
from db import Store
from db.retention import documents_checked_after
from monitor.pruning import Pruner
from monitor.schedule import Monitor, Scheduler, Timing

TEXT = b"We collect your personal data and keep it private.\n"


def noisy_checks(store: Store, n_documents: int, checks: int, first_day: int = 1) -> list[int]:
    """Documents whose every check fetched new bytes of one text: all but both ends prunable."""
    ids = []
    for i in range(n_documents):
        site = store.add_site(f"d{i}.example")["id"]
        ids.append(store.add_document(site, f"https://d{i}.example/p")["id"])
    for day in range(first_day, first_day + checks):
        for doc in ids:
            rec(store, doc, TEXT + b"nonce %d-%d" % (doc, day), day)
    return ids


def raw_bodies_kept(store: Store, document_id: int) -> int:
    return sum(
        store.get_blob(s["blob_sha256"]) is not None
        for s in store.snapshots_of_document(document_id)
    )


def test_a_batch_is_the_documents_checked_since_the_cursor_in_check_order(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        docs = noisy_checks(store, 5, 2)  # snapshots: day 1 of d0..d4, then day 2 of d0..d4
        first, cursor = documents_checked_after(store, 0, 3)
        assert first == docs[:3]
        second, cursor = documents_checked_after(store, cursor, 3)
        # d3, d4 (day 1), then day 2's d0: a batch of 3 stops before d1 comes again.
        assert second == [docs[0], docs[3], docs[4]]
        third, cursor = documents_checked_after(store, cursor, 3)
        assert third == docs[1:4]
        assert documents_checked_after(store, cursor, 3)[0] == [docs[4]]
        done = documents_checked_after(store, cursor, 3)[1]
        assert documents_checked_after(store, done, 3) == ([], done)
        # The scan bound: at most `scan` snapshot rows are read, whatever the batch.
        assert documents_checked_after(store, 0, 100, scan=2) == (docs[:2], 2)


def test_each_run_prunes_at_most_a_batch_then_only_what_was_checked_since(tmp_path):
    clock = WallClock()
    with Store.open(tmp_path / "cw.db") as store:
        docs = noisy_checks(store, 4, 4)
        pruner = Pruner(store, interval=600, batch=3)
        assert pruner.due(clock())
        report = pruner.run(clock())
        assert report.documents == 3 and report.snapshots == 3 * 2  # the middle two of each
        assert [raw_bodies_kept(store, d) for d in docs] == [2, 2, 2, 4]
        assert not pruner.due(clock.advance(599))
        assert pruner.due(clock.advance(1))
        pruner.run(clock())
        assert [raw_bodies_kept(store, d) for d in docs] == [2, 2, 2, 2]
        # Worked off: the next runs find nothing to do until a document is checked again.
        while pruner.run(clock.advance(600)).documents:
            pass
        assert pruner.run(clock.advance(600)).documents == 0
        rec(store, docs[2], TEXT + b"nonce later", 20)
        again = pruner.run(clock.advance(600))
        assert again.documents == 1 and again.snapshots == 1  # day 4 is a run's middle now
        assert raw_bodies_kept(store, docs[2]) == 2


def test_a_stopped_run_ends_between_documents_and_is_done_again(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        docs = noisy_checks(store, 2, 3)
        pruner = Pruner(store, interval=600, batch=10)
        pruner.stop()
        assert pruner.run(WallClock()()).documents == 0
        assert pruner.cursor == 0 and [raw_bodies_kept(store, d) for d in docs] == [3, 3]


async def test_serve_prunes_on_its_timer_by_the_monitors_clock(tmp_path):
    clock = WallClock()
    with Store.open(tmp_path / "cw.db") as store:
        docs = noisy_checks(store, 3, 3)
        timing = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=1800, lease=600)
        monitor = Monitor(store, None, timing=timing, clock=clock)  # type: ignore[arg-type]

        async def no_pass(**kw):  # this test is about the pruning job alone
            return None

        monitor.run_pass = no_pass  # type: ignore[method-assign]
        pruner = Pruner(store, interval=3600, batch=2)
        scheduler = Scheduler(monitor, tick=3600, pruner=pruner)
        scheduler.start()
        try:
            # The first run comes with the start: one batch of two documents.
            await asyncio.wait_for(scheduler.prune_done.wait(), 10)
            assert [raw_bodies_kept(store, d) for d in docs] == [2, 2, 3]
            # An hour later by the monitor's clock, the next batch.
            scheduler.prune_done.clear()
            clock.advance(3600)
            scheduler.run_soon()
            await asyncio.wait_for(scheduler.prune_done.wait(), 10)
            assert [raw_bodies_kept(store, d) for d in docs] == [2, 2, 2]
            assert pruner.runs == 2
        finally:
            await asyncio.wait_for(scheduler.shutdown(), 10)


def test_the_timer_runs_only_when_retention_is_configured(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        assert pruner_of(Settings(), store) is None  # keep_raw "all": nothing to prune
        pruner = pruner_of(Settings(keep_raw="run-ends"), store)
        assert pruner is not None and pruner.interval.total_seconds() == 600
        env = {
            "CLAUSEWATCH_KEEP_RAW": "run-ends",
            "CLAUSEWATCH_PRUNE_INTERVAL": "3600",
            "CLAUSEWATCH_PRUNE_BATCH": "50",
        }
        pruner = pruner_of(Settings.from_env(env), store)
        assert pruner is not None
        assert (pruner.interval.total_seconds(), pruner.batch) == (3600, 50)
        off = Settings(keep_raw="run-ends", prune_interval=0)
        assert pruner_of(off, store) is None


def test_serve_refuses_an_unknown_retention_rule_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEWATCH_DB", str(tmp_path / "cw.db"))
    monkeypatch.setenv("CLAUSEWATCH_KEEP_RAW", "some")
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "keep_raw must be one of all, run-ends" in result.output


@pytest.mark.parametrize("interval,batch", [(0, 5), (60, 0)])
def test_a_pruner_needs_a_positive_interval_and_batch(tmp_path, interval, batch):
    with Store.open(tmp_path / "cw.db") as store, pytest.raises(ValueError):
        Pruner(store, interval=interval, batch=batch)
