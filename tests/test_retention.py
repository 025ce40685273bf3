"""Retention (db.retention, `clausewatch prune`): the middle of each run of one text loses
its raw body, both ends keep theirs, and reprocess after pruning rebuilds the same history."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from linepipeline import PIPELINE
from test_reprocess_jobs import contents

from api.cli import cli
from db import Store
from db.retention import prunable, prune
from monitor.record import NewSnapshot, Pipeline, record_snapshot
from monitor.reprocess import reprocess

CAPTURES = Path(__file__).parent / "data" / "capture-histories"
SERVICES = ("lex", "finya", "romeo")  # real pages whose bytes differ on every fetch


def stamp(path: Path) -> str:
    s = path.stem
    return f"{s[:13]}:{s[13:15]}:{s[15:17]}Z"


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """Real captures of three policies recorded as live checks through the real pipeline."""
    path = tmp_path_factory.mktemp("retention") / "real.db"
    pipeline = Pipeline.default()
    with Store.open(path) as store:
        for service in SERVICES:
            site = store.add_site(f"{service}.example")["id"]
            doc = store.add_document(site, f"https://{service}.example/privacy")["id"]
            for f in sorted(CAPTURES.joinpath(service).glob("*.html")):
                capture = NewSnapshot(f.read_bytes(), stamp(f), "live", content_type="text/html")
                record_snapshot(store, doc, capture, pipeline=pipeline)
    return path


def live_bytes(store: Store) -> int:
    """Bytes of the pages in use (free pages left out), after folding the WAL in."""
    db = store._writer.conn
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, free, size = (
        db.execute(f"PRAGMA {p}").fetchone()[0]
        for p in ("page_count", "freelist_count", "page_size")
    )
    return (pages - free) * size


def snap(i, version, source="live", day=None):
    return {
        "id": i,
        "version_id": version,
        "source": source,
        "captured_at": f"2026-01-{day or i:02d}",
    }


def test_only_the_middle_of_a_run_may_go():
    snaps = [snap(1, 10), snap(2, 10), snap(3, 10), snap(4, 11), snap(5, 11), snap(6, 11)]
    snaps += [snap(7, 10), snap(8, None), snap(9, 10), snap(10, 10), snap(11, 12)]
    # Run ends kept: 1 and 3, 4 and 6, 7 and 10; 8 has no version; 11 is alone.
    assert prunable(snaps) == [2, 5, 9]
    # Capture order decides, not ids; a Wayback capture keeps its bytes.
    shuffled = [snap(1, 10, day=3), snap(2, 10, day=1), snap(3, 10, day=2)]
    assert prunable(shuffled) == [3]
    assert prunable([snap(1, 10), snap(2, 10, "wayback"), snap(3, 10)]) == []
    assert prunable([snap(1, 10), snap(2, 10, "live-rendered"), snap(3, 10)]) == [2]


def test_prune_then_reprocess_rebuilds_the_same_history(real_store, tmp_path):
    kept, pruned = tmp_path / "kept.db", tmp_path / "pruned.db"
    shutil.copyfile(real_store, kept)
    shutil.copyfile(real_store, pruned)
    with Store.open(pruned) as store:
        before, live_before = store.counts(), live_bytes(store)
        report = prune(store)
        assert store.counts() == before  # every check keeps its row
        # The pages go back to SQLite (to be reused), not only the bytes inside them: a
        # stub updated in place kept a page per pruned check.
        assert live_before - live_bytes(store) >= 0.9 * report.bytes
        assert report.documents == 3 and report.snapshots >= 12 and report.bytes > 100_000
        for doc in store.list_documents():
            snaps = store.snapshots_of_document(doc["id"])
            gone = {s["id"] for s in snaps if store.get_blob(s["blob_sha256"]) is None}
            middle = set(prunable(snaps))
            # lex's server alternates two byte variants: a middle check sharing the bytes
            # of a run's end keeps them (they are stored once anyway).
            kept_bytes = {s["blob_sha256"] for s in snaps if s["id"] not in middle}
            assert gone == {s["id"] for s in snaps if s["id"] in middle} - {
                s["id"] for s in snaps if s["blob_sha256"] in kept_bytes
            }
            assert snaps[0]["id"] not in gone and snaps[-1]["id"] not in gone
        again = prune(store)
        assert again.snapshots == again.bytes == 0
    assert contents(kept) == contents(pruned)
    pipeline = Pipeline.default()
    for path in (kept, pruned):
        with Store.open(path) as store:
            reprocess(store, pipeline=pipeline)
    assert contents(kept) == contents(pruned)
    with Store.open(pruned) as store:
        assert len(store.versions_of_document(store.list_documents()[0]["id"])) >= 1


def test_bytes_fetched_again_are_stored_whole_again(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        doc = store.add_document(store.add_site("a.example")["id"], "https://a.example/p")["id"]
        bodies = [
            b"We collect your personal data and keep it private.\n<!-- nonce %d -->" % i
            for i in range(3)
        ]
        for day, raw in enumerate(bodies, start=1):
            rec(store, doc, raw, day)
        assert prune(store).snapshots == 1
        middle = store.snapshots_of_document(doc)[1]
        assert store.get_blob(middle["blob_sha256"]) is None
        rec(store, doc, bodies[1], 9)  # the very bytes whose body was pruned
        assert store.get_blob(middle["blob_sha256"]) == bodies[1]


def test_bytes_another_document_keeps_are_not_pruned(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        a = store.add_document(store.add_site("a.example")["id"], "https://a.example/p")["id"]
        b = store.add_document(store.add_site("b.example")["id"], "https://b.example/p")["id"]
        shared = b"We collect your personal data and keep it private.\n<!-- shared -->"
        for day, raw in enumerate(
            [
                b"We collect your personal data and keep it private.\n1",
                shared,
                b"We collect your personal data and keep it private.\n3",
            ],
            start=1,
        ):
            rec(store, a, raw, day)
        rec(store, b, shared, 1)  # b's only capture: a run's end
        assert prune(store).snapshots == 0
        assert store.get_blob(store.snapshots_of_document(a)[1]["blob_sha256"]) == shared


def rec(store, doc, raw, day):
    def extract(raw, content_type=None, url=None):
        return PIPELINE.extract(raw.split(b"\n")[0], content_type, url)

    capture = NewSnapshot(raw, f"2026-01-{day:02d}T00:00:00Z", "live", content_type="text/plain")
    record_snapshot(store, doc, capture, pipeline=Pipeline(extract, PIPELINE.compare))


def test_the_command_is_opt_in(tmp_path, monkeypatch):
    path = tmp_path / "cw.db"
    with Store.open(path) as store:
        doc = store.add_document(store.add_site("a.example")["id"], "https://a.example/p")["id"]
        for day in range(1, 5):
            rec(store, doc, b"We collect your personal data and keep it private.\n%d" % day, day)
    monkeypatch.setenv("CLAUSEWATCH_DB", str(path))
    refused = CliRunner().invoke(cli, ["prune"])
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert "nothing to prune" in refused.output
    done = CliRunner().invoke(cli, ["prune", "--keep-raw", "run-ends"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("1 documents: 2 checks lost their raw body (2 blobs")
    monkeypatch.setenv("CLAUSEWATCH_KEEP_RAW", "run-ends")
    assert (
        CliRunner().invoke(cli, ["prune", "a.example"]).output.startswith("1 documents: 0 checks")
    )
    monkeypatch.setenv("CLAUSEWATCH_KEEP_RAW", "some")
    bad = CliRunner().invoke(cli, ["prune"])
    assert bad.exit_code == 1 and "keep_raw must be one of all, run-ends" in bad.output
