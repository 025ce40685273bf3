"""A policy asked for by URL that only a browser can read is admitted (issue 24, discovery
by URL): ``verify_policy_url`` renders the page, in Debian's Chromium, when the checks'
own choice would (monitor/renderchoice.py), and holds it when rendering is off."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from aiohttp import web

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make chromium)", allow_module_level=True)

from monitor.discover import verify_policy_url  # noqa: E402
from monitor.fetch import Fetcher, FetchPolicy  # noqa: E402
from monitor.netguard import StaticLookup  # noqa: E402
from monitor.render import Renderer, RenderPolicy  # noqa: E402
from monitor.renderchoice import ChoosingFetcher  # noqa: E402

POLICY = "<h1>Privacy Policy</h1>" + "".join(
    f"<h2>{title}</h2><p>{text}</p>"
    for title, text in [
        (
            "Information we collect",
            "We collect the personal data you give us when you create an account, such as "
            "your name and email address, and the data your device sends us.",
        ),
        (
            "How we use and share it",
            "We process your personal data to provide the service and share it with "
            "processors under contract. We never sell personal data to third parties.",
        ),
        (
            "Your rights",
            "You may access, correct or delete your personal data, object to its processing "
            "and withdraw your consent at any time by writing to privacy@app.test.",
        ),
        (
            "Retention",
            "We keep your personal data for as long as your account is open and delete it "
            "within thirty days after you close your account, unless the law obliges us to "
            "keep it longer, for instance for tax records or to settle a dispute.",
        ),
        (
            "Cookies",
            "We use cookies that the service needs to work, and, with your consent, cookies "
            "that measure how the service is used. You can refuse them or withdraw your "
            "consent in the cookie settings at any time without losing access.",
        ),
        (
            "Contact",
            "The controller of your personal data is App Ltd. You may contact our data "
            "protection officer at dpo@app.test and lodge a complaint with your supervisory "
            "authority if you think we process your data unlawfully.",
        ),
    ]
)
SHELL = (
    "<!doctype html><html><head><title>App</title></head><body>"
    '<div id="root"></div><script src="/app.js"></script></body></html>'
)
HOME = (
    "<!doctype html><html><head><title>App</title></head><body><main><h1>Welcome</h1></main>"
    '<footer><a href="/terms">Terms</a> <a href="/legal/privacy">Privacy Policy</a></footer>'
    "</body></html>"
)


@pytest.fixture
async def app_site():
    async def home(request):
        return web.Response(text=HOME, content_type="text/html")

    async def shell(request):
        return web.Response(text=SHELL, content_type="text/html")

    async def app_js(request):
        code = f"document.getElementById('root').innerHTML = {json.dumps(POLICY)};"
        return web.Response(text=code, content_type="application/javascript")

    app = web.Application()
    app.router.add_get("/", home)
    app.router.add_get("/legal/privacy", shell)
    app.router.add_get("/app.js", app_js)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield {"base": f"http://app.test:{port}", "port": port}
    await runner.cleanup()


def fetchers(site):
    lookup = StaticLookup({"app.test": "127.0.0.1"})
    plain = Fetcher(
        FetchPolicy(respect_robots=False, min_host_delay=0, allow_networks=("127.0.0.0/8",)),
        lookup=lookup,
    )
    renderer = Renderer(
        FetchPolicy(respect_robots=False, min_host_delay=0),
        RenderPolicy(allow_endpoints=(f"127.0.0.1:{site['port']}",), settle_timeout=1.0),
        lookup=lookup,
    )
    return plain, renderer


async def test_a_client_rendered_policy_asked_by_url_is_admitted(app_site):
    url = app_site["base"] + "/legal/privacy"
    plain, renderer = fetchers(app_site)
    async with plain, renderer:
        held = await verify_policy_url(url, ChoosingFetcher(plain, None))
        admitted = await verify_policy_url(url, ChoosingFetcher(plain, renderer))
    assert not held.admitted and "nothing could be extracted" in held.reason, held
    assert admitted.admitted, admitted.reason
    assert "linked from" in admitted.reason
    assert renderer.rendered == 1
