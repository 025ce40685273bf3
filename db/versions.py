"""Versions and their clauses: each distinct extracted text of a document, its clauses
(with full-text search), and which version a capture is judged against.

A part of `db.store.Store` (one class a concern); see db/__init__.py for the whole API.
"""

from __future__ import annotations

import json
from typing import Any, cast

from sqlite_utils import Database

from db.connection import Connections
from db.rows import (
    CHECKED_SITE_STATES,
    SECTION_SEPARATOR,
    ClauseRow,
    PolicyFields,
    VersionKey,
    VersionRow,
    VersionSummary,
    VersionText,
    utc_iso,
)


def _version_fields(policy: PolicyFields) -> list[Any]:
    """clauses, title, effective_date, language, format: a version's columns from its text."""
    clauses = json.dumps(policy["clauses"], ensure_ascii=False)
    return [clauses, *(policy.get(k) for k in ("title", "effective_date", "language", "format"))]


class Versions(Connections):
    """Versions, clauses and clause search."""

    def upsert_version(
        self, document_id: int, text_hash: str, policy: PolicyFields
    ) -> tuple[int, bool]:
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
                return int(existing[0]["id"]), False
            cursor = db.execute(
                "INSERT INTO versions (document_id, text_hash, clauses, title, effective_date,"
                " language, format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, text_hash, *_version_fields(policy), utc_iso()],
            )
            version_id = cursor.lastrowid
            assert version_id is not None  # an INSERT's rowid
            self._insert_clauses(db, version_id, policy["clauses"])
            return version_id, True

    def version_by_hash(self, document_id: int, text_hash: str) -> VersionKey | None:
        row = self._one(
            "SELECT id, text_hash FROM versions WHERE document_id = ? AND text_hash = ?",
            [document_id, text_hash],
        )
        return cast(VersionKey | None, row)

    def version_texts(self, document_id: int, *, except_prefix: str = "") -> list[VersionText]:
        """A document's versions with their clauses (id, text_hash, clauses), leaving out
        those whose text_hash starts with `except_prefix`."""
        rows = self._all(
            "SELECT id, text_hash, clauses FROM versions WHERE document_id = ?"
            " AND (? = '' OR substr(text_hash, 1, length(?)) != ?) ORDER BY id",
            [document_id, except_prefix, except_prefix, except_prefix],
            "clauses",
        )
        return cast(list[VersionText], rows)

    def set_version_hash(self, version_id: int, text_hash: str) -> None:
        """Re-key a version whose text_hash was made by an older identity (same text)."""
        with self.write() as db:
            db.execute("UPDATE versions SET text_hash = ? WHERE id = ?", [text_hash, version_id])

    def rewrite_version(self, version_id: int, text_hash: str, policy: PolicyFields) -> None:
        """Give an existing version new text in place (reprocess): its id stays."""
        fields = _version_fields(policy)
        with self.write() as db:
            stored = db.execute(
                "SELECT clauses, title, effective_date, language, format FROM versions"
                " WHERE id = ?",
                [version_id],
            ).fetchone()
            if stored is not None and list(stored) == fields:
                # The text is unchanged (what a reprocess mostly finds): only its key moves.
                # Deleting and re-inserting the same clauses, and their search index rows,
                # was most of the single writer's time, which caps `reprocess --jobs N`.
                db.execute(
                    "UPDATE versions SET text_hash = ? WHERE id = ?", [text_hash, version_id]
                )
                return
            db.execute(
                "UPDATE versions SET text_hash = ?, clauses = ?, title = ?, effective_date = ?,"
                " language = ?, format = ? WHERE id = ?",
                [text_hash, *fields, version_id],
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

    def _insert_clauses(self, db: Database, version_id: int, clauses: list[ClauseRow]) -> None:
        db.table("clauses").insert_all(
            (
                {
                    "version_id": version_id,
                    "position": i,
                    "section": SECTION_SEPARATOR.join(c["section"]),
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

    def get_version(self, version_id: int) -> VersionRow | None:
        """A version with its clauses (list of {section, kind, text})."""
        row = self._one("SELECT * FROM versions WHERE id = ?", [version_id], "clauses")
        return cast(VersionRow | None, row)

    def versions_of_document(self, document_id: int) -> list[VersionSummary]:
        """Versions in order of first capture, without their clauses."""
        rows = self._all(
            "SELECT id, document_id, text_hash, title, effective_date, language, format,"
            " first_captured_at, last_captured_at, snapshot_count, created_at,"
            " json_array_length(clauses) AS clause_count"
            " FROM versions WHERE document_id = ? ORDER BY first_captured_at, id",
            [document_id],
        )
        return cast(list[VersionSummary], rows)

    def current_version(self, document_id: int) -> VersionRow | None:
        """The version (with clauses) of the document's latest capture that has one."""
        row = self._one(
            "SELECT v.* FROM snapshots s JOIN versions v ON v.id = s.version_id"
            " WHERE s.document_id = ? ORDER BY s.captured_at DESC, s.id DESC LIMIT 1",
            [document_id],
            "clauses",
        )
        return cast(VersionRow | None, row)

    def reference_version(self, document_id: int, captured_at: str) -> VersionRow | None:
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
                return cast(VersionRow, row)
        return None

    def version_sizes(self, document_id: int) -> dict[int, dict[str, int | None]]:
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

    def search_clauses(self, q: str, *, limit: int = 50) -> list[dict[str, Any]]:
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
