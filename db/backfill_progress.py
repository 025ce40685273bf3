"""A backfill's progress: the CDX listing it works through and what each capture gave,
so that an interrupted backfill resumes where it stopped.

A part of `db.store.Store` (one class a concern); see db/__init__.py for the whole API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from db.connection import Connections
from db.rows import utc_iso


class BackfillProgress(Connections):
    """A backfill's remembered captures."""

    def add_backfill_captures(
        self, document_id: int, captures: Sequence[Mapping[str, Any]]
    ) -> None:
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
    ) -> list[dict[str, Any]]:
        """Remembered captures in time order; since/until are timestamp prefixes."""
        where = ["document_id = ?"]
        params: list[Any] = [document_id]
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
