"""`python -m demo` (`make demo`): the whole system, offline, on real policy histories.

1. Generates the demo data from tests/data: a WARC of each site's archived past (demo.sites,
   demo.warcs) and the pages its live site serves today.
2. Starts, all on loopback: the live sites (one aiohttp server in this process, every
   site by its Host header), a pywb replaying the WARC at the Internet Archive's paths, and
   `clausewatch serve` (a child process) pointed at both.
3. Asks serve to track each site by its domain (POST /api/v1/sites) and shows a progress
   bar while the tracking worker discovers each policy and backfills its history through
   the Wayback protocol.
4. Changes one site's live policy materially and waits for the scheduler to find it in
   the change feed.
5. Prints the viewer, the API and how to load the extension; runs until Ctrl-C, then stops
   serve and pywb (their whole process groups) and removes its temporary files.

Live sites listen on port 80 of a loopback address of their own (127.x.y.z, so two demos
never collide) and serve is told `--resolve bumble.test:127.x.y.z`; where port 80 may not
be bound, they fall back to a free port on 127.0.0.1 and sites are tracked by policy URL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
from aiohttp import web

from demo import sites as demo_sites
from demo.browser import chromium_command
from demo.livesites import LiveSites
from demo.pywbserver import REPO, STOP_TIMEOUT_S, Pywb
from demo.warcs import write_warc

ATTRIBUTION = REPO / "tests" / "data" / "ATTRIBUTION.md"
TRACK_TIMEOUT_S = 600
DEFAULT_INTERVAL_S = 10


class DemoError(RuntimeError):
    """Something the demo cannot go on without; its message is the one line shown."""


def say(line: str = "") -> None:
    print(line, flush=True)


def credits() -> list[str]:
    """The required attribution lines of the data the demo is built from."""
    out, keep = [], False
    for line in ATTRIBUTION.read_text(encoding="utf-8").splitlines():
        if line.startswith("Required attribution"):
            keep = True
            continue
        if keep and line.startswith(("- ", "  ")):
            out.append(line)
        else:
            keep = False
    return out


async def start_live_sites(
    live: LiveSites, try_port_80: bool = True
) -> tuple[web.AppRunner, str, int]:
    """(runner, address, port): port 80 of a fresh 127.x.y.z, else a free port on 127.0.0.1."""
    runner = web.AppRunner(live.app(), access_log=None)
    await runner.setup()
    rng = random.Random()
    address = f"127.{rng.randrange(1, 255)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
    try:
        if not try_port_80:
            raise PermissionError("asked for a free port")
        site = web.TCPSite(runner, address, 80)
        await site.start()
        return runner, address, 80
    except OSError:  # no right to port 80 (not root), or no such loopback address
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner, "127.0.0.1", runner.addresses[-1][1]


def sites_word(n: int) -> str:
    return f"{n} site" if n == 1 else f"{n} sites"


def origin_of(host: str, port: int) -> str:
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


class Serve:
    """`clausewatch serve` as a child process in its own process group."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task | None = None

    async def start(self) -> str:
        code = "from api.cli import main; main()"
        with self.log.open("ab") as errors:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                code,
                "serve",
                *self.args,
                stdout=asyncio.subprocess.PIPE,
                stderr=errors,
                env=self.env,
                cwd=REPO,
                start_new_session=True,
            )
        assert self.process.stdout is not None
        line = (await asyncio.wait_for(self.process.stdout.readline(), 60)).decode()
        if not line.startswith("Clausewatch serving on "):
            await self.process.wait()
            tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
            raise DemoError(f"clausewatch serve did not start: {' '.join(tail) or line}")
        self._drain = asyncio.ensure_future(self._keep_log())
        return line.split()[3]

    async def _keep_log(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        with self.log.open("ab") as fh:
            async for line in self.process.stdout:
                fh.write(line)
                fh.flush()

    async def stop(self) -> None:
        """SIGTERM (serve finishes checks in flight), then SIGKILL the group if it hangs."""
        proc = self.process
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
        # Whatever serve started (worker processes) goes with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        if self._drain is not None:
            await asyncio.wait([self._drain], timeout=STOP_TIMEOUT_S)


class Progress:
    """One line redrawn in place on a terminal; elsewhere, a line each time it changes."""

    def __init__(self, stream=sys.stdout) -> None:
        self.stream, self.tty, self.last = stream, stream.isatty(), ""

    def show(self, fraction: float, text: str) -> None:
        width = 24
        full = round(width * max(0.0, min(1.0, fraction)))
        line = f"Backfilling [{'#' * full}{'.' * (width - full)}] {100 * fraction:3.0f}%  {text}"
        if line == self.last:
            return
        self.last = line
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


async def get_json(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as resp:
        if resp.status != 200:
            raise DemoError(f"GET {url}: HTTP {resp.status}")
        return await resp.json()


async def track(session: aiohttp.ClientSession, api: str, body: dict) -> None:
    async with session.post(f"{api}/api/v1/sites", json=body) as resp:
        if resp.status not in (200, 202):
            raise DemoError(f"tracking {body}: HTTP {resp.status} {await resp.text()}")


def tracking_state(db: Path, hosts: list[str]) -> dict[str, dict]:
    """Per site: its state, versions so far, and backfill captures read of those listed.

    Read from the database, not the API: while the tracking worker records a backfill it
    holds serve's event loop for seconds at a time, and a progress bar should not stall.
    """
    from db import Store  # only reads; serve is the one writer

    out: dict[str, dict] = {}
    with Store.open(db) as store:
        for host in hosts:
            site = store.get_site(host)
            row = {"state": site["state"] if site else "pending", "versions": 0, "read": 0}
            row["listed"] = 0
            for doc in store.documents_of_site(site["id"]) if site else []:
                row["versions"] += len(store.versions_of_document(doc["id"]))
                captures = store.backfill_captures(doc["id"])
                row["listed"] += len(captures)
                row["read"] += sum(1 for c in captures if c["text_hash"] is not None)
            out[host] = row
    return out


async def follow_tracking(
    db: Path,
    hosts: list[str],
    progress: Progress,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Show progress until every site is tracked or failed."""
    deadline = clock() + TRACK_TIMEOUT_S
    while True:
        states = await asyncio.to_thread(tracking_state, db, hosts)
        finished = [h for h in hosts if states[h]["state"] != "pending"]
        fraction = sum(
            1.0 if h in finished else 0.9 * states[h]["read"] / max(1, states[h]["listed"])
            for h in hosts
        )
        working = next((h for h in hosts if h not in finished), None)
        text = (
            f"{len(finished)}/{len(hosts)} sites · "
            f"{sum(s['versions'] for s in states.values())} versions · "
            f"{sum(s['read'] for s in states.values())} captures read"
            + (f" · now {working}" if working else "")
        )
        progress.show(fraction / len(hosts), text)
        if len(finished) == len(hosts):
            progress.done()
            return
        if clock() > deadline:
            progress.done()
            raise DemoError(f"tracking did not finish within {TRACK_TIMEOUT_S} s")
        await asyncio.sleep(0.3)  # a person watches this bar; tests wait on the output


async def wait_for_live_change(
    session: aiohttp.ClientSession, api: str, host: str, timeout: float, after: str = ""
) -> dict:
    """The first live, material change of `host` in the public feed (after cursor `after`)."""
    deadline = time.monotonic() + timeout
    cursor = after
    while time.monotonic() < deadline:
        query = f"?material=true&after={cursor}" if cursor else "?material=true"
        page = await get_json(session, f"{api}/api/v1/changes{query}")
        for change in page["changes"]:
            if change["site"] == host and change["origin"] == "live":
                return change
        cursor = page["next"] or cursor
        if not page["more"]:
            await asyncio.sleep(0.5)
    raise DemoError(f"no live change of {host} in the feed after {timeout:.0f} s")


async def demo(args: argparse.Namespace, workdir: Path, stack: contextlib.AsyncExitStack) -> None:
    chosen = demo_sites.select(args.sites)
    say("Clausewatch demo — everything on this machine, nothing from the internet.")
    say("Policy data: Open Terms Archive datasets, ODC-BY 1.0; required attribution:")
    for line in credits():
        say(f"  {line}")
    say(f"(details: {ATTRIBUTION.relative_to(REPO)})")
    say()

    live = LiveSites()
    runner, address, port = await start_live_sites(live, try_port_80=not args.free_live_port)
    stack.push_async_callback(runner.cleanup)
    by_domain = port == 80
    origins = {s.host: origin_of(s.host, port) for s in chosen}
    urls = {s.host: demo_sites.policy_url(s, origins[s.host]) for s in chosen}

    captures = []
    for s in chosen:
        live.add(s, demo_sites.current_page(s))
        captures.extend(demo_sites.archived_captures(s, urls[s.host]))
    archive = workdir / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    warc = write_warc(archive / "demo-policies.warc.gz", captures)
    say(
        f"Generated {warc.relative_to(workdir)}: {len(captures)} captures of the "
        f"policies of {sites_word(len(chosen))} (in {workdir})"
    )
    where = f"{address}:{port}"
    say(f"Live sites on {where}: " + ", ".join(origins[s.host] for s in chosen))

    pywb = Pywb(archive / "pywb", [warc])
    stack.push(pywb.__exit__)
    wayback_url = pywb.__enter__()  # blocks a few seconds while pywb indexes; nothing waits
    say(f"Wayback replay (pywb) at {wayback_url} (pid {pywb.process.pid})")

    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSEWATCH_")}
    env.update(CLAUSEWATCH_MIN_HOST_DELAY="0", CLAUSEWATCH_WAYBACK_RATE_LIMITS="0")
    serve_args = [
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--db",
        str(workdir / "clausewatch.db"),
        "--wayback-url",
        wayback_url,
        "--allow-private-addresses",
        "--no-archive",
        "--check-interval",
        str(args.check_interval),
    ]
    for s in chosen:
        serve_args += ["--resolve", f"{s.host}:{address}"]
    serve = Serve(serve_args, env, workdir / "serve.log")
    stack.push_async_callback(serve.stop)
    api = await serve.start()
    say(f"clausewatch serve at {api} (pid {serve.process.pid}, log {workdir / 'serve.log'})")
    say(f"pids: demo={os.getpid()} pywb={pywb.process.pid} serve={serve.process.pid}")
    say()

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for s in chosen:
            await track(session, api, {"site": s.host} if by_domain else {"url": urls[s.host]})
        how = "by domain (discovery finds each policy)" if by_domain else "by policy URL"
        say(f"Asked serve to track {sites_word(len(chosen))} {how}; the tracking worker backfills.")
        hosts = [s.host for s in chosen]
        await follow_tracking(workdir / "clausewatch.db", hosts, Progress())
        for host in hosts:
            page = await get_json(session, f"{api}/api/v1/sites/{host}")
            versions = sum(d["versions"] for d in page["documents"])
            history = [c for c in page["changes"] if c["origin"] == "backfill"]
            url = page["documents"][0]["url"] if page["documents"] else "-"
            say(
                f"  {host:18} {page['state']:8} {versions:2} versions, "
                f"{len(history):2} changes from the archive  {url}"
            )

        changed = next((s for s in chosen if s.host == demo_sites.CHANGED_SITE), chosen[0])
        live.set_policy(changed.host, demo_sites.materially_changed(changed))
        say()
        say(
            f"Changed {changed.host}'s live policy: added '{demo_sites.SALE_HEADING}' "
            f"(a demo edit). The scheduler checks every {args.check_interval} s..."
        )
        change = await wait_for_live_change(
            session, api, changed.host, timeout=6 * args.check_interval + 60
        )
    say(
        f"Detected: change {change['id']} of {change['site']}, origin {change['origin']}, "
        f"material={change['material']} [{', '.join(change['categories'])}]"
    )
    say(f"  {change['summary']}")
    say(f"  {api}{change['url']}")
    say()
    say(f"Viewer:    {api}/")
    say(f"API:       {api}/api/v1/  (changes: {api}/api/v1/changes, spec: /api/v1/openapi.json)")
    profile = workdir / "chromium-profile"
    say("Extension: Debian's Chromium with the extension loaded and the demo sites mapped:")
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    command = chromium_command(REPO / "extension", hosts, address, port, profile, as_root)
    say(f"  {command}")
    say(f"  then on its welcome page, server URL {api}; visit a site, click Watch in the popup")
    say(
        f"  (Firefox: about:debugging → Load Temporary Add-on → "
        f"{REPO / 'extension' / 'manifest.json'}; docs/extension.md)"
    )
    publish = Publisher(live, args.check_interval)
    live.publish = publish
    control = f"{origin_of(changed.host, port)}/_demo"
    say(f"Publish:   a material change when you ask: the buttons on {control} (in that browser)")
    if sys.stdin.isatty():
        say(f"           or press Enter here (for {changed.host})")
        listen_for_enter(lambda: publish(changed.host), stack)
    say(f"Demo ready: {api} — Ctrl-C stops everything.")


class Publisher:
    """Publishes the next material change to a live site's policy, when the person asks."""

    def __init__(self, live: LiveSites, check_interval: int) -> None:
        self.live, self.check_interval = live, check_interval
        self.published: dict[str, int] = {}

    def __call__(self, host: str) -> str:
        n = self.published.get(host, 0)
        page, heading = demo_sites.with_further_change(self.live.policy(host), n)
        self.live.set_policy(host, page)
        self.published[host] = n + 1
        line = (
            f"Published to {host}'s live policy: '{heading}'. The server checks every "
            f"{self.check_interval} s; then the extension's Check now shows it."
        )
        say(line)
        return line


def listen_for_enter(action: Callable[[], object], stack: contextlib.AsyncExitStack) -> None:
    """Calls `action` on each line typed in the terminal, until the demo stops."""
    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()

    def on_line() -> None:
        if sys.stdin.readline() == "":  # end of input: stop listening
            loop.remove_reader(fd)
            return
        action()

    loop.add_reader(fd, on_line)
    stack.callback(loop.remove_reader, fd)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        said = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        return f"{Path(exc.cmd[0]).name} failed: {' '.join(said) or exc.returncode}"
    return str(exc) or type(exc).__name__


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--port", type=int, default=8080, help="port of the API and viewer (0: any free)"
    )
    ap.add_argument(
        "--sites",
        help="comma-separated services to track (default: "
        + ",".join(s.service for s in demo_sites.SITES)
        + ")",
    )
    ap.add_argument(
        "--check-interval",
        type=int,
        default=DEFAULT_INTERVAL_S,
        help="seconds between two checks of a policy",
    )
    ap.add_argument(
        "--free-live-port",
        action="store_true",
        help="live sites on a free port of 127.0.0.1, tracked by policy URL (what happens "
        "anyway when port 80 may not be bound)",
    )
    ap.add_argument("--workdir", help="keep the generated data and database here")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535 or args.check_interval < 1:
        ap.error("--port must be 0-65535 and --check-interval at least 1")
    return args


async def main_async(args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="cw-demo-"))
    if args.workdir and workdir.exists() and any(workdir.iterdir()):
        # A database from an earlier run would replay its old news as this run's.
        print(f"demo: --workdir {workdir} is not empty", file=sys.stderr)
        return 2
    status = 0
    try:
        async with contextlib.AsyncExitStack() as stack:
            running = asyncio.ensure_future(demo(args, workdir, stack))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait([running, stopping], return_when=asyncio.FIRST_COMPLETED)
            if running.done():
                running.result()  # DemoError and friends: shown below, then cleaned up
                await stopping
            else:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
            say("\nStopping: serve, pywb and the live sites...")
    except (
        DemoError,
        RuntimeError,
        OSError,
        aiohttp.ClientError,
        subprocess.SubprocessError,
    ) as exc:
        print(f"demo: {one_line(exc)}", file=sys.stderr, flush=True)
        status = 1
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    say("Stopped." if status == 0 else "Stopped after an error.")
    return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        demo_sites.select(args.sites)
    except ValueError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(main_async(args))
