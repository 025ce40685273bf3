"""Live fetching against loopback sites: every outcome the scheduler will act on."""

from __future__ import annotations

import asyncio
import hashlib
import json
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest
from aiohttp import web

from monitor.extract.decode import decode_body
from monitor.fetch import OUTCOMES, Fetcher, FetchPolicy, user_agent
from monitor.netguard import StaticLookup
from monitor.politeness import Politeness
from monitor.responses import body_kind, challenge_reason, retry_after

HOSTS = ("site.test", "legal.site.test", "other.test", "a.test", "b.test", "c.test")


class FakeClock:
    """Time that passes only when someone sleeps: pauses are checked, never waited."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF holding ``text``: what a policy published only as PDF is."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Site:
    """A loopback web site whose policy, robots.txt and misbehaviours tests set."""

    def __init__(self) -> None:
        self.policy = "<html><body><h1>Privacy Policy</h1><p>Version one.</p></body></html>"
        self.robots: tuple[int, str] = (200, "User-agent: *\nDisallow: /private/\n")
        self.requests: list[tuple[str, str]] = []  # (host, path)
        self.user_agents: set[str] = set()
        self.never = asyncio.Event()  # awaited by slow handlers; nobody sets it
        self.streamed = 0

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.policy.encode()).hexdigest()[:16] + '"'

    def app(self) -> web.Application:
        app = web.Application()
        r = app.router
        r.add_get("/robots.txt", self.robots_txt)
        r.add_get("/policy", self.page)
        r.add_get("/dated", self.dated)
        r.add_get("/private/policy", self.page)
        r.add_get("/legal/privacy", self.page)
        r.add_get("/status/{code}", self.status)
        r.add_get("/go/{code}", self.go)
        r.add_get("/loop/{n}", self.loop)
        r.add_get("/hops/{n}", self.hops)
        r.add_get("/to-legal", self.to_legal)
        r.add_get("/slow-headers", self.slow_headers)
        r.add_get("/slow-body", self.slow_body)
        r.add_get("/endless", self.endless)
        r.add_get("/huge", self.huge)
        r.add_get("/bomb", self.bomb)
        r.add_get("/gzipped", self.gzipped)
        r.add_get("/challenge", self.challenge)
        r.add_get("/captcha-403", self.captcha_403)
        r.add_get("/cf-injected", self.cf_injected)
        r.add_get("/latin1-lie", self.latin1_lie)
        r.add_get("/meta-charset", self.meta_charset)
        r.add_get("/no-charset", self.no_charset)
        r.add_get("/policy.pdf", self.pdf)
        r.add_get("/download", self.pdf_as_octets)
        r.add_get("/policy.json", self.json)
        r.add_get("/policy.txt", self.text)

        @web.middleware
        async def log(request: web.Request, handler):
            self.requests.append((request.host.split(":")[0], request.path))
            self.user_agents.add(request.headers.get("User-Agent", ""))
            return await handler(request)

        app.middlewares.append(log)
        return app

    def paths(self, host: str | None = None) -> list[str]:
        return [p for h, p in self.requests if host is None or h == host]

    async def robots_txt(self, request: web.Request) -> web.Response:
        status, text = self.robots
        return web.Response(status=status, text=text)

    async def page(self, request: web.Request) -> web.Response:
        etag = self.etag()
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=self.policy, content_type="text/html", headers={"ETag": etag})

    async def dated(self, request: web.Request) -> web.Response:
        stamp = "Tue, 01 Sep 2026 10:00:00 GMT"
        if request.headers.get("If-Modified-Since") == stamp:
            return web.Response(status=304)
        return web.Response(
            text=self.policy, content_type="text/html", headers={"Last-Modified": stamp}
        )

    async def status(self, request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        headers = {"Retry-After": "120"} if code == 429 else {}
        return web.Response(status=code, text=f"status {code}", headers=headers)

    async def go(self, request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        return web.Response(status=code, headers={"Location": "/policy"})

    async def loop(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/loop/{(n + 1) % 3}")

    async def hops(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/hops/{n - 1}" if n > 1 else "/policy")

    async def to_legal(self, request: web.Request) -> web.Response:
        port = request.url.port
        raise web.HTTPMovedPermanently(f"http://legal.site.test:{port}/policy")

    async def slow_headers(self, request: web.Request) -> web.Response:
        await self.never.wait()
        raise AssertionError("unreachable")

    async def slow_body(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        await response.write(b"<html><body><p>The beginning of a policy")
        await self.never.wait()
        return response

    async def endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>we collect everything</p>" * 1000
        while True:  # until the client hangs up
            await response.write(chunk)
            self.streamed += len(chunk)

    async def huge(self, request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (2 * 1024 * 1024), content_type="text/plain")

    async def bomb(self, request: web.Request) -> web.StreamResponse:
        """64 MiB of zeros in about 64 KiB of gzip, written as it is compressed."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
        )
        await response.prepare(request)
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(1024 * 1024)
        try:
            for _ in range(64):
                await response.write(gz.compress(zeros))
                self.streamed += len(zeros)
            await response.write(gz.flush())
        except (ConnectionResetError, RuntimeError):
            pass  # the client gave up at its cap, as it should
        return response

    async def gzipped(self, request: web.Request) -> web.Response:
        body = self.policy.encode()
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        return web.Response(
            body=gz.compress(body) + gz.flush(),
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
        )

    async def challenge(self, request: web.Request) -> web.Response:
        html = (
            "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
            "<body><script src='/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1'></script>"
            "</body></html>"
        )
        return web.Response(status=503, text=html, content_type="text/html")

    async def captcha_403(self, request: web.Request) -> web.Response:
        html = "<html><head><title>Attention Required! | Cloudflare</title></head></html>"
        return web.Response(status=200, text=html, content_type="text/html")

    async def cf_injected(self, request: web.Request) -> web.Response:
        """An ordinary page: Cloudflare's bot script and a contact form's captcha in it."""
        html = (
            "<html><head><title>Privacy Policy</title></head><body><p>We collect...</p>"
            "<form><div class='g-recaptcha'></div></form>"
            "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def latin1_lie(self, request: web.Request) -> web.Response:
        body = "<html><body><p>Données personnelles, Datenschutzerklärung</p></body></html>"
        return web.Response(
            body=body.encode("utf-8"), headers={"Content-Type": "text/html; charset=ISO-8859-1"}
        )

    async def meta_charset(self, request: web.Request) -> web.Response:
        body = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            "</head><body><p>Política de privacidad – “datos”</p></body></html>"
        )
        return web.Response(body=body.encode("cp1252"), headers={"Content-Type": "text/html"})

    async def no_charset(self, request: web.Request) -> web.Response:
        body = (
            "Политика конфиденциальности. Мы собираем персональные данные, чтобы "
            "предоставлять услуги, и не продаём их третьим лицам. " * 10
        )  # over 1 KiB: the detector guesses only with that much evidence
        return web.Response(body=body.encode("cp1251"), headers={"Content-Type": "text/plain"})

    async def pdf(self, request: web.Request) -> web.Response:
        return web.Response(body=_pdf("Privacy Policy"), content_type="application/pdf")

    async def pdf_as_octets(self, request: web.Request) -> web.Response:
        return web.Response(body=_pdf("Privacy Policy"), content_type="application/octet-stream")

    async def json(self, request: web.Request) -> web.Response:
        doc = {"title": {"rendered": "Privacy"}, "content": {"rendered": "é"}}
        return web.json_response(doc, dumps=lambda d: json.dumps(d, ensure_ascii=False))

    async def text(self, request: web.Request) -> web.Response:
        return web.Response(text="PRIVACY POLICY\n\nWe collect data.", content_type="text/plain")


