"""Blobs and snapshots: raw bytes stored once by sha256 (zlib), and each capture of a
document that points at them.

A part of `db.store.Store` (one class a concern); see db/__init__.py for the whole API.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from typing import Any, cast

from db.connection import Connections
from db.rows import SOURCES, SnapshotRow, decode_row, utc_iso


class Snapshots(Connections):
    """Blobs and snapshots."""

    def put_blob(self, raw: bytes) -> str:
        """Store bytes once, compressed; their sha256 hex."""
        digest = hashlib.sha256(raw).hexdigest()
        with self.write() as db:
            # Bytes whose body was pruned (db.retention) are whole again when fetched again.
            db.execute(
                "INSERT INTO blobs (sha256, codec, size, data) VALUES (?, 'zlib', ?, ?)"
                " ON CONFLICT (sha256) DO UPDATE SET codec = excluded.codec, data = excluded.data"
                " WHERE codec = 'pruned'",
                [digest, len(raw), zlib.compress(raw, 6)],
            )
        return digest

    def get_blob(self, sha256: str) -> bytes | None:
        """The raw bytes; None for an unknown blob or one whose body was pruned."""
        row = self._one("SELECT codec, data FROM blobs WHERE sha256 = ?", [sha256])
        if row is None or row["codec"] == "pruned":
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
        headers: dict[str, str] | None = None,
        digest: str | None = None,
    ) -> tuple[SnapshotRow, bool]:
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
            return cast(SnapshotRow, decode_row(dict(row), "headers")), created

    def get_snapshot(self, snapshot_id: int) -> SnapshotRow | None:
        row = self._one("SELECT * FROM snapshots WHERE id = ?", [snapshot_id], "headers")
        return cast(SnapshotRow | None, row)

    def snapshots_of_document(self, document_id: int) -> list[SnapshotRow]:
        """All snapshots of a document in capture-time order."""
        rows = self._all(
            "SELECT * FROM snapshots WHERE document_id = ? ORDER BY captured_at, id",
            [document_id],
            "headers",
        )
        return cast(list[SnapshotRow], rows)

    def mark_snapshot(
        self, snapshot_id: int, *, version_id: int | None, error: str | None = None
    ) -> None:
        """Record the outcome of processing: its version, or why there is none."""
        with self.write() as db:
            db.execute(
                "UPDATE snapshots SET version_id = ?, error = ?, processed_at = ? WHERE id = ?",
                [version_id, error, utc_iso(), snapshot_id],
            )

    def latest_snapshot(
        self, document_id: int, *, error_prefix: str | None = None
    ) -> SnapshotRow | None:
        """The document's latest capture (optionally: the latest whose error starts so)."""
        where = "document_id = ?"
        params: list[Any] = [document_id]
        if error_prefix is not None:
            where += " AND substr(error, 1, ?) = ?"
            params += [len(error_prefix), error_prefix]
        row = self._one(
            f"SELECT * FROM snapshots WHERE {where} ORDER BY captured_at DESC, id DESC LIMIT 1",
            params,
            "headers",
        )
        return cast(SnapshotRow | None, row)
