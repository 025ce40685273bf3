"""Rendering bench: what a browser page costs beside a plain fetch, and what it does to a pass.

Local sites on loopback, served by a separate process: each document exists twice, as a
real policy page served whole (tests/data/raw-html, Bumble's) and as a client-rendered app
whose script loads the very same HTML from a JSON endpoint and writes it into an empty
``<div id="root">`` (what a plain fetch of it sees: an empty shell).

1. Rendered pages per second, and memory per page, against the plain fetch of the same
   local pages (the app pages: what a plain fetch gets of them is the shell). Memory: the
   proportional set size (PSS, shared pages split) of the Chromium processes, idle vs at
   the peak of rendering, per page in flight; the plain fetcher's is the Python heap peak
   (tracemalloc) per request in flight.
2. Two monitor passes over 1,000 documents (50 hosts x 20, the settings of
   bench/monitor_pass.py) through the ChoosingFetcher, as `clausewatch serve` runs them:
   one where no document needs rendering (the baseline), one where 10 % are the app
   pages. Each is timed twice: the first pass decides (plain fetch, extraction, render),
   the second goes straight to the remembered fetcher, where an app page whose render
   fingerprint (monitor/renderprint.py) still holds is replayed plainly instead of
   rendered. Wall time and CPU time (this process and every process under it but the
   site's: the Playwright driver and Chromium). Goal (issue 24): the 10 % pass within 2x
   the time of the pass where none render. ``--no-prints`` measures without fingerprints.

    .venv/bin/python bench/render.py [--pages 2] [--renders 40] [--hosts 50] [--docs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import figure  # noqa: E402

from db import Store  # noqa: E402
from monitor.fetch import Fetcher, FetchPolicy  # noqa: E402
from monitor.netguard import StaticLookup  # noqa: E402
from monitor.render import Renderer, RenderPolicy, chromium_available  # noqa: E402
from monitor.renderchoice import ChoosingFetcher, StorePrints, store_remember  # noqa: E402
from monitor.schedule import Monitor, Timing  # noqa: E402

POLICY = ROOT / "tests/data/raw-html/bumble/2022-01-20T143323Z.html"
SHELL = (
    "<!doctype html><html><head><title>Privacy</title></head><body>"
    "<noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div><script src="/static/app.js"></script></body></html>'
)
APP_JS = (
    "fetch('/api/policy.json?p=' + encodeURIComponent(location.pathname))"
    ".then(r => r.json()).then(d => { document.getElementById('root').innerHTML = d.html; });"
)


def _serve(conn, body: bytes) -> None:
    """The loopback sites, in their own process so they do not share our event loop."""
    html = body.decode("utf-8", "replace")
    # The body of the page only: an app writes its content into its root element.
    inner = html.split("<body", 1)[-1].split(">", 1)[-1].rsplit("</body>", 1)[0]

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nAllow: /\n")

    async def plain(request: web.Request) -> web.Response:
        tail = f"<!-- {request.host} {request.path} -->".encode()
        return web.Response(body=body + tail, content_type="text/html", charset="utf-8")

    async def app(request: web.Request) -> web.Response:
        return web.Response(text=SHELL, content_type="text/html")

    async def app_js(request: web.Request) -> web.Response:
        return web.Response(text=APP_JS, content_type="application/javascript")

    async def policy_json(request: web.Request) -> web.Response:
        page = request.query.get("p", "")
        return web.Response(
            text=json.dumps({"html": inner + f"<!-- {request.host} {page} -->"}),
            content_type="application/json",
        )

    async def main() -> None:
        application = web.Application()
        application.router.add_get("/robots.txt", robots)
        application.router.add_get("/policies/{n}", plain)
        application.router.add_get("/app/{n}", app)
        application.router.add_get("/static/app.js", app_js)
        application.router.add_get("/api/policy.json", policy_json)
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        conn.send(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            out.append(child)
            todo.append(child)
    return out


def chromium_pss_kib() -> int:
    """PSS of every Chromium process started under this one (the browser and its pages)."""
    total = 0
    for pid in _descendants(os.getpid()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"chrom" not in cmd:
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def cpu_seconds(skip: int | None = None) -> float:
    """CPU time of this process and its descendants (reaped ones included), but ``skip``."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in _descendants(os.getpid()):
        if pid == skip:
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the name.
        total += sum(int(f) for f in fields[11:15]) / tick
    return total


