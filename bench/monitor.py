"""Monitor bench, fetch part: one polite pass over many documents on loopback sites.

50 hosts x 20 documents (names mapped to 127.0.0.1 by the injected lookup, private
addresses allowed), served by a separate process. The pass goes through everything a
live check does: the SSRF guard, robots.txt, per-host politeness with a minimum delay,
the global concurrency limit, size caps and charset decoding. Printed beside two
baselines measured in the same run: the same Fetcher with politeness off, and a bare
aiohttp GET loop with the same concurrency and no guard, robots or politeness.

    .venv/bin/python bench/monitor.py [--hosts 50] [--docs 20] [--delay 0.5]

Goal (issue 5): the polite pass over 1,000 documents in 20 s or less on this machine.
With a delay of D seconds a host's N documents cannot take less than about N x D, so the
polite figure is bounded below by politeness, not by the code; that bound is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import figure

from monitor.fetch import Fetcher, FetchPolicy
from monitor.netguard import StaticLookup

POLICY = (
    Path(__file__).resolve().parent.parent / "tests/data/raw-html/bumble/2022-01-20T143323Z.html"
)


def _serve(conn, body: bytes) -> None:
    """The loopback sites, in their own process so they do not share our event loop."""

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\n")

    async def doc(request: web.Request) -> web.Response:
        # Each document differs a little, as each site's policy would.
        tail = f"<!-- {request.host} {request.path} -->".encode()
        return web.Response(body=body + tail, content_type="text/html", charset="utf-8")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/robots.txt", robots)
        app.router.add_get("/policies/{n}", doc)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        conn.send(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


def _urls(port: int, hosts: int, docs: int) -> tuple[list[str], list[str]]:
    names = [f"site{h:03d}.bench.test" for h in range(hosts)]
    # Interleave hosts, as a scheduler's due list would.
    urls = [f"http://{name}:{port}/policies/{d}" for d in range(docs) for name in names]
    return names, urls


async def _fetcher_pass(urls, names, *, delay: float, concurrency: int) -> tuple[float, dict]:
    policy = FetchPolicy(allow_private=True, min_host_delay=delay, concurrency=concurrency)
    lookup = StaticLookup(dict.fromkeys(names, "127.0.0.1"))
    async with Fetcher(policy, lookup=lookup) as fetcher:
        started = time.perf_counter()
        results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        elapsed = time.perf_counter() - started
    outcomes: dict[str, int] = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    return elapsed, outcomes


async def _bare_pass(urls, port: int, concurrency: int) -> tuple[float, dict]:
    """Baseline: plain aiohttp, straight to 127.0.0.1 with the Host header set by hand."""
    gate = asyncio.Semaphore(concurrency)
    outcomes: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def get(url: str) -> None:
            host = url.split("/")[2]
            path = "/" + url.split("/", 3)[3]
            async with (
                gate,
                session.get(f"http://127.0.0.1:{port}{path}", headers={"Host": host}) as response,
            ):
                await response.read()
                key = "ok" if response.status == 200 else str(response.status)
                outcomes[key] = outcomes.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(get(u) for u in urls))
        return time.perf_counter() - started, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--docs", type=int, default=20, help="documents per host")
    parser.add_argument(
        "--delay", type=float, default=0.5, help="seconds between requests to a host"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight, all hosts")
    args = parser.parse_args()

    body = POLICY.read_bytes()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, body), daemon=True)
    server.start()
    try:
        port = parent.recv()
        names, urls = _urls(port, args.hosts, args.docs)
        n = len(urls)
        print(
            f"{n} documents = {args.hosts} hosts x {args.docs}, {len(body) // 1024} KiB each, "
            f"loopback server in its own process; global concurrency {args.concurrency}"
        )
        bare, bare_outcomes = asyncio.run(_bare_pass(urls, port, args.concurrency))
        fast, fast_outcomes = asyncio.run(
            _fetcher_pass(urls, names, delay=0.0, concurrency=args.concurrency)
        )
        polite, polite_outcomes = asyncio.run(
            _fetcher_pass(urls, names, delay=args.delay, concurrency=args.concurrency)
        )
    finally:
        server.kill()
        server.join()

    floor = args.docs * args.delay  # robots.txt, then N documents, D seconds apart
    print(
        f"  bare aiohttp GET loop (baseline)      {bare:6.2f} s  {n / bare:7.1f} docs/s  {bare_outcomes}"
    )
    print(
        f"  Fetcher, politeness off (delay 0)     {fast:6.2f} s  {n / fast:7.1f} docs/s  {fast_outcomes}"
    )
    print(
        f"  Fetcher, politeness on (delay {args.delay:g} s)  {polite:6.2f} s  {n / polite:7.1f} docs/s  "
        f"{polite_outcomes}"
    )
    figure(
        f"polite pass, {n} docs",
        polite,
        "s",
        baseline="bare aiohttp",
        baseline_value=bare,
        goal="<= 20 s",
        met=polite <= 20,
    )
    figure(
        f"pass, politeness off, {n} docs", fast, "s", baseline="bare aiohttp", baseline_value=bare
    )
    print(
        f"  politeness floor {floor:.1f} s ({args.docs} docs x {args.delay:g} s per host); "
        f"goal <= 20 s: {'met' if polite <= 20 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
