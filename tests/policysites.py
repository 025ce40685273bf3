"""Loopback web sites serving privacy policies that tests change between checks.

One aiohttp application answers for many host names (the Host header picks the site; a
StaticLookup maps every name to 127.0.0.1), with ETags and 304s like a real server, and
per-page misbehaviours (a status, a Retry-After, a permanent redirect).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web

from monitor.fetch import Fetcher, FetchPolicy
from monitor.netguard import StaticLookup

CLAUSES = [
    "We collect your name, email address and the pages you visit on our service.",
    "We use this information to provide the service and to keep your account secure.",
    "We do not sell your personal information to anyone.",
    "We keep your data for as long as your account is open, then delete it within 30 days.",
    "You can ask for a copy of your data or for its deletion at privacy@example.com.",
    "We protect your data with encryption in transit and at rest.",
]


def policy_html(clauses: list[str] | None = None, title: str = "Privacy Policy") -> str:
    body = "".join(f"<p>{c}</p>" for c in (CLAUSES if clauses is None else clauses))
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<main><h1>{title}</h1>{body}</main></body></html>"
    )


class WallClock:
    """The monitor's clock in tests: moves only when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class Page:
    html: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None  # answer a permanent redirect there
    validators: bool = True  # send an ETag (and answer 304s)


class PolicySites:
    def __init__(self) -> None:
        self.pages: dict[tuple[str, str], Page] = {}
        self.requests: list[tuple[str, str]] = []  # (host, path), robots.txt excluded
        self.gate: dict[tuple[str, str], asyncio.Event] = {}  # held until set
        self.held = asyncio.Event()  # set when a request is being held at a gate
        self.robots = "User-agent: *\nAllow: /\n"
        self.port = 0

    def set(self, host: str, path: str, html: str, **kw) -> str:
        self.pages[(host, path)] = Page(html, **kw)
        return self.url(host, path)

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        host = request.host.split(":")[0]
        if request.path == "/robots.txt":
            return web.Response(text=self.robots)
        self.requests.append((host, request.path))
        if (host, request.path) in self.gate:
            self.held.set()
            await self.gate[(host, request.path)].wait()
        page = self.pages.get((host, request.path))
        if page is None:
            return web.Response(status=404, text="not here")
        if page.location:
            raise web.HTTPMovedPermanently(page.location)
        etag = '"' + hashlib.sha256(page.html.encode()).hexdigest()[:16] + '"'
        if not page.validators:
            etag = None
        elif page.status == 200 and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        headers = dict(page.headers)
        if page.status == 200 and etag:
            headers["ETag"] = etag
        return web.Response(
            status=page.status, text=page.html, content_type="text/html", headers=headers
        )


async def start(aiohttp_server) -> PolicySites:
    sites = PolicySites()
    server = await aiohttp_server(sites.app())
    sites.port = server.port
    return sites


def loopback_fetcher(hosts, **policy) -> Fetcher:
    policy.setdefault("allow_private", True)  # loopback sites: the explicit switch
    policy.setdefault("min_host_delay", 0)
    policy.setdefault("connect_timeout", 2)
    policy.setdefault("read_timeout", 5)
    policy.setdefault("total_timeout", 10)
    return Fetcher(FetchPolicy(**policy), lookup=StaticLookup(dict.fromkeys(hosts, "127.0.0.1")))


class ThreadedServer:
    """Serves an aiohttp app from a thread with its own loop, for code that runs its own
    loop (a CLI command under CliRunner) and so cannot share the test's."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = web.AppRunner(self.app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self._runner = runner
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the loopback server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
