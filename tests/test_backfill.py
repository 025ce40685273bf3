"""Backfill against a fake IA-style archive on loopback, with the line pipeline."""

from __future__ import annotations

import math

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from linepipeline import PIPELINE

from db import Store
from monitor.backfill import (
    FAILED,
    FREE_PROBES,
    backfill_document,
    change_points,
    fetch_budget,
)
from monitor.wayback import WaybackClient, payload_digest

URL = "https://example.com/privacy"
TEXTS = [
    b"We collect email.",
    b"We collect email.\nWe sell it.",
    b"We collect email and phone.\nWe sell it.",
    b"We collect email and phone.\nWe sell it.\nWe keep it forever.",
]


def fetch_bound(n: int, k: int) -> float:
    return 2 * k * math.log2(n / k) + 2 if k else 2


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 400).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(1, n - 1)))))
def test_bisection_finds_every_change_within_the_fetch_bound(case):
    n, points = case
    asked: list[int] = []

    def text_of(i):
        asked.append(i)
        return str(sum(1 for p in points if p <= i))  # versions never revert

    assert change_points(n, text_of) == sorted(points)
    assert len(set(asked)) == len(asked)  # nothing asked twice
    assert len(asked) <= n
    if len(points) * 4 <= n:  # the bound is for sparse changes; dense ones cost every capture
        assert len(asked) <= fetch_bound(n, len(points))


def archive(pattern):
    """Captures a day apart: pattern[i] is the text index; chrome varies every capture."""
    caps = []
    for i, t in enumerate(pattern):
        ts = f"2020{(i // 28) + 1:02d}{(i % 28) + 1:02d}000000"
        chrome = b"\n   " * (i % 3)  # blank lines: other bytes, same extracted text
        body = TEXTS[t] + chrome
        caps.append((ts, body))
    return caps


async def serve(caps, fetched: list[str]):
    by_ts = dict(caps)

    async def cdx(request):
        rows = [["timestamp", "original", "statuscode", "digest", "mimetype", "length"]]
        for ts, body in caps:
            if ts.startswith(request.query.get("from", "")[:4]) or "from" not in request.query:
                rows.append([ts, URL, "200", payload_digest(body), "text/plain", str(len(body))])
        return web.json_response(rows)

    async def raw(request):
        ts = request.match_info["ts"]
        fetched.append(ts)
        return web.Response(body=by_ts[ts], content_type="text/plain")

    app = web.Application()
    app.router.add_get("/cdx/search/cdx", cdx)
    app.router.add_get("/web/{ts:\\d+}id_/{url:.*}", raw)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


def client_for(server):
    async def no_sleep(_):
        return None

    return WaybackClient(
        str(server.make_url("")), cdx_per_minute=0, fetch_per_minute=0, sleep=no_sleep
    )


def open_doc(path):
    store = Store.open(path)
    site = store.add_site("example.com")
    return store, store.add_document(site["id"], URL)


def history(store, doc_id):
    return [
        (c["from_captured_at"], c["to_captured_at"], c["summary"])
        for c in store.changes_of_document(doc_id)
    ]


PATTERN = [0] * 20 + [1] * 30 + [2] * 5 + [3] * 25


async def test_backfill_finds_each_change_with_few_fetches_and_twice_adds_nothing(tmp_path):
    caps = archive(PATTERN)
    fetched: list[str] = []
    server = await serve(caps, fetched)
    store, doc = open_doc(tmp_path / "cw.db")
    async with client_for(server) as wb:
        report = await backfill_document(store, wb, doc, pipeline=PIPELINE)
        truth = [caps[i][0] for i in (20, 50, 55)]
        assert report.change_points == truth
        assert report.captures_seen == 80 and report.distinct_captures == 80
        assert report.fetches == len(fetched) <= fetch_bound(80, 3)
        assert (report.versions, report.changes) == (4, 3)
        changes = store.changes_of_document(doc["id"])
        assert [c["to_captured_at"][:10] for c in changes] == [
            "2020-01-21",
            "2020-02-23",
            "2020-02-28",
        ]
        assert all(c["origin"] == "backfill" for c in changes)
        before = (store.counts(), history(store, doc["id"]))
        again = await backfill_document(store, wb, doc, pipeline=PIPELINE)
    await server.close()
    assert again.fetches == 0 and again.change_points == truth
    assert (store.counts(), history(store, doc["id"])) == before
    store.close()


