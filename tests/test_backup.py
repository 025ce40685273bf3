"""`clausewatch backup`: a consistent copy of a store that is being written, and a restore."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from apisupport import build_populated, record_history
from click.testing import CliRunner

from api.cli import cli
from db import Store
from db.backup import BackupError, backup


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    return build_populated(tmp_path_factory.mktemp("backup") / "cw.db")


def counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sites", "documents", "versions", "changes")
        }
    finally:
        conn.close()


def test_backup_copies_every_row_and_restores(populated, tmp_path):
    report = backup(populated, tmp_path / "copy.db")
    assert report.counts["versions"] > 1 and report.counts["changes"] > 0
    # Restore = put the file in place of the store; it opens and reads as the original.
    restored = tmp_path / "restored.db"
    restored.write_bytes((tmp_path / "copy.db").read_bytes())
    assert counts(restored) == counts(populated)
    with Store.open(restored) as store:
        site = store.get_site("bitwarden.com")
        doc = store.documents_of_site(site["id"])[0]
        assert store.versions_of_document(doc["id"])
        assert store.changes_of_document(doc["id"])


def test_backup_while_a_writer_records_is_one_consistent_moment(tmp_path):
    db = build_populated(tmp_path / "live.db")
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        # Another document's whole history recorded again and again while backups run.
        n = 0
        try:
            with Store.open(db) as store:
                while not stop.is_set() and n < 50:
                    record_history(store, "duckduckgo", f"mirror{n}.example")
                    n += 1
        except BaseException as exc:  # surfaced below, the thread must not die silently
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for i in range(3):
            report = backup(db, tmp_path / f"copy{i}.db")
            conn = sqlite3.connect(report.path)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
                # Every change's versions and every version's document are in the copy.
                orphans = conn.execute(
                    "SELECT count(*) FROM changes c LEFT JOIN versions v"
                    " ON v.id = c.to_version_id WHERE v.id IS NULL"
                ).fetchone()[0]
                assert orphans == 0
            finally:
                conn.close()
    finally:
        stop.set()
        writer.join()
    assert errors == []


def test_backup_refuses_to_overwrite_and_names_the_problem(populated, tmp_path):
    dest = tmp_path / "copy.db"
    dest.write_bytes(b"precious")
    with pytest.raises(BackupError, match="already exists"):
        backup(populated, dest)
    assert dest.read_bytes() == b"precious"  # nothing lost
    with pytest.raises(BackupError, match="no such database"):
        backup(tmp_path / "missing.db", tmp_path / "other.db")
    assert not (tmp_path / "other.db").exists()


def test_a_corrupt_store_leaves_no_backup_file(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError):
        backup(bad, tmp_path / "copy.db")
    assert list(tmp_path.iterdir()) == [bad]


def test_cli_backup_prints_one_line_and_errors_in_one_line(populated, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--db", str(populated)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith(f"Backed up to {tmp_path / 'b.db'} (") and "changes" in ok.output
    again = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--db", str(populated)])
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == [
        f"Error: {tmp_path / 'b.db'}: already exists (pass --overwrite to replace it)"
    ]
    forced = runner.invoke(
        cli, ["backup", str(tmp_path / "b.db"), "--db", str(populated), "--overwrite"]
    )
    assert forced.exit_code == 0, forced.output
