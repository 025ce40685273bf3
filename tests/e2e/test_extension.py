"""The browser extension end to end in Debian's Chromium: the unpacked extension, the server.

Flow (issue 25's proof): the first run opens the onboarding page and nothing is sent before
a server is chosen; the person chooses a self-hosted server (a port) there and in the
options; a tracked page lights the badge, a recently changed one shows its material change
on first sight; Watch from the popup; a material change is recorded on the server; the
alarm fires; the notification is shown; clicking it lands on the viewer; the server's access
log shows the visited site's name never reached it before the person acted. Then "Track
this site" refused (the server's reason), tried again, its status checked; the watch list's
export and import. axe-core checks the popup, options, onboarding and viewer pages (light
and dark); each popup state is screenshot under test-output/extension/.

The world (ShopSite, RealServer behind a FrontLog) is tests/e2e/extension_servers.py, shared
with the Firefox test. Chromium: `--host-resolver-rules` maps every *.test name to
127.0.0.1, so the page's URL carries a real-looking site (the badge needs a domain, not an
IP). No system notification UI exists headless: the click is the extension's registered
onClicked handler being called.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from e2e.extension_servers import (
    AXE,
    EXTENSION,
    OTHER_SITE,
    OUTPUT,
    SITE,
    SOLD_SITE,
    RealServer,
    ShopSite,
    site_hash,
)

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
# Pinned by the manifest `key`; extension/test/manifest.test.js checks the same constant.
EXTENSION_ID = "lhjploppaobkgcggfblihpininohkcdi"
BASE = f"chrome-extension://{EXTENSION_ID}"
POPUP_SIZE = {"width": 364, "height": 600}  # the largest a toolbar popup shows

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make chromium)", allow_module_level=True)

from playwright import async_api as playwright_api  # noqa: E402  (after the skip above)


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


async def axe_check(page, name: str, results: dict) -> None:
    """axe-core on `page` in light and dark colours: no serious or critical violation.

    Evaluated through the DevTools protocol, which extension pages' CSP does not cover."""
    source = AXE.read_text()
    found = {}
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)
        await page.evaluate(source)
        violations = await page.evaluate(
            """() => axe.run(document, {resultTypes: ['violations']}).then(r =>
                 r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' '))})))"""
        )
        found[scheme] = violations
    await page.emulate_media(color_scheme="light")
    results[name] = found
    bad = [v for vs in found.values() for v in vs if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"


async def popup_for(context, tab_id: int):
    popup = await context.new_page()
    await popup.set_viewport_size(POPUP_SIZE)
    await popup.goto(f"{BASE}/popup.html?tabId={tab_id}")
    await popup.wait_for_selector("body[data-renders='1']")
    return popup


async def shot(page, state: str) -> None:
    await page.screenshot(path=OUTPUT / f"chromium-popup-{state}.png", full_page=True)
    height = await page.evaluate("document.documentElement.scrollHeight")
    assert height <= 600, f"popup {state} is {height} px tall"


async def visit(context, worker, url: str, site: str) -> dict:
    """Opens `url` in a tab; the badge event of that site (state, tabId)."""
    await worker.evaluate(
        """site => { globalThis.badgeFor = new Promise(resolve =>
             clausewatch.events.addEventListener('badge', e => {
               if (e.detail.site === site) resolve(e.detail); })); }""",
        site,
    )
    page = await context.new_page()
    await page.goto(url)
    return await worker.evaluate("badgeFor")


async def test_first_run_badge_watch_alert_click_track_and_nothing_leaked(browser, tmp_path):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    assert AXE.exists(), (
        "axe-core is missing: run `make extension-test` (npm ci in extension-tools)"
    )
    async with ShopSite() as shop, RealServer(tmp_path, shop) as server:
        axe: dict = {}
        try:
            await run_flow(browser, server, shop.port, axe)
        finally:
            (OUTPUT / "axe-chromium.json").write_text(json.dumps(axe, indent=1))


async def run_flow(context, server: RealServer, shop_port: int, axe: dict) -> None:
    worker = context.service_workers[0] if context.service_workers else None
    if worker is None:
        worker = await context.wait_for_event("serviceworker")
    assert worker.url == f"{BASE}/background.js"
    server.track(SITE)
    minor = server.record_change(SITE, material=False)
    server.track(SOLD_SITE)
    sale = server.record_change(SOLD_SITE, material=True)

    # First run: the onboarding page opens by itself; until a server is chosen, a visit
    # sends nothing anywhere and the popup says what to do.
    onboarding = next((p for p in context.pages if p.url.endswith("/onboarding.html")), None)
    if onboarding is None:
        onboarding = await context.wait_for_event(
            "page", predicate=lambda p: p.url.endswith("/onboarding.html")
        )
    await onboarding.wait_for_load_state()
    badge = await visit(context, worker, f"http://www.{SITE}:{shop_port}/", SITE)
    assert badge["state"] == "unconfigured"
    popup = await popup_for(context, badge["tabId"])
    assert await popup.get_attribute("body", "data-state") == "unconfigured"
    assert await popup.is_visible("#choose-server")
    await shot(popup, "unconfigured")
    await popup.close()
    assert server.access_log == []

    privacy = await onboarding.text_content("#onboarding-privacy")
    assert "at most the first 16 bits" in privacy and "Never sent: the sites you visit." in privacy
    await onboarding.click("#use-local")
    assert await onboarding.input_value("#server-url") == "http://127.0.0.1:8080"
    await axe_check(onboarding, "onboarding", axe)
    await onboarding.fill("#server-url", server.base_url)  # a self-hosted server on a port
    await onboarding.click("#save")
    await onboarding.wait_for_selector("#saved:has-text('Ready.')")
    await onboarding.screenshot(path=OUTPUT / "chromium-onboarding.png")
    await onboarding.close()

    # The options show it, and save it again with another setting.
    options = await context.new_page()
    await options.goto(f"{BASE}/options.html")
    await options.wait_for_function("document.querySelector('#server-url').value !== ''")
    assert await options.input_value("#server-url") == server.base_url
    await options.fill("#poll-minutes", "30")
    await options.click("button[type=submit]")
    await options.wait_for_selector("#saved:text('Saved.')")
    assert "at most the first 16 bits" in await options.text_content("#privacy")
    await axe_check(options, "options", axe)
    await options.screenshot(path=OUTPUT / "chromium-options.png", full_page=True)
    await options.close()

    # Visiting a tracked page lights the badge: learned by 2-hex prefix lookup only.
    badge = await visit(context, worker, f"http://www.{SITE}:{shop_port}/", SITE)
    assert badge["state"] == "tracked"
    tab_id = badge["tabId"]
    assert await worker.evaluate("t => chrome.action.getBadgeText({tabId: t})", tab_id) == "✓"
    title = await worker.evaluate("t => chrome.action.getTitle({tabId: t})", tab_id)
    assert title == f"Clausewatch tracks the privacy policy of {SITE}"

    # The popup for that tab: status and last change; Watch by clicking.
    popup = await popup_for(context, tab_id)
    assert await popup.text_content("#site") == SITE
    assert minor["summary"] in await popup.text_content("#changes")
    assert "not material" in await popup.text_content("#changes")
    await shot(popup, "tracked")
    await axe_check(popup, "popup-tracked", axe)
    await popup.click("#watch")
    await popup.wait_for_selector("body[data-renders='2']")
    assert await popup.is_visible("#unwatch")
    assert SITE in await popup.text_content("#watches")
    await shot(popup, "watched")

    # A site with a material change of minutes ago shows it on first sight.
    sold = await visit(context, worker, f"http://{SOLD_SITE}:{shop_port}/", SOLD_SITE)
    assert sold["state"] == "material"
    assert (
        await worker.evaluate("t => chrome.action.getBadgeText({tabId: t})", sold["tabId"]) == "!"
    )
    sold_popup = await popup_for(context, sold["tabId"])
    assert await sold_popup.text_content("#status") == "Material change you have not seen yet."
    fresh = await sold_popup.text_content(".change.fresh")
    assert sale["summary"] in fresh and "material" in fresh and "new" in fresh
    await shot(sold_popup, "material-first-sight")
    await axe_check(sold_popup, "popup-material", axe)
    await sold_popup.close()

    # The server records a material change of the watched site.
    change = server.record_change(SITE, material=True)
    notification_id = f"change-{change['id']}"

    # The polling alarm fires (unpacked extensions may set alarms this short).
    report, told = await worker.evaluate(
        """() => new Promise(resolve => {
             const told = [];
             clausewatch.events.addEventListener('notified', e => told.push(e.detail));
             clausewatch.events.addEventListener('polled', e => resolve([e.detail, told]),
               {once: true});
             chrome.alarms.create('poll', {when: Date.now(), periodInMinutes: 30});
           })"""
    )
    assert report["error"] is None, report
    assert report["notified"] == 1, report
    assert [(n["notificationId"], n["title"], n["message"]) for n in told] == [
        (notification_id, f"{SITE}: material privacy policy change", change["summary"])
    ]
    assert notification_id in await worker.evaluate("chrome.notifications.getAll()")

    await popup.reload()
    await popup.wait_for_selector("body[data-renders='1']")
    assert "1 new" in await popup.text_content("#watches")
    assert await popup.text_content("#status") == "Material change you have not seen yet."
    await shot(popup, "unread")

    seen_before_click = list(server.access_log)

    # Clicking the notification opens the change in the viewer and marks it read.
    async with context.expect_page() as opened:
        await worker.evaluate("id => clausewatch.onNotificationClicked(id)", notification_id)
    viewer = await opened.value
    await viewer.wait_for_load_state()
    assert viewer.url == f"{server.base_url}{change['url']}"
    assert SITE in await viewer.text_content("body")
    assert notification_id not in await worker.evaluate("chrome.notifications.getAll()")
    await axe_check(viewer, "viewer-change", axe)
    await viewer.goto(f"{server.base_url}/sites/{SITE}")
    await axe_check(viewer, "viewer-site", axe)

    # Reading it leaves the site's history in the list; the count is gone.
    await popup.reload()
    await popup.wait_for_selector("body[data-renders='1']")
    assert "new" not in await popup.text_content("#watches")
    assert await popup.locator(".change").count() == 2
    # "Check now" reads the feed at once (nothing new now): a poll, and no error shown.
    polls = len([line for line in server.access_log if "/api/v1/changes?" in line])
    await popup.click("#check-now")
    await popup.wait_for_selector("body[data-renders='2']")
    assert len([line for line in server.access_log if "/api/v1/changes?" in line]) > polls
    assert await popup.text_content("#error") == ""

    # The server never learned a visited site before the person clicked through.
    assert seen_before_click, "the extension made no request at all"
    # A 2-hex lookup: what the extension asks with before the server has recommended a width.
    assert any(line.endswith("/api/v1/lookup/" + site_hash(SITE)[:2]) for line in seen_before_click)
    assert any(f"buckets={site_hash(SITE)[:2]}" in line for line in seen_before_click)
    assert [line for line in seen_before_click if SITE in line or SOLD_SITE in line] == []
    # The first request to name it is the viewer page the person opened.
    named = [line for line in server.access_log if SITE in line]
    assert named[0] == f"GET {change['url']}"

    await track_from_popup(context, server, shop_port, axe)
    await export_and_import_watch_list(context)


async def export_and_import_watch_list(context) -> None:
    """Options: the watch list leaves as a JSON file and comes back from one."""
    options = await context.new_page()
    await options.goto(f"{BASE}/options.html")
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


async def track_from_popup(context, server: RealServer, shop_port: int, axe: dict) -> None:
    """An untracked site: no badge; Track, refused with a reason, Try again, Check status —
    each a click, and the only calls that name it."""
    worker = context.service_workers[0]
    badge = await visit(context, worker, f"http://www.{OTHER_SITE}:{shop_port}/", OTHER_SITE)
    assert badge["state"] == "untracked"
    popup = await popup_for(context, badge["tabId"])
    assert await popup.text_content("#status") == "Not tracked yet."
    assert [line for line in server.access_log if OTHER_SITE in line] == []
    await shot(popup, "untracked")

    server.front.refuse_next(
        "POST", "/api/v1/sites", 429, "Too many tracking requests", "try again in 30 s"
    )
    await popup.click("#track")
    await popup.wait_for_selector("body[data-state='request-error']")
    status = await popup.text_content("#status")
    assert status == "Could not ask the server: Too many tracking requests: try again in 30 s"
    await shot(popup, "track-error")
    await axe_check(popup, "popup-track-error", axe)
    # Both the status (with the server's reason) and the error line are announced.
    assert await popup.get_attribute("#current", "aria-live") == "polite"
    assert await popup.get_attribute("#error", "aria-live") == "assertive"
    assert await popup.is_visible("#retry")

    await popup.click("#retry")
    await popup.wait_for_selector("body[data-state='request-pending']")
    assert (await popup.text_content("#status")).startswith("Tracking requested ")
    await shot(popup, "track-pending")
    await popup.reload()  # opening the popup again names the site to nobody
    await popup.wait_for_selector("body[data-state='request-pending']")
    await popup.click("#check-status")
    await popup.wait_for_selector("body[data-renders='2']")

    named = [line for line in server.access_log if OTHER_SITE in line]
    post = f'POST /api/v1/sites {{"site":"{OTHER_SITE}"}}'
    assert named == [post, post, f"GET /api/v1/sites/{OTHER_SITE}"]
