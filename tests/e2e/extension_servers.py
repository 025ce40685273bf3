"""The world the extension end-to-end tests run in, shared by Chromium's and Firefox's.

A ShopSite is the web site a person visits (every *.test name resolves to it); a RealServer
is `clausewatch serve` on a test database, in its own process, behind a FrontLog that logs
every request reaching the server's address (the server keeps no access log), so the tests
can check what the extension told it. Changes are recorded into the database the way the
monitor records them (monitor.record, judged by the real pipeline).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from db import Store
from monitor.record import NewSnapshot, record_snapshot

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
OUTPUT = ROOT / "test-output" / "extension"
AXE = ROOT / "extension-tools" / "node_modules" / "axe-core" / "axe.min.js"
SITE = "shop.test"
# Tracked with a material change of minutes ago, never visited: news on first sight.
SOLD_SITE = "sold.test"
OTHER_SITE = "newshop.test"


def site_hash(site: str) -> str:
    return hashlib.sha256(site.encode()).hexdigest()


POLICY = """# Privacy Policy of Shop

## What we collect
We collect your name, e-mail address and order history to deliver your orders.

## Sharing
We do not sell your personal information. We share it only with the carrier that delivers your order.

## Your choices
You can delete your account at any time.
"""
# Judged by the real pipeline: a rewording that changes nothing, then a sale of data.
POLICY_MINOR = POLICY.replace("to deliver your orders.", "so that we can deliver your orders.")
POLICY_MATERIAL = POLICY_MINOR.replace(
    "We do not sell your personal information. We share it only with the carrier that"
    " delivers your order.",
    "We sell your personal information, including your order history, to data brokers and"
    " advertising partners.",
)


class FrontLog:
    """Every request that reaches the server's address, as an access log records it.

    `clausewatch serve` keeps no access log of its own, so the test puts this in front of
    it: the extension is configured with this address, every byte it sends to the server
    passes here, and each request is logged as "METHOD path?query body" before it is
    forwarded unchanged.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.lines: list[str] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._client = None
        self._refusals: list[tuple[str, str, web.Response]] = []

    def refuse_next(self, method: str, path: str, status: int, title: str, detail: str) -> None:
        """The next `method path` is answered by this problem instead of the server, the way
        the server's rate limiter answers (429 with Retry-After): a refusal with a reason."""
        body = json.dumps(
            {"type": "about:blank", "title": title, "status": status, "detail": detail}
        )
        answer = web.Response(
            status=status,
            text=body,
            content_type="application/problem+json",
            headers={"Retry-After": "30"} if status == 429 else {},
        )
        self._refusals.append((method, path, answer))

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.lines.append(f"{request.method} {request.path_qs} {body.decode()}".strip())
        for i, (method, path, answer) in enumerate(self._refusals):
            if (method, path) == (request.method, request.path):
                del self._refusals[i]
                return answer
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("host", "content-length", "connection")
        }
        async with self._client.request(
            request.method,
            self.upstream + request.path_qs,
            data=body or None,
            headers=headers,
            allow_redirects=False,
        ) as upstream:
            payload = await upstream.read()
            passed = {
                k: v
                for k, v in upstream.headers.items()
                if k.lower()
                not in ("content-length", "transfer-encoding", "connection", "content-encoding")
            }
            return web.Response(status=upstream.status, body=payload, headers=passed)

    async def __aenter__(self) -> FrontLog:
        self._client = aiohttp.ClientSession(auto_decompress=True)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()
        await self._client.close()


class RealServer:
    """`clausewatch serve` on a test database, in its own process, behind a FrontLog.

    Changes are recorded the way the monitor records them (monitor.record on the same
    SQLite file, judged by the real pipeline); each recorded site's policy page on the shop
    server shows the text last recorded for that site, so the server's own scheduled checks
    agree with it.
    """

    def __init__(self, workdir: Path, shop: ShopSite) -> None:
        self.db_path = workdir / "clausewatch.db"
        self.shop = shop
        self.process: asyncio.subprocess.Process | None = None
        self.server_url = ""
        self.front: FrontLog | None = None
        self.output: list[str] = []

    @property
    def base_url(self) -> str:
        return self.front.base_url

    @property
    def access_log(self) -> list[str]:
        return self.front.lines

    def _record(self, site: str, text: str, at: datetime) -> list[int]:
        # Each recorded site's policy at its own URL, serving what was recorded last for it:
        # the service's own check pass may fetch it at any moment (documents recorded here
        # are due), and one URL shared by two sites handed one site the other's text, a
        # material change the test never made (an intermittent "material" badge).
        url = f"{self.shop.base_url}/privacy/{site}"
        self.shop.policies[site] = text
        with Store.open(self.db_path) as store:
            row = store.add_site(site)
            document = store.add_document(row["id"], url)
            capture = NewSnapshot(text.encode(), at, "live", url=url, content_type="text/markdown")
            done = record_snapshot(store, document["id"], capture)
        assert done.error is None, done.error
        return done.changes_added

    def track(self, site: str) -> None:
        self._record(site, POLICY, datetime.now(UTC) - timedelta(days=1))

    def record_change(self, site: str, *, material: bool) -> dict:
        """Records the next policy text now; the change as the server's feed gives it."""
        text = POLICY_MATERIAL if material else POLICY_MINOR
        [change_id] = self._record(site, text, datetime.now(UTC))
        feed = self._get(f"/api/v1/changes?buckets={site_hash(site)[:2]}&limit=500")
        [change] = [c for c in feed["changes"] if c["id"] == change_id]
        assert change["material"] is material, change
        return change

    def _get(self, path: str) -> dict:
        # Straight to the server, around the FrontLog: the test's own look is not the
        # extension's traffic.
        from urllib.request import urlopen

        with urlopen(self.server_url + path, timeout=10) as answer:
            return json.loads(answer.read())

    async def __aenter__(self) -> RealServer:
        Store.open(self.db_path).close()
        self.process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("clausewatch")),
            "serve",
            "--db",
            str(self.db_path),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-archive",
            "--wayback-url",
            "http://127.0.0.1:9",  # no Wayback Machine in tests
            "--allow-private-addresses",  # the policy page is on loopback
            "--check-interval",
            "86400",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        line = (await asyncio.wait_for(self.process.stdout.readline(), 30)).decode()
        self.output.append(line)
        assert "serving on http://" in line, line
        self.server_url = line.split("serving on ")[1].split()[0]
        self.front = await FrontLog(self.server_url).__aenter__()
        return self

    async def __aexit__(self, *exc) -> None:
        if self.front:
            await self.front.__aexit__(*exc)
        if self.process and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


class ShopSite:
    """The web site the person visits (any *.test name resolves here) and its policy."""

    def __init__(self) -> None:
        self.policy = POLICY  # /privacy: what discovery finds on any visited site
        self.policies: dict[str, str] = {}  # /privacy/<site>: what was recorded for it
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def _page(self, request: web.Request) -> web.Response:
        if request.path.startswith("/privacy/"):
            site = request.path.removeprefix("/privacy/")
            return web.Response(text=self.policies[site], content_type="text/markdown")
        if request.path == "/privacy":
            return web.Response(text=self.policy, content_type="text/markdown")
        return web.Response(
            content_type="text/html",
            text=f"<!doctype html><title>{request.host}</title><h1>Welcome to the shop</h1>"
            '<a href="/privacy">Privacy policy</a>',
        )

    async def __aenter__(self) -> ShopSite:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()
