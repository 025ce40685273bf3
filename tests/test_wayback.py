"""The Wayback client against a small fake archive on loopback: IA's behaviours pywb lacks."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.wayback import (
    Capture,
    RateLimiter,
    RetryPolicy,
    WaybackClient,
    WaybackError,
    collapse_digests,
    parse_cdx,
    payload_digest,
)

BODY = b"<html><body><h1>Privacy</h1><p>We collect nothing.</p></body></html>"
HEADER = ["timestamp", "original", "statuscode", "digest", "mimetype", "length"]


class FakeTime:
    """A clock that moves only when someone sleeps: no real waiting in tests."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _row(ts, digest="D" * 32):
    return [ts, "https://example.com/privacy", "200", digest, "text/html", "1234"]


async def _serve(handler):
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


def _client(server, time: FakeTime, **kw):
    kw.setdefault("retry", RetryPolicy(attempts=4, base_delay=2.0))
    return WaybackClient(
        str(server.make_url("")),
        clock=time.clock,
        sleep=time.sleep,
        rng=lambda: 1.0,
        cdx_per_minute=6000,
        fetch_per_minute=6000,
        **kw,
    )


def test_parse_ia_arrays_with_resume_key():
    text = json.dumps([HEADER, _row("20200101000000"), _row("20210101000000"), [], ["KEY 1"]])
    rows, resume = parse_cdx(text)
    assert [r.timestamp for r in rows] == ["20200101000000", "20210101000000"]
    assert resume == "KEY 1" and rows[0].length == 1234


def test_parse_pywb_ndjson_drops_fuzzy_and_non_200_rows():
    lines = [
        {"timestamp": "20200101000000", "url": "https://a/p", "status": "200", "digest": "A"},
        {"timestamp": "20200102000000", "url": "https://a/p", "status": "404", "digest": "B"},
        {
            "timestamp": "20200103000000",
            "url": "https://a/q",
            "status": "200",
            "digest": "C",
            "is_fuzzy": "1",
        },
        {"timestamp": "20200104000000", "digest": "E", "length": "9"},  # fl= of unknown names
    ]
    rows, resume = parse_cdx("\n".join(json.dumps(x) for x in lines), "https://a/p")
    assert [(r.timestamp, r.original) for r in rows] == [
        ("20200101000000", "https://a/p"),
        ("20200104000000", "https://a/p"),
    ]
    assert resume is None


@pytest.mark.parametrize("answer", ["", "[]", "\n", json.dumps([HEADER])])
def test_empty_answers_are_no_captures(answer):
    assert parse_cdx(answer) == ([], None)


def test_garbage_is_a_wayback_error():
    with pytest.raises(WaybackError):
        parse_cdx("[[1, 2")
    with pytest.raises(WaybackError):
        parse_cdx("<html>oops</html>")


def test_collapse_keeps_the_first_of_each_run_of_equal_digests():
    caps = [Capture(ts, "u", d) for ts, d in [("1", "a"), ("2", "a"), ("3", "b"), ("4", "a")]]
    assert [c.timestamp for c in collapse_digests(caps)] == ["1", "3", "4"]


async def test_resume_keys_page_through_ia_listings():
    seen = []

    async def cdx(request):
        seen.append(dict(request.query))
        assert request.headers["User-Agent"].startswith("Clausewatch/")
        if "resumeKey" not in request.query:
            return web.json_response([HEADER, _row("20200101000000", "A" * 32), [], ["k1"]])
        return web.json_response([HEADER, _row("20210101000000", "B" * 32)])

    server = await _serve(cdx)
    time = FakeTime()
    async with _client(server, time) as wb:
        caps = await wb.captures("https://example.com/privacy", since="2019", until="2022")
    await server.close()
    assert [c.timestamp for c in caps] == ["20200101000000", "20210101000000"]
    assert seen[0]["filter"] == "statuscode:200" and seen[0]["from"] == "2019"
    assert seen[0]["to"] == "2022" and seen[0]["output"] == "json"
    assert seen[1]["resumeKey"] == "k1" and wb.stats.cdx_requests == 2
    assert "fl" not in seen[0]  # IA's default fields; pywb would drop `url` and `is_fuzzy`


async def test_429_without_retry_after_waits_60_seconds():
    calls = []

    async def cdx(request):
        calls.append(1)
        if len(calls) == 1:
            return web.Response(status=429, text="Too Many Requests")
        return web.json_response([HEADER, _row("20200101000000")])

    server = await _serve(cdx)
    time = FakeTime()
    async with _client(server, time) as wb:
        caps = await wb.captures("https://example.com/privacy")
    await server.close()
    assert len(caps) == 1 and wb.stats.rate_limited == 1
    assert time.now >= 60.0 and max(time.slept) == pytest.approx(60.0, abs=0.1)


async def test_429_honours_retry_after():
    calls = []

    async def cdx(request):
        calls.append(1)
        if len(calls) == 1:
            return web.Response(status=429, headers={"Retry-After": "7"})
        return web.json_response([HEADER, _row("20200101000000")])

    server = await _serve(cdx)
    time = FakeTime()
    async with _client(server, time) as wb:
        await wb.captures("https://example.com/privacy")
    await server.close()
    assert 7.0 <= time.now < 8.0


