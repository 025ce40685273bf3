"""The rendering fetcher end to end: Debian's Chromium on pages served from loopback.

The test site listens on 127.0.0.1 (port 0) under the name ``policy.test``; the renderer's
guard allows exactly that address *and port* (RenderPolicy.allow_endpoints) and nothing
else, so the decoy - another listener on 127.0.0.1 - and private or metadata addresses stay
refused. The decoy counts TCP connections, not requests: not even a preconnect may arrive.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make chromium)", allow_module_level=True)

import random  # noqa: E402

from servesupport import clean_env, start_serve  # noqa: E402

from db import Store  # noqa: E402
from monitor.backfill import backfill_document  # noqa: E402
from monitor.discover import discover  # noqa: E402
from monitor.extract import extract  # noqa: E402
from monitor.fetch import Fetcher, FetchPolicy  # noqa: E402
from monitor.netguard import StaticLookup  # noqa: E402
from monitor.render import Renderer, RenderPolicy  # noqa: E402
from monitor.renderchoice import ChoosingFetcher, store_remember  # noqa: E402
from monitor.schedule import Monitor, Timing  # noqa: E402
from monitor.wayback import WaybackClient  # noqa: E402

SECTIONS = [
    (
        "Information we collect",
        "We collect the information you give us when you create an account, such as your "
        "name, email address and date of birth, and the information your device sends us "
        "when you use the service, such as your IP address and browser type.",
    ),
    (
        "How we use your information",
        "We use your information to provide and improve the service, to keep your account "
        "secure, to answer your requests and, with your consent, to send you news about "
        "features you may like.",
    ),
    (
        "Sharing with third parties",
        "We share personal data with service providers who process it on our behalf under "
        "contract, and with authorities when the law requires it. We never sell your "
        "personal data to advertisers or data brokers.",
    ),
    (
        "Your rights and choices",
        "You may access, correct or delete your personal data at any time from your "
        "account settings, object to its processing, or ask us for a copy in a portable "
        "format by writing to privacy@policy.test.",
    ),
    (
        "Retention",
        "We keep your personal data for as long as your account is open and delete it "
        "within thirty days after you close your account, unless the law obliges us to "
        "keep it longer.",
    ),
]
POLICY_HTML = "<h1>Privacy Policy</h1>" + "".join(
    f"<h2>{title}</h2><p>{text}</p>" for title, text in SECTIONS
)
SHELL = (
    "<!doctype html><html><head><title>Privacy Policy</title></head><body>"
    "<noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div>{scripts}</body></html>'
)


def shell(*scripts: str) -> str:
    return SHELL.format(scripts="".join(scripts))


class Decoy:
    """A listener nothing may reach: it counts connections (and closes them)."""

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None

    async def _on_connect(self, reader, writer) -> None:
        self.connections += 1
        writer.close()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def site():
    decoy = Decoy()
    decoy_port = await decoy.start()
    release = asyncio.Event()  # lets the never-ending responses end at teardown
    hits: list[str] = []

    def page(body: str) -> web.Response:
        return web.Response(text=body, content_type="text/html")

    async def script_dom(request):
        return page(shell('<script src="/app.js"></script>'))

    async def app_js(request):
        code = f"document.getElementById('root').innerHTML = {json.dumps(POLICY_HTML)};"
        return web.Response(text=code, content_type="application/javascript")

    async def xhr(request):
        code = (
            "const x = new XMLHttpRequest(); x.open('GET', '/api/policy.json');"
            "x.onload = () => { const d = JSON.parse(x.responseText);"
            " document.getElementById('root').innerHTML = d.html; }; x.send();"
        )
        return page(shell(f"<script>{code}</script>"))

    async def policy_json(request):
        return web.json_response({"html": POLICY_HTML})

    async def consent(request):
        code = (
            "const wall = document.createElement('div'); wall.id = 'consent-wall';"
            "wall.setAttribute('role', 'dialog'); wall.className = 'cookie-consent';"
            "wall.innerHTML = '<p>We and our partners use cookies. Accept all to continue.</p>"
            "<button>Accept all</button><button>Reject</button>';"
            "document.body.appendChild(wall);"
            "fetch('/api/policy.json').then(r => r.json()).then(d => {"
            " document.getElementById('root').innerHTML = d.html; });"
        )
        return page(shell(f"<script>{code}</script>"))

    async def reach(request):
        decoy = f"http://127.0.0.1:{decoy_port}"
        code = (
            f"fetch('{decoy}/steal').catch(() => {{}});"
            "fetch('http://10.20.30.40/internal').catch(() => {});"
            "fetch('http://169.254.169.254/latest/meta-data/').catch(() => {});"
            f"fetch('http://decoy.test:{decoy_port}/by-name').catch(() => {{}});"
            "fetch('http://internal.test/by-private-name').catch(() => {});"
            f"try {{ new WebSocket('ws://127.0.0.1:{decoy_port}/'); }} catch (e) {{}}"
            f"const img = new Image(); img.src = '{decoy}/pixel.gif';"
            f"navigator.sendBeacon('{decoy}/beacon', 'x');"
            f"document.getElementById('root').innerHTML = {json.dumps(POLICY_HTML)};"
        )
        return page(
            shell(
                f'<link rel="preconnect" href="{decoy}">',
                f'<iframe src="{decoy}/frame"></iframe>',
                f"<script>{code}</script>",
            )
        )

    async def never(request):
        return page(shell('<script src="/never.js"></script>'))

    async def never_js(request):
        hits.append("never.js")
        response = web.StreamResponse(headers={"Content-Type": "application/javascript"})
        await response.prepare(request)
        await response.write(b"// loading ")
        await release.wait()
        return response

    async def download(request):
        code = (
            "const a = document.createElement('a'); a.href = '/file.bin'; a.download = 'x.bin';"
            "document.body.appendChild(a); a.click();"
            f"document.getElementById('root').innerHTML = {json.dumps(POLICY_HTML)};"
        )
        return page(shell(f"<script>{code}</script>"))

    async def file_bin(request):
        hits.append("file.bin")
        return web.Response(
            body=b"\0" * 4096,
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="x.bin"',
            },
        )

    async def empty(request):
        return page(shell("<script>/* an app that renders nothing */</script>"))

    async def challenge(request):
        return page(
            "<!doctype html><html><head><title>Just a moment...</title></head><body>"
            '<div id="root"></div><script>document.getElementById("root").innerHTML ='
            " '<div class=\"g-recaptcha\">Please verify you are human</div>';</script>"
            "</body></html>"
        )

    async def home(request):
        code = (
            "const f = document.createElement('footer');"
            'f.innerHTML = \'<a href="/about">About</a> <a href="/xhr">Privacy Policy</a>\';'
            "document.body.appendChild(f);"
        )
        return page(shell(f"<script>{code}</script>"))

    async def plain(request):
        return page(f"<!doctype html><html><body><main>{POLICY_HTML}</main></body></html>")

    async def cdx(request):
        rows = [["timestamp", "original", "statuscode", "digest", "mimetype", "length"]]
        original = "https://app.example/privacy"
        rows.append(["20240101000000", original, "200", "DIGESTA", "text/html", "300"])
        return web.json_response(rows)

    async def capture_raw(request):
        hits.append("id_")
        return page(
            shell('<script src="/web/20240101000000js_/https://app.example/app.js"></script>')
        )

    async def capture_replay(request):
        hits.append("if_")
        return page(
            shell('<script src="/web/20240101000000js_/https://app.example/app.js"></script>')
        )

    redirect_target = "/script-dom"

    async def redirect(request):
        raise web.HTTPFound(redirect_target)

    async def redirect_out(request):
        raise web.HTTPFound(f"http://127.0.0.1:{decoy_port}/landing")

    app = web.Application()
    app.router.add_get("/script-dom", script_dom)
    app.router.add_get("/app.js", app_js)
    app.router.add_get("/xhr", xhr)
    app.router.add_get("/api/policy.json", policy_json)
    app.router.add_get("/consent", consent)
    app.router.add_get("/reach", reach)
    app.router.add_get("/never", never)
    app.router.add_get("/never.js", never_js)
    app.router.add_get("/download", download)
    app.router.add_get("/file.bin", file_bin)
    app.router.add_get("/empty", empty)
    app.router.add_get("/challenge", challenge)
    app.router.add_get("/", home)
    app.router.add_get("/plain", plain)
    app.router.add_get("/cdx/search/cdx", cdx)
    app.router.add_get("/web/{ts:\\d+}id_/{url:.*}", capture_raw)
    app.router.add_get("/web/{ts:\\d+}if_/{url:.*}", capture_replay)
    app.router.add_get("/web/{ts:\\d+}js_/{url:.*}", app_js)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/redirect-out", redirect_out)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield {"base": f"http://policy.test:{port}", "port": port, "decoy": decoy, "hits": hits}
    release.set()
    await runner.cleanup()
    await decoy.stop()


def renderer_for(site, **overrides) -> Renderer:
    lookup = StaticLookup(
        {"policy.test": "127.0.0.1", "decoy.test": "127.0.0.1", "internal.test": "10.0.0.5"}
    )
    policy = FetchPolicy(respect_robots=False, min_host_delay=0)
    render = RenderPolicy(
        allow_endpoints=(f"127.0.0.1:{site['port']}",),
        page_timeout=overrides.pop("page_timeout", 20.0),
        settle_timeout=1.0,
        request_timeout=overrides.pop("request_timeout", 10.0),
        **overrides,
    )
    return Renderer(policy, render, lookup=lookup)


def policy_of(result):
    assert result.outcome == "ok", result.error
    assert result.rendered
    return extract(result.body, result.content_type, result.final_url)


def assert_whole_policy(doc) -> None:
    text = "\n".join(c.text for c in doc.clauses)
    for title, para in SECTIONS:
        assert para in text, title


async def test_policy_written_into_the_dom_by_a_script(site):
    async with renderer_for(site) as renderer:
        assert not renderer.started  # the browser starts on the first render only
        result = await renderer.fetch(site["base"] + "/script-dom")
    assert_whole_policy(policy_of(result))
    assert result.refused == ()


async def test_policy_fetched_by_xhr_from_a_json_endpoint(site):
    async with renderer_for(site) as renderer:
        result = await renderer.fetch(site["base"] + "/xhr")
    assert_whole_policy(policy_of(result))


async def test_policy_behind_a_script_injected_consent_wall(site):
    async with renderer_for(site) as renderer:
        result = await renderer.fetch(site["base"] + "/consent")
    doc = policy_of(result)
    assert_whole_policy(doc)
    assert "We and our partners use cookies" in result.text  # the wall was rendered too


async def test_redirects_are_followed_hop_by_hop_through_the_guard(site):
    async with renderer_for(site) as renderer:
        ok = await renderer.fetch(site["base"] + "/redirect")
        out = await renderer.fetch(site["base"] + "/redirect-out")
    assert ok.final_url.endswith("/script-dom")
    assert_whole_policy(policy_of(ok))
    assert out.outcome == "refused-address", out
    assert "loopback" in out.error
    assert site["decoy"].connections == 0


async def test_a_page_cannot_reach_loopback_or_private_addresses(site):
    async with renderer_for(site) as renderer:
        result = await renderer.fetch(site["base"] + "/reach")
    assert_whole_policy(policy_of(result))
    assert site["decoy"].connections == 0
    refused = "\n".join(result.refused)
    decoy_port = site["decoy"].server.sockets[0].getsockname()[1]
    for url in (
        f"http://127.0.0.1:{decoy_port}/steal",
        "http://10.20.30.40/internal",
        "http://169.254.169.254/latest/meta-data/",
        f"http://decoy.test:{decoy_port}/by-name",
        "http://internal.test/by-private-name",
        f"http://127.0.0.1:{decoy_port}/pixel.gif",
        f"http://127.0.0.1:{decoy_port}/frame",
    ):
        assert url in refused, url
    assert "resolves to 10.0.0.5, private" in refused
    assert "169.254.169.254: refused (link-local)" in refused


async def test_a_page_that_never_finishes_loading_times_out(site):
    async with renderer_for(site, page_timeout=2.0, request_timeout=30.0) as renderer:
        result = await renderer.fetch(site["base"] + "/never")
    assert result.outcome == "unreachable"
    assert result.error.startswith("render timeout")
    assert site["hits"] == ["never.js"]


async def test_a_download_is_refused(site, tmp_path):
    async with renderer_for(site) as renderer:
        result = await renderer.fetch(site["base"] + "/download")
        assert site["hits"] == []  # the browser never made the download's request
        direct = await renderer.fetch(site["base"] + "/file.bin")
    assert_whole_policy(policy_of(result))
    assert any("download" in r for r in result.refused), result.refused
    assert site["hits"] == ["file.bin"]  # asked by the guard, aborted at its headers
    assert direct.outcome == "unreachable"
    assert "download" in direct.error


async def test_an_empty_app_stays_empty_and_a_captcha_is_blocked(site):
    async with renderer_for(site) as renderer:
        empty = await renderer.fetch(site["base"] + "/empty")
        wall = await renderer.fetch(site["base"] + "/challenge")
    assert empty.outcome == "ok" and empty.rendered
    assert wall.outcome == "blocked"
    assert "captcha" in wall.error or "challenge" in wall.error


async def test_a_byte_budget_caps_a_page(site):
    # The document fits; the script that writes the policy does not.
    async with renderer_for(site, max_page_bytes=600) as renderer:
        result = await renderer.fetch(site["base"] + "/script-dom")
        whole = await renderer.fetch(site["base"] + "/xhr")
    assert result.outcome == "too-large", result
    assert "more than 600 bytes" in result.error
    assert whole.outcome == "too-large", whole


async def test_pages_render_concurrently_in_one_browser(site):
    async with renderer_for(site, pages=3) as renderer:
        results = await asyncio.gather(
            *(renderer.fetch(site["base"] + path) for path in ("/script-dom", "/xhr") * 3)
        )
        browser = renderer._browser
        # Each page's context is closed after it; at most the next one's waits, unused.
        assert len(browser.contexts) <= 1
    assert all(r.outcome == "ok" for r in results)
    assert browser is not None and not browser.is_connected()  # closed with the renderer


def plain_fetcher() -> Fetcher:
    # The plain fetcher allows loopback (its own tests pin nothing finer); the renderer,
    # which runs the page's scripts, pins the one endpoint.
    lookup = StaticLookup({"policy.test": "127.0.0.1"})
    policy = FetchPolicy(respect_robots=False, min_host_delay=0, allow_networks=("127.0.0.0/8",))
    return Fetcher(policy, lookup=lookup)


class Clock:
    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


async def test_checks_render_under_auto_remember_it_and_record_live_rendered(site, tmp_path):
    timing = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=3600, lease=600)
    with Store.open(tmp_path / "cw.db") as store:
        s = store.add_site("policy.test")
        shell_doc = store.add_document(s["id"], site["base"] + "/xhr")
        plain_doc = store.add_document(s["id"], site["base"] + "/plain")
        async with plain_fetcher() as plain, renderer_for(site) as renderer:
            chooser = ChoosingFetcher(plain, renderer, remember=store_remember(store))
            clock = Clock()
            monitor = Monitor(store, chooser, timing=timing, clock=clock, rng=random.Random(1))
            report = await monitor.run_pass(tracking=False)
            assert sorted(r.status for r in report.results) == ["ok", "ok"], report.results
            assert renderer.rendered == 1  # the plain policy page never went to the browser
            clock.advance(7200)
            again = await monitor.run_pass(tracking=False)
            assert [r.status for r in again.results] == ["ok", "ok"]
            assert renderer.rendered == 2  # straight to the browser, no second decision
        state = store.get_document(shell_doc["id"])
        assert state["render_decision"] == "rendered"
        assert store.get_document(plain_doc["id"])["render_decision"] == "plain"
        sources = [x["source"] for x in store.snapshots_of_document(shell_doc["id"])]
        assert sources == ["live-rendered", "live-rendered"]
        [version] = store.versions_of_document(shell_doc["id"])
        clauses = store.get_version(version["id"])["clauses"]
        assert "We never sell your personal data" in "".join(c["text"] for c in clauses)


async def test_discovery_renders_a_client_rendered_home_page(site):
    async with plain_fetcher() as plain, renderer_for(site) as renderer:
        chooser = ChoosingFetcher(plain, renderer)
        found = await discover(f"policy.test:{site['port']}", chooser)
    assert found.url == site["base"] + "/xhr", found.notes
    assert any(n.startswith("home page rendered") for n in found.notes)


async def test_backfill_renders_a_capture_without_policy_text(site, tmp_path):
    async def no_sleep(_):
        return None

    with Store.open(tmp_path / "cw.db") as store:
        s = store.add_site("app.example")
        doc = store.add_document(s["id"], "https://app.example/privacy")
        async with (
            renderer_for(site) as renderer,
            WaybackClient(
                f"http://127.0.0.1:{site['port']}",
                cdx_per_minute=0,
                fetch_per_minute=0,
                sleep=no_sleep,
            ) as wayback,
        ):
            report = await backfill_document(
                store, wayback, doc, render=lambda url: renderer.fetch(url, robots=False)
            )
        assert report.rendered == 1 and report.failed == 0, report
        assert site["hits"] == ["id_", "if_"]
        snaps = store.snapshots_of_document(doc["id"])
        assert [x["source"] for x in snaps] == ["wayback", "wayback-rendered"]
        assert snaps[0]["version_id"] is None and snaps[1]["version_id"] is not None
        assert "/web/20240101000000if_/" in snaps[1]["url"]


async def test_serve_without_chromium_says_once_that_rendering_is_off(tmp_path):
    env = clean_env(CLAUSEWATCH_CHROMIUM_PATH=str(tmp_path / "no-chromium"))
    proc = await start_serve(
        tmp_path / "cw.db",
        "--no-archive",
        "--wayback-url",
        "http://127.0.0.1:9",
        env=env,
    )
    try:
        first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert first.startswith("Clausewatch serving on"), first
        second = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert second.startswith("Rendering is off (") and "no-chromium not found" in second
        base = first.split()[3]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base}/api/v1/health") as resp,
        ):
            assert resp.status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, err.decode()
        assert "Rendering is off" not in out.decode()  # said once, at start
        assert "Traceback" not in err.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_the_backfill_command_renders_too(site, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from api.cli import cli

    monkeypatch.setenv("CLAUSEWATCH_ALLOW_PRIVATE_ADDRESSES", "1")  # the local archive
    args = [
        "backfill",
        "https://app.example/privacy",
        "--db",
        str(tmp_path / "cw.db"),
        "--wayback-url",
        f"http://127.0.0.1:{site['port']}",
        "--fetch-per-minute",
        "6000",
    ]
    out = await asyncio.to_thread(CliRunner().invoke, cli, args)
    assert out.exit_code == 0, out.output
    assert "1 fetched, 1 versions" in out.output and "1 rendered" in out.output
    assert site["hits"] == ["id_", "if_"]
