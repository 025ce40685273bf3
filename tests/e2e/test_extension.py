"""The browser extension end to end: Debian's Chromium, the unpacked extension, the server.

Flow (the issue's proof): open a tracked page on a *.test site and see the badge; watch the
site from the popup by clicking; record a material change on the server; fire the alarm; see
the notification; click it and land on the viewer page; and check in the server's access
log that the visited site's name never reached it before the person clicked through. Then
"Track this site" for an untracked site, and the watch list's export and import.

The server is the real `clausewatch serve`, in its own process, on a test database; the
changes are recorded into that database by monitor.record and judged by the real pipeline.
It keeps no access log, so a FrontLog in front of it logs every request that reaches it.

Chromium: `--host-resolver-rules` maps every *.test name to 127.0.0.1, so the page's URL
carries a real-looking site (the badge needs a domain, not an IP). No system notification UI
exists headless: the click is the extension's registered onClicked handler being called.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from db import Store
from monitor.record import record_snapshot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
OUTPUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
# Pinned by the manifest `key`; extension/test/manifest.test.js checks the same constant.
EXTENSION_ID = "lhjploppaobkgcggfblihpininohkcdi"
SITE = "shop.test"

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make chromium)", allow_module_level=True)

from playwright import async_api as playwright_api  # noqa: E402  (after the skip above)


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

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.lines.append(f"{request.method} {request.path_qs} {body.decode()}".strip())
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
    SQLite file, judged by the real pipeline); the policy page on the shop server always
    shows the text last recorded, so the server's own scheduled checks agree with it.
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
        url = f"{self.shop.base_url}/privacy"
        self.shop.policy = text
        with Store.open(self.db_path) as store:
            row = store.add_site(site)
            document = store.add_document(row["id"], url)
            done = record_snapshot(
                store, document["id"], text.encode(), "text/markdown", url, at, "live"
            )
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
        self.policy = POLICY
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def _page(self, request: web.Request) -> web.Response:
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


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as p:
        profile = tempfile.mkdtemp(prefix="cw-chromium-")
        context = await p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,  # Chromium's new headless mode, the one that loads extensions
            args=[
                f"--load-extension={EXTENSION}",
                f"--disable-extensions-except={EXTENSION}",
                "--host-resolver-rules=MAP *.test 127.0.0.1",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            await context.close()
            shutil.rmtree(profile, ignore_errors=True)


async def test_badge_watch_alert_click_and_nothing_leaked(browser, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    async with ShopSite() as shop, RealServer(tmp_path, shop) as server:
        await run_flow(browser, server, shop.port)


async def run_flow(context, server: RealServer, shop_port: int) -> None:
    worker = context.service_workers[0] if context.service_workers else None
    if worker is None:
        worker = await context.wait_for_event("serviceworker")
    assert worker.url == f"chrome-extension://{EXTENSION_ID}/background.js"
    base = f"chrome-extension://{EXTENSION_ID}"

    # The person points the extension at the server, in the options page.
    options = await context.new_page()
    await options.goto(f"{base}/options.html")
    await options.fill("#server-url", server.base_url)
    await options.fill("#poll-minutes", "30")
    await options.click("button[type=submit]")
    await options.wait_for_selector("#saved:text('Saved.')")
    await options.screenshot(path=OUTPUT / "extension-options.png")
    await options.close()

    server.track(SITE)
    minor = server.record_change(SITE, material=False)

    # Visiting a tracked page lights the badge: learned by 2-hex prefix lookup only.
    await worker.evaluate(
        """site => { globalThis.badgeFor = new Promise(resolve =>
             clausewatch.events.addEventListener('badge', e => {
               if (e.detail.site === site) resolve(e.detail); })); }""",
        SITE,
    )
    shop = await context.new_page()
    await shop.goto(f"http://www.{SITE}:{shop_port}/")
    badge = await worker.evaluate("badgeFor")
    assert badge["state"] == "tracked"
    tab_id = badge["tabId"]
    assert await worker.evaluate("t => chrome.action.getBadgeText({tabId: t})", tab_id) == "✓"
    title = await worker.evaluate("t => chrome.action.getTitle({tabId: t})", tab_id)
    assert title == f"Clausewatch tracks the privacy policy of {SITE}"

    # The popup for that tab: status and last change; Watch by clicking.
    popup = await context.new_page()
    await popup.set_viewport_size({"width": 364, "height": 420})  # the toolbar popup's size
    await popup.goto(f"{base}/popup.html?tabId={tab_id}")
    await popup.wait_for_selector("body[data-renders='1']")
    assert await popup.text_content("#site") == SITE
    assert minor["summary"] in await popup.text_content("#changes")
    await popup.screenshot(path=OUTPUT / "extension-popup-tracked.png")
    await popup.click("#watch")
    await popup.wait_for_selector("body[data-renders='2']")
    assert await popup.is_visible("#unwatch")
    assert SITE in await popup.text_content("#watches")
    await popup.screenshot(path=OUTPUT / "extension-popup-watched.png")

    # The server records a material change of the watched site.
    change = server.record_change(SITE, material=True)
    notification_id = f"change-{change['id']}"

    # The polling alarm fires (unpacked extensions may set alarms this short).
    report = await worker.evaluate(
        """() => new Promise(resolve => {
             clausewatch.events.addEventListener('polled', e => resolve(e.detail), {once: true});
             chrome.alarms.create('poll', {when: Date.now(), periodInMinutes: 30});
           })"""
    )
    assert report["error"] is None, report
    assert report["notified"] == 1, report
    assert notification_id in await worker.evaluate("chrome.notifications.getAll()")

    await popup.reload()
    await popup.wait_for_selector("body[data-renders='1']")
    assert "1 unread" in await popup.text_content("#watches")
    assert await popup.text_content("#status") == "Material change since you last looked."
    await popup.screenshot(path=OUTPUT / "extension-popup-unread.png")

    seen_before_click = list(server.access_log)

    # Clicking the notification opens the change in the viewer and marks it read.
    async with context.expect_page() as opened:
        await worker.evaluate("id => clausewatch.onNotificationClicked(id)", notification_id)
    viewer = await opened.value
    await viewer.wait_for_load_state()
    assert viewer.url == f"{server.base_url}{change['url']}"
    assert SITE in await viewer.text_content("body")
    assert notification_id not in await worker.evaluate("chrome.notifications.getAll()")

    # The server never learned the visited site before the person clicked through.
    assert seen_before_click, "the extension made no request at all"
    # A 2-hex lookup: the server tracks few sites, so it recommends the shortest prefix.
    assert any(line.endswith("/api/v1/lookup/" + site_hash(SITE)[:2]) for line in seen_before_click)
    assert any(f"buckets={site_hash(SITE)[:2]}" in line for line in seen_before_click)
    assert [line for line in seen_before_click if SITE in line] == []
    # The first request to name it is the viewer page the person opened (the page's own
    # requests may follow).
    named = [line for line in server.access_log if SITE in line]
    assert named[0] == f"GET {change['url']}"

    await track_from_popup(context, server, shop_port)
    await export_and_import_watch_list(context)


async def export_and_import_watch_list(context) -> None:
    """Options: the watch list leaves as a JSON file and comes back from one."""
    options = await context.new_page()
    await options.goto(f"chrome-extension://{EXTENSION_ID}/options.html")
    async with options.expect_download() as download_info:
        await options.click("#export")
    exported = json.loads(Path(await (await download_info.value).path()).read_text())
    assert exported["format"] == "clausewatch-watchlist"
    assert SITE in exported["sites"]
    await options.set_input_files(
        "#import",
        files=[
            {
                "name": "watches.json",
                "mimeType": "application/json",
                "buffer": json.dumps([SITE, "https://www.another.test/privacy"]).encode(),
            }
        ],
    )
    await options.wait_for_selector("#watchlist-status:text('Imported 1 new of 2 sites.')")
    await options.set_input_files(
        "#import",
        files=[{"name": "bad.json", "mimeType": "application/json", "buffer": b"{oops"}],
    )
    await options.wait_for_selector("#error:text('not a JSON file')")


async def track_from_popup(context, server: RealServer, shop_port: int) -> None:
    """An untracked site: no badge; "Track this site" is the one call that names it."""
    other = "newshop.test"
    page = await context.new_page()
    await page.goto(f"http://www.{other}:{shop_port}/")
    popup = await context.new_page()
    await popup.set_viewport_size({"width": 364, "height": 420})
    tab_id = await context.service_workers[0].evaluate(
        """url => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url.startsWith(url)).id)""",
        f"http://www.{other}:",
    )
    await popup.goto(f"chrome-extension://{EXTENSION_ID}/popup.html?tabId={tab_id}")
    await popup.wait_for_selector("body[data-renders='1']")
    assert await popup.text_content("#status") == "Not tracked yet."
    assert [line for line in server.access_log if other in line] == []
    await popup.screenshot(path=OUTPUT / "extension-popup-untracked.png")
    await popup.click("#track")
    await popup.wait_for_selector("body[data-renders='2']")
    assert "Tracking requested (pending)" in await popup.text_content("#dates")
    named = [line for line in server.access_log if other in line]
    assert named[0] == f'POST /api/v1/sites {{"site":"{other}"}}'
    # Afterwards the popup may ask about the site it has named, and nothing else.
    assert set(named[1:]) <= {f"GET /api/v1/sites/{other}"}
