"""Retention of raw captures: keep both ends of every run of one text, drop the middle.

A server that varies its bytes on every request (a nonce, a timestamp, a rotated ad) makes
every daily check of an unchanged policy a new raw body, about 30 KB compressed each
(bench/scale.py), which is most of a document's disk over a year. The rule, opt-in
(`clausewatch prune`, settings.keep_raw = "run-ends"):

- Along a document's versioned snapshots in capture order, a *run* is a stretch of one
  version. Its first and last captures keep their raw bodies, so every version can still be
  rebuilt from raw bytes and every boundary of the timeline (the last capture before a
  change, the first after it) stays backed by them, as Open Terms Archive keeps snapshots
  to rebuild versions from.
- A live capture in the middle of a run loses its raw body; the snapshot row stays (time,
  HTTP status, URL, the sha256 of the bytes fetched), so the history of checks and
  `reprocess` still work: a pruned check reads as the text before it (monitor.reprocess).
- Never pruned: a capture without a version (an error, a page that is not the policy, one
  held back, one not yet processed: a better extractor may still read it), a Wayback
  capture (backfill reuses their bytes by digest), and bytes another kept snapshot shares.

A pruned blob keeps its row (sha256, size) with codec `pruned` and no data, so snapshots
keep their reference; `Store.get_blob` answers None for it, and the same bytes fetched
again are stored whole again. The pages freed are reused by SQLite for later writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.rows import SnapshotRow

if TYPE_CHECKING:
    from db.store import Store

PRUNED_CODEC = "pruned"
KEEP_RAW = ("all", "run-ends")  # settings.keep_raw: every raw body, or the ends of each run
PRUNABLE_SOURCES = ("live", "live-rendered")


@dataclass
class Pruned:
    documents: int = 0  # documents looked at
    snapshots: int = 0  # snapshots whose raw body is gone now
    blobs: int = 0
    bytes: int = 0  # compressed bytes freed


def prunable(snapshots: Iterable[SnapshotRow]) -> list[int]:
    """Ids of the snapshots of one document whose raw body may go (pure): live captures
    with the same version on both sides along the versioned captures in capture order."""
    versioned = [
        s
        for s in sorted(snapshots, key=lambda s: (s["captured_at"], s["id"]))
        if s.get("version_id") is not None
    ]
    return [
        snap["id"]
        for prev, snap, nxt in zip(versioned, versioned[1:], versioned[2:], strict=False)
        if prev["version_id"] == snap["version_id"] == nxt["version_id"]
        and snap["source"] in PRUNABLE_SOURCES
    ]


def prune_document(store: Store, document_id: int, report: Pruned | None = None) -> Pruned:
    """Drop the raw bodies `prunable` names for one document, in one write transaction."""
    report = report or Pruned()
    report.documents += 1
    with store.write() as db:
        snapshots = store.snapshots_of_document(document_id)
        candidates = set(prunable(snapshots))
        shas = {s["blob_sha256"] for s in snapshots if s["id"] in candidates}
        for sha in sorted(shas):
            holders = {
                r[0] for r in db.execute("SELECT id FROM snapshots WHERE blob_sha256 = ?", [sha])
            }
            if not holders <= candidates:
                continue  # bytes a kept capture (of any document) also points at
            row = db.execute(
                "SELECT length(data), size FROM blobs WHERE sha256 = ? AND codec != ?",
                [sha, PRUNED_CODEC],
            ).fetchone()
            if row is None:
                continue  # pruned before
            stored, size = row
            # Deleted and written again as a stub rather than updated in place: a large
            # blob's cell fills most of a B-tree page, which an update that shrinks it leaves
            # allocated (4 KB kept per pruned check, bench/scale.py); a delete lets SQLite
            # rebalance the emptied page away. The snapshots' foreign keys are checked at
            # commit (defer_foreign_keys resets itself then), when the stub is back.
            db.execute("PRAGMA defer_foreign_keys = ON")
            db.execute("DELETE FROM blobs WHERE sha256 = ?", [sha])
            db.execute(
                "INSERT INTO blobs (sha256, codec, size, data) VALUES (?, ?, ?, x'')",
                [sha, PRUNED_CODEC, size],
            )
            report.blobs += 1
            report.bytes += stored
            report.snapshots += len(holders)
    return report


def documents_checked_after(
    store: Store, after: int, limit: int, *, scan: int | None = None
) -> tuple[list[int], int]:
    """Up to `limit` documents with a snapshot whose id is past `after`, taken in snapshot id
    order, and the snapshot id to pass as `after` next time: only these can have a prunable
    check that was not prunable at the last run (a run grows only by a new capture), so
    `serve` prunes them a batch at a time (monitor.pruning). At most `scan` snapshot rows are
    read (default 20 x limit): a batch costs the same whatever the store's size."""
    scan = scan or 20 * limit
    rows = store.reading().execute(
        "SELECT id, document_id FROM snapshots WHERE id > ? ORDER BY id LIMIT ?", [after, scan]
    )
    documents: dict[int, None] = {}
    cursor = after
    for snapshot_id, document_id in rows:
        if document_id not in documents and len(documents) == limit:
            break  # this snapshot's document is the next batch's first
        documents[document_id] = None
        cursor = snapshot_id
    return sorted(documents), cursor


def prune(store: Store, document_ids: list[int] | None = None) -> Pruned:
    """Apply the rule to the given documents (all when None), one transaction each, so a
    live monitor writing meanwhile waits for one document at most."""
    report = Pruned()
    if document_ids is None:
        document_ids = [r[0] for r in store.reader.execute("SELECT id FROM documents ORDER BY id")]
    for document_id in document_ids:
        prune_document(store, document_id, report)
    return report
