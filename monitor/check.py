"""The live check of one document: fetch it (conditionally), record what came, name a status.

Two halves, because they end differently when a pass is cancelled: `fetch_document` only
waits on the network and may be abandoned at any point (nothing is written); `record_fetch`
writes the snapshot and must be let finish (the scheduler runs it in a worker thread and
shields it), so a capture is never half-recorded.

Statuses, each something a person can act on:

  ok                 the page answered with policy text (or 304: unchanged since last time)
  unreachable        DNS, connect, timeout, 5xx, 404/410, too large, refused address
  blocked            401/403/429/451, a captcha or challenge page, or robots.txt says no
  empty              the page answered but extraction found no policy text
  structure-changed  the extracted text shrank below SHRINK_RATIO of the current version's
  moved              a permanent redirect: the policy now lives at another URL
  not-policy         the page answered with something that is not the policy (a home or
                     landing page, an error or login page, a wall, another document; the
                     detail says why): kept as a snapshot, no version, history unmoved

Structure changed, decided: a page whose policy text suddenly shrinks (< 50 %) is far more
often a redesign the extractor no longer reads, a cookie wall or an error page served with
200 than a policy that lost half its words. Announcing it would tell people their policy
changed when it did not. So the snapshot is stored (nothing is lost; a reprocess can read
it later) but not turned into a version, and the status says so. If the next check sees
the same shrunken text again, it is taken as real: recorded, and the change announced.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, cast

from db import Store, utc_iso
from db.rows import ClauseRow, Document, DocumentStatus, SnapshotRow
from monitor.classify.capture import partial_capture
from monitor.fetch import Fetches, FetchResult
from monitor.model import Clause, ExtractionError, PolicyDocument
from monitor.record import (
    NewSnapshot,
    Pipeline,
    add_snapshot,
    extraction,
    is_not_policy,
    judge_policy,
    reconcile_if_behind,
    record_snapshot,
    text_hash,
)

Status = DocumentStatus  # stored on the document (db.rows), as the checks name them
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
FAILING: frozenset[str] = frozenset({"unreachable", "blocked"})  # these back off

SHRINK_RATIO = 0.5
HELD_BACK = "structure-changed"  # prefix of a held-back snapshot's error

# Fetch outcomes without a body, as statuses (ok/moved/not-modified are handled apart).
_STATUS_OF_OUTCOME: dict[str, Status] = {
    "not-found": "unreachable",
    "unreachable": "unreachable",
    "too-large": "unreachable",
    "refused-address": "unreachable",
    "blocked": "blocked",
    "disallowed-by-robots": "blocked",
}
# Statuses that describe the content last seen: a 304 says that content is still there.
# Not structure-changed: a held-back page keeps the validators of the current version, so
# a 304 then means the page is back to that version.
_CONTENT_STATUSES = frozenset({"empty", "moved"})


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What checking one document found."""

    document_id: int
    url: str
    status: Status
    outcome: str  # the fetch outcome (monitor.fetch.OUTCOMES)
    detail: str | None = None
    http_status: int | None = None
    snapshot_id: int | None = None
    version_id: int | None = None
    new_version: bool = False
    changes: tuple[int, ...] = ()  # change ids this check added (origin live)
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds the server asked us to wait

    @property
    def failed(self) -> bool:
        return self.status in FAILING

    @property
    def not_modified(self) -> bool:
        return self.outcome == "not-modified"

    def describe(self) -> str:
        what: str = self.status
        if self.not_modified:
            what += " (not modified)"
        elif self.changes:
            what += f", new version, {len(self.changes)} change(s)"
        elif self.new_version:
            what += ", new version"
        return what + (f": {self.detail}" if self.detail else "")


class _Done(TypedDict):
    status: Status
    detail: str | None


def clause_text_size(clauses: Sequence[ClauseRow] | Sequence[Clause]) -> int:
    """Characters of policy text in a version's clauses (dicts or Clause objects)."""
    total = 0
    for c in clauses:
        text = c["text"] if isinstance(c, Mapping) else c.text
        total += len(text)
    return total


def shrank(previous_size: int, new_size: int, ratio: float = SHRINK_RATIO) -> bool:
    return previous_size > 0 and new_size < ratio * previous_size


