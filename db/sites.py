"""Sites and their documents: what is tracked, where, in what state; and the
scheduler's claims on documents that are due.

A part of `db.store.Store` (one class a concern); see db/__init__.py for the whole API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from db.connection import Connections
from db.rows import (
    CHECKED_SITE_STATES,
    RENDER_MODES,
    Document,
    DocumentRow,
    SiteRow,
    site_hash,
    utc_iso,
)


class SitesAndDocuments(Connections):
    """Sites, documents, and the scheduler's claims."""

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
            "render_fingerprint",
        }
    )

    def add_site(self, site: str) -> SiteRow:
        """The site row, created `tracked` if new (idempotent; an existing row keeps its state)."""
        site = site.lower().strip(".")
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO sites (site, site_hash, state, created_at)"
                " VALUES (?, ?, 'tracked', ?)",
                [site, site_hash(site), utc_iso()],
            )
            return cast(SiteRow, next(db.query("SELECT * FROM sites WHERE site = ?", [site])))

    def get_site(self, site: str | int) -> SiteRow | None:
        """By id, or by registrable domain."""
        if isinstance(site, int):
            return cast(SiteRow | None, self._one("SELECT * FROM sites WHERE id = ?", [site]))
        row = self._one("SELECT * FROM sites WHERE site = ?", [site.lower().strip(".")])
        return cast(SiteRow | None, row)

    def list_sites(self) -> list[SiteRow]:
        return cast(list[SiteRow], self._all("SELECT * FROM sites ORDER BY site"))

    def add_document(
        self,
        site_id: int,
        url: str,
        *,
        kind: str = "privacy",
        selector: str | None = None,
        render: str | None = None,
    ) -> DocumentRow:
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
                    "UPDATE documents SET render = ?, render_decision = NULL, render_reason = NULL,"
                    " render_fingerprint = NULL"
                    " WHERE site_id = ? AND kind = ? AND url = ? AND render != ?",
                    [render, site_id, kind, url, render],
                )
            row = next(
                db.query(
                    "SELECT * FROM documents WHERE site_id = ? AND kind = ? AND url = ?",
                    [site_id, kind, url],
                )
            )
            return cast(DocumentRow, row)

    def get_document(self, document_id: int) -> Document | None:
        row = self._one(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id WHERE d.id = ?",
            [document_id],
        )
        return cast(Document | None, row)

    def documents_of_site(self, site_id: int) -> list[Document]:
        return self._documents(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            " WHERE d.site_id = ? ORDER BY d.id",
            [site_id],
        )

    def documents_by_url(self, url: str) -> list[Document]:
        return self._documents(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            " WHERE d.url = ? ORDER BY d.id",
            [url],
        )

    def list_documents(self) -> list[Document]:
        return self._documents(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id ORDER BY d.id"
        )

    def _documents(self, sql: str, params: list[Any] | None = None) -> list[Document]:
        return cast(list[Document], self._all(sql, params or []))

    def update_document(self, document_id: int, **fields: Any) -> None:
        """Set the scheduler's state of a document (status, etag, next_check_at, ...)."""
        unknown = set(fields) - self._DOCUMENT_STATE
        if unknown:
            raise ValueError(f"not document state: {sorted(unknown)}")
        if not fields:
            return
        values = {k: utc_iso(v) if isinstance(v, datetime) else v for k, v in fields.items()}
        with self.write() as db:
            db.table("documents").update(document_id, values)

    def sites_in_state(self, state: str) -> list[SiteRow]:
        """Sites in one state, oldest first (the tracking worker asks for 'pending')."""
        rows = self._all("SELECT * FROM sites WHERE state = ? ORDER BY id", [state])
        return cast(list[SiteRow], rows)

    def set_site_state(self, site_id: int, state: str, detail: str | None = None) -> None:
        """A site's state and why (e.g. 'failed', 'no privacy policy found')."""
        with self.write() as db:
            db.execute(
                "UPDATE sites SET state = ?, state_detail = ? WHERE id = ?",
                [state, detail, site_id],
            )

    def checkable_documents_due(
        self, now: datetime | str, *, limit: int | None = None
    ) -> list[Document]:
        """Documents of sites the monitor checks (CHECKED_SITE_STATES) whose next check is due
        (or never scheduled), soonest first."""
        states = ", ".join("?" for _ in CHECKED_SITE_STATES)
        return self._documents(
            "SELECT d.*, s.site FROM documents d JOIN sites s ON s.id = d.site_id"
            f" WHERE s.state IN ({states}) AND (d.next_check_at IS NULL OR d.next_check_at <= ?)"
            " ORDER BY d.next_check_at IS NOT NULL, d.next_check_at, d.id LIMIT ?",
            [*CHECKED_SITE_STATES, utc_iso(now), -1 if limit is None else limit],
        )

    def claim_document(
        self, document_id: int, *, now: datetime | str, until: datetime | str, force: bool = False
    ) -> Document | None:
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
