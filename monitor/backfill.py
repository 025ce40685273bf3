"""Backfill: a document's past versions from the Wayback Machine, with few raw fetches.

1. List the captures (CDX) and remember them in the store.
2. Runs of equal digests are the same bytes: one capture stands for each run, and a digest
   seen before is never fetched again.
3. Fetch the first and last capture. Where two captures have the same *extracted* text,
   assume nothing changed between them; otherwise bisect the range until every pair of
   neighbours with different texts is adjacent. Each change point costs about log2(N)
   fetches, so k changes among N captures cost about k*log2(N/k) plus the two ends.

A capture that cannot be extracted counts as a text of its own that equals nothing (not
even another failure), so failures never hide a change; they only cost fetches.

Progress (each capture fetched, its text hash, its snapshot) is written to the store as it
happens, so a killed run resumes where it stopped and a second run fetches nothing. The
changes are reconciled once, at the end, in capture-time order.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from db import Store
from db.rows import DocumentRow, SnapshotRow
from monitor.fetch import FetchResult
from monitor.record import NewSnapshot, Pipeline, reconcile_changes, record_snapshot
from monitor.wayback import Capture, WaybackClient, WaybackError

T = TypeVar("T")
P = ParamSpec("P")

FAILED = ""  # the text hash of a capture that gave no text


@dataclass
class BackfillReport:
    document_id: int
    url: str
    captures_seen: int = 0  # rows the CDX listing gave (200s, in range)
    distinct_captures: int = 0  # after collapsing runs of equal digests
    fetches: int = 0  # raw captures fetched by this run
    reused: int = 0  # texts known from an earlier (interrupted) run or an equal digest
    failed: int = 0
    rendered: int = 0  # captures rendered because their raw bytes held no policy text
    digest_mismatches: int = 0
    versions: int = 0  # versions of the document once done
    changes: int = 0
    change_points: list[str] = field(default_factory=list)  # timestamps where text changes
    errors: list[str] = field(default_factory=list)


def _same(a: str, b: str) -> bool:
    return a == b and a != FAILED


def collapse_rows(rows: list[dict]) -> list[dict]:
    """One row for each run of equal digests, in time order (pure).

    Each kept row carries the run's last row as `run_last`, so the store can date the end
    of a version exactly without fetching anything more.
    """
    out: list[dict] = []
    for row in sorted(rows, key=lambda r: r["timestamp"]):
        if out and out[-1]["digest"] == row["digest"]:
            out[-1]["run_last"] = row
            continue
        out.append({**row, "run_last": row})
    return out


# An interior capture whose size (CDX length) differs from both ends of a range by more
# than this share is probed even when the ends have one text: a text that came and went
# between them (A, B, A) is otherwise invisible to bisection. Noise moves the size by far
# less (a token, a nonce); another text or another page (a home page) by more.
SIZE_OUTLIER = 0.05
# Size probes a document may spend beyond the budget of the changes known (bisection): one,
# so that a lone revert (A, B, A) is found; see bisection.
FREE_PROBES = 1


def fetch_budget(n: int, k: int) -> float:
    """The most texts a backfill may ask for: 2·k·log2(N/k)+2 for k changes among N."""
    return 2 * k * math.log2(n / k) + 2 if k else 2.0


def changes_known(texts: dict[int, str]) -> int:
    """Changes of text among the captures read so far, in time order, failures aside: a
    lower bound on the document's real changes (k)."""
    k, previous = 0, None
    for i in sorted(texts):
        if texts[i] == FAILED:
            continue
        k += previous is not None and texts[i] != previous
        previous = texts[i]
    return k


