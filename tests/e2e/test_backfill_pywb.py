"""Backfill end to end: a real pywb replaying WARCs built from real policy histories."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

import pytest

from db import Store
from demo.pywbserver import Pywb
from demo.warcs import ArchivedCapture, history_captures, raw_html_captures, write_warc
from monitor.backfill import backfill_document
from monitor.extract import extract
from monitor.record import text_hash
from monitor.wayback import WaybackClient

pytestmark = pytest.mark.e2e

BITWARDEN = "https://bitwarden.com/privacy/"
GRINDR = "https://www.grindr.com/privacy-policy"


@dataclass
class Truth:
    url: str
    captures: list[ArchivedCapture]
    change_points: list[str]  # timestamps where the extracted text differs from the last
    versions: int


def truth_of(url: str, captures: list[ArchivedCapture]) -> Truth:
    hashes = [text_hash(extract(c.body, "text/html; charset=utf-8", c.url)) for c in captures]
    points = [
        c.timestamp for c, a, b in zip(captures[1:], hashes, hashes[1:], strict=False) if a != b
    ]
    return Truth(url, captures, points, len(set(hashes)))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    work = tmp_path_factory.mktemp("pywb")
    bitwarden = history_captures("bitwarden", BITWARDEN, [6, 9, 5, 7, 6, 8, 5, 6], seed=4)
    grindr = raw_html_captures("grindr", GRINDR)
    # The same page captured again the next day: an equal digest.
    again = ArchivedCapture(GRINDR, grindr[1].timestamp[:6] + "28000000", grindr[1].body, 1)
    grindr = sorted([*grindr, again], key=lambda c: c.timestamp)
    warcs = [
        write_warc(work / "bitwarden.warc.gz", bitwarden),
        write_warc(work / "grindr.warc.gz", grindr),
    ]
    with Pywb(work / "pywb", warcs) as base_url:
        yield (
            base_url,
            {BITWARDEN: truth_of(BITWARDEN, bitwarden), GRINDR: truth_of(GRINDR, grindr)},
        )


def fetch_bound(n: int, k: int) -> float:
    """The goal, 2·k·log2(N/k)+2, for sparse changes; dense ones cost every capture."""
    if 4 * k > n:
        return n
    return 2 * k * math.log2(n / k) + 2 if k else min(n, 2)


def client(base_url: str) -> WaybackClient:
    # pywb spends ~44 ms a request on kept-alive connections: close them.
    return WaybackClient(base_url, cdx_per_minute=6000, fetch_per_minute=6000, force_close=True)


async def test_backfill_recovers_every_change_point_with_few_fetches(archive, tmp_path):
    base_url, truths = archive
    store = Store.open(tmp_path / "cw.db")
    async with client(base_url) as wb:
        for url, truth in truths.items():
            site = store.add_site(url.split("/")[2])
            doc = store.add_document(site["id"], url)
            report = await backfill_document(store, wb, doc)
            assert report.captures_seen == len(truth.captures)
            assert report.change_points == truth.change_points
            assert report.digest_mismatches == 0 and report.failed == 0
            assert report.fetches <= fetch_bound(report.distinct_captures, len(truth.change_points))
            assert (report.versions, report.changes) == (truth.versions, len(truth.change_points))
            changes = store.changes_of_document(doc["id"])
            assert [c["to_captured_at"] for c in changes] == [
                f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:]}Z"
                for t in truth.change_points
            ]
            assert all(c["archive_url"].startswith(f"{base_url}/web/") for c in changes)
            assert all(c["comparison"]["changes"] for c in changes)
            before = store.counts()
            again = await backfill_document(store, wb, doc)
            assert again.fetches == 0 and store.counts() == before
    # Chrome-only captures (other digests, same text) were never a version of their own.
    bitwarden = truths[BITWARDEN]
    assert len({c.body for c in bitwarden.captures}) > 3 * bitwarden.versions
    store.close()


def clausewatch(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def sqlite_counts(db: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "tables", db, "--counts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {t["table"]: t["count"] for t in json.loads(out)}


def test_a_killed_backfill_resumes_to_the_same_history(archive, tmp_path):
    base_url, truths = archive
    flags = ["--wayback-url", base_url, "--cdx-per-minute", "6000", "--fetch-per-minute", "6000"]
    crashed, clean = str(tmp_path / "crashed.db"), str(tmp_path / "clean.db")

    killed = clausewatch(
        "backfill",
        BITWARDEN,
        "--db",
        crashed,
        *flags,
        env={"CLAUSEWATCH_TEST_KILL_AFTER_FETCHES": "5"},
    )
    assert killed.returncode == -signal.SIGKILL
    with Store.open(crashed) as store:
        assert store.counts()["snapshots"] >= 5 and store.counts()["changes"] == 0

    resumed = clausewatch("backfill", BITWARDEN, "--db", crashed, *flags)
    assert resumed.returncode == 0, resumed.stderr
    uninterrupted = clausewatch("backfill", BITWARDEN, "--db", clean, *flags)
    assert uninterrupted.returncode == 0, uninterrupted.stderr

    fetched = [
        int(out.stdout.split(" fetched")[0].rsplit(" ", 1)[1]) for out in (resumed, uninterrupted)
    ]
    assert fetched[0] + 5 == fetched[1]  # the resumed run fetched only what was left
    histories = [
        clausewatch("history", BITWARDEN, "--json", "--db", db).stdout for db in (crashed, clean)
    ]
    assert json.loads(histories[0]) == json.loads(histories[1])
    assert len(json.loads(histories[0])[0]["changes"]) == len(truths[BITWARDEN].change_points)
    counts = [sqlite_counts(db) for db in (crashed, clean)]
    assert counts[0] == counts[1] and counts[0]["snapshots"] > 0
