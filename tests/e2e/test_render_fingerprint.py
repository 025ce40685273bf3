"""Render fingerprints end to end: a page fetched rendered is not rendered again while
everything it was built from comes back byte-identical (monitor/renderprint.py).

Debian's Chromium renders a client-side app on loopback; the monitor checks it pass after
pass. The site counts what it serves, so each test sees which checks started the browser
and which only replayed the page's responses plainly.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make chromium)", allow_module_level=True)

from db import Store  # noqa: E402
from monitor.fetch import Fetcher, FetchPolicy  # noqa: E402
from monitor.netguard import StaticLookup  # noqa: E402
from monitor.render import Renderer, RenderPolicy  # noqa: E402
from monitor.renderchoice import ChoosingFetcher, StorePrints, store_remember  # noqa: E402
from monitor.renderprint import Fingerprint  # noqa: E402
from monitor.schedule import Monitor, Timing  # noqa: E402

PARAGRAPHS = [
    "We collect the information you give us when you create an account, such as your name, "
    "email address and date of birth, and what your device sends us when you use the service.",
    "We use your information to provide and improve the service, to keep your account secure "
    "and, with your consent, to send you news about features you may like.",
    "We share personal data with service providers who process it on our behalf under "
    "contract, and with authorities when the law requires it. We never sell personal data.",
    "You may access, correct or delete your personal data at any time from your account "
    "settings, or ask us for a copy in a portable format by writing to privacy@app.test.",
]
SHELL = (
    "<!doctype html><html><head><title>Privacy Policy</title></head><body>"
    "<noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div><script src="/static/{script}"></script></body></html>'
)
APP_JS = (
    "fetch('/api/policy.json').then(r => r.json()).then(d => {"
    " document.getElementById('root').innerHTML = d.html; });"
)
# The same app, but it also reports a page view by POST: an answer a GET cannot replay.
POSTING_JS = "fetch('/api/view', {method: 'POST', body: 'x'}).catch(() => {});" + APP_JS
# ...or by a beacon, whose answer no script can read: no reason to render again.
BEACON_JS = "navigator.sendBeacon('/api/view', 'x');" + APP_JS
SCRIPTS = {"/posting": "posting.js", "/beacon": "beacon.js"}


def policy_html(extra: str = "") -> str:
    paragraphs = PARAGRAPHS + ([extra] if extra else [])
    return "<h1>Privacy Policy</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)


@pytest.fixture
async def app_site():
    state = {"html": policy_html(), "etag": None}
    served: list[str] = []

    async def page(request):
        served.append("page")
        script = SCRIPTS.get(request.path, "app.js")
        return web.Response(text=SHELL.format(script=script), content_type="text/html")

    async def script(request):
        served.append(request.path.rsplit("/", 1)[-1])
        codes = {"app.js": APP_JS, "posting.js": POSTING_JS, "beacon.js": BEACON_JS}
        if request.match_info["name"] not in codes:
            raise web.HTTPNotFound()
        code = codes[request.match_info["name"]]
        return web.Response(text=code, content_type="application/javascript")

    async def policy_json(request):
        etag = state["etag"]
        if etag is not None and request.headers.get("If-None-Match") == etag:
            served.append("json 304")
            return web.Response(status=304, headers={"ETag": etag})
        served.append("json")
        headers = {"ETag": etag} if etag else {}
        return web.json_response({"html": state["html"]}, headers=headers)

    async def view(request):
        served.append("view")
        return web.json_response({"views": len(served)})

    app = web.Application()
    app.router.add_get("/privacy", page)
    app.router.add_get("/posting", page)
    app.router.add_get("/beacon", page)
    app.router.add_get("/static/{name}", script)
    app.router.add_get("/api/policy.json", policy_json)
    app.router.add_post("/api/view", view)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield {"base": f"http://app.test:{port}", "port": port, "state": state, "served": served}
    await runner.cleanup()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Checks:
    """A store, a monitor over one document, and its fetchers: one pass per ``check()``."""

    def __init__(self, site, store: Store, path: str, rerender_after: timedelta) -> None:
        self.site, self.store, self.clock = site, store, Clock()
        self.doc = store.add_document(store.add_site("app.test")["id"], site["base"] + path)
        lookup = StaticLookup({"app.test": "127.0.0.1"})
        policy = FetchPolicy(respect_robots=False, min_host_delay=0)
        self.plain = Fetcher(
            FetchPolicy(respect_robots=False, min_host_delay=0, allow_networks=("127.0.0.0/8",)),
            lookup=lookup,
        )
        render = RenderPolicy(allow_endpoints=(f"127.0.0.1:{site['port']}",), settle_timeout=1.0)
        self.renderer = Renderer(policy, render, lookup=lookup)
        self.chooser = ChoosingFetcher(
            self.plain,
            self.renderer,
            remember=store_remember(store),
            prints=StorePrints(store),
            rerender_after=rerender_after,
            clock=self.clock,
        )
        self.monitor = Monitor(
            store,
            self.chooser,
            timing=Timing(interval=3600),
            clock=self.clock,
            rng=random.Random(1),
        )

    async def __aenter__(self) -> Checks:
        await self.plain.__aenter__()
        await self.renderer.__aenter__()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.renderer.close()
        await self.plain.__aexit__(*exc)

    async def check(self):
        self.site["served"].clear()
        report = await self.monitor.run_pass(tracking=False)
        [result] = report.results
        self.clock.now += timedelta(hours=2)
        return result

    def fingerprint(self) -> Fingerprint | None:
        return Fingerprint.from_json(self.store.get_document(self.doc["id"])["render_fingerprint"])


async def test_an_unchanged_app_is_not_rendered_again_and_a_change_is(app_site, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/privacy", timedelta(days=7)) as c:
            first = await c.check()
            assert first.status == "ok" and first.new_version, first
            assert c.renderer.rendered == 1
            printed = c.fingerprint()
            assert printed is not None and printed.unusable is None
            urls = sorted(r.url.rsplit("/", 1)[-1] for r in printed.resources)
            assert urls == ["app.js", "policy.json", "privacy"]

            second = await c.check()
            assert second.status == "ok" and second.not_modified, second
            assert c.renderer.rendered == 1  # no browser: the responses were replayed
            assert c.renderer.replayed == 1
            assert sorted(app_site["served"]) == ["app.js", "json", "page"]

            app_site["state"]["html"] = policy_html(
                "We keep your personal data for thirty days after you close your account."
            )
            third = await c.check()
            assert c.renderer.rendered == 2  # the JSON changed: rendered again
            assert third.status == "ok" and third.new_version and third.changes, third

            fourth = await c.check()  # and the new render is what is replayed next
            assert fourth.not_modified and c.renderer.rendered == 2
        snapshots = store.snapshots_of_document(c.doc["id"])
        assert [s["source"] for s in snapshots] == ["live-rendered", "live-rendered"]
        assert len(store.versions_of_document(c.doc["id"])) == 2


async def test_validators_make_the_replay_conditional(app_site, tmp_path):
    app_site["state"]["etag"] = '"v1"'
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/privacy", timedelta(days=7)) as c:
            await c.check()
            again = await c.check()
    assert again.not_modified
    assert "json 304" in app_site["served"]


async def test_the_page_is_rendered_again_once_its_render_is_old(app_site, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/privacy", timedelta(hours=3)) as c:
            await c.check()  # rendered at 00:00
            assert (await c.check()).not_modified  # 02:00: replayed
            third = await c.check()  # 04:00: the render is 4 h old, more than 3 h
            assert c.renderer.rendered == 2 and c.renderer.replayed == 1
            assert third.status == "ok" and not third.not_modified
            assert not third.new_version  # the same page, rendered: no new version


async def test_a_page_that_posts_is_rendered_at_every_check(app_site, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/posting", timedelta(days=7)) as c:
            await c.check()
            printed = c.fingerprint()
            assert printed is not None and "POST" in (printed.unusable or "")
            again = await c.check()
    assert c.renderer.rendered == 2 and c.renderer.replayed == 0
    assert again.status == "ok" and not again.not_modified
    assert "view" in app_site["served"]


async def test_a_beacon_does_not_stop_the_replay(app_site, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/beacon", timedelta(days=7)) as c:
            await c.check()
            assert "view" in app_site["served"]  # the beacon was sent (and answered)
            printed = c.fingerprint()
            assert printed is not None and printed.unusable is None, printed
            assert not any(r.url.endswith("/api/view") for r in printed.resources)
            again = await c.check()
    assert again.not_modified and c.renderer.rendered == 1


async def test_a_resource_that_cannot_be_fetched_again_renders(app_site, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/privacy", timedelta(days=7)) as c:
            await c.check()
            printed = c.fingerprint()
            assert printed is not None
            # The last render's record names a script that is now gone (404).
            broken = replace(
                printed,
                resources=tuple(
                    replace(r, url=r.url.replace("app.js", "gone.js")) for r in printed.resources
                ),
            )
            store.update_document(c.doc["id"], render_fingerprint=broken.to_json())
            again = await c.check()
    assert c.renderer.rendered == 2, "a resource answering 404 now must send the page to render"
    assert again.status == "ok"


async def test_a_fingerprint_is_not_used_after_a_check_that_did_not_end_ok(app_site, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        async with Checks(app_site, store, "/privacy", timedelta(days=7)) as c:
            await c.check()
            # A later check ended otherwise (a shrink held back, a wall...): the replay
            # would vouch for a capture that is not the current one.
            store.update_document(c.doc["id"], status="structure-changed")
            await c.check()
    assert c.renderer.rendered == 2 and c.renderer.replayed == 0


def test_a_stored_fingerprint_reads_back_whole():
    printed = Fingerprint.from_json(
        json.dumps(
            {
                "resources": [
                    {
                        "url": "https://a.test/x",
                        "status": 200,
                        "sha256": "ab",
                        "headers": [["accept", "*/*"]],
                    }
                ],
                "dom_sha256": "cd",
                "rendered_at": "2030-01-01T00:00:00+00:00",
            }
        )
    )
    assert printed is not None
    assert Fingerprint.from_json(printed.to_json()) == printed
    assert printed.resources[0].headers == (("accept", "*/*"),)
    assert Fingerprint.from_json("{not json") is None
    assert Fingerprint.from_json(None) is None