async def fetch_document(fetcher: Fetches, document: Document) -> FetchResult:
    """GET the document with the validators of its last answer.

    A fetcher that chooses per document (monitor.renderchoice: plain or rendered) is
    handed the whole document."""
    choosing = getattr(fetcher, "fetch_document", None)
    if choosing is not None:
        return cast(FetchResult, await choosing(document))
    return await fetcher.fetch(
        document["url"], etag=document.get("etag"), last_modified=document.get("last_modified")
    )


def record_fetch(
    store: Store,
    document: Document,
    fetched: FetchResult,
    *,
    now: datetime,
    pipeline: Pipeline | None = None,
    shrink_ratio: float = SHRINK_RATIO,
    origin: str | None = None,
    extracted: PolicyDocument | str | None = None,
) -> CheckResult:
    """Record a fetch's body as a live snapshot (through monitor.record) and name the status.

    Writes snapshots, versions and changes, never the document's scheduling state (the
    scheduler writes that, with the next check time, from the result). `origin` overrides
    the origin of the changes found (default ``live``; see monitor.tracking). `extracted`
    is the body's extraction (monitor.record.extraction) when a caller already made it,
    e.g. in a worker process; None: extracted here.
    """
    doc_id = document["id"]
    base: dict[str, Any] = {
        "document_id": doc_id,
        "url": document["url"],
        "outcome": fetched.outcome,
        "http_status": fetched.status,
        "final_url": fetched.final_url,
        "retry_after": fetched.retry_after,
    }
    if fetched.not_modified:
        previous = document.get("status") or "ok"
        keep = previous if previous in _CONTENT_STATUSES else "ok"
        return CheckResult(
            status=keep,
            detail=document.get("status_detail") if keep != "ok" else None,
            etag=document.get("etag"),
            last_modified=document.get("last_modified"),
            **base,
        )
    if not fetched.has_body:
        return CheckResult(
            status=_STATUS_OF_OUTCOME.get(fetched.outcome, "unreachable"),
            detail=fetched.error or fetched.outcome,
            etag=document.get("etag"),
            last_modified=document.get("last_modified"),
            **base,
        )

    validators: dict[str, Any] = {"etag": fetched.etag, "last_modified": fetched.last_modified}
    source = "live-rendered" if fetched.rendered else "live"
    capture = NewSnapshot(
        fetched.body,
        captured_at=now,
        source=source,
        url=fetched.final_url,
        status=fetched.status,
        content_type=fetched.content_type,
        headers=dict(fetched.headers),
    )
    done: _Done
    if fetched.outcome == "moved":
        done = {"status": "moved", "detail": f"moved permanently to {fetched.moved_to}"}
    else:
        done = {"status": "ok", "detail": None}

    same = same_bytes_as_last(store, doc_id, fetched.body)
    if same is not None:
        # The very bytes of the latest capture: its version, without extracting again (most
        # checks of a server that sends no validators end here).
        with store.write():
            snapshot, _ = add_snapshot(store, doc_id, capture)
            store.mark_snapshot(snapshot["id"], version_id=same["version_id"])
            store.refresh_version_spans(doc_id)
        # Same bytes never reach record_snapshot's reconcile: if the recording of these bytes
        # was cut short before its changes (a crash), write them now, or they never would be.
        added = reconcile_if_behind(store, doc_id, pipeline=pipeline, origin=origin)
        return CheckResult(
            snapshot_id=snapshot["id"],
            version_id=same["version_id"],
            changes=tuple(added),
            **done,
            **base,
            **validators,
        )

    pipeline = pipeline or Pipeline.default()
    policy = extracted
    if policy is None:
        policy = extraction(fetched.body, fetched.content_type, fetched.final_url, pipeline)

    if isinstance(policy, PolicyDocument) and policy.clauses:
        # Not the policy (a home page, a wall) before a shrink: it names what came.
        not_ours = judge_policy(store, doc_id, utc_iso(now), policy)
        if not_ours is not None:
            snapshot, _ = add_snapshot(store, doc_id, capture)
            store.mark_snapshot(snapshot["id"], version_id=None, error=not_ours)
            return _not_policy(document, snapshot["id"], not_ours, base)
        held = _hold_back(store, document, policy, shrink_ratio, pipeline)
        if held is not None:
            snapshot, _ = add_snapshot(store, doc_id, capture)
            store.mark_snapshot(snapshot["id"], version_id=None, error=held)
            # The old validators stay, so the next check gets the page whole and can
            # confirm (or not) what this one saw.
            return CheckResult(
                status="structure-changed",
                detail=held,
                snapshot_id=snapshot["id"],
                etag=document.get("etag"),
                last_modified=document.get("last_modified"),
                **base,
            )

    # The page is extracted once: recording takes what was extracted above.
    recorded = record_snapshot(
        store,
        doc_id,
        dataclasses.replace(capture, extracted=policy),
        origin=origin,
        pipeline=pipeline,
    )
    if recorded.error is not None and is_not_policy(recorded.error):
        return _not_policy(document, recorded.snapshot_id, recorded.error, base)
    if recorded.error is not None:
        detail = f"empty even rendered: {recorded.error}" if fetched.rendered else recorded.error
        done = {"status": "empty", "detail": detail}
    return CheckResult(
        **done,
        snapshot_id=recorded.snapshot_id,
        version_id=recorded.version_id,
        new_version=recorded.new_version,
        changes=tuple(recorded.changes_added),
        **base,
        **validators,
    )