@pytest.fixture
async def site(aiohttp_server):
    s = Site()
    server = await aiohttp_server(s.app())
    s.port = server.port
    yield s
    s.never.set()


def url(site: Site, path: str, host: str = "site.test") -> str:
    return f"http://{host}:{site.port}{path}"


def fetcher(clock: FakeClock | None = None, **policy) -> Fetcher:
    policy.setdefault("allow_private", True)  # loopback sites: the explicit switch
    policy.setdefault("min_host_delay", 0)
    policy.setdefault("connect_timeout", 2)
    policy.setdefault("read_timeout", 2)
    policy.setdefault("total_timeout", 5)
    extra = {"clock": clock, "sleep": clock.sleep} if clock else {}
    return Fetcher(
        FetchPolicy(**policy), lookup=StaticLookup(dict.fromkeys(HOSTS, "127.0.0.1")), **extra
    )


# --- changes, conditional GET ---------------------------------------------------------


async def test_policy_that_changes_between_checks_with_etag(site):
    async with fetcher() as f:
        first = await f.fetch(url(site, "/policy"))
        assert first.outcome == "ok" and first.status == 200
        assert b"Version one." in first.body and first.kind == "html"
        assert first.etag == site.etag()

        again = await f.fetch(url(site, "/policy"), etag=first.etag)
        assert again.outcome == "not-modified" and again.not_modified and again.status == 304
        assert again.body == b""

        site.policy = site.policy.replace("Version one.", "Version two: we now sell data.")
        changed = await f.fetch(url(site, "/policy"), etag=first.etag)
        assert changed.outcome == "ok" and b"Version two" in changed.body
        assert changed.etag != first.etag


