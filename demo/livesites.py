"""The demo's "live web": one aiohttp server answering for several made-up hostnames.

Which site a request is for comes from its Host header, as on a real shared host, so
bumble.test and grindr.test can live on one socket; the monitor reaches them because
`clausewatch serve --resolve bumble.test:ADDRESS` maps the names to that socket. Each
site has a home page linking its policy (for discovery), a robots.txt allowing us, and
the policy, with a strong ETag so the monitor's conditional GETs get 304s until the demo
changes the page.

`/_demo` (on any of the names) is the demo's own page: a button per site publishes a
material change to its live policy when the person asks, through `publish`.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import web

from demo.sites import POLICY_PATH, DemoSite, home_page

ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass
class LiveSites:
    pages: dict[str, dict[str, bytes]] = field(default_factory=dict)  # host -> path -> body
    requests: int = 0
    # host -> what was published (one line); set by the demo once it is ready.
    publish: Callable[[str], str] | None = None

    def add(self, site: DemoSite, policy: bytes) -> None:
        self.pages[site.host] = {"/": home_page(site), POLICY_PATH: policy, "/robots.txt": ROBOTS}

    def set_policy(self, host: str, policy: bytes) -> None:
        self.pages[host][POLICY_PATH] = policy

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        host = (request.host or "").rsplit(":", 1)[0].lower().rstrip(".")
        body = self.pages.get(host, {}).get(request.path)
        if body is None:
            return web.Response(status=404, text="not found")
        kind = "text/plain" if request.path.endswith(".txt") else "text/html"
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type=kind, charset="utf-8", headers={"ETag": etag})

    def policy(self, host: str) -> bytes:
        return self.pages[host][POLICY_PATH]

    async def control_page(self, request: web.Request) -> web.Response:
        said = request.query.get("published", "")
        rows = "".join(
            f'<li><form method="post" action="/_demo/publish"><input type="hidden" name="site" '
            f'value="{html.escape(host)}"><button type="submit">Publish a material change to '
            f"{html.escape(host)}'s privacy policy</button></form></li>"
            for host in sorted(self.pages)
        )
        note = f'<p role="status">{html.escape(said)}</p>' if said else ""
        ready = "" if self.publish else "<p>Not ready yet: wait for “Demo ready”.</p>"
        body = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Clausewatch demo</title></head><body><main><h1>Clausewatch demo</h1>"
            f"{ready}{note}<ul>{rows}</ul><p>The server finds the change at its next check; "
            "then the extension's <em>Check now</em> (or its next poll) brings the "
            "notification.</p></main></body></html>"
        )
        return web.Response(text=body, content_type="text/html")

    async def publish_page(self, request: web.Request) -> web.Response:
        host = (await request.post()).get("site", "")
        if self.publish is None or host not in self.pages:
            return web.Response(status=409 if self.publish is None else 404, text="not possible")
        said = self.publish(host)
        raise web.HTTPSeeOther("/_demo?" + urlencode({"published": said}))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/_demo", self.control_page)
        app.router.add_post("/_demo/publish", self.publish_page)
        app.router.add_get("/{tail:.*}", self.handle)
        return app
