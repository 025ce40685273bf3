"""How few raw captures does a backfill fetch, and does it still find every change?

Builds an archive of real policy histories (tests/data/policy-histories, rendered into HTML
pages with varying site chrome and exact repeats; see demo/warcs.py), serves it with a
real pywb on 127.0.0.1, and backfills each document twice in the same run:

- bisect: `monitor.backfill` (digest collapse + bisection on extracted text);
- naive baseline: fetch and extract every capture, compare neighbours.

Prints, per document and in total: captures N, true change points k, change points found,
raw fetches, and the goal 2·k·log2(N/k)+2. Ground truth is the extracted text of every
capture (the naive run's result is checked against it too).

    .venv/bin/python bench/backfill.py [--per-version 12] [--services a,b,...]

With --capture-histories, the archive is instead the 15 raw capture histories of
tests/data/capture-histories (real pages, every capture its own digest, a home page served
at the policy URL in two of them); the truth is where a version is expected there
(tests/capturehistory.py), and the baseline records every capture through the same
pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from report import figure  # noqa: E402

from db import Store  # noqa: E402
from demo.pywbserver import Pywb  # noqa: E402
from demo.warcs import ArchivedCapture, history_captures, write_warc  # noqa: E402
from monitor.backfill import backfill_document  # noqa: E402
from monitor.extract import extract  # noqa: E402
from monitor.model import ExtractionError  # noqa: E402
from monitor.record import (  # noqa: E402
    NewSnapshot,
    Pipeline,
    reconcile_changes,
    record_snapshot,
    text_hash,
)
from monitor.wayback import WaybackClient  # noqa: E402

# Services whose consecutive versions the judgment compares quickly (see README).
SERVICES = ("bitwarden", "duckduckgo", "discord", "reddit", "zoom")
IA_FETCHES_PER_MINUTE = 48


def goal(n: int, k: int) -> float:
    return 2 * k * math.log2(n / k) + 2 if k else 2.0


def _hash(body: bytes, url: str) -> str:
    try:
        return text_hash(extract(body, "text/html; charset=utf-8", url))
    except ExtractionError:
        return ""


async def naive(client: WaybackClient, url: str) -> tuple[list[str], int]:
    """Fetch every capture; the timestamps where the extracted text changes."""
    captures = await client.captures(url)
    points, previous = [], None
    for c in captures:
        raw = await client.fetch(c)
        h = _hash(raw.body, url)
        if previous is not None and h != previous:
            points.append(c.timestamp)
        previous = h
    return points, len(captures)


def _capture_histories() -> dict:
    """url -> (service, captures, expected change timestamps) from the capture histories."""
    sys.path.insert(0, str(REPO / "tests"))
    from capturehistory import history, services

    docs = {}
    for service in services():
        h = history(service)
        caps = [
            ArchivedCapture(h.url, c.captured_at.strftime("%Y%m%d%H%M%S"), c.body, i)
            for i, c in enumerate(h.captures)
        ]
        stamp = {c.file: a.timestamp for c, a in zip(h.captures, caps, strict=True)}
        docs[h.url] = (service, caps, [stamp[f] for f in h.expected])
    return docs


async def record_all(client: WaybackClient, store: Store, document: dict) -> tuple[list[str], int]:
    """The baseline on real captures: fetch every capture and record it (same pipeline)."""
    captures = await client.captures(document["url"])
    for c in captures:
        raw = await client.fetch(c)
        capture = NewSnapshot(
            raw.body, c.captured_at, "wayback", url=raw.url, content_type=raw.content_type
        )
        record_snapshot(store, document["id"], capture, reconcile=False)
    reconcile_changes(store, document["id"], origin="backfill", pipeline=Pipeline.default())
    points = [
        c["to_captured_at"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        for c in store.changes_of_document(document["id"])
    ]
    return points, len(captures)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-version", type=int, default=10)
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--capture-histories", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
    docs = _capture_histories() if args.capture_histories else {}
    for i, service in enumerate([] if docs else args.services.split(",")):
        url = f"https://www.{service}.example/legal/privacy"
        caps = history_captures(service, url, args.per_version, seed=i)
        hashes = [_hash(c.body, url) for c in caps]
        truth = [
            c.timestamp for c, a, b in zip(caps[1:], hashes, hashes[1:], strict=False) if a != b
        ]
        docs[url] = (service, caps, truth)
    warc = write_warc(work / "archive.warc.gz", [c for _, caps, _ in docs.values() for c in caps])
    total_captures = sum(len(c) for _, c, _ in docs.values())
    print(
        f"archive: {total_captures} captures of {len(docs)} documents, {warc.stat().st_size:,} bytes"
    )

    rows = []
    with Pywb(work / "pywb", [warc]) as base_url:
        store = Store.open(work / "bench.db")
        baseline_store = Store.open(work / "baseline.db")
        async with WaybackClient(
            base_url, cdx_per_minute=60000, fetch_per_minute=60000, force_close=True
        ) as client:
            for url, (service, caps, truth) in docs.items():
                site = store.add_site(f"www.{service}.example")
                doc = store.add_document(site["id"], url)
                t0 = time.perf_counter()
                report = await backfill_document(store, client, doc)
                t_bisect = time.perf_counter() - t0
                t0 = time.perf_counter()
                if args.capture_histories:
                    other = baseline_store.add_document(
                        baseline_store.add_site(f"www.{service}.example")["id"], url
                    )
                    naive_points, naive_fetches = await record_all(client, baseline_store, other)
                else:
                    naive_points, naive_fetches = await naive(client, url)
                t_naive = time.perf_counter() - t0
                assert naive_points == truth, f"{service}: naive scan disagrees with the truth"
                found = len(set(report.change_points) & set(truth))
                rows.append(
                    (service, len(caps), report.distinct_captures, len(truth), found,
                     len(report.change_points) - found, report.fetches, naive_fetches,
                     goal(len(caps), len(truth)), t_bisect, t_naive)
                )  # fmt: skip
        store.close()
        baseline_store.close()

    head = (
        f"{'document':<18} {'N':>4} {'distinct':>8} {'k':>3} {'found':>6} {'extra':>5}"
        f" {'fetches':>7} {'naive':>6} {'goal':>6} {'bisect s':>8} {'naive s':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r[0]:<18} {r[1]:>4} {r[2]:>8} {r[3]:>3} {r[4]:>6} {r[5]:>5} {r[6]:>7} {r[7]:>6}"
            f" {r[8]:>6.1f} {r[9]:>8.1f} {r[10]:>8.1f}"
        )
    n = sum(r[1] for r in rows)
    k = sum(r[3] for r in rows)
    found = sum(r[4] for r in rows)
    fetches = sum(r[6] for r in rows)
    naive_fetches = sum(r[7] for r in rows)
    goal_sum = sum(r[8] for r in rows)
    print("-" * len(head))
    print(
        f"{'total':<18} {n:>4} {sum(r[2] for r in rows):>8} {k:>3} {found:>6}"
        f" {sum(r[5] for r in rows):>5} {fetches:>7} {naive_fetches:>6} {goal_sum:>6.1f}"
        f" {sum(r[9] for r in rows):>8.1f} {sum(r[10] for r in rows):>8.1f}"
    )
    print()
    print(f"change points found: {found}/{k} ({found / k:.0%})   baseline (naive): {k}/{k}")
    print(
        f"raw fetches: {fetches} = {fetches / n:.1%} of {n} captures   baseline (naive): "
        f"{naive_fetches} = 100%   goal: <= {goal_sum:.0f} (sum over documents)"
    )
    print(
        f"at IA's pace ({IA_FETCHES_PER_MINUTE} fetches/min): {fetches / IA_FETCHES_PER_MINUTE:.1f} min"
        f"   baseline (naive): {naive_fetches / IA_FETCHES_PER_MINUTE:.1f} min"
    )
    ok = found == k and all(r[6] <= r[8] for r in rows)
    print("goal met" if ok else "GOAL MISSED")
    figure(
        "raw fetches to backfill",
        fetches,
        "fetches",
        baseline="fetch every capture",
        baseline_value=naive_fetches,
        goal=f"<= {goal_sum:.0f}, all changes found",
        met=ok,
    )
    figure(
        "change points found",
        found,
        "",
        baseline="fetch every capture",
        baseline_value=k,
        goal=f"{k} (all)",
        met=found == k,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
