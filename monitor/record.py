"""Recording: a capture becomes a snapshot, then (maybe) a version, then (maybe) changes.

This is the I/O edge between the store and the pure stages. The order is what keeps the
invariants of DESIGN.md: the snapshot (and its blob) is committed *before* anything is
extracted, so a crash or an extractor bug never loses a capture; processing then runs in
one transaction, so the store is never half-processed.

Changes are between consecutive versions in *capture time* order, not arrival order: the
timeline is recomputed from the document's snapshots and reconciled with the stored
changes. A capture landing between two known versions A and C therefore replaces the
change A->C by A->B and B->C. A stored change is identified by (from version, to version,
occurrence) - occurrence counts repeats of one pair after reverts - and keeps its id and
detected_at for as long as that identity is on the timeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db import Store
from monitor.model import ExtractionError, PolicyDocument

ORIGIN_OF_SOURCE = {
    "live": "live",
    "wayback": "backfill",
    "live-rendered": "live",
    "wayback-rendered": "backfill",
}


@dataclass(frozen=True)
class Pipeline:
    """The pure stages recording uses; the real ones unless a caller injects others."""

    extract: Callable[[bytes, str | None, str | None], PolicyDocument]
    compare: Callable[[PolicyDocument, PolicyDocument], Any]

    @classmethod
    def default(cls) -> Pipeline:
        # Imported here so the store and the Wayback client work while these stages are
        # still being built, and so importing this module stays cheap.
        from monitor.compare import compare
        from monitor.extract import extract

        return cls(extract=extract, compare=compare)


@dataclass(frozen=True)
class Boundary:
    """One place on the timeline where the version changes."""

    from_version_id: int
    to_version_id: int
    occurrence: int
    from_captured_at: str
    to_captured_at: str
    to_snapshot_id: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.from_version_id, self.to_version_id, self.occurrence)


@dataclass
class Recorded:
    """What recording one capture did."""

    snapshot_id: int
    new_snapshot: bool
    version_id: int | None = None
    new_version: bool = False
    text_hash: str | None = None
    error: str | None = None
    changes_added: list[int] = field(default_factory=list)
    changes_removed: list[int] = field(default_factory=list)


def text_hash(doc: PolicyDocument) -> str:
    return hashlib.sha256(doc.normalized_text().encode("utf-8")).hexdigest()


def timeline(snapshots: Iterable[dict]) -> list[Boundary]:
    """The version changes along snapshots sorted by capture time (pure).

    Snapshots without a version (failed extraction, not yet processed) are skipped: they
    say nothing about the text.
    """
    out: list[Boundary] = []
    seen: dict[tuple[int, int], int] = {}
    prev: dict | None = None
    for snap in sorted(snapshots, key=lambda s: (s["captured_at"], s["id"])):
        if snap.get("version_id") is None:
            continue
        if prev is not None and snap["version_id"] != prev["version_id"]:
            pair = (prev["version_id"], snap["version_id"])
            occurrence = seen.get(pair, 0)
            seen[pair] = occurrence + 1
            out.append(
                Boundary(
                    pair[0],
                    pair[1],
                    occurrence,
                    prev["captured_at"],
                    snap["captured_at"],
                    snap["id"],
                )
            )
        prev = snap
    return out


def archive_view_url(snapshot: dict) -> str | None:
    """The human-viewable archive page of a Wayback snapshot (not the raw id_ bytes)."""
    url = snapshot.get("url") or ""
    if snapshot.get("source") != "wayback" or "id_/" not in url:
        return None
    return url.replace("id_/", "/", 1)


def _policy_of(version: dict) -> PolicyDocument:
    return PolicyDocument.from_dict(version)


def _judgment(comparison: Any) -> dict:
    return {
        "material": bool(comparison.material),
        "score": float(comparison.score),
        "summary": comparison.summary,
        "categories": list(comparison.categories),
        "comparison": comparison.to_detail_dict(),
    }


def _plan(store: Store, document_id: int) -> tuple[dict, dict, dict]:
    """(wanted boundaries by key, stored changes by key, snapshots by id)."""
    snapshots = store.snapshots_of_document(document_id)
    wanted = {b.key: b for b in timeline(snapshots)}
    existing = {
        (c["from_version_id"], c["to_version_id"], c["occurrence"]): c
        for c in store.changes_of_document(document_id)
    }
    return wanted, existing, {s["id"]: s for s in snapshots}


def reconcile_changes(
    store: Store,
    document_id: int,
    *,
    origin: str,
    pipeline: Pipeline,
    rejudge: bool = False,
) -> tuple[list[int], list[int]]:
    """Make the stored changes match the timeline; (ids added, ids removed).

    Kept changes get their capture times corrected in place; with `rejudge` (reprocess)
    their judgment is recomputed too, still in place.

    Comparing two long policies can take seconds, so the comparisons are made before the
    write transaction, which then only re-reads the plan and applies it: other writers
    (another process recording a live check) never wait on a diff. A comparison the plan
    did not foresee (the timeline moved meanwhile) is made inside, as a fallback.
    """
    versions: dict[int, PolicyDocument] = {}
    judged: dict[tuple[int, int], dict] = {}

    def judgment(pair: tuple[int, int]) -> dict:
        if pair not in judged:
            for version_id in pair:
                if version_id not in versions:
                    versions[version_id] = _policy_of(store.get_version(version_id))
            judged[pair] = _judgment(pipeline.compare(versions[pair[0]], versions[pair[1]]))
        return judged[pair]

    wanted, existing, _ = _plan(store, document_id)
    for key in wanted:
        if rejudge or key not in existing:
            judgment(key[:2])

    added: list[int] = []
    removed: list[int] = []
    with store.write():
        wanted, existing, by_id = _plan(store, document_id)
        for key, change in existing.items():
            if key not in wanted:
                store.delete_change(change["id"])
                removed.append(change["id"])
        for key, b in wanted.items():
            change = existing.get(key)
            span = {"from_captured_at": b.from_captured_at, "to_captured_at": b.to_captured_at}
            if change is not None:
                fields = {k: v for k, v in span.items() if change[k] != v}
                if rejudge:
                    fields.update(judgment(key[:2]))
                if fields:
                    store.update_change(change["id"], **fields)
                continue
            added.append(
                store.insert_change(
                    {
                        "document_id": document_id,
                        "from_version_id": key[0],
                        "to_version_id": key[1],
                        "occurrence": key[2],
                        **span,
                        "origin": origin,
                        "archive_url": archive_view_url(by_id[b.to_snapshot_id]),
                        **judgment(key[:2]),
                    }
                )
            )
    return added, removed


def _extract(store: Store, snapshot: dict, pipeline: Pipeline) -> PolicyDocument | str:
    """The snapshot's policy document, or why there is none (pure but for the blob read)."""
    raw = store.get_blob(snapshot["blob_sha256"])
    try:
        doc = pipeline.extract(raw, snapshot.get("content_type"), snapshot.get("url"))
        if not doc.clauses:
            raise ExtractionError("no policy text")
    except ExtractionError as exc:
        return str(exc) or type(exc).__name__
    return doc