def bisection(
    n: int, sizes: list[int | None] | None = None
) -> Generator[tuple[int, float], str, list[int]]:
    """The search for change points among n captures, as a plan that asks for texts.

    Yields (index whose text it needs, fraction of the range settled so far), is sent that
    text back, and returns the indices i whose text differs from i-1's. Doing no I/O
    itself, the same plan drives the async backfill and the pure `change_points`.

    Texts are version identities (monitor.record.text_hash), never raw digests: captures
    that differ only by page noise have one text, and a range whose ends agree is settled
    with two fetches. A capture without a text (not the policy, failed) says nothing: a
    range ending on one moves its end to the neighbour, one fetch, rather than bisecting
    down to it.

    `sizes` (CDX lengths) let a range whose ends agree be probed at a capture whose size
    stands out (SIZE_OUTLIER), for a text that came and went. A probe is a guess: the odd
    capture may be another text (two changes found) or a page that is not the policy (an
    error page: nothing found). So probes wait until bisection has found every change the
    ends show, and each is spent while the texts asked stay within fetch_budget of the
    changes known, plus FREE_PROBES per document. That one free probe is what finds a text
    that came and went in a document with no other change: the ends agree, k looks like 0
    and its budget is the two ends, yet the real k is 2, whose budget pays for the probe.
    From the CDX listing alone such a revert cannot be told from an error page of the same
    size that came and went (mektoube); there the probe finds nothing and the document
    pays one fetch beyond the bound. A missed version costs the history more than one
    fetch costs the archive.
    """
    texts: dict[int, str] = {}
    found: list[int] = []
    settled = 0
    stack = [(0, n - 1)] if n else []
    agreeing: list[tuple[int, int]] = []  # ranges settled by their ends' one text
    while stack or agreeing:
        if not stack:
            # Every change the ends showed is found: now the probes the budget still pays.
            lo, hi = agreeing.pop(0)
            odd = _size_outlier(sizes, lo, hi, texts)
            budget = fetch_budget(n, changes_known(texts)) + FREE_PROBES
            if odd is None or len(texts) + 1 > budget:
                continue
            texts[odd] = yield odd, min(settled / max(n - 1, 1), 1.0)
            if texts[odd] != FAILED and texts[odd] != texts[lo]:
                settled -= hi - lo  # counted settled when the ends agreed; it is not
                stack.append((odd, hi))
                stack.append((lo, odd))
            continue
        lo, hi = stack.pop()
        for i in (lo, hi):
            if i not in texts:
                texts[i] = yield i, min(settled / max(n - 1, 1), 1.0)
        if hi - lo > 1 and texts[lo] == FAILED:
            settled += 1
            stack.append((lo + 1, hi))
            continue
        if hi - lo > 1 and texts[hi] == FAILED:
            settled += 1
            stack.append((lo, hi - 1))
            continue
        if hi - lo > 1 and _same(texts[lo], texts[hi]):
            agreeing.append((lo, hi))
            agreeing.sort()  # probed in time order
        elif hi - lo > 1:
            mid = (lo + hi) // 2
            # Right half pushed first so the left one is explored first: time order.
            stack.append((mid, hi))
            stack.append((lo, mid))
            continue
        elif hi - lo == 1 and not _same(texts[lo], texts[hi]):
            found.append(hi)
        settled += hi - lo
    return sorted(found)


def _size_outlier(
    sizes: list[int | None] | None, lo: int, hi: int, texts: dict[int, str]
) -> int | None:
    """The interior capture (not yet known) whose size is furthest from both ends', if
    beyond SIZE_OUTLIER of them."""
    if not sizes or sizes[lo] is None or sizes[hi] is None:
        return None
    ends = [e for e in (sizes[lo], sizes[hi]) if e is not None]
    best, best_gap = None, SIZE_OUTLIER
    for i in range(lo + 1, hi):
        size = sizes[i]
        if i in texts or size is None:
            continue
        gap = min(abs(size - e) / max(e, 1) for e in ends)
        if gap > best_gap:
            best, best_gap = i, gap
    return best


def change_points(
    n: int, text_of: Callable[[int], str], sizes: list[int | None] | None = None
) -> list[int]:
    """Indices i where the text changes from i-1, asking `text_of` as little as it can."""
    plan = bisection(n, sizes)
    try:
        i, _ = next(plan)
        while True:
            i, _ = plan.send(text_of(i))
    except StopIteration as done:
        points: list[int] = done.value
        return points


def _size(row: dict) -> int | None:
    try:
        return int(row["length"])
    except (KeyError, TypeError, ValueError):
        return None


def _stored(store: Store, snapshot_id: int) -> tuple[SnapshotRow, bytes]:
    """A stored snapshot and its bytes (a blob goes in before its snapshot)."""
    snapshot = store.get_snapshot(snapshot_id)
    raw = store.get_blob(snapshot["blob_sha256"]) if snapshot is not None else None
    if snapshot is None or raw is None:
        raise LookupError(f"snapshot {snapshot_id} or its blob is gone")
    return snapshot, raw