async def test_identical_digests_are_fetched_once(tmp_path):
    # The same bytes every other day: one fetch per distinct body, whatever the count.
    caps = [(f"202001{d:02d}000000", TEXTS[0]) for d in range(1, 21)]
    caps += [(f"202002{d:02d}000000", TEXTS[1]) for d in range(1, 21)]
    fetched: list[str] = []
    server = await serve(caps, fetched)
    store, doc = open_doc(tmp_path / "cw.db")
    async with client_for(server) as wb:
        report = await backfill_document(store, wb, doc, pipeline=PIPELINE)
    await server.close()
    assert (report.captures_seen, report.distinct_captures, report.fetches) == (40, 2, 2)
    assert report.change_points == ["20200201000000"]
    (change,) = store.changes_of_document(doc["id"])
    # Dated from the last time the old text was seen, though that capture was never fetched.
    assert (change["from_captured_at"], change["to_captured_at"]) == (
        "2020-01-20T00:00:00Z",
        "2020-02-01T00:00:00Z",
    )
    store.close()


async def test_a_run_killed_midway_resumes_to_the_same_history(tmp_path):
    caps = archive(PATTERN)
    server = await serve(caps, [])

    class Killed(Exception):
        pass

    def kill_after_4(report):
        if report.fetches == 4:
            raise Killed

    store, doc = open_doc(tmp_path / "crash.db")
    async with client_for(server) as wb:
        with pytest.raises(Killed):
            await backfill_document(store, wb, doc, pipeline=PIPELINE, on_fetch=kill_after_4)
        resumed = await backfill_document(store, wb, doc, pipeline=PIPELINE)
        clean_store, clean_doc = open_doc(tmp_path / "clean.db")
        clean = await backfill_document(clean_store, wb, clean_doc, pipeline=PIPELINE)
    await server.close()
    assert resumed.reused >= 4 and resumed.fetches + 4 == clean.fetches
    assert history(store, doc["id"]) == history(clean_store, clean_doc["id"])
    assert store.counts() == clean_store.counts()
    store.close()
    clean_store.close()


async def test_since_until_narrow_the_listing(tmp_path):
    caps = [
        ("20190601000000", TEXTS[0]),
        ("20200601000000", TEXTS[1]),
        ("20210601000000", TEXTS[2]),
    ]
    fetched: list[str] = []
    server = await serve(caps, fetched)
    store, doc = open_doc(tmp_path / "cw.db")
    async with client_for(server) as wb:
        report = await backfill_document(
            store, wb, doc, since="2020", until="2020", pipeline=PIPELINE
        )
    await server.close()
    assert report.captures_seen == 1 and fetched == ["20200601000000"]
    assert report.versions == 1 and report.changes == 0
    store.close()


async def test_an_empty_archive_is_an_empty_history(tmp_path):
    server = await serve([], [])
    store, doc = open_doc(tmp_path / "cw.db")
    async with client_for(server) as wb:
        report = await backfill_document(store, wb, doc, pipeline=PIPELINE)
    await server.close()
    assert (report.captures_seen, report.fetches, report.versions, report.changes) == (0, 0, 0, 0)
    store.close()


async def test_recording_runs_off_the_event_loop(tmp_path):
    # Extraction waits for a coroutine on the loop: if recording ran on the loop itself,
    # the coroutine could never run and every extraction would time out.
    import asyncio
    import threading

    from linepipeline import line_extract

    from monitor.record import Pipeline

    loop_turned = threading.Event()
    loop = asyncio.get_running_loop()

    def extract_needing_the_loop(raw, content_type=None, url=None):
        loop.call_soon_threadsafe(loop_turned.set)
        if not loop_turned.wait(timeout=5):
            raise AssertionError("the event loop was blocked while recording")
        loop_turned.clear()
        return line_extract(raw, content_type, url)

    pipeline = Pipeline(extract=extract_needing_the_loop, compare=PIPELINE.compare)
    caps = archive([0] * 5 + [1] * 5)
    server = await serve(caps, [])
    store, doc = open_doc(tmp_path / "cw.db")
    async with client_for(server) as wb:
        report = await backfill_document(store, wb, doc, pipeline=pipeline)
    await server.close()
    assert report.failed == 0 and (report.versions, report.changes) == (2, 1)
    store.close()