def _not_policy(
    document: Document, snapshot_id: int, why: str, base: dict[str, Any]
) -> CheckResult:
    # Like a held-back page: the old validators stay, so a 304 next time means the page
    # is back to the current version.
    return CheckResult(
        status="not-policy",
        detail=why,
        snapshot_id=snapshot_id,
        etag=document.get("etag"),
        last_modified=document.get("last_modified"),
        **base,
    )


def extract_or_none(
    raw: bytes, content_type: str | None, url: str | None, pipeline: Pipeline | None = None
) -> PolicyDocument | None:
    """The policy in a body, or None when extraction refuses it (the render choice's
    verdicts read it; recording takes `monitor.record.extraction`, which keeps why)."""
    extract = pipeline.extract if pipeline is not None else Pipeline.default().extract
    try:
        return extract(raw, content_type, url)
    except ExtractionError:
        return None


def same_bytes_as_last(store: Store, document_id: int, body: bytes) -> SnapshotRow | None:
    """The latest snapshot, when it holds exactly `body` and made a version."""
    last = store.latest_snapshot(document_id)
    if last is None or last["version_id"] is None:
        return None
    if last["blob_sha256"] != hashlib.sha256(body).hexdigest():
        return None
    return last


def _hold_back(
    store: Store, document: Document, policy: PolicyDocument, ratio: float, pipeline: Pipeline
) -> str | None:
    """Why this text is held back (a suspicious shrink, a capture of part of the page), or
    None to record it normally."""
    current = store.current_version(document["id"])
    if current is None:
        return None
    before, after = clause_text_size(current["clauses"]), clause_text_size(policy.clauses)
    if shrank(before, after, ratio):
        pct = round(100 * after / before)
        why = (
            f"policy text shrank to {pct} % of the current version ({after} of {before} characters)"
        )
    else:
        # The current version word for word, but for the page's head or most of it: a
        # capture that missed part of the page (the judge would call the pair a capture
        # problem, not a change). Recording it would make a version the next whole capture
        # undoes, twice over in the history, for nothing the policy did.
        partial = partial_capture(PolicyDocument.from_dict(current), policy)
        if partial is None or partial[0] != "new":
            return None
        why = partial[1]
    # Hashed only for a suspect text: most captures are neither shrunk nor partial.
    new_hash = text_hash(policy)
    if new_hash == current["text_hash"]:
        return None
    # Seen twice in a row: a real, if drastic, change.
    if document.get("status") == "structure-changed":
        last = store.latest_snapshot(document["id"], error_prefix=HELD_BACK)
        if last is not None and _text_hash_of(store, last, pipeline) == new_hash:
            return None
    return f"{HELD_BACK}: {why}; held back until seen again"


def _text_hash_of(store: Store, snapshot: SnapshotRow, pipeline: Pipeline) -> str | None:
    raw = store.get_blob(snapshot["blob_sha256"])
    if raw is None:
        return None
    try:
        doc = pipeline.extract(raw, snapshot.get("content_type"), snapshot.get("url"))
    except ExtractionError:
        return None
    return text_hash(doc)


def document_state(result: CheckResult, *, now: datetime, failures: int) -> dict[str, Any]:
    """The document's scheduling state after a check (without next_check_at)."""
    return {
        "status": result.status,
        "status_detail": result.detail,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "last_checked_at": now,
        "failures": failures + 1 if result.failed else 0,
    }
