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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from db import Store
from db.reads import document_behind, documents_behind
from db.rows import ChangeRow, SnapshotRow, VersionText
from monitor.model import ExtractionError, PolicyDocument
from monitor.policyness import not_policy
from monitor.textnorm import identity_key

ORIGIN_OF_SOURCE = {
    "live": "live",
    "wayback": "backfill",
    "live-rendered": "live",
    "wayback-rendered": "backfill",
}


class Judged(Protocol):
    """What recording reads of a comparison (monitor.compare.Comparison; tests inject
    smaller ones)."""

    @property
    def material(self) -> bool: ...
    @property
    def score(self) -> float: ...
    @property
    def summary(self) -> str: ...
    @property
    def categories(self) -> Sequence[str]: ...
    def to_detail_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Pipeline:
    """The pure stages recording uses; the real ones unless a caller injects others."""

    extract: Callable[[bytes, str | None, str | None], PolicyDocument]
    compare: Callable[[PolicyDocument, PolicyDocument], Judged]

    @classmethod
    def default(cls) -> Pipeline:
        # Imported here so that importing this module (the store, the Wayback client) stays
        # cheap: extraction and comparison load selectolax, pypdf and the lexicons.
        from monitor.compare import compare
        from monitor.extract import extract

        return cls(extract=extract, compare=compare)


@dataclass(frozen=True)
class NewSnapshot:
    """A capture on its way into the store, as the fetcher or the Wayback client got it.

    `extracted` is what extraction made of `raw` when the caller already ran it (the
    scheduler extracts in a worker process, and a check extracts before deciding to record):
    the document, or why there is none. None: recording extracts.
    """

    raw: bytes
    captured_at: datetime | str
    source: str  # db.rows.SOURCES
    url: str | None = None
    content_type: str | None = None
    status: int | None = 200
    headers: Mapping[str, str] | None = None
    digest: str | None = None  # the Wayback CDX digest
    extracted: PolicyDocument | str | None = None


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
    """The version identity of a document: the hash of the text the comparison reads
    (monitor.textnorm.identity_key, which compare's "no change" is defined by), so two
    captures the diff would call the same are one version."""
    key = identity_key(doc.clauses)
    return IDENTITY_SCHEME + hashlib.sha256(key.encode("utf-8")).hexdigest()


# Marks the text hashes made by identity_key, so versions keyed by an older identity are
# told apart (and re-keyed once, see _version_of_old_identity) without reading them all.
IDENTITY_SCHEME = "i2:"


def timeline(snapshots: Iterable[SnapshotRow]) -> list[Boundary]:
    """The version changes along snapshots sorted by capture time (pure).

    Snapshots without a version (failed extraction, not yet processed) are skipped: they
    say nothing about the text.
    """
    out: list[Boundary] = []
    seen: dict[tuple[int, int], int] = {}
    prev: SnapshotRow | None = None
    for snap in sorted(snapshots, key=lambda s: (s["captured_at"], s["id"])):
        version_id = snap["version_id"]
        if version_id is None:
            continue
        if prev is not None and version_id != prev["version_id"]:
            assert prev["version_id"] is not None  # only versioned snapshots become prev
            pair = (prev["version_id"], version_id)
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


def archive_view_url(snapshot: SnapshotRow) -> str | None:
    """The human-viewable archive page of a Wayback snapshot (not the raw id_ bytes)."""
    url = snapshot.get("url") or ""
    if snapshot.get("source") != "wayback" or "id_/" not in url:
        return None
    return url.replace("id_/", "/", 1)


def _policy_of(version: VersionText | None) -> PolicyDocument:
    if version is None:
        raise LookupError("the version is gone")  # deleted under a reconcile: never by design
    return PolicyDocument.from_dict(version)


def _judgment(comparison: Judged) -> dict[str, Any]:
    return {
        "material": bool(comparison.material),
        "score": float(comparison.score),
        "summary": comparison.summary,
        "categories": list(comparison.categories),
        "comparison": comparison.to_detail_dict(),
    }


