"""The browser extension end to end in Debian's Firefox ESR: the same scenarios as
tests/e2e/test_extension.py (Chromium), in the second browser the extension ships for.

Firefox is driven over WebDriver BiDi by npm's puppeteer-core (extension-tools/, no browser
download) from extension-tools/firefox-e2e.mjs. This module starts the world — the shop
site every *.test name reaches and `clausewatch serve` behind its request log
(tests/e2e/extension_servers.py) — runs the script, and answers its questions on stdin
(record a change now, show the request log, refuse the next tracking request). Assertions
about the browser are made in the script; those about what reached the server are made
here, on the log at the checkpoints the script took.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from e2e.extension_servers import (
    AXE,
    EXTENSION,
    OTHER_SITE,
    OUTPUT,
    ROOT,
    SITE,
    SOLD_SITE,
    RealServer,
    ShopSite,
    site_hash,
)

pytestmark = pytest.mark.e2e

FIREFOX = "/usr/bin/firefox-esr"
SCRIPT = ROOT / "extension-tools" / "firefox-e2e.mjs"
PUPPETEER = ROOT / "extension-tools" / "node_modules" / "puppeteer-core"
GECKO_ID = json.loads((EXTENSION / "manifest.json").read_text())["browser_specific_settings"][
    "gecko"
]["id"]

if not Path(FIREFOX).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's firefox-esr is not installed (make firefox)", allow_module_level=True)
if shutil.which("node") is None:
    pytest.skip("node is not installed", allow_module_level=True)


async def drive_firefox(server: RealServer, shop: ShopSite) -> dict:
    """Runs the script to its end, answering its questions; its final report."""
    config = {
        "serverUrl": server.base_url,
        "shopPort": shop.port,
        "uuid": str(uuid.uuid4()),
        "geckoId": GECKO_ID,
        "extension": str(EXTENSION),
        "output": str(OUTPUT),
        "axe": str(AXE),
        "firefox": FIREFOX,
    }
    process = await asyncio.create_subprocess_exec(
        "node",
        str(SCRIPT),
        json.dumps(config),
        cwd=SCRIPT.parent,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=16 * 1024 * 1024,  # the final report carries axe results
    )
    try:
        while True:
            line = await asyncio.wait_for(process.stdout.readline(), 120)
            if not line:
                stderr = (await process.stderr.read()).decode()[-4000:]
                raise AssertionError(f"the Firefox script ended without a report:\n{stderr}")
            message = json.loads(line)
            if "done" in message:
                return message["done"]
            if "error" in message:
                raise AssertionError(f"in Firefox: {message['error']}")
            answer = await asyncio.to_thread(answer_question, server, message)
            process.stdin.write((json.dumps(answer) + "\n").encode())
            await process.stdin.drain()
    finally:
        if process.returncode is None:
            process.stdin.close()
            (OUTPUT / "firefox-e2e.log").write_bytes(await process.stderr.read())
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


def answer_question(server: RealServer, message: dict) -> dict:
    question = message["ask"]
    if question == "log":
        return {"lines": list(server.access_log)}
    if question == "record_change":
        return server.record_change(message["site"], material=message["material"])
    if question == "refuse_next":
        server.front.refuse_next(
            message["method"],
            message["path"],
            message["status"],
            message["title"],
            message["detail"],
        )
        return {"ok": True}
    raise AssertionError(f"unknown question from the script: {message}")


async def test_firefox_first_run_badge_watch_alert_click_track_and_nothing_leaked(tmp_path):
    assert AXE.exists() and PUPPETEER.exists(), (
        "puppeteer-core / axe-core are missing: run `make extension-test` (npm ci in extension-tools)"
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    async with ShopSite() as shop, RealServer(tmp_path, shop) as server:
        server.track(SITE)
        server.record_change(SITE, material=False)
        server.track(SOLD_SITE)
        server.record_change(SOLD_SITE, material=True)
        report = await drive_firefox(server, shop)
        log = list(server.access_log)
    (OUTPUT / "axe-firefox.json").write_text(json.dumps(report["axe"], indent=1))
    checkpoints = report["checkpoints"]
    change = report["change"]

    # Nothing at all before a server was chosen.
    assert checkpoints["beforeServer"] == []
    # Until the person clicked the notification, only prefixes and buckets were sent.
    before_click = checkpoints["beforeClick"]
    # The first lookup goes at 2 hex digits, before the server has recommended a width.
    assert any(line.endswith("/api/v1/lookup/" + site_hash(SITE)[:2]) for line in before_click)
    assert any(f"buckets={site_hash(SITE)[:2]}" in line for line in before_click)
    assert [line for line in before_click if SITE in line or SOLD_SITE in line] == []
    assert next(line for line in log if SITE in line) == f"GET {change['url']}"
    # The untracked site: named first by Track (refused), then Try again, then Check status.
    assert [line for line in checkpoints["beforeTrack"] if OTHER_SITE in line] == []
    post = f'POST /api/v1/sites {{"site":"{OTHER_SITE}"}}'
    assert [line for line in log if OTHER_SITE in line] == [
        post,
        post,
        f"GET /api/v1/sites/{OTHER_SITE}",
    ]
    assert len(report["shots"]) == 8