async def test_429_retry_after_as_date_with_minus_zero_zone():
    # "-0000" parses to a naive datetime; subtracting the aware wall clock raised TypeError,
    # which escaped the client's error handling.
    calls = []

    async def cdx(request):
        calls.append(1)
        if len(calls) == 1:
            return web.Response(
                status=429, headers={"Retry-After": "Mon, 07 Dec 2026 07:00:10 -0000"}
            )
        return web.json_response([HEADER, _row("20200101000000")])

    server = await _serve(cdx)
    time = FakeTime()
    now = datetime(2026, 12, 7, 7, 0, 0, tzinfo=UTC)
    async with _client(server, time, wall_clock=lambda: now) as wb:
        await wb.captures("https://example.com/privacy")
    await server.close()
    assert 10.0 <= time.now < 11.0


async def test_5xx_then_success_backs_off_exponentially():
    calls = []

    async def raw(request):
        calls.append(1)
        if len(calls) <= 2:
            return web.Response(status=503)
        return web.Response(body=BODY, content_type="text/html", charset="utf-8")

    server = await _serve(raw)
    time = FakeTime()
    cap = Capture("20200101000000", "https://example.com/privacy", payload_digest(BODY))
    async with _client(server, time) as wb:
        got = await wb.fetch(cap)
    await server.close()
    assert got.body == BODY and got.digest_ok is True
    assert got.content_type.startswith("text/html")
    assert [s for s in time.slept if s > 0.5] == [2.0, 4.0]  # base*2^n, jitter at its top


async def test_persistent_5xx_gives_up_with_a_bounded_number_of_tries():
    calls = []

    async def raw(request):
        calls.append(1)
        return web.Response(status=502)

    server = await _serve(raw)
    time = FakeTime()
    async with _client(server, time) as wb:
        with pytest.raises(WaybackError, match="gave up after 4 tries: HTTP 502"):
            await wb.fetch(Capture("20200101000000", "https://example.com/p", "X" * 32))
    await server.close()
    assert len(calls) == 4


async def test_digest_mismatch_is_reported_not_refused():
    async def raw(request):
        return web.Response(body=BODY, content_type="text/html")

    server = await _serve(raw)
    async with _client(server, FakeTime()) as wb:
        got = await wb.fetch(Capture("20200101000000", "https://example.com/p", "Z" * 32))
    await server.close()
    assert got.digest_ok is False and wb.stats.digest_mismatches == 1


async def test_truncated_body_is_retried():
    """A connection that closes before Content-Length bytes arrived is a failed try."""
    calls = []

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        calls.append(1)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
        if len(calls) == 1:
            writer.write(head + f"Content-Length: {len(BODY) + 50}\r\n\r\n".encode() + BODY[:20])
        else:
            writer.write(head + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    time = FakeTime()
    wb = WaybackClient(
        f"http://127.0.0.1:{port}",
        clock=time.clock,
        sleep=time.sleep,
        rng=lambda: 0.0,
        fetch_per_minute=6000,
        force_close=True,
    )
    got = await wb.fetch(Capture("20200101000000", "https://example.com/p", payload_digest(BODY)))
    await wb.close()
    server.close()
    await server.wait_closed()
    assert got.body == BODY and len(calls) == 2 and wb.stats.retries == 1


async def test_404_capture_is_an_error_at_once():
    calls = []

    async def raw(request):
        calls.append(1)
        return web.Response(status=404)

    server = await _serve(raw)
    async with _client(server, FakeTime()) as wb:
        with pytest.raises(WaybackError, match="HTTP 404"):
            await wb.fetch(Capture("20200101000000", "https://example.com/p", "X" * 32))
    await server.close()
    assert len(calls) == 1


async def test_rate_limiter_spaces_requests_evenly():
    time = FakeTime()
    limiter = RateLimiter(6, clock=time.clock, sleep=time.sleep)  # one per 10 s
    for _ in range(4):
        await limiter.acquire()
    assert time.slept == [10.0, 10.0, 10.0]
    await limiter.hold_off(60)
    await limiter.acquire()
    assert time.slept[-1] == 60.0


async def test_large_bodies_arrive_whole_and_oversized_ones_are_refused():
    big = b"<p>" + b"policy text " * 40_000 + b"</p>"  # ~480 KB, many socket reads

    async def raw(request):
        return web.Response(body=big, content_type="text/html")

    server = await _serve(raw)
    cap = Capture("20200101000000", "https://example.com/p", payload_digest(big))
    async with _client(server, FakeTime()) as wb:
        got = await wb.fetch(cap)
    assert got.body == big and got.digest_ok is True
    async with _client(server, FakeTime(), max_body=100_000) as wb:
        with pytest.raises(WaybackError, match="480007 bytes is too large"):
            await wb.fetch(cap)
    await server.close()
