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
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import figure  # noqa: E402

# -- the load generator (the second process) --------------------------------------------


async def load(urls: list[str], total: int, concurrency: int, warmup: int) -> dict:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker(counter, record: bool) -> None:
            for n in counter:
                url = urls[n % len(urls)]
                start = time.perf_counter()
                async with session.get(url) as resp:
                    await resp.read()
                    status = resp.status
                if record:
                    latencies.append(time.perf_counter() - start)
                    statuses[status] = statuses.get(status, 0) + 1

        # Warm-up (connections opened, caches filled), then the measured run.
        counter = iter(range(warmup))
        await asyncio.gather(*(worker(counter, False) for _ in range(concurrency)))
        counter = iter(range(total))
        begin = time.perf_counter()
        await asyncio.gather(*(worker(counter, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
    return {"seconds": elapsed, "latencies": latencies, "statuses": statuses}


def summarise(runs: list[dict]) -> dict:
    """Several runs of one scenario as one: total requests over total time, merged latencies."""
    latencies = sorted(x for r in runs for x in r["latencies"])
    seconds = sum(r["seconds"] for r in runs)
    # Includes the warm-up requests' share; the same for every scenario.
    cpu_ms = 1000 * sum(r["server_cpu"] for r in runs) / max(1, len(latencies))
    statuses: dict[str, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "statuses": statuses,
        "cpu_ms": cpu_ms,
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
        sys.executable,
        __file__,
        "--load",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate(spec.encode())
    if proc.returncode != 0:
        raise SystemExit(f"load generator failed ({proc.returncode})")
    return json.loads(out)


WRK_SCRIPT = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50_us\\": %%d, \\"p99_us\\": %%d, "
    .. "\\"non2xx\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


async def run_wrk(urls: list[str], seconds: float, concurrency: int) -> dict:
    """wrk (C, two threads) as the second process: it can outrun one Python server."""
    from yarl import URL

    base = URL(urls[0]).origin()
    paths = ", ".join(json.dumps(str(URL(u).relative())) for u in urls)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % paths)
    proc = await asyncio.create_subprocess_exec(
        "wrk", "-t2", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", script.name, str(base), stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    Path(script.name).unlink()
    line = next(x for x in out.decode().splitlines() if x.startswith("WRK "))
    r = json.loads(line[4:])
    return {
        "seconds": r["seconds"],
        "requests": r["requests"],
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "statuses": {"non-2xx": r["non2xx"], "errors": r["errors"]},
    }


async def rounds(scenarios: dict, args, concurrency: int, scale: float = 1.0) -> dict:
    runs: dict[str, list[dict]] = {name: [] for name in scenarios}
    for _ in range(args.rounds):
        for name, urls in scenarios.items():
            # The servers' CPU time (this process) is the cost per request that does not
            # depend on how busy the shared machine is.
            cpu = time.process_time()
            if args.client == "wrk":
                run = await run_wrk(urls, args.seconds * scale / args.rounds, concurrency)
            else:
                run = await run_load(urls, int(args.requests * scale) // args.rounds, concurrency)
            run["server_cpu"] = time.process_time() - cpu
            runs[name].append(run)
    return {
        name: (summarise_wrk(r) if args.client == "wrk" else summarise(r))
        for name, r in runs.items()
    }


def summarise_wrk(runs: list[dict]) -> dict:
    """Rounds of wrk as one: total rate, the median round's p50, the worst round's p99."""
    requests = sum(r["requests"] for r in runs)
    statuses: dict[str, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "requests": requests,
        "rps": requests / sum(r["seconds"] for r in runs),
        "p50_ms": sorted(r["p50_ms"] for r in runs)[len(runs) // 2],
        "p99_ms": max(r["p99_ms"] for r in runs),
        "statuses": statuses,
        "cpu_ms": 1000 * sum(r["server_cpu"] for r in runs) / max(1, requests),
    }


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

            def poll(behind_lo: int, behind_hi: int, profiles: int) -> list[str]:
                # `profiles` extensions: each its own 50 buckets, a cursor some changes back
                # (when it last polled), and the lookup of a site it visits.
                rng = random.Random(11)
                urls = []
                for _ in range(profiles):
                    buckets = ",".join(sorted(f"{b:02x}" for b in rng.sample(range(256), 50)))
                    cursor = encode_cursor(max(1, last - rng.randint(behind_lo, behind_hi)))
                    site = f"site{rng.randrange(args.sites)}.example.com"
                    prefix = hashlib.sha256(site.encode()).hexdigest()[:2]
                    urls += [
                        f"{api}/changes?after={cursor}&buckets={buckets}&limit=100",
                        f"{api}/lookup/{prefix}",
                    ]
                return urls

            many = args.distinct
            scenarios = {
                "bare aiohttp handler": [f"http://127.0.0.1:{bare_port}/bare"],
                # The usual poll: a few changes since the last one (0-10 across all sites).
                # 50 extensions asking again and again: answers come from the read cache,
                # as they would from a CDN.
                "poll, steady, 50 ext.": poll(0, 10, 50),
                # So many different extensions that URLs (almost) never repeat: every
                # answer is built from the store (the read cache's worst case).
                f"poll, steady, {many} ext.": poll(0, 10, many),
                # Back after a while: 150-300 changes since, ~20 % of them in its buckets.
                f"catching up, {many} ext.": poll(args.behind // 2, args.behind, many),
            }
            bound = f"{args.seconds} s" if args.client == "wrk" else f"{args.requests} requests"
            print(
                f"load: {args.client}, {bound} per scenario in {args.rounds} rounds, "
                f"{args.concurrency} concurrent, from a second process over loopback"
            )
            # Scenarios take turns, round after round, so a change in the machine's load
            # (it is shared) falls on all of them alike.
            results = await rounds(scenarios, args, args.concurrency)
            lat = {}
            if args.latency_concurrency:
                lat = await rounds(scenarios, args, args.latency_concurrency, 0.5)
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
    print(
        f"\n{'':26}{'req/s':>8}{'% bare':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'server CPU ms/req':>19}  statuses"
    )
    for name, r in results.items():
        share = 100 * r["rps"] / base["rps"]
        print(
            f"{name:26}{r['rps']:8.0f}{share:7.0f}%{r['p50_ms']:8.1f}{r['p99_ms']:8.1f}"
            f"{r['cpu_ms']:19.3f}  {r['statuses']}"
        )
    for name, r in results.items():
        if name == "bare aiohttp handler":
            continue
        ok = r["rps"] >= 0.5 * base["rps"]
        print(
            f"{name}: {'meets' if ok else 'misses'} >= 50 % of bare; p99 "
            f"{'meets' if r['p99_ms'] <= 20 else 'misses'} <= 20 ms at {concurrency} concurrent"
        )
        figure(
            f"{name} @{concurrency}",
            r["rps"],
            "req/s",
            baseline="bare handler",
            baseline_value=base["rps"],
            goal=">= 50 % of bare",
            met=ok,
        )
        figure(
            f"{name} p99 @{concurrency}",
            r["p99_ms"],
            "ms",
            baseline="bare handler",
            baseline_value=base["p99_ms"],
            goal="<= 20 ms",
            met=r["p99_ms"] <= 20,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--latency-concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="turns each scenario takes")
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="the load generator: wrk (Debian's package) if installed, else aiohttp",
    )
    parser.add_argument("--seconds", type=float, default=9.0, help="per scenario, with wrk")
    parser.add_argument(
        "--distinct", type=int, default=20000, help="extensions in the no-repeat scenarios"
    )
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=50000)
    parser.add_argument("--behind", type=int, default=300, help="changes since the poll cursor")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        spec = json.loads(sys.stdin.read())
        warmup = min(300, spec["total"] // 10)
        print(
            json.dumps(asyncio.run(load(spec["urls"], spec["total"], spec["concurrency"], warmup)))
        )
    else:
        asyncio.run(main(args))
