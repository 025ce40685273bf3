"""Monitor bench, end-to-end part: one scheduler pass over 1,000 documents on loopback sites.

The same loopback sites as bench/monitor.py (its server and URLs are reused: 50 hosts x
20 documents, a real policy page each, served by a separate process), but each document
goes through everything a scheduled check does: claim in the store, polite guarded fetch
(robots.txt, per-host delay, global limit), extraction, snapshot + version recording in a
worker thread, and the document's new state. Printed beside the baseline measured in the
same run: the fetch-only pass of bench/monitor.py (same Fetcher settings, no store).
Extraction runs in the monitor's process, as `clausewatch serve` does by default;
`--workers 2` moves it to worker processes (CLAUSEWATCH_EXTRACT_WORKERS=2).

    .venv/bin/python bench/monitor_pass.py [--hosts 50] [--docs 20] [--delay 0.5] [--workers 0]

Two passes are timed: the first (every document new: 1,000 versions written) and a second
one an interval later (same pages: snapshots deduplicated into the existing versions).
Goal (issue 5): a pass over 1,000 documents in 20 s or less on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import multiprocessing
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import figure  # noqa: E402

from db import Store  # noqa: E402
from monitor.fetch import Fetcher, FetchPolicy  # noqa: E402
from monitor.netguard import StaticLookup  # noqa: E402
from monitor.schedule import Monitor, Timing  # noqa: E402


def _fetch_bench():
    """bench/monitor.py, loaded by path: `monitor` is also our package's name."""
    spec = importlib.util.spec_from_file_location("bench_monitor_fetch", ROOT / "bench/monitor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self):
        return self.now


def _timed(run):
    """(wall seconds, CPU seconds of this process, what `run` returned)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return time.perf_counter() - wall, time.process_time() - cpu, out


async def _monitor_passes(db: Path, urls, names, *, delay: float, concurrency: int, workers: int):
    with Store.open(db) as store:
        for url in urls:
            host = url.split("/")[2].split(":")[0]
            store.add_document(store.add_site(host)["id"], url)
        policy = FetchPolicy(allow_private=True, min_host_delay=delay, concurrency=concurrency)
        lookup = StaticLookup(dict.fromkeys(names, "127.0.0.1"))
        clock = Clock()
        timing = Timing(interval=3600)
        figures = []
        pool = None
        if workers:
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            # Started before the clock runs, as a long-running service's pool would be.
            await asyncio.gather(
                *(asyncio.get_running_loop().run_in_executor(pool, abs, 0) for _ in range(workers))
            )
        async with Fetcher(policy, lookup=lookup) as fetcher:
            monitor = Monitor(store, fetcher, timing=timing, clock=clock, extract_pool=pool)
            for _ in range(2):
                wall, cpu = time.perf_counter(), time.process_time()
                report = await monitor.run_pass()
                figures.append(
                    (time.perf_counter() - wall, time.process_time() - cpu, report.counts())
                )
                clock.now += timedelta(seconds=2 * timing.interval)
        if pool is not None:
            pool.shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--docs", type=int, default=20, help="documents per host")
    parser.add_argument(
        "--delay", type=float, default=0.5, help="seconds between requests to a host"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight, all hosts")
    parser.add_argument("--tmpdir", help="where the bench database lives (default: $TMPDIR)")
    parser.add_argument(
        "--workers", type=int, default=0, help="extraction worker processes (0: in-process)"
    )
    args = parser.parse_args()
    fetch_bench = _fetch_bench()

    body = fetch_bench.POLICY.read_bytes()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=fetch_bench._serve, args=(child, body), daemon=True)
    server.start()
    try:
        port = parent.recv()
        names, urls = fetch_bench._urls(port, args.hosts, args.docs)
        n = len(urls)
        print(
            f"{n} documents = {args.hosts} hosts x {args.docs}, {len(body) // 1024} KiB each, "
            f"delay {args.delay:g} s per host, global concurrency {args.concurrency}, "
            f"{args.workers} extraction worker process(es)"
        )
        fetch_only = _timed(
            lambda: asyncio.run(
                fetch_bench._fetcher_pass(
                    urls, names, delay=args.delay, concurrency=args.concurrency
                )
            )
        )
        with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
            passes = asyncio.run(
                _monitor_passes(
                    Path(tmp) / "bench.db",
                    urls,
                    names,
                    delay=args.delay,
                    concurrency=args.concurrency,
                    workers=args.workers,
                )
            )
    finally:
        server.kill()
        server.join()

    print(
        "  wall time, and CPU seconds of this process (extraction workers not included;"
        " the machine is shared):"
    )
    rows = [
        ("fetch-only pass (baseline)", fetch_only[0], fetch_only[1], fetch_only[2][1]),
        ("check pass 1 (all new versions)", *passes[0]),
        ("check pass 2 (unchanged pages)", *passes[1]),
    ]
    for label, wall, cpu, counts in rows:
        print(f"  {label:34s} {wall:6.2f} s  {n / wall:7.1f} docs/s  cpu {cpu:6.2f} s  {counts}")
    for label, wall, _, _ in rows[1:]:
        verdict = "met" if wall <= 20 else "MISSED"
        print(f"  {label}: x{wall / fetch_only[0]:.2f} the fetch-only pass; goal <= 20 s {verdict}")
        figure(
            f"{label}, {n} docs",
            wall,
            "s",
            baseline="fetch-only pass",
            baseline_value=fetch_only[0],
            goal="<= 20 s",
            met=wall <= 20,
        )


if __name__ == "__main__":
    main()