def _policies(names, port):
    fetch = FetchPolicy(allow_private=True, min_host_delay=0, concurrency=16)
    return fetch, StaticLookup(dict.fromkeys(names, "127.0.0.1"))


async def _throughput(port: int, renders: int, pages: int) -> dict:
    names = [f"app{i:03d}.bench.test" for i in range(renders)]
    urls = [f"http://{n}:{port}/app/1" for n in names]
    fetch, lookup = _policies(names, port)
    out: dict = {}
    async with Fetcher(fetch, lookup=lookup) as plain:
        await plain.fetch(urls[0])  # warm: robots.txt, connection pool
        gate = asyncio.Semaphore(pages)

        async def one(url):
            async with gate:
                return await plain.fetch(url)

        tracemalloc.start()
        started = time.perf_counter()
        results = await asyncio.gather(*(one(u) for u in urls))
        out["plain_s"] = time.perf_counter() - started
        out["plain_heap_kib"] = tracemalloc.get_traced_memory()[1] / 1024 / pages
        tracemalloc.stop()
        assert all(r.outcome == "ok" for r in results), {r.outcome for r in results}

        render = RenderPolicy(pages=pages)
        async with Renderer(fetch, render, lookup=lookup, fetcher=plain) as renderer:
            first = await renderer.fetch(urls[0])  # starts the browser
            assert first.outcome == "ok", first.error
            out["idle_pss_kib"] = chromium_pss_kib()
            peak = 0
            done = asyncio.Event()

            async def sample():
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, chromium_pss_kib())
                    await asyncio.sleep(0.05)

            sampler = asyncio.ensure_future(sample())
            started = time.perf_counter()
            results = await asyncio.gather(*(renderer.fetch(u) for u in urls))
            out["render_s"] = time.perf_counter() - started
            done.set()
            await sampler
            out["peak_pss_kib"] = peak
            assert all(r.outcome == "ok" for r in results), {r.error for r in results}
            out["rendered_bytes"] = sum(len(r.body) for r in results) / len(results)
    return out


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self):
        return self.now


