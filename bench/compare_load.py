"""Whether comparisons of any two versions can starve the monitor (issue 23, item 5).

    .venv/bin/python bench/compare_load.py [--clients 6] [--checks 8]

A store holds one document whose 8 versions are large (each four real policies from
tests/data/policy-histories, concatenated in a different order: 155,000-266,000 characters
in 600-985 clauses): every pair of them is a comparison of seconds that no stored change answers.
`--clients` loopback clients keep asking /api/v1/compare for those pairs while the monitor
checks another document `--checks` times (each check fetches a new real policy version,
extracts it, records it and judges its change: the recording runs on the default thread
pool, as in the service). The figure is the time of a check under that load:

- with the comparison service (api.comparisons: its own worker process, one at a time, a
  bounded queue, 503 beyond it);
- baseline, measured in the same run: comparisons on the shared default thread pool with no
  limit (the code before issue 23), by the same service with its executor and limits off.

Both runs have the cache off (every request computes) and no rate limit (one client here
stands for many), so only where and how many comparisons run differs.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from multidict import CIMultiDict, CIMultiDictProxy  # noqa: E402
from report import figure, sample, smoke  # noqa: E402

from api.app import create_app  # noqa: E402
from api.comparisons import COMPARISONS, ComparisonService, Limits  # noqa: E402
from api.config import Settings  # noqa: E402
from api.ratelimit import LIMITER, RateLimiter  # noqa: E402
from api.webhooks import DELIVERY_INTERVAL  # noqa: E402
from db import Store  # noqa: E402
from monitor.extract import extract  # noqa: E402
from monitor.fetch import FetchResult  # noqa: E402
from monitor.record import text_hash  # noqa: E402
from monitor.schedule import Monitor  # noqa: E402

HISTORIES = ROOT / "tests" / "data" / "policy-histories"
POOL = ("paypal", "amazon-com", "apple", "linkedin", "spotify", "tiktok", "zoom", "github")
UNLIMITED = 10**9


def latest(service: str) -> bytes:
    return sorted((HISTORIES / service).glob("*.md"))[-1].read_bytes()


def build(path: Path) -> tuple[Store, list[tuple[int, int]], dict]:
    store = Store.open(path)
    doc = store.add_document(store.add_site("large.example")["id"], "https://large.example/p")
    ids = []
    # A smoke run: three versions of one policy each, so a comparison takes milliseconds.
    pool, parts = sample(POOL, 3), 1 if smoke() else 4
    for k in range(len(pool)):
        raw = b"\n\n".join(latest(pool[(k + i) % len(pool)]) for i in range(parts))
        policy = extract(raw, "text/markdown", None)
        ids.append(store.upsert_version(doc["id"], text_hash(policy), policy.to_dict())[0])
    checked = store.add_document(
        store.add_site("checked.example")["id"], "https://checked.example/p"
    )
    return store, list(itertools.combinations(ids, 2)), checked


class History:
    """A fetcher serving the next real version of a policy on every fetch."""

    def __init__(self, service: str) -> None:
        self.bodies = itertools.cycle(sorted((HISTORIES / service).glob("*.md")))

    async def fetch(self, url, etag=None, last_modified=None) -> FetchResult:
        body = next(self.bodies).read_bytes()
        return FetchResult(
            url=url,
            outcome="ok",
            final_url=url,
            status=200,
            headers=CIMultiDictProxy(CIMultiDict()),
            body=body,
            content_type="text/markdown",
            kind="text",
            text=body.decode(),
        )


async def checks_ms(monitor: Monitor, document: dict, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        await monitor.check(
            monitor.store.get_document(document["id"]), now=monitor.clock(), force=True
        )
        out.append((time.perf_counter() - t) * 1000)
    return out


async def scenario(store, pairs, checked, service, clients: int, n: int) -> dict:
    app = create_app(Settings(db_path=store.path), store=store)
    app[DELIVERY_INTERVAL] = None
    app[COMPARISONS] = service
    app[LIMITER] = RateLimiter({})
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    statuses: dict[int, int] = {}
    stop = asyncio.Event()
    order = itertools.cycle(pairs)

    async def client(session):
        while not stop.is_set():
            a, b = next(order)
            async with session.get(f"{base}/api/v1/compare", params={"from": a, "to": b}) as r:
                await r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.status == 503:
                await asyncio.sleep(0.2)  # a polite client backs off (less than Retry-After)

    monitor = Monitor(store, History("bitwarden"))
    try:
        async with aiohttp.ClientSession() as session:
            load = [asyncio.ensure_future(client(session)) for _ in range(clients)]
            await asyncio.sleep(1.0)  # let the load build up before measuring
            latencies = await checks_ms(monitor, checked, n)
            stop.set()
            await asyncio.gather(*load)
    finally:
        await runner.cleanup()
    return {"checks": latencies, "statuses": statuses}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--checks", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, pairs, checked = build(Path(tmp) / "cw.db")
        idle = await checks_ms(Monitor(store, History("bitwarden")), checked, args.checks)
        old = ComparisonService(
            Limits(
                max_chars=UNLIMITED,
                max_clauses=UNLIMITED,
                concurrency=64,
                queue=UNLIMITED,
                cache_size=0,
            ),
            executor=lambda n: None,  # run_in_executor(None, ...): the shared default pool
        )
        before = await scenario(store, pairs, checked, old, args.clients, args.checks)
        after = await scenario(
            store,
            pairs,
            checked,
            ComparisonService(Limits(cache_size=0)),
            args.clients,
            args.checks,
        )
        store.close()
    print(f"{len(pairs)} large pairs, {args.clients} clients comparing, {args.checks} checks each")
    print(
        f"check, no load:          median {statistics.median(idle):8.0f} ms  max {max(idle):8.0f} ms"
    )
    for label, run in (("baseline (shared pool)", before), ("comparison service", after)):
        c = run["checks"]
        print(
            f"check, {label:<22} median {statistics.median(c):8.0f} ms  max {max(c):8.0f} ms"
            f"  compare answers {dict(sorted(run['statuses'].items()))}"
        )
    new, old_ = after["checks"], before["checks"]
    figure(
        f"monitor check under {args.clients} comparing clients, median",
        round(statistics.median(new)),
        "ms",
        baseline="comparisons on the shared default pool",
        baseline_value=round(statistics.median(old_)),
    )
    figure(
        f"monitor check under {args.clients} comparing clients, max",
        round(max(new)),
        "ms",
        baseline="comparisons on the shared default pool",
        baseline_value=round(max(old_)),
    )


if __name__ == "__main__":
    asyncio.run(main())
