"""The store: one SQLite file in WAL mode, one writer at a time, readers that never block.

Writes go through `Store.write()`, which holds an in-process lock and a `BEGIN IMMEDIATE`
transaction, so two writers in one process queue up instead of failing, and a writer in
another process waits up to `busy_timeout`. Reads use one connection per thread, separate
from the writer's: in WAL mode they see the last committed state and never wait.

Times are ISO 8601 UTC strings ending in `Z` (`2024-02-03T00:34:30Z`) so they sort as text.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.schema import migrations

BUSY_TIMEOUT_MS = 10_000
ORIGINS = ("live", "backfill", "reprocess")
# How a snapshot was obtained: a plain GET or a Wayback capture, each maybe rendered in a
# browser first (monitor/render.py): the viewer and history say which.
SOURCES = ("live", "wayback", "live-rendered", "wayback-rendered")
RENDER_MODES = ("auto", "always", "never")
# Changes a client may announce as news; the others are history told late (see __init__).
ANNOUNCED_ORIGINS = ("live",)
# Site states whose documents the monitor checks: `active` (tracked by hand, the default)
# and `tracked` (by the tracking worker); `pending` sites wait for it, `failed` ones for a person.
CHECKED_SITE_STATES = ("active", "tracked")


def utc_iso(moment: datetime | str | None = None) -> str:
    """A moment as the store writes it; naive datetimes are taken as UTC."""
    if isinstance(moment, str):
        return moment
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_hash(site: str) -> str:
    return hashlib.sha256(site.encode("utf-8")).hexdigest()


def _connect(path: str, *, readonly: bool = False) -> sqlite3.Connection:
    # isolation_level=None: transactions are opened explicitly, never implicitly by the
    # driver, so a reader holds no snapshot between queries.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


def _decode(row: dict | None, *json_fields: str) -> dict | None:
    if row is None:
        return None
    for name in json_fields:
        if name in row and isinstance(row[name], str):
            row[name] = json.loads(row[name])
    for name in ("material",):
        if name in row and row[name] is not None:
            row[name] = bool(row[name])
    return row


class Store:
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

    # -- connections --------------------------------------------------------------------

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

    def _conn_for_reading(self) -> Database:
        return self._writer if getattr(self._local, "writing", False) else self.reader

    def _one(self, sql: str, params: Sequence | dict = (), *json_fields: str) -> dict | None:
        rows = list(self._conn_for_reading().query(sql, params))
        return _decode(rows[0], *json_fields) if rows else None

    def _all(self, sql: str, params: Sequence | dict = (), *json_fields: str) -> list[dict]:
        return [_decode(r, *json_fields) for r in self._conn_for_reading().query(sql, params)]

    # -- sites and documents ------------------------------------------------------------

    def add_site(self, site: str) -> dict:
        """The site row, created if new (idempotent)."""
        site = site.lower().strip(".")
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO sites (site, site_hash, created_at) VALUES (?, ?, ?)",
                [site, site_hash(site), utc_iso()],
            )
            return dict(next(db.query("SELECT * FROM sites WHERE site = ?", [site])))

    def get_site(self, site: str | int) -> dict | None:
        """By id, or by registrable domain."""
        if isinstance(site, int):
            return self._one("SELECT * FROM sites WHERE id = ?", [site])
        return self._one("SELECT * FROM sites WHERE site = ?", [site.lower().strip(".")])

    def list_sites(self) -> list[dict]:
        return self._all("SELECT * FROM sites ORDER BY site")

    def sites_by_hash_prefix(self, prefix: str) -> list[dict]:
        prefix = prefix.lower()
        if not prefix or any(c not in "0123456789abcdef" for c in prefix):
            return []
        return self._all(
            "SELECT * FROM sites WHERE site_hash >= ? AND site_hash < ? ORDER BY site_hash",
            [prefix, prefix + "g"],
        )

    def add_document(
        self,
        site_id: int,
        url: str,
        *,
        kind: str = "privacy",
        selector: str | None = None,
        render: str | None = None,
    ) -> dict:
        """The document row, created if new (idempotent on site, kind and URL).

        ``render`` (auto|always|never), when given, is set on a known document too, and
        forgets what `auto` had decided for it.
        """
        if render is not None and render not in RENDER_MODES:
            raise ValueError(f"render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO documents (site_id, kind, url, selector, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [site_id, kind, url, selector, utc_iso()],
            )
            if render is not None:
                db.execute(
                    "UPDATE documents SET render = ?, render_decision = NULL, render_reason = NULL"
                    " WHERE site_id = ? AND kind = ? AND url = ? AND render != ?",
                    [render, site_id, kind, url, render],
                )
            row = next(
                db.query(
                    "SELECT * FROM documents WHERE site_id = ? AND kind = ? AND url = ?",
                    [site_id, kind, url],
                )
            )
            return dict(row)

    def get_document(self, document_id: int) -> dict | None:
        return self._one(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id WHERE d.id = ?",
            [document_id],
        )

    def documents_of_site(self, site_id: int) -> list[dict]:
        return self._all(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            " WHERE d.site_id = ? ORDER BY d.id",
            [site_id],
        )

    def documents_by_url(self, url: str) -> list[dict]:
        return self._all(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            " WHERE d.url = ? ORDER BY d.id",
            [url],
        )

    def list_documents(self) -> list[dict]:
        return self._all(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id ORDER BY d.id"
        )

    _DOCUMENT_STATE = frozenset(
        {
            "url",
            "selector",
            "status",
            "status_detail",
            "etag",
            "last_modified",
            "last_checked_at",
            "next_check_at",
            "failures",
            "render",
            "render_decision",
            "render_reason",
        }
    )

    def update_document(self, document_id: int, **fields: Any) -> None:
        """Set the scheduler's state of a document (status, etag, next_check_at, ...)."""
        unknown = set(fields) - self._DOCUMENT_STATE
        if unknown:
            raise ValueError(f"not document state: {sorted(unknown)}")
        if not fields:
            return
        values = {k: utc_iso(v) if isinstance(v, datetime) else v for k, v in fields.items()}
        with self.write() as db:
            db["documents"].update(document_id, values)

    def documents_due(self, now: datetime | str) -> list[dict]:
        """Documents whose next check is due (or never scheduled), soonest first."""
        return self._all(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            " WHERE s.state = 'active' AND (d.next_check_at IS NULL OR d.next_check_at <= ?)"
            " ORDER BY d.next_check_at IS NOT NULL, d.next_check_at, d.id",
            [utc_iso(now)],
        )

    # -- the scheduler's claims and the tracking worker ---------------------------------

    def checkable_documents_due(
        self, now: datetime | str, *, limit: int | None = None
    ) -> list[dict]:
        """Like `documents_due`, for every site the monitor checks (see CHECKED_SITE_STATES)."""
        states = ", ".join("?" for _ in CHECKED_SITE_STATES)
        return self._all(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            f" WHERE s.state IN ({states}) AND (d.next_check_at IS NULL OR d.next_check_at <= ?)"
            " ORDER BY d.next_check_at IS NOT NULL, d.next_check_at, d.id LIMIT ?",
            [*CHECKED_SITE_STATES, utc_iso(now), -1 if limit is None else limit],
        )

    def claim_document(
        self, document_id: int, *, now: datetime | str, until: datetime | str, force: bool = False
    ) -> dict | None:
        """Move a due document's next check to `until` (its lease); the row, or None if not due.

        Claiming in one write transaction is what keeps two passes (or two processes) from
        checking one document twice; a claim that is never settled (a crash) expires at
        `until`, when the document is simply due again. `force` claims it even if not due.
        """
        with self.write() as db:
            cursor = db.execute(
                "UPDATE documents SET next_check_at = ? WHERE id = ?"
                + ("" if force else " AND (next_check_at IS NULL OR next_check_at <= ?)"),
                [utc_iso(until), document_id] + ([] if force else [utc_iso(now)]),
            )
            if cursor.rowcount != 1:
                return None
            return self.get_document(document_id)

    def sites_in_state(self, state: str) -> list[dict]:
        """Sites in one state, oldest first (the tracking worker asks for 'pending')."""
        return self._all("SELECT * FROM sites WHERE state = ? ORDER BY id", [state])

    def current_version(self, document_id: int) -> dict | None:
        """The version (with clauses) of the document's latest capture that has one."""
        return self._one(
            "SELECT v.* FROM snapshots s JOIN versions v ON v.id = s.version_id"
            " WHERE s.document_id = ? ORDER BY s.captured_at DESC, s.id DESC LIMIT 1",
            [document_id],
            "clauses",
        )

    def reference_version(self, document_id: int, captured_at: str) -> dict | None:
        """The version (with clauses) a capture at `captured_at` is judged against: that of
        the nearest earlier capture with a version, else of the nearest later one."""
        for where, order in (("s.captured_at <= ?", "DESC"), ("s.captured_at > ?", "ASC")):
            row = self._one(
                "SELECT v.* FROM snapshots s JOIN versions v ON v.id = s.version_id"
                f" WHERE s.document_id = ? AND {where}"
                f" ORDER BY s.captured_at {order}, s.id {order} LIMIT 1",
                [document_id, captured_at],
                "clauses",
            )
            if row is not None:
                return row
        return None

    def latest_snapshot(self, document_id: int, *, error_prefix: str | None = None) -> dict | None:
        """The document's latest capture (optionally: the latest whose error starts so)."""
        where, params = "document_id = ?", [document_id]
        if error_prefix is not None:
            where += " AND substr(error, 1, ?) = ?"
            params += [len(error_prefix), error_prefix]
        return self._one(
            f"SELECT * FROM snapshots WHERE {where} ORDER BY captured_at DESC, id DESC LIMIT 1",
            params,
            "headers",
        )

    def set_site_state(self, site_id: int, state: str, detail: str | None = None) -> None:
        """A site's state and why (e.g. 'failed', 'no privacy policy found')."""
        with self.write() as db:
            db.execute(
                "UPDATE sites SET state = ?, state_detail = ? WHERE id = ?",
                [state, detail, site_id],
            )

    # -- blobs and snapshots ------------------------------------------------------------

    def put_blob(self, raw: bytes) -> str:
        """Store bytes once, compressed; their sha256 hex."""
        digest = hashlib.sha256(raw).hexdigest()
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO blobs (sha256, codec, size, data) VALUES (?, 'zlib', ?, ?)",
                [digest, len(raw), zlib.compress(raw, 6)],
            )
        return digest

    def get_blob(self, sha256: str) -> bytes | None:
        row = self._one("SELECT codec, data FROM blobs WHERE sha256 = ?", [sha256])
        if row is None:
            return None
        if row["codec"] != "zlib":
            raise ValueError(f"blob {sha256}: unknown codec {row['codec']!r}")
        return zlib.decompress(row["data"])

    def add_snapshot(
        self,
        document_id: int,
        raw: bytes,
        *,
        captured_at: datetime | str,
        source: str,
        url: str | None = None,
        status: int | None = 200,
        content_type: str | None = None,
        headers: dict | None = None,
        digest: str | None = None,
    ) -> tuple[dict, bool]:
        """Store a capture (blob first); (snapshot row, whether it is new)."""
        if source not in SOURCES:
            raise ValueError(f"unknown snapshot source {source!r}")
        with self.write() as db:
            sha = self.put_blob(raw)
            key = [document_id, source, utc_iso(captured_at), sha]
            cursor = db.execute(
                "INSERT OR IGNORE INTO snapshots (document_id, source, captured_at, blob_sha256,"
                " url, status, content_type, headers, digest, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    *key,
                    url,
                    status,
                    content_type,
                    json.dumps(headers or {}, sort_keys=True),
                    digest,
                    utc_iso(),
                ],
            )
            created = cursor.rowcount == 1
            row = next(
                db.query(
                    "SELECT * FROM snapshots WHERE document_id = ? AND source = ?"
                    " AND captured_at = ? AND blob_sha256 = ?",
                    key,
                )
            )
            return _decode(dict(row), "headers"), created

    def get_snapshot(self, snapshot_id: int) -> dict | None:
        return self._one("SELECT * FROM snapshots WHERE id = ?", [snapshot_id], "headers")

    def snapshots_of_document(self, document_id: int) -> list[dict]:
        """All snapshots of a document in capture-time order."""
        return self._all(
            "SELECT * FROM snapshots WHERE document_id = ? ORDER BY captured_at, id",
            [document_id],
            "headers",
        )

    def mark_snapshot(
        self, snapshot_id: int, *, version_id: int | None, error: str | None = None
    ) -> None:
        """Record the outcome of processing: its version, or why there is none."""
        with self.write() as db:
            db.execute(
                "UPDATE snapshots SET version_id = ?, error = ?, processed_at = ? WHERE id = ?",
                [version_id, error, utc_iso(), snapshot_id],
            )

    # -- versions -----------------------------------------------------------------------

    def upsert_version(self, document_id: int, text_hash: str, policy: dict) -> tuple[int, bool]:
        """The version with this normalized text, created with its clauses if new.

        `policy` is `PolicyDocument.to_dict()`. Returns (version id, created).
        """
        with self.write() as db:
            existing = list(
                db.query(
                    "SELECT id FROM versions WHERE document_id = ? AND text_hash = ?",
                    [document_id, text_hash],
                )
            )
            if existing:
                return existing[0]["id"], False
            cursor = db.execute(
                "INSERT INTO versions (document_id, text_hash, clauses, title, effective_date,"
                " language, format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    document_id,
                    text_hash,
                    json.dumps(policy["clauses"], ensure_ascii=False),
                    policy.get("title"),
                    policy.get("effective_date"),
                    policy.get("language"),
                    policy.get("format"),
                    utc_iso(),
                ],
            )
            version_id = cursor.lastrowid
            self._insert_clauses(db, version_id, policy["clauses"])
            return version_id, True

    def version_by_hash(self, document_id: int, text_hash: str) -> dict | None:
        return self._one(
            "SELECT id, text_hash FROM versions WHERE document_id = ? AND text_hash = ?",
            [document_id, text_hash],
        )

    def version_texts(self, document_id: int, *, except_prefix: str = "") -> list[dict]:
        """A document's versions with their clauses (id, text_hash, clauses), leaving out
        those whose text_hash starts with `except_prefix`."""
        return self._all(
            "SELECT id, text_hash, clauses FROM versions WHERE document_id = ?"
            " AND (? = '' OR substr(text_hash, 1, length(?)) != ?) ORDER BY id",
            [document_id, except_prefix, except_prefix, except_prefix],
            "clauses",
        )

    def set_version_hash(self, version_id: int, text_hash: str) -> None:
        """Re-key a version whose text_hash was made by an older identity (same text)."""
        with self.write() as db:
            db.execute("UPDATE versions SET text_hash = ? WHERE id = ?", [text_hash, version_id])

    def rewrite_version(self, version_id: int, text_hash: str, policy: dict) -> None:
        """Give an existing version new text in place (reprocess): its id stays."""
        with self.write() as db:
            db.execute(
                "UPDATE versions SET text_hash = ?, clauses = ?, title = ?, effective_date = ?,"
                " language = ?, format = ? WHERE id = ?",
                [
                    text_hash,
                    json.dumps(policy["clauses"], ensure_ascii=False),
                    policy.get("title"),
                    policy.get("effective_date"),
                    policy.get("language"),
                    policy.get("format"),
                    version_id,
                ],
            )
            db.execute("DELETE FROM clauses WHERE version_id = ?", [version_id])
            self._insert_clauses(db, version_id, policy["clauses"])

    def release_version_hashes(self, document_id: int) -> None:
        """Park every version's text_hash on a unique placeholder while a reprocess reassigns them."""
        with self.write() as db:
            db.execute(
                "UPDATE versions SET text_hash = 'reprocess:' || id WHERE document_id = ?",
                [document_id],
            )

    def _insert_clauses(self, db: Database, version_id: int, clauses: list[dict]) -> None:
        db["clauses"].insert_all(
            (
                {
                    "version_id": version_id,
                    "position": i,
                    "section": " > ".join(c["section"]),
                    "kind": c["kind"],
                    "text": c["text"],
                }
                for i, c in enumerate(clauses)
            ),
            batch_size=500,
        )

    def refresh_version_spans(self, document_id: int) -> None:
        """Recount each version's snapshots and first/last capture times."""
        with self.write() as db:
            db.execute(
                "UPDATE versions SET"
                " snapshot_count = (SELECT count(*) FROM snapshots s WHERE s.version_id = versions.id),"
                " first_captured_at = (SELECT min(captured_at) FROM snapshots s"
                "   WHERE s.version_id = versions.id),"
                " last_captured_at = (SELECT max(captured_at) FROM snapshots s"
                "   WHERE s.version_id = versions.id)"
                " WHERE document_id = ?",
                [document_id],
            )

    def delete_orphan_versions(self, document_id: int) -> int:
        """Drop versions no snapshot and no change points at (after a reprocess)."""
        with self.write() as db:
            orphans = [
                r["id"]
                for r in db.query(
                    "SELECT id FROM versions v WHERE document_id = ?"
                    " AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.version_id = v.id)"
                    " AND NOT EXISTS (SELECT 1 FROM changes c"
                    "   WHERE c.from_version_id = v.id OR c.to_version_id = v.id)",
                    [document_id],
                )
            ]
            for vid in orphans:
                db.execute("DELETE FROM clauses WHERE version_id = ?", [vid])
                db.execute("DELETE FROM versions WHERE id = ?", [vid])
            return len(orphans)

    def get_version(self, version_id: int) -> dict | None:
        """A version with its clauses (list of {section, kind, text})."""
        return self._one("SELECT * FROM versions WHERE id = ?", [version_id], "clauses")

    def versions_of_document(self, document_id: int) -> list[dict]:
        """Versions in order of first capture, without their clauses."""
        return self._all(
            "SELECT id, document_id, text_hash, title, effective_date, language, format,"
            " first_captured_at, last_captured_at, snapshot_count, created_at,"
            " json_array_length(clauses) AS clause_count"
            " FROM versions WHERE document_id = ? ORDER BY first_captured_at, id",
            [document_id],
        )

    # -- changes ------------------------------------------------------------------------

    _CHANGE_JSON = ("categories", "comparison")
    _CHANGE_SELECT = (
        "SELECT c.*, d.url AS document_url, d.kind AS document_kind, s.site, s.site_hash"
        " FROM changes c JOIN documents d ON d.id = c.document_id"
        " JOIN sites s ON s.id = d.site_id"
    )

    def insert_change(self, change: dict) -> int:
        """A new change row; its id is the next feed cursor."""
        row = dict(change)
        row.setdefault("detected_at", utc_iso())
        if row.get("origin") not in ORIGINS:
            raise ValueError(f"unknown change origin {row.get('origin')!r}")
        row["categories"] = json.dumps(list(row.get("categories") or []))
        row["comparison"] = json.dumps(row.get("comparison"), ensure_ascii=False)
        row["material"] = int(bool(row.get("material")))
        with self.write() as db:
            return db["changes"].insert(row).last_pk

    def update_change(self, change_id: int, **fields: Any) -> None:
        """Amend a change in place: it keeps its id (feed position) and detected_at."""
        if "categories" in fields:
            fields["categories"] = json.dumps(list(fields["categories"] or []))
        if "comparison" in fields:
            fields["comparison"] = json.dumps(fields["comparison"], ensure_ascii=False)
        if "material" in fields:
            fields["material"] = int(bool(fields["material"]))
        with self.write() as db:
            db["changes"].update(change_id, fields)

    def delete_change(self, change_id: int) -> None:
        with self.write() as db:
            db.execute("DELETE FROM changes WHERE id = ?", [change_id])

    def change_by_id(self, change_id: int) -> dict | None:
        return self._one(self._CHANGE_SELECT + " WHERE c.id = ?", [change_id], *self._CHANGE_JSON)

    def changes_of_document(self, document_id: int) -> list[dict]:
        """A document's changes in capture-time order."""
        return self._all(
            self._CHANGE_SELECT + " WHERE c.document_id = ? ORDER BY c.to_captured_at, c.id",
            [document_id],
            *self._CHANGE_JSON,
        )

    def changes_after(
        self,
        cursor: int = 0,
        *,
        buckets: Sequence[str] | None = None,
        material: bool | None = None,
        category: str | None = None,
        origins: Sequence[str] | None = None,
        site_id: int | None = None,
        limit: int = 100,
    ) -> list[dict]:
        """The feed: changes with id > cursor, oldest first.

        `buckets` are site_hash prefixes (any length); `origins` narrows to e.g.
        ANNOUNCED_ORIGINS for notifications.
        """
        where = ["c.id > ?"]
        params: list[Any] = [cursor]
        if buckets is not None:
            buckets = [b.lower() for b in buckets if b]
            if not buckets:
                return []
            where.append("(" + " OR ".join("substr(s.site_hash, 1, ?) = ?" for _ in buckets) + ")")
            for b in buckets:
                params += [len(b), b]
        if material is not None:
            where.append("c.material = ?")
            params.append(int(material))
        if category is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(c.categories) WHERE value = ?)")
            params.append(category)
        if origins is not None:
            where.append(f"c.origin IN ({', '.join('?' for _ in origins)})")
            params += list(origins)
        if site_id is not None:
            where.append("d.site_id = ?")
            params.append(site_id)
        params.append(limit)
        return self._all(
            self._CHANGE_SELECT + " WHERE " + " AND ".join(where) + " ORDER BY c.id LIMIT ?",
            params,
            *self._CHANGE_JSON,
        )

    def last_change_id(self) -> int:
        row = self._one("SELECT max(id) AS m FROM changes")
        return row["m"] or 0 if row else 0

    # -- the diff viewer's reads -------------------------------------------------------

    def recent_changes(self, *, material: bool | None = None, limit: int = 20) -> list[dict]:
        """Changes across all sites, the latest capture first (history included)."""
        # Only sites anyone may see (db.reads.PUBLIC_STATE): the viewer's home is public.
        states = ", ".join("?" for _ in CHECKED_SITE_STATES)
        where, params = f" WHERE s.state IN ({states})", list(CHECKED_SITE_STATES)
        if material is not None:
            where += " AND c.material = ?"
            params.append(int(material))
        return self._all(
            self._CHANGE_SELECT + where + " ORDER BY c.to_captured_at DESC, c.id DESC LIMIT ?",
            [*params, limit],
            *self._CHANGE_JSON,
        )

    def version_sizes(self, document_id: int) -> dict[int, dict]:
        """{version id: {"words": approximate word count, "bytes": its first capture's size}}."""
        rows = self._all(
            "SELECT v.id,"
            " (SELECT sum(length(trim(cl.text)) - length(replace(trim(cl.text), ' ', '')) + 1)"
            "   FROM clauses cl WHERE cl.version_id = v.id) AS words,"
            " (SELECT b.size FROM snapshots s JOIN blobs b ON b.sha256 = s.blob_sha256"
            "   WHERE s.version_id = v.id ORDER BY s.captured_at, s.id LIMIT 1) AS bytes"
            " FROM versions v WHERE v.document_id = ?",
            [document_id],
        )
        return {r["id"]: {"words": r["words"] or 0, "bytes": r["bytes"]} for r in rows}

    # -- search -------------------------------------------------------------------------

    def search_clauses(self, q: str, *, limit: int = 50) -> list[dict]:
        """Clauses matching a full-text query, each with its version, document and site
        (public sites only: search is public).

        The query is taken as words (all must match), not FTS syntax, so any input is safe.
        """
        words = [w for w in "".join(ch if ch.isalnum() else " " for ch in q).split() if w]
        if not words:
            return []
        match = " ".join(f'"{w}"' for w in words)
        return self._all(
            "SELECT cl.version_id, cl.position, cl.section, cl.kind, cl.text,"
            " snippet(clauses_fts, 0, '[', ']', '…', 12) AS snippet,"
            " v.document_id, v.first_captured_at, v.last_captured_at, s.site, d.url"
            " FROM clauses_fts JOIN clauses cl ON cl.rowid = clauses_fts.rowid"
            " JOIN versions v ON v.id = cl.version_id"
            " JOIN documents d ON d.id = v.document_id JOIN sites s ON s.id = d.site_id"
            " WHERE clauses_fts MATCH ? AND s.state IN ({}) ORDER BY rank LIMIT ?".format(
                ", ".join("?" for _ in CHECKED_SITE_STATES)
            ),
            [match, *CHECKED_SITE_STATES, limit],
        )

    # -- backfill progress --------------------------------------------------------------

    def add_backfill_captures(self, document_id: int, captures: Sequence[dict]) -> None:
        """Remember a CDX listing (timestamp, original, digest, mimetype, length)."""
        with self.write() as db:
            db.conn.executemany(
                "INSERT OR IGNORE INTO backfill_captures"
                " (document_id, timestamp, original, digest, mimetype, length)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        document_id,
                        c["timestamp"],
                        c["original"],
                        c["digest"],
                        c.get("mimetype"),
                        c.get("length"),
                    )
                    for c in captures
                ],
            )

    def backfill_captures(
        self, document_id: int, since: str | None = None, until: str | None = None
    ) -> list[dict]:
        """Remembered captures in time order; since/until are timestamp prefixes."""
        where, params = ["document_id = ?"], [document_id]
        if since:
            where.append("timestamp >= ?")
            params.append(since)
        if until:
            where.append("timestamp <= ?")
            params.append(until + "99999999999999"[len(until) :])
        return self._all(
            "SELECT * FROM backfill_captures WHERE " + " AND ".join(where) + " ORDER BY timestamp",
            params,
        )

    def mark_backfill_capture(
        self,
        capture_id: int,
        *,
        text_hash: str,
        snapshot_id: int | None,
        error: str | None = None,
    ) -> None:
        with self.write() as db:
            db.execute(
                "UPDATE backfill_captures SET fetched_at = ?, text_hash = ?, snapshot_id = ?,"
                " error = ? WHERE id = ?",
                [utc_iso(), text_hash, snapshot_id, error, capture_id],
            )

    def sync_backfill_hashes(self, document_id: int) -> None:
        """Re-derive a backfill's remembered text hashes from its snapshots (after reprocess)."""
        with self.write() as db:
            db.execute(
                "UPDATE backfill_captures SET text_hash = coalesce((SELECT v.text_hash"
                " FROM snapshots s JOIN versions v ON v.id = s.version_id"
                " WHERE s.id = backfill_captures.snapshot_id), '')"
                " WHERE document_id = ? AND snapshot_id IS NOT NULL",
                [document_id],
            )

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and tests."""
        tables = ("sites", "documents", "blobs", "snapshots", "versions", "changes", "clauses")
        return {t: self._one(f"SELECT count(*) AS n FROM {t}")["n"] for t in tables}