def _plan(
    store: Store, document_id: int
) -> tuple[
    dict[tuple[int, int, int], Boundary],
    dict[tuple[int, int, int], ChangeRow],
    dict[int, SnapshotRow],
]:
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
    origin: str | Callable[[Boundary, Iterable[SnapshotRow]], str],
    pipeline: Pipeline,
    rejudge: bool = False,
) -> tuple[list[int], list[int]]:
    """Make the stored changes match the timeline; (ids added, ids removed).

    `origin` names the origin of added changes, or is a function of each one's boundary
    and the document's snapshots (`recovered_origin`).

    Kept changes get their capture times corrected in place; with `rejudge` (reprocess)
    their judgment is recomputed too, still in place.

    Comparing two long policies can take seconds, so the comparisons are made before the
    write transaction, which then only re-reads the plan and applies it: other writers
    (another process recording a live check) never wait on a diff. A comparison the plan
    did not foresee (the timeline moved meanwhile) is made inside, as a fallback.
    """
    versions: dict[int, PolicyDocument] = {}
    judged: dict[tuple[int, int], dict[str, Any]] = {}

    def judgment(pair: tuple[int, int]) -> dict[str, Any]:
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
            kept = existing.get(key)
            span = {"from_captured_at": b.from_captured_at, "to_captured_at": b.to_captured_at}
            if kept is not None:
                stored = {
                    "from_captured_at": kept["from_captured_at"],
                    "to_captured_at": kept["to_captured_at"],
                }
                fields: dict[str, Any] = {k: v for k, v in span.items() if stored[k] != v}
                if rejudge:
                    fields.update(judgment(key[:2]))
                if fields:
                    store.update_change(kept["id"], **fields)
                continue
            added.append(
                store.insert_change(
                    {
                        "document_id": document_id,
                        "from_version_id": key[0],
                        "to_version_id": key[1],
                        "occurrence": key[2],
                        **span,
                        "origin": origin if isinstance(origin, str) else origin(b, by_id.values()),
                        "archive_url": archive_view_url(by_id[b.to_snapshot_id]),
                        **judgment(key[:2]),
                    }
                )
            )
    return added, removed


def recovered_origin(boundary: Boundary, snapshots: Iterable[SnapshotRow]) -> str:
    """The origin a change would have been given had its recording not been cut short (pure).

    A boundary into a Wayback capture is history; into a live capture it is news, except
    at a document's first live capture, which the tracking worker records as history (the
    page changed at some unknown time since the archive's last capture).
    """
    snapshots = list(snapshots)
    to = next(s for s in snapshots if s["id"] == boundary.to_snapshot_id)
    if to["source"] != "live":
        return "backfill"
    at = (to["captured_at"], to["id"])
    earlier_live = any(
        s["source"] == "live" and (s["captured_at"], s["id"]) < at for s in snapshots
    )
    return "live" if earlier_live else "backfill"


def reconcile_if_behind(
    store: Store, document_id: int, *, pipeline: Pipeline | None = None, origin: str | None = None
) -> list[int]:
    """Write the changes a recording cut short left out (a kill between its version commit
    and its change commit); the ids added. A few indexed reads when nothing is missing, so
    the quick path of every check can afford it."""
    if not document_behind(store, document_id):
        return []
    added, _ = reconcile_changes(
        store,
        document_id,
        origin=origin or recovered_origin,
        pipeline=pipeline or Pipeline.default(),
    )
    return added


def reconcile_lagging(store: Store, pipeline: Pipeline | None = None) -> dict[int, list[int]]:
    """On start: every document whose changes lag its versions, reconciled; {id: added ids}."""
    return {
        document_id: reconcile_if_behind(store, document_id, pipeline=pipeline)
        for document_id in documents_behind(store)
    }


def extraction(
    raw: bytes, content_type: str | None, url: str | None, pipeline: Pipeline | None = None
) -> PolicyDocument | str:
    """The policy document in a body, or why there is none (pure). Picklable: the
    scheduler runs it in worker processes."""
    extract = pipeline.extract if pipeline is not None else Pipeline.default().extract
    try:
        doc = extract(raw, content_type, url)
        if not doc.clauses:
            raise ExtractionError("no policy text")
    except ExtractionError as exc:
        return str(exc) or type(exc).__name__
    return doc


def _extract(store: Store, snapshot: SnapshotRow, pipeline: Pipeline) -> PolicyDocument | str:
    """The snapshot's policy document, or why there is none (pure but for the blob read)."""
    raw = store.get_blob(snapshot["blob_sha256"])
    if raw is None:  # the blob goes in before its snapshot, in one transaction
        raise LookupError(f"snapshot {snapshot['id']}: blob {snapshot['blob_sha256']} missing")
    return extraction(raw, snapshot["content_type"], snapshot["url"], pipeline)


NOT_POLICY = "not-policy"  # prefix of the error of a capture that is not the policy


def is_not_policy(error: str | None) -> bool:
    return error is not None and error.startswith(NOT_POLICY + ":")


