"""The store: one SQLite file in WAL mode, one writer at a time, readers that never block.

Writes go through `Store.write()`, which holds an in-process lock and a `BEGIN IMMEDIATE`
transaction, so two writers in one process queue up instead of failing, and a writer in
another process waits up to `busy_timeout`. Reads use one connection per thread, separate
from the writer's: in WAL mode they see the last committed state and never wait.

The store is one class made of one part a concern: sites and documents (with the
scheduler's claims, db/sites.py), snapshots and blobs (db/snapshots.py), versions and
clauses (db/versions.py), changes (db/changes.py, the change read model) and backfill
progress (db/backfill_progress.py). This module holds the connections.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from db.backfill_progress import BackfillProgress
from db.changes import Changes
from db.rows import (
    ANNOUNCED_ORIGINS,
    CHECKED_SITE_STATES,
    ORIGINS,
    RENDER_MODES,
    SECTION_SEPARATOR,
    SOURCES,
    decode_row,
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

BUSY_TIMEOUT_MS = 10_000


def _connect(path: str, *, readonly: bool = False) -> sqlite3.Connection:
    # isolation_level=None: transactions are opened explicitly, never implicitly by the
    # driver, so a reader holds no snapshot between queries.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


class Store(SitesAndDocuments, Snapshots, Versions, Changes, BackfillProgress):
    """A Clausewatch database. Open with `Store.open(path)`; close when done."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path == ":memory:":
            raise ValueError("the store needs a file: readers use their own connections")
        self._write_lock = threading.RLock()
        self._writer = Database(_connect(self.path))
        self._local = threading.local()
        self._readers: list[Database] = []
        self._readers_lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and bring the schema up to date."""
        store = cls(path)
        store._writer.enable_wal()
        with store.write() as db:
            migrations.apply(db)
        return store

    def close(self) -> None:
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        self._writer.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction; nested calls join the outer one."""
        with self._write_lock:
            db = self._writer
            if db.conn.in_transaction:
                yield db
                return
            db.conn.execute("BEGIN IMMEDIATE")
            # Reads inside the transaction must see its own uncommitted writes.
            self._local.writing = True
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK")
                raise
            else:
                db.conn.execute("COMMIT")
            finally:
                self._local.writing = False

    @property
    def reader(self) -> Database:
        """This thread's read-only connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = Database(_connect(self.path, readonly=True))
            self._local.db = db
            with self._readers_lock:
                self._readers.append(db)
        return db

    def reading(self) -> Database:
        """The connection a read should use: this thread's reader, or the writer inside a
        write transaction (so the transaction sees its own writes)."""
        return self._writer if getattr(self._local, "writing", False) else self.reader

    def _one(self, sql: str, params: Sequence | dict = (), *json_fields: str) -> dict | None:
        rows = list(self.reading().query(sql, params))
        return decode_row(rows[0], *json_fields) if rows else None

    def _all(self, sql: str, params: Sequence | dict = (), *json_fields: str) -> list[dict]:
        return [decode_row(r, *json_fields) for r in self.reading().query(sql, params)]

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and tests."""
        tables = ("sites", "documents", "blobs", "snapshots", "versions", "changes", "clauses")
        return {t: self._one(f"SELECT count(*) AS n FROM {t}")["n"] for t in tables}
