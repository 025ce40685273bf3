"""`reprocess` over worker processes: the same history as one process, the parent the only
writer (tests/linepipeline.py's real line stages, so the store side is what is tested)."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from linepipeline import PIPELINE, line_compare, line_extract

from api.cli import cli
from db import Store
from monitor.record import NewSnapshot, Pipeline, record_snapshot
from monitor.reprocess import reprocess

# Three documents: a footer that flaps, a real change, a revert, a failed capture.
HISTORIES = {
    "a.example": [
        b"We collect email.\nfooter: 2020",
        b"We collect email.\nfooter: 2021",
        b"We collect email.\nWe sell it.\nfooter: 2021",
        b"ERROR",
        b"We collect email.\nfooter: 2022",
    ],
    "b.example": [
        b"We keep data a year.",
        b"We keep data a year.\nfooter: x",
        b"We keep data forever.\nfooter: x",
        b"We keep data a year.\nfooter: y",
    ],
    "c.example": [b"One text only.", b"One text only.\nfooter: 1", b"One text only.\nfooter: 2"],
}


def no_footer(raw, content_type=None, url=None):
    """The upgraded extractor: footers are chrome now."""
    return line_extract(raw, drop_prefix="footer:")


# Comparisons made in this process; a worker appends to its own copy (fork), not this one.
COMPARED_HERE: list[int] = []


def counted_compare(old, new):
    COMPARED_HERE.append(os.getpid())
    return line_compare(old, new, material_word="forever")


UPGRADED = Pipeline(no_footer, counted_compare)


def build(path):
    with Store.open(path) as store:
        for site, bodies in HISTORIES.items():
            doc = store.add_document(store.add_site(site)["id"], f"https://{site}/privacy")["id"]
            for year, raw in enumerate(bodies, start=2020):
                capture = NewSnapshot(
                    raw, f"{year}-01-01T00:00:00Z", "live", content_type="text/plain"
                )
                record_snapshot(store, doc, capture, pipeline=PIPELINE)
    return path


def contents(path) -> dict[str, list[tuple]]:
    """Every row that reprocess writes, ids included."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT {cols} FROM {table} ORDER BY id").fetchall()
            for table, cols in (
                ("versions", "id, document_id, text_hash, clauses, first_captured_at,"
                 " last_captured_at, snapshot_count"),
                ("snapshots", "id, version_id, error"),
                ("changes", "id, from_version_id, to_version_id, occurrence, from_captured_at,"
                 " to_captured_at, origin, material, score, summary, categories, comparison"),
            )
        }  # fmt: skip
    finally:
        conn.close()


@pytest.fixture
def twin_stores(tmp_path):
    one = build(tmp_path / "one.db")
    two = tmp_path / "two.db"
    shutil.copyfile(one, two)
    return one, two


def test_jobs_give_the_same_history_as_one_process(twin_stores):
    one, two = twin_stores
    assert contents(one) == contents(two)
    with Store.open(one) as store:
        serial = reprocess(store, pipeline=UPGRADED, jobs=1)
    COMPARED_HERE.clear()
    with Store.open(two) as store:
        pooled = reprocess(store, pipeline=UPGRADED, jobs=2)
    assert pooled == serial
    # The upgrade did something: footer-only versions merged, changes removed.
    assert serial.versions_after < serial.versions_before and serial.changes_removed
    assert contents(one) == contents(two)
    # Every comparison was made in a worker: the parent only wrote.
    assert COMPARED_HERE == []


def test_a_snapshot_recorded_after_preparing_is_still_reprocessed(twin_stores):
    """The parent extracts and judges what a worker did not see (a live check meanwhile)."""
    from monitor import reprocess as module

    one, two = twin_stores
    newest = b"We collect email.\nWe sell it twice."

    def record_newest(store, doc):
        capture = NewSnapshot(newest, "2030-01-01T00:00:00Z", "live", content_type="text/plain")
        record_snapshot(store, doc, capture, pipeline=PIPELINE)

    with Store.open(one) as store:
        record_newest(store, store.list_documents()[0]["id"])
        reprocess(store, pipeline=UPGRADED, jobs=1)
    with Store.open(two) as store:
        doc = store.list_documents()[0]["id"]
        prepared = module.prepare_document(store, doc, UPGRADED)
        record_newest(store, doc)  # after the worker read the document
        module.reprocess_document(store, doc, UPGRADED, prepared=prepared)
        for other in store.list_documents()[1:]:
            module.reprocess_document(store, other["id"], UPGRADED)
    assert contents(one) == contents(two)


def test_the_command_takes_jobs(twin_stores, monkeypatch):
    one, _ = twin_stores
    monkeypatch.setenv("CLAUSEWATCH_DB", str(one))
    result = CliRunner().invoke(cli, ["reprocess", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 documents, 12 snapshots")
    bad = CliRunner().invoke(cli, ["reprocess", "--jobs", "0"])
    assert bad.exit_code == 2 and "--jobs" in bad.output
