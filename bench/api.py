"""The extension's poll under load: the change feed for 50 buckets plus a lookup, against
the real application, side by side with a bare aiohttp handler served by the same process.

    .venv/bin/python bench/api.py [--requests 6000] [--concurrency 100] [--sites 5000]
                                  [--changes 50000]

The servers run in this process; the load comes from a SECOND process (this script with
--load) over loopback, so client and server do not share an event loop. Each figure is
printed next to its baseline, the bare handler (one small JSON answer, no store, no
middleware work beyond aiohttp's own), measured in the same run. Goal: the poll at
>= 50 % of the bare handler's requests per second, p99 <= 20 ms.

The rate limiter stays on (its code runs on every request) with a read rule large enough
for one loopback client: in production this traffic arrives through a CDN.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# -- the load generator (the second process) --------------------------------------------


async def load(urls: list[str], total: int, concurrency: int, warmup: int) -> dict:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(total + warmup))
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            for n in counter:
                url = urls[n % len(urls)]
                start = time.perf_counter()
                async with session.get(url) as resp:
                    await resp.read()
                    status = resp.status
                if n >= warmup:
                    latencies.append(time.perf_counter() - start)
                    statuses[status] = statuses.get(status, 0) + 1

        # Warm-up on one connection per worker, then the measured run.
        begin = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "mean_ms": 1000 * statistics.fmean(latencies),
        "statuses": statuses,
    }


# -- the servers (this process) ---------------------------------------------------------


def build_store(path: Path, sites: int, changes: int):
    """A store of `sites` sites, each a document with two versions, and `changes` changes."""
    from db import Store, site_hash, utc_iso

    store = Store.open(path)
    now = utc_iso()
    rng = random.Random(7)
    with store.write() as db:
        conn = db.conn
        for i in range(sites):
            site = f"site{i}.example.com"
            conn.execute(
                "INSERT INTO sites (id, site, site_hash, state, created_at) VALUES (?, ?, ?, 'active', ?)",
                [i + 1, site, site_hash(site), now],
            )
            conn.execute(
                "INSERT INTO documents (id, site_id, url, created_at) VALUES (?, ?, ?, ?)",
                [i + 1, i + 1, f"https://{site}/privacy", now],
            )
            for v in (0, 1):
                conn.execute(
                    "INSERT INTO versions (id, document_id, text_hash, clauses, created_at)"
                    " VALUES (?, ?, ?, '[]', ?)",
                    [2 * i + 1 + v, i + 1, f"h{i}-{v}", now],
                )
        occurrence: dict[int, int] = {}
        rows = []
        for _ in range(changes):
            doc = rng.randrange(sites) + 1
            k = occurrence.get(doc, 0)
            occurrence[doc] = k + 1
            a, b = (2 * doc - 1, 2 * doc) if k % 2 == 0 else (2 * doc, 2 * doc - 1)
            material = rng.random() < 0.2
            rows.append(
                (
                    doc, a, b, k, "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", now, "live",
                    int(material), 0.7 if material else 0.1,
                    json.dumps(["third-party-sharing"] if material else []),
                    "adds sale of personal information to data brokers" if material
                    else "No material change: 2 edits that do not change what the policy says.",
                )
            )  # fmt: skip
        conn.executemany(
            "INSERT INTO changes (document_id, from_version_id, to_version_id, occurrence,"
            " from_captured_at, to_captured_at, detected_at, origin, material, score,"
            " categories, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return store


async def serve(app, port: int = 0):
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def bare_app():
    from aiohttp import web

    body = json.dumps({"changes": [], "next": None, "more": False}).encode()

    async def handler(request):
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/bare", handler)
    return app


async def run_load(urls: list[str], total: int, concurrency: int) -> dict:
    spec = json.dumps({"urls": urls, "total": total, "concurrency": concurrency})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--load", spec, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"load generator failed ({proc.returncode})")
    return json.loads(out)


async def main(args) -> None:
    from api.app import create_app
    from api.config import Settings
    from api.ratelimit import DEFAULT_RULES, LIMITER, RateLimiter, Rule
    from api.routes.changes import encode_cursor
    from api.webhooks import DELIVERY_INTERVAL

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        store = build_store(path, args.sites, args.changes)
        print(
            f"store: {args.sites} sites, {args.changes} changes ({time.perf_counter() - t0:.1f} s)"
        )
        app = create_app(Settings(db_path=str(path)), store=store)
        app[DELIVERY_INTERVAL] = None
        rules = dict(DEFAULT_RULES, read=Rule(burst=1e9, per_second=1e9))
        app[LIMITER] = RateLimiter(rules)
        api_runner, api_port = await serve(app)
        bare_runner, bare_port = await serve(bare_app())
        try:
            api = f"http://127.0.0.1:{api_port}/api/v1"
            last = store.last_change_id()

            def poll(behind_lo: int, behind_hi: int) -> list[str]:
                # 50 different extensions: each its own 50 buckets, a cursor some changes
                # back (when it last polled), and the lookup of a site it visits.
                rng = random.Random(11)
                urls = []
                for _ in range(50):
                    buckets = ",".join(sorted(f"{b:02x}" for b in rng.sample(range(256), 50)))
                    cursor = encode_cursor(max(1, last - rng.randint(behind_lo, behind_hi)))
                    site = f"site{rng.randrange(args.sites)}.example.com"
                    prefix = hashlib.sha256(site.encode()).hexdigest()[:5]
                    urls += [
                        f"{api}/changes?after={cursor}&buckets={buckets}&limit=100",
                        f"{api}/lookup/{prefix}",
                    ]
                return urls

            scenarios = {
                "bare aiohttp handler": [f"http://127.0.0.1:{bare_port}/bare"],
                # The usual poll: a few changes since the last one (0-10 across all sites).
                "poll, steady": poll(0, 10),
                # Back after a while: 150-300 changes since, ~20 % of them in its buckets.
                "poll, catching up": poll(args.behind // 2, args.behind),
            }
            print(
                f"load: {args.requests} requests per scenario, {args.concurrency} concurrent, "
                "from a second process over loopback"
            )
            results = {
                name: await run_load(urls, args.requests, args.concurrency)
                for name, urls in scenarios.items()
            }
            lat = {}
            if args.latency_concurrency:
                for name, urls in scenarios.items():
                    lat[name] = await run_load(urls, args.requests // 2, args.latency_concurrency)
        finally:
            await api_runner.cleanup()
            await bare_runner.cleanup()
            store.close()
    report(results, args.concurrency)
    if lat:
        print(f"\nthe same at {args.latency_concurrency} concurrent (latency without queueing):")
        report(lat, args.latency_concurrency)


def report(results: dict, concurrency: int) -> None:
    base = results["bare aiohttp handler"]
    print(f"\n{'':22}{'req/s':>8}{'% bare':>8}{'p50 ms':>8}{'p99 ms':>8}  statuses")
    for name, r in results.items():
        share = 100 * r["rps"] / base["rps"]
        print(
            f"{name:22}{r['rps']:8.0f}{share:7.0f}%{r['p50_ms']:8.1f}{r['p99_ms']:8.1f}"
            f"  {r['statuses']}"
        )
    for name, r in results.items():
        if name == "bare aiohttp handler":
            continue
        ok = r["rps"] >= 0.5 * base["rps"]
        print(
            f"{name}: {'meets' if ok else 'misses'} >= 50 % of bare; p99 "
            f"{'meets' if r['p99_ms'] <= 20 else 'misses'} <= 20 ms at {concurrency} concurrent"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--latency-concurrency", type=int, default=10)
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=50000)
    parser.add_argument("--behind", type=int, default=300, help="changes since the poll cursor")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        spec = json.loads(args.load)
        warmup = min(500, spec["total"] // 10)
        print(
            json.dumps(asyncio.run(load(spec["urls"], spec["total"], spec["concurrency"], warmup)))
        )
    else:
        asyncio.run(main(args))
