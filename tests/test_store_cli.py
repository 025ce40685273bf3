"""The store commands: track, backfill, history, reprocess (real stages, fake archive)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from api.cli import cli
from db import Store, site_hash
from monitor.wayback import payload_digest

URL = "https://example.com/privacy"
V1 = b"Privacy Policy\n\nWe collect your email address to send receipts.\n\nWe never sell it.\n"
V2 = (
    b"Privacy Policy\n\nWe collect your email address to send receipts.\n\n"
    b"We share your email address with advertising partners.\n"
)
CAPTURES = [(f"2021{m:02d}01000000", V1) for m in range(1, 7)] + [
    (f"2022{m:02d}01000000", V2) for m in range(1, 5)
]


class Archive(BaseHTTPRequestHandler):
    """IA's CDX arrays and id_ captures, from CAPTURES."""

    fetched: ClassVar[list[str]] = []

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/cdx/search/cdx":
            q = parse_qs(parts.query)
            since = q.get("from", [""])[0]
            rows = [["timestamp", "original", "statuscode", "digest", "mimetype", "length"]]
            rows += [
                [ts, URL, "200", payload_digest(body), "text/plain", str(len(body))]
                for ts, body in CAPTURES
                if ts >= since
            ]
            self._send(json.dumps(rows).encode(), "application/json")
            return
        ts = parts.path.split("/")[2].removesuffix("id_")
        self.fetched.append(ts)
        self._send(dict(CAPTURES)[ts], "text/plain; charset=utf-8")

    def _send(self, body: bytes, content_type: str):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def archive():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Archive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Archive.fetched = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def run(tmp_path):
    db = str(tmp_path / "cw.db")

    def invoke(*args):
        return CliRunner().invoke(cli, [*args, "--db", db])

    return invoke


def test_track_a_url(run):
    result = run("track", URL)
    assert result.exit_code == 0 and result.output == f"Tracking example.com: {URL} (document 1)\n"
    assert run("track", URL).output.startswith("Already tracking example.com")
    bad = run("track", "ftp://example.com/x")
    assert bad.exit_code == 1
    assert bad.output == "Error: ftp://example.com/x: url must be http or https, not 'ftp'\n"


@pytest.mark.parametrize(
    ("junk", "why"),
    [
        ("https://exa mple.com/privacy", "invalid host"),
        ("https://example.com:99999/privacy", "not a URL"),
        ("https://user:secret@example.com/privacy", "user name or password"),
        ("https://127.0.0.1/privacy", "not an IP address"),
        ("https://printer.local/privacy", "special-use"),
        ("localhost", "special-use"),
    ],
)
def test_track_refuses_what_the_api_refuses(run, junk, why):
    # Issue 26: the CLI stored all of these (credentials included) and printed them back.
    result = run("track", junk)
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert why in result.output and "secret" not in result.output


def test_track_stores_the_names_the_api_and_extension_look_up(run, tmp_path):
    # Issue 26: `bücher.de` was stored as typed while lookups hash `xn--bcher-kva.de`.
    result = run("track", "HTTPS://Legal.Bücher.DE/Privacy#top")
    expected = "https://legal.xn--bcher-kva.de/Privacy"
    assert result.output == f"Tracking xn--bcher-kva.de: {expected} (document 1)\n"
    assert run("track", expected).output.startswith("Already tracking xn--bcher-kva.de")
    assert run("history", "bücher.de").exit_code == 0
    with Store.open(tmp_path / "cw.db") as store:
        (site,) = store.list_sites()
        assert site["site_hash"] == site_hash("xn--bcher-kva.de") and site["state"] == "tracked"


def test_untracked_sites_are_a_one_line_error(run):
    for command in ("history", "backfill"):
        result = run(command, "nowhere.org")
        assert result.exit_code == 1
        assert result.output.count("\n") == 1 and "nowhere.org is not tracked" in result.output


def test_backfill_history_reprocess(run, archive):
    fast = ["--wayback-url", archive, "--fetch-per-minute", "6000", "--cdx-per-minute", "6000"]
    result = run("backfill", URL, *fast)
    assert result.exit_code == 0, result.output
    # Ten captures, two distinct bodies: two fetches.
    assert result.output == f"{URL}: 10 captures (2 distinct), 2 fetched, 2 versions, 1 changes\n"
    assert sorted(Archive.fetched) == ["20210101000000", "20220101000000"]
    again = run("backfill", "example.com", *fast)
    assert ", 0 fetched, 2 versions, 1 changes" in again.output

    history = run("history", "example.com")
    assert history.exit_code == 0
    lines = history.output.splitlines()
    assert lines[0] == f"example.com — {URL}"
    assert lines[1] == "  2021-01-01  v1  first seen (3 clauses)"
    assert lines[2].startswith("! 2022-01-01  v1 -> v2  #1 MATERIAL [")
    assert "third-party-sharing" in lines[2] and "advertising partners" in lines[2]
    assert lines[2].endswith("(backfill)")
    assert lines[3] == "  2022-04-01  last capture (v2)"
    (timeline,) = json.loads(run("history", "example.com", "--json").output)
    assert timeline["changes"][0]["from_captured_at"] == "2021-06-01T00:00:00Z"

    result = run("reprocess")
    assert result.exit_code == 0
    assert "versions 2 -> 2; changes kept 1, added 0, removed 0" in result.output


def test_backfill_rejects_a_bad_year(run):
    result = run("backfill", URL, "--since", "last year")
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: --since last year: give a year (2019) or a longer timestamp prefix\n"
    )


def test_a_database_that_cannot_open_is_a_one_line_error(tmp_path):
    db = str(tmp_path / "missing" / "dir" / "cw.db")
    result = CliRunner().invoke(cli, ["history", "example.com", "--db", db])
    assert result.exit_code == 1
    assert (
        result.output == f"Error: {db}: cannot open the database (unable to open database file)\n"
    )


def test_track_something_that_is_no_domain(run):
    result = run("track", "not a domain")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("Error: not a domain: ")
