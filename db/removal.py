"""Removing what a person no longer wants tracked: a document, or a site with all of it.

A document's rows hang off it by foreign keys (versions, their clauses, snapshots, changes,
backfill progress); they go in one write transaction, children first, so a crash leaves
either everything or nothing. Blobs are shared by content hash and stay: `blobs` is an
append-only cache of bodies, never read without a snapshot naming it.
"""

from __future__ import annotations

from db.store import Store


def remove_document(store: Store, document_id: int) -> None:
    """Delete one document and everything recorded about it."""
    with store.write() as db:
        versions = "SELECT id FROM versions WHERE document_id = ?"
        db.execute(f"DELETE FROM clauses WHERE version_id IN ({versions})", [document_id])
        db.execute("DELETE FROM changes WHERE document_id = ?", [document_id])
        db.execute("DELETE FROM backfill_captures WHERE document_id = ?", [document_id])
        db.execute("DELETE FROM snapshots WHERE document_id = ?", [document_id])
        db.execute("DELETE FROM versions WHERE document_id = ?", [document_id])
        # A request that admitted this document is history, not a reference to keep alive.
        db.execute(
            "UPDATE document_requests SET document_id = NULL WHERE document_id = ?", [document_id]
        )
        db.execute("DELETE FROM documents WHERE id = ?", [document_id])


def remove_site(store: Store, site_id: int) -> None:
    """Delete a site, its documents (as remove_document does) and its tracking requests."""
    with store.write() as db:
        for row in list(db.query("SELECT id FROM documents WHERE site_id = ?", [site_id])):
            remove_document(store, row["id"])
        db.execute("DELETE FROM document_requests WHERE site_id = ?", [site_id])
        db.execute("DELETE FROM sites WHERE id = ?", [site_id])