def judge_policy(
    store: Store, document_id: int, captured_at: str, doc: PolicyDocument
) -> str | None:
    """Why a capture is not the policy (the error to store: see monitor.policyness), or
    None when it is.

    Judged against the version nearest before it in capture time (else after it): a
    backfill records captures out of time order. A text already known as a version of
    the document is the policy by definition.
    """
    if store.version_by_hash(document_id, text_hash(doc)) is not None:
        return None
    reference = store.reference_version(document_id, captured_at)
    why = not_policy(doc, _policy_of(reference) if reference else None)
    return f"{NOT_POLICY}: {why}" if why else None


def _version_of_old_identity(store: Store, document_id: int, hashed: str) -> int | None:
    """A stored version whose text has this identity though its text_hash was made by an
    older identity (a store from before an upgrade, not yet reprocessed): re-keyed in
    place, so the next capture of the current text is not taken for a new version."""
    for version in store.version_texts(document_id, except_prefix=IDENTITY_SCHEME):
        if text_hash(_policy_of(version)) == hashed:
            store.set_version_hash(version["id"], hashed)
            return version["id"]
    return None


def process_snapshot(
    store: Store,
    snapshot: SnapshotRow,
    pipeline: Pipeline,
    extracted: PolicyDocument | str | None = None,
) -> Recorded:
    """Extract a stored snapshot and attach it to its version (no change reconciliation).

    `extracted`: the extraction of its bytes when the caller already made it. A capture
    that is not the policy (monitor.policyness) is kept as a snapshot with the reason as
    its error and makes no version. Extraction and judgment run outside the write
    transaction; attaching is one short transaction.
    """
    result = Recorded(snapshot_id=snapshot["id"], new_snapshot=False)
    if extracted is None:
        doc = _extract(store, snapshot, pipeline)
    elif isinstance(extracted, PolicyDocument) and not extracted.clauses:
        doc = "no policy text"  # as `extraction` says of it
    else:
        doc = extracted
    not_ours = None
    if not isinstance(doc, str):
        hashed = text_hash(doc)
        not_ours = judge_policy(store, snapshot["document_id"], snapshot["captured_at"], doc)
    with store.write():
        if isinstance(doc, str) or not_ours:
            result.error = doc if isinstance(doc, str) else not_ours
            store.mark_snapshot(snapshot["id"], version_id=None, error=result.error)
        else:
            result.text_hash = hashed
            doc_id = snapshot["document_id"]
            if store.version_by_hash(doc_id, hashed) is None:
                _version_of_old_identity(store, doc_id, hashed)
            result.version_id, result.new_version = store.upsert_version(
                doc_id, hashed, doc.to_dict()
            )
            store.mark_snapshot(snapshot["id"], version_id=result.version_id)
        store.refresh_version_spans(snapshot["document_id"])
    return result


def record_snapshot(
    store: Store,
    document_id: int,
    capture: NewSnapshot,
    *,
    origin: str | None = None,
    pipeline: Pipeline | None = None,
    reconcile: bool = True,
) -> Recorded:
    """Store a capture, then process it; recording the same capture again adds nothing.

    `reconcile=False` leaves the changes for one `reconcile_changes` call at the end of a
    batch (backfill): fewer comparisons, and change ids that grow with capture time.
    """
    snapshot, created = add_snapshot(store, document_id, capture)
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
    # between the last two leaves a versioned snapshot without its changes: the next
    # recording of the document, a check of the same bytes (`reconcile_if_behind`) or the
    # service's start (`reconcile_lagging`) puts them in place.
    # The snapshot holds capture.raw (a snapshot is keyed by its blob's hash), so what the
    # caller extracted from those bytes is its extraction.
    result = process_snapshot(store, snapshot, pipeline, capture.extracted)
    result.new_snapshot = created
    if result.version_id is not None and reconcile:
        result.changes_added, result.changes_removed = reconcile_changes(
            store,
            document_id,
            origin=origin or ORIGIN_OF_SOURCE[capture.source],
            pipeline=pipeline,
        )
    return result


def add_snapshot(store: Store, document_id: int, capture: NewSnapshot) -> tuple[SnapshotRow, bool]:
    """Store a capture as a snapshot, unprocessed; (row, whether it is new)."""
    return store.add_snapshot(
        document_id,
        capture.raw,
        captured_at=capture.captured_at,
        source=capture.source,
        url=capture.url,
        status=capture.status,
        content_type=capture.content_type,
        headers=dict(capture.headers) if capture.headers is not None else None,
        digest=capture.digest,
    )


def _hash_of_version(store: Store, version_id: int | None) -> str | None:
    if version_id is None:
        return None
    version = store.get_version(version_id)
    return version["text_hash"] if version else None
