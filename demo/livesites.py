"""The demo's "live web": one aiohttp server answering for several made-up hostnames.

Which site a request is for comes from its Host header, as on a real shared host, so
bumble.test and grindr.test can live on one socket; the monitor reaches them because
`clausewatch serve --resolve bumble.test:ADDRESS` maps the names to that socket. Each
site has a home page linking its policy (for discovery), a robots.txt allowing us, and
the policy, with a strong ETag so the monitor's conditional GETs get 304s until the demo
changes the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from aiohttp import web

from demo.sites import POLICY_PATH, DemoSite, home_page

ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass
class LiveSites:
    pages: dict[str, dict[str, bytes]] = field(default_factory=dict)  # host -> path -> body
    requests: int = 0

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

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handle)
        return app
