"""The store's connections: one writer behind a lock, one read-only reader per thread.

Every part of the store (db/sites.py, db/snapshots.py, ...) is a `Connections`, so each
is checked against the methods it uses; `db.store.Store` joins the parts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.rows import decode_row

BUSY_TIMEOUT_MS = 10_000

# Query parameters as sqlite3 takes them: positional or named.
Params = Sequence[Any] | dict[str, Any]


def connect(path: str, *, readonly: bool = False) -> sqlite3.Connection:
    # isolation_level=None: transactions are opened explicitly, never implicitly by the
    # driver, so a reader holds no snapshot between queries.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


class Connections:
    """The writer, the per-thread readers, and the reads every part shares."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path == ":memory:":
            raise ValueError("the store needs a file: readers use their own connections")
        self._write_lock = threading.RLock()
        self._writer = Database(connect(self.path))
        self._local = threading.local()
        self._readers: list[Database] = []
        self._readers_lock = threading.Lock()

    def close(self) -> None:
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        self._writer.close()

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
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = Database(connect(self.path, readonly=True))
            self._local.db = db
            with self._readers_lock:
                self._readers.append(db)
        return db

    def reading(self) -> Database:
        """The connection a read should use: this thread's reader, or the writer inside a
        write transaction (so the transaction sees its own writes)."""
        return self._writer if getattr(self._local, "writing", False) else self.reader

    def _one(self, sql: str, params: Params = (), *json_fields: str) -> dict[str, Any] | None:
        rows = list(self.reading().query(sql, params))
        return decode_row(rows[0], *json_fields) if rows else None

    def _all(self, sql: str, params: Params = (), *json_fields: str) -> list[dict[str, Any]]:
        return [decode_row(r, *json_fields) for r in self.reading().query(sql, params)]