def process_snapshot(store: Store, snapshot: dict, pipeline: Pipeline) -> Recorded:
    """Extract a stored snapshot and attach it to its version (no change reconciliation).

    Extraction runs outside the write transaction; attaching is one short transaction.
    """
    result = Recorded(snapshot_id=snapshot["id"], new_snapshot=False)
    doc = _extract(store, snapshot, pipeline)
    with store.write():
        if isinstance(doc, str):
            result.error = doc
            store.mark_snapshot(snapshot["id"], version_id=None, error=doc)
        else:
            result.text_hash = text_hash(doc)
            result.version_id, result.new_version = store.upsert_version(
                snapshot["document_id"], result.text_hash, doc.to_dict()
            )
            store.mark_snapshot(snapshot["id"], version_id=result.version_id)
        store.refresh_version_spans(snapshot["document_id"])
    return result


def record_snapshot(
    store: Store,
    document_id: int,
    raw: bytes,
    content_type: str | None,
    url: str | None,
    captured_at: datetime | str,
    source: str,
    *,
    headers: dict | None = None,
    status: int | None = 200,
    digest: str | None = None,
    origin: str | None = None,
    pipeline: Pipeline | None = None,
    reconcile: bool = True,
) -> Recorded:
    """Store a capture, then process it; recording the same capture again adds nothing.

    `reconcile=False` leaves the changes for one `reconcile_changes` call at the end of a
    batch (backfill): fewer comparisons, and change ids that grow with capture time.
    """
    snapshot, created = store.add_snapshot(
        document_id,
        raw,
        captured_at=captured_at,
        source=source,
        url=url,
        status=status,
        content_type=content_type,
        headers=headers,
        digest=digest,
    )
    if not created and snapshot["processed_at"] is not None:
        return Recorded(
            snapshot_id=snapshot["id"],
            new_snapshot=False,
            version_id=snapshot["version_id"],
            error=snapshot["error"],
            text_hash=_hash_of_version(store, snapshot["version_id"]),
        )
    pipeline = pipeline or Pipeline.default()
    # Three steps, each committed: the snapshot (above), its version, the changes. A crash
    # between the last two leaves a versioned snapshot whose changes the next recording or
    # reconcile of the document (any backfill, reprocess) puts in place.
    result = process_snapshot(store, snapshot, pipeline)
    result.new_snapshot = created
    if result.version_id is not None and reconcile:
        result.changes_added, result.changes_removed = reconcile_changes(
            store, document_id, origin=origin or ORIGIN_OF_SOURCE[source], pipeline=pipeline
        )
    return result


def _hash_of_version(store: Store, version_id: int | None) -> str | None:
    if version_id is None:
        return None
    version = store.get_version(version_id)
    return version["text_hash"] if version else None
