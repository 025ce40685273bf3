"""The store: one SQLite file in WAL mode, one writer at a time, readers that never block.

Writes go through `Store.write()`, which holds an in-process lock and a `BEGIN IMMEDIATE`
transaction, so two writers in one process queue up instead of failing, and a writer in
another process waits up to `busy_timeout`. Reads use one connection per thread, separate
from the writer's: in WAL mode they see the last committed state and never wait.

The store is one class made of one part a concern: sites and documents (with the
scheduler's claims, db/sites.py), snapshots and blobs (db/snapshots.py), versions and
clauses (db/versions.py), changes (db/changes.py, the change read model) and backfill
progress (db/backfill_progress.py). db/connection.py holds the connections.
"""

from __future__ import annotations

from pathlib import Path

from db.backfill_progress import BackfillProgress
from db.changes import Changes
from db.rows import (
    ANNOUNCED_ORIGINS,
    CHECKED_SITE_STATES,
    ORIGINS,
    RENDER_MODES,
    SECTION_SEPARATOR,
    SOURCES,
    site_hash,
    utc_iso,
)
from db.schema import migrations
from db.sites import SitesAndDocuments
from db.snapshots import Snapshots
from db.versions import Versions

__all__ = [
    "ANNOUNCED_ORIGINS",
    "CHECKED_SITE_STATES",
    "ORIGINS",
    "RENDER_MODES",
    "SECTION_SEPARATOR",
    "SOURCES",
    "Store",
    "site_hash",
    "utc_iso",
]


class Store(SitesAndDocuments, Snapshots, Versions, Changes, BackfillProgress):
    """A Clausewatch database. Open with `Store.open(path)`; close when done."""

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and bring the schema up to date."""
        store = cls(path)
        store._writer.enable_wal()
        with store.write() as db:
            migrations.apply(db)
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and tests."""
        tables = ("sites", "documents", "blobs", "snapshots", "versions", "changes", "clauses")
        return {
            t: self.reading().execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables
        }
