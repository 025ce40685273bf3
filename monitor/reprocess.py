"""Reprocess: rebuild versions and changes from stored snapshots after an upgrade.

When the extractor or the judgment improves, the stored snapshots are re-extracted and the
timeline recomputed - without announcing old history as news:

- A version keeps its id when its snapshots still agree on one text (the text is updated
  in place): an extractor upgrade that only cleans text keeps every version and change id.
- A change whose two versions are still consecutive on the timeline keeps its id,
  detected_at and origin; only its judgment is recomputed, in place.
- Changes that appear only now (the extractor now tells apart captures it used to merge)
  get origin `reprocess`; feeds announce `live` changes only (db.ANNOUNCED_ORIGINS).
- Changes whose versions are no longer consecutive are deleted, as are versions no
  snapshot maps to any more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from db import Store
from db.rows import PolicyFields, SnapshotRow
from monitor.model import ExtractionError, PolicyDocument
from monitor.policyness import not_policy
from monitor.record import NOT_POLICY, Pipeline, reconcile_changes, text_hash, timeline


@dataclass
class Reprocessed:
    documents: int = 0
    snapshots: int = 0
    failed: int = 0  # snapshots without a version: no text, or not the policy
    not_policy: int = 0  # of which: a page that is not the policy (monitor.policyness)
    versions_before: int = 0
    versions_after: int = 0
    changes_kept: int = 0
    changes_added: int = 0
    changes_removed: int = 0


def reprocess_document(
    store: Store, document_id: int, pipeline: Pipeline, report: Reprocessed | None = None
) -> Reprocessed:
    report = report or Reprocessed()
    snapshots = store.snapshots_of_document(document_id)
    # Extraction first, outside the write lock: it is the slow part.
    by_blob: dict[str, tuple[str, PolicyDocument] | str] = {}
    for snap in snapshots:
        sha = snap["blob_sha256"]
        if sha in by_blob:
            continue
        raw = store.get_blob(sha)
        if raw is None:  # a blob goes in before its snapshot, and is never deleted alone
            raise LookupError(f"snapshot {snap['id']}: blob {sha} missing")
        try:
            doc = pipeline.extract(raw, snap["content_type"], snap["url"])
            if not doc.clauses:
                raise ExtractionError("no policy text")
            by_blob[sha] = (text_hash(doc), doc)
        except ExtractionError as exc:
            by_blob[sha] = str(exc) or type(exc).__name__
    outcomes = _judge_policyness(snapshots, by_blob)
    with store.write():
        before = store.versions_of_document(document_id)
        report.versions_before += len(before)
        changes_before = {c["id"] for c in store.changes_of_document(document_id)}
        # Each old version claims the text most of its snapshots now have.
        claims: dict[int, Counter] = {}
        for snap in snapshots:
            outcome = outcomes[snap["id"]]
            if snap["version_id"] is not None and isinstance(outcome, tuple):
                claims.setdefault(snap["version_id"], Counter())[outcome[0]] += 1
        store.release_version_hashes(document_id)
        version_of_hash: dict[str, int] = {}
        for version_id in sorted(claims):
            for h, _ in claims[version_id].most_common():
                if h not in version_of_hash:
                    version_of_hash[h] = version_id
                    policy = next(
                        o[1] for o in outcomes.values() if isinstance(o, tuple) and o[0] == h
                    )
                    store.rewrite_version(version_id, h, policy)
                    break
        for snap in snapshots:
            report.snapshots += 1
            outcome = outcomes[snap["id"]]
            if isinstance(outcome, str):
                report.failed += 1
                report.not_policy += outcome.startswith(NOT_POLICY + ":")
                store.mark_snapshot(snap["id"], version_id=None, error=outcome)
                continue
            h, policy = outcome
            if h not in version_of_hash:
                version_of_hash[h], _ = store.upsert_version(document_id, h, policy)
            store.mark_snapshot(snap["id"], version_id=version_of_hash[h])
        _follow_merged_versions(store, document_id, claims, version_of_hash)
    # Judging is slow: reconcile compares outside its own short write transaction. Until it
    # commits, changes may still point at versions no snapshot maps to; nothing is lost.
    added, removed = reconcile_changes(
        store, document_id, origin="reprocess", pipeline=pipeline, rejudge=True
    )
    with store.write():
        store.delete_orphan_versions(document_id)
        store.refresh_version_spans(document_id)
        store.sync_backfill_hashes(document_id)
        report.versions_after += len(store.versions_of_document(document_id))
    report.changes_added += len(added)
    report.changes_removed += len(removed)
    report.changes_kept += len(changes_before - set(removed))
    report.documents += 1
    return report


def _judge_policyness(
    snapshots: list[SnapshotRow], by_blob: dict[str, tuple[str, PolicyDocument] | str]
) -> dict[int, tuple[str, PolicyFields] | str]:
    """Each snapshot's outcome: (text hash, policy dict), or why it has no version.

    In capture-time order, each text is judged against the last one taken as the policy
    (monitor.policyness): a home page or a wall once recorded as a version is no longer
    one, and the history closes over it.
    """
    out: dict[int, tuple[str, PolicyFields] | str] = {}
    reference: PolicyDocument | None = None
    verdicts: dict[tuple[str, str | None], str | None] = {}
    for snap in sorted(snapshots, key=lambda s: (s["captured_at"], s["id"])):
        outcome = by_blob[snap["blob_sha256"]]
        if isinstance(outcome, str):
            out[snap["id"]] = outcome
            continue
        h, doc = outcome
        key = (h, text_hash(reference) if reference is not None else None)
        if key not in verdicts:
            why = None if key[0] == key[1] else not_policy(doc, reference)
            verdicts[key] = f"{NOT_POLICY}: {why}" if why else None
        verdict = verdicts[key]
        if verdict:
            out[snap["id"]] = verdict
            continue
        out[snap["id"]] = (h, doc.to_dict())
        reference = doc
    return out


def _follow_merged_versions(
    store: Store, document_id: int, claims: dict[int, Counter], version_of_hash: dict[str, int]
) -> None:
    """Re-point stored changes at the versions their old versions were merged into.

    Two old versions whose texts are now equal become one; a change that led out of the
    absorbed one is the same change as before (same place on the timeline, same sides), so
    it keeps its id. Within one pair, changes are matched to the new timeline in time order.
    """
    remap = {old: version_of_hash[counter.most_common(1)[0][0]] for old, counter in claims.items()}
    changes = store.changes_of_document(document_id)
    # Keyed as looked up: an old version with no claim remaps to None and finds nothing.
    wanted: dict[tuple[int | None, int | None], list] = {}
    for b in timeline(store.snapshots_of_document(document_id)):
        wanted.setdefault((b.from_version_id, b.to_version_id), []).append(b)
    # Park the keys first: the new ones may still be held by changes not yet moved.
    for c in changes:
        store.update_change(c["id"], occurrence=-c["id"])
    for c in changes:
        pair = (remap.get(c["from_version_id"]), remap.get(c["to_version_id"]))
        candidates = wanted.get(pair) or []
        if not candidates:
            continue  # stays parked, off the timeline: reconcile deletes it
        b = min(candidates, key=lambda b: abs(_seconds(b.to_captured_at, c["to_captured_at"])))
        candidates.remove(b)
        store.update_change(
            c["id"], from_version_id=pair[0], to_version_id=pair[1], occurrence=b.occurrence
        )


def _seconds(a: str, b: str) -> float:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return (datetime.strptime(a, fmt) - datetime.strptime(b, fmt)).total_seconds()


def reprocess(
    store: Store, document_ids: list[int] | None = None, pipeline: Pipeline | None = None
) -> Reprocessed:
    """Reprocess the given documents (all when None)."""
    pipeline = pipeline or Pipeline.default()
    report = Reprocessed()
    ids = document_ids if document_ids is not None else [d["id"] for d in store.list_documents()]
    for document_id in ids:
        reprocess_document(store, document_id, pipeline, report)
    return report