async def _passes(
    db: Path, port: int, hosts: int, docs: int, share: float, pages: int, prints: bool, skip: int
):
    names = [f"site{h:03d}.bench.test" for h in range(hosts)]
    urls = []
    for d in range(docs):
        for h, name in enumerate(names):
            i = d * hosts + h
            # Every 1/share-th document is an app page, spread over the hosts.
            app = share and i % round(1 / share) == 0
            urls.append(f"http://{name}:{port}/{'app' if app else 'policies'}/{d}")
    fetch = FetchPolicy(allow_private=True, min_host_delay=0.5, concurrency=16)
    lookup = StaticLookup(dict.fromkeys(names, "127.0.0.1"))
    figures = []
    with Store.open(db) as store:
        for url in urls:
            store.add_document(store.add_site(url.split("/")[2].split(":")[0])["id"], url)
        clock = Clock()
        timing = Timing(interval=3600)
        async with (
            Fetcher(fetch, lookup=lookup) as plain,
            Renderer(fetch, RenderPolicy(pages=pages), lookup=lookup, fetcher=plain) as renderer,
        ):
            chooser = ChoosingFetcher(
                plain,
                renderer,
                remember=store_remember(store),
                prints=StorePrints(store) if prints else None,
            )
            monitor = Monitor(store, chooser, timing=timing, clock=clock)
            for _ in range(2):
                started, cpu = time.perf_counter(), cpu_seconds(skip)
                report = await monitor.run_pass()
                figures.append(
                    (
                        time.perf_counter() - started,
                        cpu_seconds(skip) - cpu,
                        report.counts(),
                        renderer.rendered,
                        renderer.replayed,
                    )
                )
                clock.now += timedelta(seconds=2 * timing.interval)
    return sum(1 for u in urls if "/app/" in u), figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2, help="pages rendered at once")
    parser.add_argument("--renders", type=int, default=40, help="pages in the throughput part")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--docs", type=int, default=20, help="documents per host")
    parser.add_argument("--share", type=float, default=0.1, help="share of documents to render")
    parser.add_argument(
        "--no-prints", action="store_true", help="without render fingerprints (every render)"
    )
    parser.add_argument("--tmpdir", help="where the bench databases live (default: $TMPDIR)")
    args = parser.parse_args()
    off = chromium_available()
    if off:
        sys.exit(f"bench/render.py: rendering is off here: {off}")

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, POLICY.read_bytes()), daemon=True)
    server.start()
    try:
        port = parent.recv()
        t = asyncio.run(_throughput(port, args.renders, args.pages))
        with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
            common = (port, args.hosts, args.docs)
            prints = not args.no_prints
            _, none = asyncio.run(
                _passes(Path(tmp) / "none.db", *common, 0.0, args.pages, prints, server.pid)
            )
            rendering, some = asyncio.run(
                _passes(Path(tmp) / "some.db", *common, args.share, args.pages, prints, server.pid)
            )
    finally:
        server.kill()
        server.join()

    n = args.renders
    plain_rate, render_rate = n / t["plain_s"], n / t["render_s"]
    per_page_mib = (t["peak_pss_kib"] - t["idle_pss_kib"]) / args.pages / 1024
    print(f"1. {n} local app pages, {args.pages} at a time (Chromium {CHROMIUM_VERSION()}):")
    print(
        f"  plain fetch (baseline)  {plain_rate:8.1f} pages/s  heap {t['plain_heap_kib']:7.0f} KiB/page in flight"
    )
    print(
        f"  rendered                {render_rate:8.1f} pages/s  browser PSS idle"
        f" {t['idle_pss_kib'] / 1024:.0f} MiB, peak {t['peak_pss_kib'] / 1024:.0f} MiB:"
        f" {per_page_mib:.1f} MiB/page in flight; DOM {t['rendered_bytes'] / 1024:.0f} KiB"
    )
    print(f"  rendering is x{plain_rate / render_rate:.1f} slower per page")
    figure(
        "rendered pages/s",
        render_rate,
        "pages/s",
        baseline="plain fetch",
        baseline_value=plain_rate,
    )
    figure(
        "memory per rendered page",
        per_page_mib,
        "MiB",
        baseline="plain fetch heap per page",
        baseline_value=t["plain_heap_kib"] / 1024,
    )

    docs = args.hosts * args.docs
    print(
        f"2. monitor passes over {docs} documents ({args.hosts} hosts x {args.docs}, delay 0.5 s,"
        f" render fingerprints {'off' if args.no_prints else 'on'}):"
    )
    for label, passes in (("none rendered (baseline)", none), (f"{rendering} rendered", some)):
        for k, (wall, cpu, counts, rendered, replayed) in enumerate(passes, start=1):
            print(
                f"  {label:26s} pass {k}: wall {wall:6.2f} s  CPU {cpu:6.2f} s  {counts}"
                f"  rendered so far {rendered}, replayed {replayed}"
            )
    for k in (0, 1):
        what = "first pass (deciding)" if k == 0 else "second pass (remembered)"
        for unit, i in (("wall", 0), ("CPU", 1)):
            ratio = some[k][i] / none[k][i]
            verdict = "met" if ratio <= 2 else "MISSED"
            print(
                f"  {what}, {unit}: x{ratio:.2f} the pass where none render; goal <= 2x {verdict}"
            )
            figure(
                f"{what} {unit}, {docs} docs, {rendering} rendered",
                some[k][i],
                "s",
                baseline="none rendered",
                baseline_value=none[k][i],
                goal="<= 2x",
                met=ratio <= 2,
            )


def CHROMIUM_VERSION() -> str:
    import subprocess

    try:
        out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True)
        return out.stdout.split()[1]
    except (OSError, IndexError):
        return "?"


if __name__ == "__main__":
    main()