# Mektoube's CDX lengths: the policy (73557, 73563 bytes) and, at 5 and 6, a 200 error
# page (65193) that came and went (tests/data/capture-histories/mektoube).
MEKTOUBE_SIZES = [
    73557, 73563, 73557, 73557, 73563, 65193, 65193, 73557, 73563, 73557, 73557, 73563
]  # fmt: skip


def test_a_text_that_came_and_went_is_probed_by_its_size():
    """A, B, A, then C: the ends of A's range agree, yet B was there; its size stands out,
    and the change to C left the budget room for the probe."""
    texts = ["a"] * 2 + ["b"] * 2 + ["a"] * 6 + ["c"] * 2
    sizes = [73557, 73563, 65193, 65193, 73557, 73563, 73557, 73557, 73563, 73557, 80110, 80112]
    asked: list[int] = []

    def text_of(i):
        asked.append(i)
        return texts[i]

    assert change_points(len(texts), text_of, sizes) == [2, 4, 10]
    assert len(asked) <= fetch_budget(len(texts), 3)
    # Without sizes, bisection cannot see it (what the size probe is for).
    assert change_points(len(texts), lambda i: texts[i]) == [10]


def test_an_error_page_that_came_and_went_costs_one_probe_beyond_the_bound():
    """Mektoube: the odd-sized captures are an error page, not a text; k = 0 allows the two
    ends, and the one free probe (FREE_PROBES) is the only fetch beyond them."""
    asked: list[int] = []

    def text_of(i):
        asked.append(i)
        return FAILED if i in (5, 6) else "policy"

    assert change_points(len(MEKTOUBE_SIZES), text_of, MEKTOUBE_SIZES) == []
    assert len(asked) == 2 + FREE_PROBES
    assert sorted(asked)[0] == 0 and sorted(asked)[-1] == len(MEKTOUBE_SIZES) - 1


def test_a_text_that_came_and_went_alone_is_found_by_the_free_probe():
    """The same sizes with a real text at 5 and 6 and no other change: the CDX listing
    cannot tell it from the error page above, so the free probe is spent, and finds both
    changes, within the budget of the real k = 2."""
    texts = ["a"] * 5 + ["b"] * 2 + ["a"] * 5
    asked: list[int] = []

    def text_of(i):
        asked.append(i)
        return texts[i]

    assert change_points(len(texts), text_of, MEKTOUBE_SIZES) == [5, 7]
    assert len(asked) <= fetch_budget(len(texts), 2)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=2, max_size=120).flatmap(
        lambda runs: st.tuples(
            st.just(runs), st.lists(st.integers(0, 99), min_size=len(runs), max_size=len(runs))
        )
    )
)
def test_probes_never_take_a_document_past_its_bound(case):
    """Any texts (reverts included), sizes that follow the text (noise under 1 %): what is
    found is a real change, and the texts asked stay within the bound of the real k."""
    texts, noise = case
    sizes = [10_000 * (t + 1) + n for t, n in zip(texts, noise, strict=True)]
    real = [i for i in range(1, len(texts)) if texts[i] != texts[i - 1]]
    asked: list[int] = []

    def text_of(i):
        asked.append(i)
        return str(texts[i])

    found = change_points(len(texts), text_of, sizes)
    assert set(found) <= set(real)
    assert len(set(asked)) == len(asked)
    if len(real) * 4 <= len(texts):
        assert len(asked) <= fetch_budget(len(texts), len(real))


def test_captures_without_text_cost_one_fetch_each_not_a_bisection():
    """Not the policy (a home page) at both ends: each end moves by one capture."""
    n = 64
    asked: list[int] = []

    def text_of(i):
        asked.append(i)
        return FAILED if i in (0, n - 1) else "policy"

    assert change_points(n, text_of) == []
    assert sorted(asked) == [0, 1, n - 2, n - 1]