async def test_last_modified_conditional_get(site):
    async with fetcher() as f:
        first = await f.fetch(url(site, "/dated"))
        assert first.outcome == "ok" and first.last_modified
        again = await f.fetch(url(site, "/dated"), last_modified=first.last_modified)
        assert again.outcome == "not-modified"
        stale = await f.fetch(url(site, "/dated"), last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
        assert stale.outcome == "ok"


async def test_honest_user_agent(site):
    async with fetcher(user_agent=user_agent("https://example.org/contact")) as f:
        await f.fetch(url(site, "/policy"))
    (agent,) = site.user_agents
    assert agent.startswith("Clausewatch/") and agent.endswith("(+https://example.org/contact)")


# --- redirects ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [302, 303, 307])
async def test_temporary_redirect_is_ok_at_the_final_url(site, code):
    async with fetcher() as f:
        result = await f.fetch(url(site, f"/go/{code}"))
    assert result.outcome == "ok", result
    assert result.final_url == url(site, "/policy")
    assert [(h.status, h.location) for h in result.redirects] == [(code, url(site, "/policy"))]
    assert result.moved_to is None


@pytest.mark.parametrize("code", [301, 308])
async def test_permanent_redirect_is_moved(site, code):
    async with fetcher() as f:
        result = await f.fetch(url(site, f"/go/{code}"))
    assert result.outcome == "moved" and result.has_body
    assert result.moved_to == url(site, "/policy") and b"Version one." in result.body


async def test_policy_moved_to_another_host(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/to-legal"))
    assert result.outcome == "moved"
    assert result.final_url == url(site, "/policy", host="legal.site.test")
    # robots.txt is asked of each host the chain visits
    assert site.paths("legal.site.test") == ["/robots.txt", "/policy"]


async def test_redirect_loop(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/loop/0"))
    assert result.outcome == "unreachable" and result.error == "redirect loop"
    assert len(result.redirects) == 3


async def test_too_many_redirects(site):
    async with fetcher(max_redirects=3) as f:
        ok = await f.fetch(url(site, "/hops/3"))
        too_many = await f.fetch(url(site, "/hops/4"))
    assert ok.outcome == "ok" and len(ok.redirects) == 3
    assert too_many.outcome == "unreachable" and "too many redirects" in too_many.error
    assert len(too_many.redirects) == 4


# --- robots.txt -----------------------------------------------------------------------


async def test_robots_disallow_is_respected_and_cached(site):
    async with fetcher() as f:
        denied = await f.fetch(url(site, "/private/policy"))
        allowed = await f.fetch(url(site, "/policy"))
    assert denied.outcome == "disallowed-by-robots"
    assert allowed.outcome == "ok"
    assert site.paths() == ["/robots.txt", "/policy"]  # fetched once, private page never asked


async def test_robots_for_our_user_agent(site):
    site.robots = (200, "User-agent: Clausewatch\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    async with fetcher() as f:
        assert (await f.fetch(url(site, "/policy"))).outcome == "disallowed-by-robots"


@pytest.mark.parametrize(
    ("path", "outcome"),
    [
        ("/legal/privacy", "ok"),  # the longer Allow wins over Disallow: /legal (RFC 9309)
        ("/legal/terms", "disallowed-by-robots"),
        ("/docs/policy.pdf", "disallowed-by-robots"),  # a `*` wildcard and `$` end
        ("/docs/policy.pdf.html", "not-found"),  # `$`: not a match, so allowed (and absent)
    ],
)
async def test_robots_rules_as_rfc_9309_reads_them(site, path, outcome):
    # urllib.robotparser took the first prefix match and read `*` and `$` literally.
    site.robots = (
        200,
        "User-agent: *\nDisallow: /legal\nAllow: /legal/privacy\nDisallow: /*.pdf$\n",
    )
    async with fetcher() as f:
        result = await f.fetch(url(site, path))
    assert result.outcome == outcome, result


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(404, "ok"), (403, "ok"), (500, "disallowed-by-robots"), (429, "disallowed-by-robots")],
)
async def test_robots_errors(site, status, outcome):
    site.robots = (status, "nope")
    async with fetcher() as f:
        result = await f.fetch(url(site, "/policy"))
    assert result.outcome == outcome, result


async def test_robots_expire_after_ttl(site):
    clock = FakeClock()
    async with fetcher(clock, robots_ttl=3600) as f:
        await f.fetch(url(site, "/policy"))
        clock.now += 3599
        await f.fetch(url(site, "/policy"))
        assert site.paths().count("/robots.txt") == 1
        site.robots = (200, "User-agent: *\nDisallow: /\n")
        clock.now += 2
        assert (await f.fetch(url(site, "/policy"))).outcome == "disallowed-by-robots"
    assert site.paths().count("/robots.txt") == 2


async def test_concurrent_fetches_share_one_robots_fetch(site):
    async with fetcher() as f:
        results = await asyncio.gather(*(f.fetch(url(site, "/policy")) for _ in range(5)))
    assert {r.outcome for r in results} == {"ok"}
    assert site.paths().count("/robots.txt") == 1


# --- blocked, errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "outcome", "error"),
    [
        ("/status/403", "blocked", "HTTP 403"),
        ("/status/401", "blocked", "HTTP 401"),
        ("/status/429", "blocked", "HTTP 429"),
        ("/status/500", "unreachable", "HTTP 500"),
        ("/status/502", "unreachable", "HTTP 502"),
        ("/status/404", "not-found", "HTTP 404"),
        ("/status/410", "not-found", "HTTP 410"),
        ("/challenge", "blocked", "challenge page (Just a moment...)"),
        ("/captcha-403", "blocked", "challenge page (Attention Required! | Cloudflare)"),
    ],
)
async def test_error_statuses_and_bot_walls(site, path, outcome, error):
    async with fetcher() as f:
        result = await f.fetch(url(site, path))
    assert (result.outcome, result.error) == (outcome, error)
    assert not result.has_body and result.text is None


async def test_ordinary_page_with_bot_scripts_is_not_a_wall(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/cf-injected"))
    assert result.outcome == "ok", result


async def test_429_carries_retry_after(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/status/429"))
    assert result.retry_after == 120.0


async def test_unreachable_host_and_unknown_name(site, unused_tcp_port):
    async with fetcher() as f:
        closed = await f.fetch(f"http://site.test:{unused_tcp_port}/policy")
        unknown = await f.fetch(f"http://nowhere.test:{site.port}/policy")
    assert closed.outcome == "unreachable" and closed.error.startswith("connect")
    assert unknown.outcome == "unreachable" and unknown.error.startswith("DNS")


# --- timeouts and size caps -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/slow-headers", "/slow-body"])
async def test_slow_server_times_out(site, path):
    async with fetcher(read_timeout=0.2, total_timeout=1) as f:
        result = await f.fetch(url(site, path))
    assert (result.outcome, result.error) == ("unreachable", "timeout")


async def test_endless_body_stops_at_the_cap(site):
    async with fetcher(max_bytes=100_000) as f:
        result = await f.fetch(url(site, "/endless"))
    assert result.outcome == "too-large" and result.body == b""
    assert "100000" in result.error


async def test_declared_huge_body_is_not_read(site):
    async with fetcher(max_bytes=1024 * 1024) as f:
        result = await f.fetch(url(site, "/huge"))
    assert result.outcome == "too-large"


async def test_gzip_bomb_stops_at_the_cap_without_inflating(site):
    cap = 1024 * 1024
    tracemalloc.start()
    try:
        async with fetcher(max_bytes=cap) as f:
            result = await f.fetch(url(site, "/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == "too-large"
    # 64 MiB were on offer; memory stayed near the cap (the server's side included).
    assert peak < 16 * cap, peak


async def test_compressed_policy_is_decompressed(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/gzipped"))
    assert result.outcome == "ok" and result.body == site.policy.encode()


# --- kinds and charsets ---------------------------------------------------------------


async def test_header_says_latin1_but_body_is_utf8(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/latin1-lie"))
    assert "Données personnelles, Datenschutzerklärung" in result.text
    assert (result.charset, result.charset_source) == ("utf-8", "header-contradicted")
    assert "Donn\u00e9es".encode() in result.body  # raw bytes kept as served


async def test_meta_charset(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/meta-charset"))
    assert "Política de privacidad – “datos”" in result.text
    assert (result.charset, result.charset_source) == ("cp1252", "meta")


async def test_no_charset_anywhere_is_detected(site):
    async with fetcher() as f:
        result = await f.fetch(url(site, "/no-charset"))
    assert result.charset_source == "detected"
    assert "Политика конфиденциальности" in result.text


@pytest.mark.parametrize("path", ["/policy.pdf", "/download"])
async def test_policy_only_in_pdf(site, path):
    async with fetcher() as f:
        result = await f.fetch(url(site, path))
    assert result.outcome == "ok" and result.kind == "pdf"
    assert result.body.startswith(b"%PDF-") and result.text is None


async def test_json_and_text_bodies(site):
    async with fetcher() as f:
        js = await f.fetch(url(site, "/policy.json"))
        txt = await f.fetch(url(site, "/policy.txt"))
    assert (js.kind, js.content_type) == ("json", "application/json") and "é" in js.text
    assert (txt.kind, txt.text) == ("text", "PRIVACY POLICY\n\nWe collect data.")


# --- politeness -----------------------------------------------------------------------


async def test_min_delay_between_requests_to_one_host(site):
    clock = FakeClock()
    async with fetcher(clock, min_host_delay=2.0) as f:
        await f.fetch(url(site, "/policy"))  # robots.txt, pause, the page
        assert clock.sleeps == [2.0]
        await f.fetch(url(site, "/policy"))  # pause, the page
        assert clock.sleeps == [2.0, 2.0]
        await f.fetch(url(site, "/policy", host="other.test"))  # its robots.txt: no pause
        assert clock.sleeps == [2.0, 2.0, 2.0]  # only between its robots.txt and its page
        await f.fetch(url(site, "/policy", host="other.test"))
        clock.now += 1.5  # time passes on its own: only the rest is waited
        await f.fetch(url(site, "/policy", host="other.test"))
    assert clock.sleeps == [2.0, 2.0, 2.0, 2.0, 0.5]


async def test_requests_that_never_reach_the_host_cost_no_pause(site):
    clock = FakeClock()
    async with fetcher(clock, min_host_delay=2.0, allow_private=False) as f:
        for scheme in ("https", "http"):  # two origins, one host
            result = await f.fetch(f"{scheme}://site.test:{site.port}/policy")
            assert result.outcome == "refused-address"
    assert clock.sleeps == []
    assert site.requests == []


async def test_robots_crawl_delay_lengthens_the_pause_up_to_a_bound(site):
    clock = FakeClock()
    site.robots = (200, "User-agent: *\nCrawl-delay: 5\n")
    async with fetcher(clock, min_host_delay=1.0) as f:
        await f.fetch(url(site, "/policy"))
        await f.fetch(url(site, "/policy"))
    async with fetcher(clock, min_host_delay=1.0, max_crawl_delay=3.0) as f:
        await f.fetch(url(site, "/policy"))
        await f.fetch(url(site, "/policy"))
    # robots.txt -> page and page -> page: the site's 5 s, then the same capped at 3 s
    assert clock.sleeps == [5.0, 5.0, 3.0, 3.0]


async def test_one_request_at_a_time_per_host_and_a_global_cap():
    clock = FakeClock()
    politeness = Politeness(min_delay=0, concurrency=2, clock=clock, sleep=clock.sleep)
    inside: dict[str, int] = {}
    peak_per_host = 0
    peak_total = 0

    async def request(host: str) -> None:
        nonlocal peak_per_host, peak_total
        async with politeness.slot(host):
            inside[host] = inside.get(host, 0) + 1
            peak_per_host = max(peak_per_host, inside[host])
            peak_total = max(peak_total, sum(inside.values()))
            for _ in range(5):
                await asyncio.sleep(0)  # let every other task run
            inside[host] -= 1

    await asyncio.gather(*(request(h) for h in ["a", "b", "c"] * 4))
    assert peak_per_host == 1
    assert peak_total == 2


async def test_global_concurrency_through_the_fetcher(site):
    """Six hosts, a limit of two: the server never sees more than two at once."""
    in_flight = 0
    peak = 0
    two_inside = asyncio.Event()

    @web.middleware
    async def count(request, handler):
        nonlocal in_flight, peak
        if request.path != "/policy":
            return await handler(request)
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight >= 2:
            two_inside.set()
        await two_inside.wait()
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    app = site.app()
    app.middlewares.append(count)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    try:
        async with fetcher(concurrency=2) as f:
            hosts = ["site.test", "other.test", "a.test", "b.test", "c.test", "legal.site.test"]
            results = await asyncio.gather(*(f.fetch(f"http://{h}:{port}/policy") for h in hosts))
    finally:
        await runner.cleanup()
    assert {r.outcome for r in results} == {"ok"}
    assert peak == 2


def test_outcome_taxonomy_is_what_the_scheduler_maps():
    assert set(OUTCOMES) == {
        "ok",
        "moved",
        "not-modified",
        "not-found",
        "blocked",
        "unreachable",
        "too-large",
        "disallowed-by-robots",
        "refused-address",
    }


# --- pure helpers: what a body is and how it reads ------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("application/octet-stream", b"%PDF-1.7\n...", "pdf"),
        ("text/plain", b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("text/html; charset=utf-8", b"<p>fragment</p>", "html"),
        ("application/ld+json", b'{"a": 1}', "json"),
        (None, b'  [{"a": 1}]', "json"),
        (None, b"<?xml version='1.0'?><policy/>", "xml"),
        ("text/markdown", b"# Privacy Policy", "text"),
        ("image/png", b"\x89PNG\r\n", "other"),
    ],
)
def test_body_kind(content_type, body, kind):
    assert body_kind(content_type, body) == kind


@pytest.mark.parametrize(
    ("body", "header", "text", "charset", "source"),
    [
        ("Grüße".encode("utf-16"), None, "Grüße", "utf-16", "bom"),
        (
            "Привет".encode("cp1251"),
            "text/html; charset=windows-1251",
            "Привет",
            "cp1251",
            "header",
        ),
        ("Grüße".encode(), "text/html; charset=x-unknown", "Grüße", "utf-8", "utf-8"),
        # Latin-1 declared is read as cp1252, as browsers do (the same text for Latin-1's
        # printable characters, and the curly quotes pages mean by 0x80-0x9f).
        (
            b"<?xml version='1.0' encoding='ISO-8859-1'?><p>caf\xe9</p>",
            None,
            "café",
            "cp1252",
            "meta",
        ),
        (b"plain ascii", "text/plain; charset=latin-1", "plain ascii", "iso8859-1", "header"),
        (b"caf\xe9", None, "café", "cp1252", "fallback"),
    ],
)
def test_decode_body(body, header, text, charset, source):
    decoded = decode_body(body, header)
    assert text in decoded.text
    assert (decoded.charset, decoded.source) == (charset, source)


def test_retry_after_seconds_and_dates():
    now = datetime(2026, 9, 1, 10, 0, 0, tzinfo=UTC)
    assert retry_after({"Retry-After": "30"}, now) == 30.0
    assert retry_after({"Retry-After": "Tue, 01 Sep 2026 10:02:00 GMT"}, now) == 120.0
    assert retry_after({"Retry-After": "soon"}, now) is None
    assert retry_after({}, now) is None


@pytest.mark.parametrize(
    ("status", "headers", "body", "wall"),
    [
        (403, {"cf-mitigated": "challenge"}, b"", True),
        (200, {}, b"<html><head><title>Just a moment...</title>", True),
        (403, {}, b"<div class='g-recaptcha'></div>", True),
        (200, {}, b"<div class='g-recaptcha'></div><p>Contact our privacy team</p>", False),
        (200, {}, b"<title>Privacy Policy | Example</title>", False),
    ],
)
def test_challenge_reason(status, headers, body, wall):
    assert (challenge_reason(status, headers, body) is not None) == wall
