"""Request bodies (issue 23, items 3 and 9): every JSON route reads the whole bounded body
however the client's TCP segments split it, and no body or parameter, however hostile,
gets a 500 — nesting, huge integers and cursors are client errors (problem+json 400).

A raw socket client sends the head, then the body in several segments; between two
segments it drains its writer and yields to the event loop the server shares, so the
server has read (and, before the fix, parsed) the part that arrived.
"""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from apisupport import add_changes, make_app

from api.keys import LOOKUP
from api.routes.changes import encode_cursor
from api.routes.common import MAX_ID, MAX_JSON_DEPTH, json_depth, parse_id
from db import Store
from monitor.netguard import StaticLookup

PUBLIC = "93.184.215.14"
# Loop turns given to the server between two segments: enough for it to read the socket
# and wake the handler (a handful is needed); no wall-clock wait.
TURNS = 50


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def server(aiohttp_server, store):
    app = make_app(store)
    app[LOOKUP] = StaticLookup({"example.com": PUBLIC, "hooks.example.com": PUBLIC})
    return await aiohttp_server(app)


async def turns(n: int = TURNS) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def segmented(
    server, method: str, path: str, body: bytes, *, parts: int = 3, headers: dict | None = None
) -> tuple[int, dict, bytes]:
    """Send `body` in `parts` TCP segments; the status, headers and body of the answer."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {server.host}:{server.port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    await writer.drain()
    await turns()
    step = -(-len(body) // parts)
    for i in range(0, len(body), step):
        writer.write(body[i : i + step])
        await writer.drain()
        await turns()
    raw = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head_raw, _, payload = raw.partition(b"\r\n\r\n")
    lines = head_raw.decode().split("\r\n")
    status = int(lines[0].split()[1])
    answer_headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return status, answer_headers, payload


def payload_json(payload: bytes) -> dict:
    return json.loads(payload)


# -- item 3: bodies split across segments -----------------------------------------------


async def test_tracking_request_split_across_segments_is_read_whole(server):
    body = json.dumps({"site": "example.com"}).encode()
    status, _, payload = await segmented(server, "POST", "/api/v1/sites", body, parts=4)
    assert status in (200, 202), payload
    assert payload_json(payload)["site"] == "example.com"


async def test_webhook_registration_and_change_split_across_segments(server):
    body = json.dumps({"url": "https://hooks.example.com/cw", "sites": ["example.com"]}).encode()
    status, _, payload = await segmented(server, "POST", "/api/v1/webhooks", body, parts=5)
    assert status == 201, payload
    hook = payload_json(payload)
    change = json.dumps({"sites": ["example.com", "example.org"], "active": True}).encode()
    status, _, payload = await segmented(
        server,
        "PATCH",
        f"/api/v1/webhooks/{hook['id']}",
        change,
        parts=3,
        headers={"Authorization": f"Bearer {hook['token']}"},
    )
    assert status == 200, payload
    assert payload_json(payload)["sites"] == ["example.com", "example.org"]


async def test_a_split_body_over_the_cap_is_413_however_it_arrives(server):
    # No Content-Length to refuse it early: chunked, so only the reader can count.
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        b"POST /api/v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    piece = b'{"site": "' + b"a" * 1500
    for _ in range(4):  # 4 x 1.5 KiB > the 4 KiB cap of POST /sites
        writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        await writer.drain()
        await turns()
    writer.write(b"0\r\n\r\n")
    raw = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert raw.startswith(b"HTTP/1.1 413"), raw[:200]
    assert b"application/problem+json" in raw


async def test_a_dripped_body_is_dropped_with_408_after_the_bound(aiohttp_server, store):
    app = make_app(store, body_timeout=0.2)
    app[LOOKUP] = StaticLookup({"example.com": PUBLIC})
    server = await aiohttp_server(app)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        b"POST /api/v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\nConnection: close\r\n\r\n{"
    )
    await writer.drain()
    # The rest never comes. (Only the head is awaited: aiohttp then lingers a few seconds
    # to drain what the client may still send before it closes.)
    raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    writer.close()
    assert raw.startswith(b"HTTP/1.1 408"), raw[:200]


# -- item 9: hostile JSON and integers are 400s, never 500s -----------------------------


def test_json_depth_counts_nesting_outside_strings():
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert json_depth('{"a": "[[[[{{{{", "b": "\\"[["}') == 1
    assert json_depth("[" * 1000 + "]" * 1000) == 1000


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 2000])
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/v1/sites"), ("POST", "/api/v1/webhooks")]
)
async def test_deeply_nested_json_is_a_400_problem(server, method, path, depth):
    body = ('{"site": ' + "[" * depth + "]" * depth + "}").encode()
    status, headers, payload = await segmented(server, method, path, body, parts=1)
    assert status == 400, payload
    assert headers["content-type"].startswith("application/problem+json")
    assert payload_json(payload)["title"] == "Bad JSON"


async def test_deeply_nested_patch_is_a_400_problem(server):
    body = json.dumps({"url": "https://hooks.example.com/cw", "sites": ["example.com"]}).encode()
    _, _, payload = await segmented(server, "POST", "/api/v1/webhooks", body, parts=1)
    hook = payload_json(payload)
    nested = ('{"sites": ' + "[" * 5000 + "]" * 5000 + "}").encode()
    status, _, payload = await segmented(
        server,
        "PATCH",
        f"/api/v1/webhooks/{hook['id']}",
        nested,
        parts=1,
        headers={"Authorization": f"Bearer {hook['token']}"},
    )
    assert status == 400 and payload_json(payload)["title"] == "Bad JSON"


def test_parse_id_is_bounded_by_sqlite_integers():
    assert parse_id(str(MAX_ID)) == MAX_ID
    for raw in (str(MAX_ID + 1), "9" * 19, "9" * 5000, "0", "", "-1", "1e3", "١٢", "+1", " 1"):
        assert parse_id(raw) is None, raw


def _cursor_of(digits: str) -> str:
    return base64.urlsafe_b64encode(f"c1.{digits}".encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor_of(str(2**63)),  # the reported OverflowError
        _cursor_of(str(2**64 + 5)),
        _cursor_of("9" * 25),
        _cursor_of("0"),
    ],
)
async def test_a_cursor_beyond_sqlite_integers_is_a_400_problem(aiohttp_client, store, cursor):
    add_changes(store, "example.com", 2)
    client = await aiohttp_client(make_app(store))
    resp = await client.get("/api/v1/changes", params={"after": cursor})
    assert resp.status == 400, await resp.text()
    assert resp.content_type == "application/problem+json"
    assert (await resp.json())["title"] == "Bad cursor"


async def test_the_largest_cursor_we_could_hand_out_is_served(aiohttp_client, store):
    add_changes(store, "example.com", 2)
    client = await aiohttp_client(make_app(store))
    resp = await client.get("/api/v1/changes", params={"after": encode_cursor(MAX_ID)})
    assert resp.status == 200
    assert (await resp.json())["changes"] == []


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/changes/{2**63}",
        f"/api/v1/changes/{'9' * 400}",
        f"/api/v1/compare?from=1&to={2**63}",
        f"/api/v1/changes?limit={2**64}",
        f"/api/v1/search?q=privacy&limit={2**63}",
        f"/api/v1/sites/example.com/documents/{2**63}/versions",
        f"/api/v1/versions/{2**63}",
        f"/api/v1/webhooks/{2**63}",
    ],
)
async def test_integers_beyond_sqlite_in_paths_and_queries_are_400s(aiohttp_client, store, path):
    add_changes(store, "example.com", 1)
    client = await aiohttp_client(make_app(store))
    resp = await client.get(path, headers={"Authorization": "Bearer x"})
    assert resp.status == 400, (path, resp.status, await resp.text())
    assert resp.content_type == "application/problem+json"


# -- the same class where the monitor parses JSON it fetched ----------------------------


def test_deeply_nested_json_from_a_site_or_the_archive_is_a_clean_error():
    """A hostile site (or archive answer) nesting JSON past the stack gets the stage's own
    error, recorded like any bad page, not a RecursionError traceback in the monitor."""
    from monitor.extract.detect import detect_format
    from monitor.extract.wordpress import wordpress_page
    from monitor.model import ExtractionError
    from monitor.wayback import WaybackError, parse_cdx

    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(ExtractionError):
        detect_format(deep.encode(), "application/json")
    with pytest.raises(ExtractionError):
        wordpress_page(deep)
    with pytest.raises(WaybackError):
        parse_cdx(deep)
    with pytest.raises(WaybackError):
        parse_cdx('{"timestamp": ' + deep + "}")


# -- hostile values inside well-formed JSON ---------------------------------------------

HOSTILE_BODIES = [
    b"\xff\xfe",
    b'{"site": "\\ud800"}',
    b'{"site": 1e999999}',
    b'{"site": ".."}',
    b'{"site": "xn--zz.com"}',
    b'{"site": "\xe2\x80\x8b.com"}',
    b'{"url": "http://[::1"}',
    b'{"url": "http://a:99999/"}',
    b'{"url": "http://%zz/"}',
    b'{"url": "https://exa mple.com/"}',  # yarl refused the host only when normalising: a 500
    b'{"url": "http://\\u0000/"}',
    b'{"url": "http://0x7f.1/"}',
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/webhooks"])
async def test_hostile_values_in_a_body_are_4xx_problems(server, path, body):
    if path.endswith("webhooks") and b'"site"' in body:
        body = body.replace(b'"site": ', b'"url": "https://hooks.example.com/", "sites": [')
        body = body[:-1] + b"]}"
    status, headers, payload = await segmented(server, "POST", path, body, parts=1)
    assert 400 <= status < 500, (status, payload)
    assert headers["content-type"].startswith("application/problem+json")