def _copy_of(
    client: WaybackClient, snapshot: SnapshotRow, row: dict[str, Any]
) -> tuple[str, dict[str, str], str]:
    """(url, headers, source) of a snapshot of ``row`` made from ``snapshot``'s bytes:
    a rendered capture's copy is rendered too, and points at its own replay page."""
    capture = Capture(row["timestamp"], row["original"], row["digest"])
    if snapshot["source"] == "wayback-rendered":
        return client.replay_url(capture), snapshot["headers"], "wayback-rendered"
    return client.raw_url(capture), snapshot["headers"], "wayback"


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run extraction and judgment (CPU-bound, sometimes for seconds) in a worker thread,
    so a backfill inside `clausewatch serve` never stalls the API on the same event loop.
    Calls are awaited one at a time, so the closure state they touch is never shared."""
    return await asyncio.to_thread(work, *args, **kwargs)


async def backfill_document(
    store: Store,
    client: WaybackClient,
    document: DocumentRow,
    *,
    since: str | None = None,
    until: str | None = None,
    pipeline: Pipeline | None = None,
    on_progress: Callable[[BackfillReport, float], None] | None = None,
    on_fetch: Callable[[BackfillReport], None] | None = None,
    render: Callable[[str], Awaitable[FetchResult]] | None = None,
) -> BackfillReport:
    """Reconstruct `document`'s history between since and until (timestamp prefixes).

    With `render` (a Renderer's fetch), a capture whose raw bytes hold no policy text is
    also rendered from its replay page (scripts replayed from the archive) and recorded as
    a `wayback-rendered` snapshot beside the raw one."""
    pipeline = pipeline or Pipeline.default()
    doc_id, url = document["id"], document["url"]
    report = BackfillReport(document_id=doc_id, url=url)
    listed = await client.captures(url, since=since, until=until)
    store.add_backfill_captures(doc_id, [c.to_dict() for c in listed])
    rows = store.backfill_captures(doc_id, since=since, until=until)
    report.captures_seen = len(rows)
    distinct = collapse_rows(rows)
    report.distinct_captures = len(distinct)
    # What earlier runs (or identical captures) taught us, by digest: the bytes are equal,
    # so the text is too, and the snapshot can be made from the stored blob.
    known: dict[str, tuple[str, int]] = {
        r["digest"]: (r["text_hash"], r["snapshot_id"])
        for r in rows
        if r["text_hash"] is not None and r["snapshot_id"] is not None
    }
    mismatches_before = client.stats.digest_mismatches
    pending: dict[int, str] = {}  # index -> text, for this run

    def record(
        row: dict[str, Any],
        body: bytes,
        content_type: str | None,
        url: str | None,
        headers: Mapping[str, str],
        source: str = "wayback",
    ) -> str:
        capture = NewSnapshot(
            body,
            captured_at=Capture(row["timestamp"], row["original"], row["digest"]).captured_at,
            source=source,
            url=url,
            content_type=content_type,
            headers=headers,
            digest=row["digest"],
        )
        recorded = record_snapshot(store, doc_id, capture, pipeline=pipeline, reconcile=False)
        text = recorded.text_hash or FAILED
        if text == FAILED:
            report.failed += 1
        store.mark_backfill_capture(
            row["id"], text_hash=text, snapshot_id=recorded.snapshot_id, error=recorded.error
        )
        row["text_hash"], row["snapshot_id"] = text, recorded.snapshot_id
        known[row["digest"]] = (text, recorded.snapshot_id)
        return text

    async def resolve(i: int) -> str:
        """The text of distinct capture i: remembered, copied from an equal digest, or fetched."""
        row = distinct[i]
        if row["text_hash"] is not None and row["snapshot_id"] is not None:
            report.reused += 1
            return str(row["text_hash"])
        if row["digest"] in known:
            # Same bytes as a capture already stored: a snapshot of its own (so the timeline
            # has this capture's time) without a fetch.
            report.reused += 1
            source, stored = _stored(store, known[row["digest"]][1])
            return await off_loop(
                record,
                row,
                stored,
                source["content_type"],
                *_copy_of(client, source, row),
            )
        capture = Capture(
            timestamp=row["timestamp"],
            original=row["original"],
            digest=row["digest"],
            mimetype=row["mimetype"],
            length=row["length"],
        )
        try:
            raw = await client.fetch(capture)
        except WaybackError as exc:
            # Not remembered: a later run tries this capture again.
            report.errors.append(f"{capture.timestamp}: {exc}")
            report.failed += 1
            return FAILED
        report.fetches += 1
        text = await off_loop(record, row, raw.body, raw.content_type, raw.url, raw.headers)
        if text == FAILED and render is not None and "html" in (raw.content_type or ""):
            rendered = await render(client.replay_url(capture))
            if rendered.has_body:
                report.rendered += 1
                text = await off_loop(
                    record,
                    row,
                    rendered.body,
                    "text/html",
                    rendered.final_url,
                    {},
                    "wayback-rendered",
                )
                if text != FAILED:
                    report.failed -= 1  # the raw capture's failure, made good
        if on_fetch:
            on_fetch(report)
        return text

    async def text_of(i: int) -> str:
        pending[i] = await resolve(i)
        return pending[i]

    plan = bisection(len(distinct), [_size(r) for r in distinct])
    try:
        i, fraction = next(plan)
        while True:
            if on_progress:
                on_progress(report, fraction)
            i, fraction = plan.send(await text_of(i))
    except StopIteration as done:
        points = done.value
    # The last capture before each change, and the very last one, have the bytes of their
    # run's first: store them too, so changes and versions are dated from the last time
    # their text was seen.
    for i in [*points, len(distinct)]:
        if i == 0:
            continue
        first, last = distinct[i - 1], distinct[i - 1]["run_last"]
        if last is not first and last["snapshot_id"] is None and first["snapshot_id"]:
            source, stored = _stored(store, first["snapshot_id"])
            await off_loop(
                record,
                last,
                stored,
                source["content_type"],
                *_copy_of(client, source, last),
            )

    await off_loop(reconcile_changes, store, doc_id, origin="backfill", pipeline=pipeline)
    store.refresh_version_spans(doc_id)
    # Failed captures are skipped: a step into or out of one is not a change of text.
    report.change_points = []
    previous = None
    for i in sorted(pending):
        if pending[i] == FAILED:
            continue
        if previous is not None and pending[i] != previous:
            report.change_points.append(distinct[i]["timestamp"])
        previous = pending[i]
    report.digest_mismatches = client.stats.digest_mismatches - mismatches_before
    report.versions = len(store.versions_of_document(doc_id))
    report.changes = len(store.changes_of_document(doc_id))
    if on_progress:
        on_progress(report, 1.0)
    return report
