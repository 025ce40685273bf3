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

import hashlib
import itertools
import json
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db import Store
from db.rows import PolicyFields, SnapshotRow
from monitor.model import ExtractionError, PolicyDocument
from monitor.policyness import not_policy
from monitor.record import NOT_POLICY, Pipeline, reconcile_changes, text_hash, timeline

# Why a pruned check has no version: nothing before it to read its text from (db.retention
# never prunes the first capture of a run, so only a store pruned by hand gets here).
PRUNED_ALONE = "raw body pruned, and no earlier capture to read its text from"


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


@dataclass
class Prepared:
    """The slow, read-only half of reprocessing one document, made before its write phase
    (in a worker process with `--jobs`): each blob's extraction, and the comparisons the
    new timeline will ask for, keyed by the two texts compared."""

    document_id: int
    by_blob: dict[str, tuple[str, PolicyDocument] | str | None]
    judged: dict[tuple[str, str], Any]
    # Each snapshot's outcome (`_judge_policyness`), valid for exactly these snapshots.
    snapshots: tuple[tuple[int, str, str], ...] = ()
    outcomes: dict[int, tuple[str, PolicyFields] | str] | None = None


def _snapshot_keys(snapshots: list[SnapshotRow]) -> tuple[tuple[int, str, str], ...]:
    return tuple((s["id"], s["blob_sha256"], s["captured_at"]) for s in snapshots)


def prepare_document(store: Store, document_id: int, pipeline: Pipeline) -> Prepared:
    """Extract every blob of a document and compare its consecutive texts (reads only)."""
    snapshots = store.snapshots_of_document(document_id)
    by_blob = _extract_blobs(store, snapshots, pipeline, {})
    outcomes = _judge_policyness(snapshots, by_blob)
    # The texts of the new timeline in capture order, each hash standing for the first
    # text seen with it (the one its version will hold, see reprocess_document).
    policy_of: dict[str, PolicyFields] = {}
    sequence: list[str] = []
    for snap in snapshots:
        outcome = outcomes[snap["id"]]
        if isinstance(outcome, tuple):
            policy_of.setdefault(outcome[0], outcome[1])
            if not sequence or sequence[-1] != outcome[0]:
                sequence.append(outcome[0])
    judged: dict[tuple[str, str], Any] = {}
    for a, b in itertools.pairwise(sequence):
        old, new = PolicyDocument.from_dict(policy_of[a]), PolicyDocument.from_dict(policy_of[b])
        key = (_text_key(old), _text_key(new))
        if key not in judged:
            judged[key] = pipeline.compare(old, new)
    return Prepared(document_id, by_blob, judged, _snapshot_keys(snapshots), outcomes)


def _text_key(doc: PolicyDocument) -> str:
    """What a comparison reads of a document, as one key: the whole document, not its
    identity hash (two texts of one identity may still differ in layout)."""
    raw = json.dumps(doc.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _with_judged(pipeline: Pipeline, judged: dict[tuple[str, str], Any]) -> Pipeline:
    """The pipeline, answering the comparisons made beforehand from them (same texts, same
    answer: compare is pure); any other it makes itself, so the outcome never depends on
    what was prepared."""

    def compare(old: PolicyDocument, new: PolicyDocument) -> Any:
        found = judged.get((_text_key(old), _text_key(new)))
        return found if found is not None else pipeline.compare(old, new)

    return Pipeline(extract=pipeline.extract, compare=compare)


def _extract_blobs(
    store: Store,
    snapshots: list[SnapshotRow],
    pipeline: Pipeline,
    done: dict[str, tuple[str, PolicyDocument] | str | None],
) -> dict[str, tuple[str, PolicyDocument] | str | None]:
    """Each blob's (text hash, policy), why it has none, or None when its raw body was
    pruned (db.retention); blobs already in `done` are not extracted again."""
    by_blob = dict(done)
    for snap in snapshots:
        sha = snap["blob_sha256"]
        if sha in by_blob:
            continue
        raw = store.get_blob(sha)
        if raw is None:
            by_blob[sha] = None
            continue
        try:
            doc = pipeline.extract(raw, snap["content_type"], snap["url"])
            if not doc.clauses:
                raise ExtractionError("no policy text")
            by_blob[sha] = (text_hash(doc), doc)
        except ExtractionError as exc:
            by_blob[sha] = str(exc) or type(exc).__name__
    return by_blob


def reprocess_document(
    store: Store,
    document_id: int,
    pipeline: Pipeline,
    report: Reprocessed | None = None,
    prepared: Prepared | None = None,
) -> Reprocessed:
    report = report or Reprocessed()
    snapshots = store.snapshots_of_document(document_id)
    # Extraction first, outside the write lock: it is the slow part (made beforehand, in
    # a worker, when `prepared` is given; a snapshot recorded since is extracted here).
    by_blob = _extract_blobs(store, snapshots, pipeline, prepared.by_blob if prepared else {})
    if prepared is not None:
        pipeline = _with_judged(pipeline, prepared.judged)
    if (
        prepared is not None
        and prepared.outcomes is not None
        and prepared.snapshots == _snapshot_keys(snapshots)
    ):
        outcomes = prepared.outcomes  # judged by the worker, on these very snapshots
    else:  # no worker, or a capture recorded since it read the document
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
    snapshots: list[SnapshotRow], by_blob: dict[str, tuple[str, PolicyDocument] | str | None]
) -> dict[int, tuple[str, PolicyFields] | str]:
    """Each snapshot's outcome: (text hash, policy dict), or why it has no version.

    In capture-time order, each text is judged against the last one taken as the policy
    (monitor.policyness): a home page or a wall once recorded as a version is no longer
    one, and the history closes over it.

    A check whose raw body was pruned (db.retention: the middle of a run of identical
    texts, whose first capture is always kept) reads as the text before it: the run's.
    """
    out: dict[int, tuple[str, PolicyFields] | str] = {}
    # The reference's text hash is kept beside it: hashing is identity normalisation, too
    # slow to redo for every snapshot (it was most of reprocess's own CPU after comparing).
    reference: tuple[str, PolicyDocument] | None = None
    verdicts: dict[tuple[str, str | None], str | None] = {}
    for snap in sorted(snapshots, key=lambda s: (s["captured_at"], s["id"])):
        outcome = by_blob[snap["blob_sha256"]]
        if outcome is None:
            out[snap["id"]] = (reference[0], reference[1].to_dict()) if reference else PRUNED_ALONE
            continue
        if isinstance(outcome, str):
            out[snap["id"]] = outcome
            continue
        h, doc = outcome
        key = (h, reference[0] if reference is not None else None)
        if key not in verdicts:
            why = None
            if key[0] != key[1]:
                why = not_policy(doc, reference[1] if reference is not None else None)
            verdicts[key] = f"{NOT_POLICY}: {why}" if why else None
        verdict = verdicts[key]
        if verdict:
            out[snap["id"]] = verdict
            continue
        out[snap["id"]] = (h, doc.to_dict())
        reference = (h, doc)
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
    store: Store,
    document_ids: list[int] | None = None,
    pipeline: Pipeline | None = None,
    *,
    jobs: int = 1,
) -> Reprocessed:
    """Reprocess the given documents (all when None).

    With `jobs` > 1, worker processes prepare documents (extraction and comparison, reading
    the store through their own connections) while this process, the single writer, applies
    them one at a time in document order: the same writes in the same order as with one
    job, so the same ids and the same history. `pipeline` must then be picklable.
    """
    pipeline = pipeline or Pipeline.default()
    report = Reprocessed()
    ids = document_ids if document_ids is not None else [d["id"] for d in store.list_documents()]
    if jobs <= 1 or len(ids) <= 1:
        for document_id in ids:
            reprocess_document(store, document_id, pipeline, report)
        return report
    # A bounded window of documents in flight: memory stays flat at a million documents.
    window = 4 * jobs
    with ProcessPoolExecutor(
        jobs, initializer=_start_worker, initargs=(store.path, pipeline)
    ) as pool:
        pending: deque[Future[Prepared]] = deque()
        queue = iter(ids)
        for document_id in itertools.islice(queue, window):
            pending.append(pool.submit(_prepare_in_worker, document_id))
        while pending:
            prepared = pending.popleft().result()
            for document_id in itertools.islice(queue, 1):
                pending.append(pool.submit(_prepare_in_worker, document_id))
            reprocess_document(store, prepared.document_id, pipeline, report, prepared)
    return report


# A worker process's own read-only view of the store, and the pipeline it runs.
_worker: tuple[Store, Pipeline] | None = None


def _start_worker(path: str, pipeline: Pipeline) -> None:
    global _worker
    _worker = (Store(path), pipeline)


def _prepare_in_worker(document_id: int) -> Prepared:
    assert _worker is not None, "the pool's initializer opens the store"
    store, pipeline = _worker
    return prepare_document(store, document_id, pipeline)
