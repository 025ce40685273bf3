"""The change feed (cursor, ETag/304, filters, validation), one change, and compare."""

from __future__ import annotations

import threading

import pytest
from apisupport import add_changes, make_app
from storesupport import changes_recorded

from api.ratelimit import LIMITER, RateLimiter
from api.routes.changes import decode_cursor, encode_cursor
from db import Store, site_hash


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def client(aiohttp_client, store):
    return await aiohttp_client(make_app(store))


async def page_all(client, query: str = "", limit: int = 5) -> list[dict]:
    seen, after = [], None
    while True:
        q = f"limit={limit}" + (f"&after={after}" if after else "") + (f"&{query}" if query else "")
        body = await (await client.get(f"/api/v1/changes?{q}")).json()
        seen += body["changes"]
        after = body["next"]
        if not body["more"]:
            return seen


def test_cursor_round_trip_and_refusals():
    assert decode_cursor(encode_cursor(42)) == 42
    for bad in ("", "42", "abc", encode_cursor(42) + "A", "YzEuLTE", "x" * 100):
        with pytest.raises(ValueError):
            decode_cursor(bad)


async def test_feed_pages_oldest_first_with_the_documented_shape(client, store):
    ids = add_changes(store, "example.com", 12, material=True, categories=("third-party-sharing",))
    changes = await page_all(client, limit=5)
    assert [c["id"] for c in changes] == ids
    first = changes[0]
    assert first["site"] == "example.com" and first["site_hash"] == site_hash("example.com")
    assert first["document"] == "privacy" and first["material"] is True
    assert first["categories"] == ["third-party-sharing"]
    assert first["url"] == f"/sites/example.com/changes/{first['id']}"
    for key in ("detected_at", "from_captured_at", "to_captured_at", "summary"):
        assert isinstance(first[key], str)


async def test_empty_feed_hands_back_the_cursor_it_was_given(client, store):
    body = await (await client.get("/api/v1/changes")).json()
    assert body == {"changes": [], "next": None, "more": False}
    ids = add_changes(store, "example.com", 3)
    body = await (await client.get("/api/v1/changes")).json()
    cursor = body["next"]
    assert [c["id"] for c in body["changes"]] == ids and not body["more"]
    again = await (await client.get(f"/api/v1/changes?after={cursor}")).json()
    assert again == {"changes": [], "next": cursor, "more": False}


async def test_etag_304_until_something_new(client, store):
    add_changes(store, "example.com", 2)
    first = await client.get("/api/v1/changes?limit=10")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in first.headers["Cache-Control"]
    assert "stale-while-revalidate" in first.headers["Cache-Control"]
    cursor = (await first.json())["next"]
    url = f"/api/v1/changes?limit=10&after={cursor}"
    tail = await client.get(url)
    tail_etag = tail.headers["ETag"]
    same = await client.get(url, headers={"If-None-Match": tail_etag})
    assert same.status == 304 and same.headers["ETag"] == tail_etag
    assert await same.read() == b""
    add_changes(store, "example.com", 1)
    moved = await client.get(url, headers={"If-None-Match": tail_etag})
    assert moved.status == 200 and moved.headers["ETag"] != tail_etag
    assert len((await moved.json())["changes"]) == 1
    # Another query on the same data is another page: another tag.
    other = await client.get(f"/api/v1/changes?limit=9&after={cursor}")
    assert other.headers["ETag"] != moved.headers["ETag"]


async def test_filters_material_category_buckets(client, store):
    a = add_changes(store, "alpha.com", 3, material=True, categories=("data-retention",))
    b = add_changes(store, "beta.com", 2, material=False)
    c = add_changes(store, "gamma.com", 2, material=True, categories=("user-choice",))
    ids = lambda changes: [x["id"] for x in changes]  # noqa: E731
    assert ids(await page_all(client, "material=true")) == a + c
    assert ids(await page_all(client, "material=false")) == b
    assert ids(await page_all(client, "category=user-choice")) == c
    bucket = site_hash("beta.com")[:2]
    got = await page_all(client, f"buckets={bucket}")
    assert {x["site"] for x in got} >= {"beta.com"}
    assert all(x["site_hash"].startswith(bucket) for x in got)
    two = f"{site_hash('alpha.com')[:2]},{site_hash('gamma.com')[:2].upper()}"
    got = await page_all(client, f"buckets={two}")
    assert set(ids(got)) >= set(a + c)
    assert all(x["site_hash"][:2] in two.lower() for x in got)


@pytest.mark.parametrize(
    "query",
    [
        "after=nonsense",
        "after=" + "A" * 60,
        "buckets=zz",
        "buckets=abc",
        "buckets=",
        "buckets=" + ",".join(f"{i:02x}" for i in range(101)),
        "category=marketing",
        "material=maybe",
        "limit=0",
        "limit=501",
        "limit=-3",
        "limit=ten",
    ],
)
async def test_bad_feed_queries_are_problems(client, query):
    resp = await client.get(f"/api/v1/changes?{query}")
    assert resp.status == 400
    assert resp.content_type == "application/problem+json"
    body = await resp.json()
    assert body["status"] == 400 and body["title"] and body["detail"]


@pytest.mark.parametrize("watched", [None, ("w0.com", "w3.com")], ids=["all", "buckets"])
async def test_paging_while_a_writer_inserts_never_skips_or_repeats(aiohttp_client, store, watched):
    app = make_app(store)
    app[LIMITER] = RateLimiter({})  # this client polls as fast as it can
    client = await aiohttp_client(app)
    inserted: list[tuple[str, int]] = [("early.com", i) for i in add_changes(store, "early.com", 5)]
    errors: list[BaseException] = []
    query = ""
    if watched:
        query = "&buckets=" + ",".join(sorted({site_hash(w)[:2] for w in watched}))

    def writer():
        try:
            for i in range(60):
                site = f"w{i % 7}.com"
                inserted.extend((site, c) for c in add_changes(store, site, 2))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    seen: list[int] = []
    after = None
    try:
        while True:
            writer_done = not thread.is_alive()
            q = "limit=7" + (f"&after={after}" if after else "") + query
            resp = await client.get(f"/api/v1/changes?{q}")
            assert resp.status == 200, await resp.text()
            body = await resp.json()
            seen += [c["id"] for c in body["changes"]]
            after = body["next"]
            if writer_done and not body["more"]:
                break
    finally:
        # The store closes after the test: never under a writer still running.
        thread.join()
    assert not errors
    assert len(seen) == len(set(seen)), "a change was repeated"
    assert seen == sorted(seen)
    buckets = {site_hash(w)[:2] for w in watched or ()}
    expected = {c for site, c in inserted if not watched or site_hash(site)[:2] in buckets}
    assert set(seen) == expected, "a change was skipped"


async def test_change_detail_carries_the_comparison(real):
    store, client = real
    change = changes_recorded(store)[0]
    resp = await client.get(f"/api/v1/changes/{change['id']}")
    assert resp.status == 200 and "ETag" in resp.headers
    body = await resp.json()
    assert body["id"] == change["id"] and body["site"] == change["site"]
    cmp = body["comparison"]
    assert cmp["summary"] == change["summary"] and isinstance(cmp["changes"], list)
    assert cmp["changes"] and {"kind", "section", "old", "new", "reason"} <= set(cmp["changes"][0])
    assert body["from_version_id"] == change["from_version_id"]


@pytest.mark.parametrize("path,status", [("0", 400), ("x", 400), ("99999", 404)])
async def test_change_detail_bad_ids(client, path, status):
    resp = await client.get(f"/api/v1/changes/{path}")
    assert resp.status == status and resp.content_type == "application/problem+json"


async def test_compare_any_two_versions_of_a_document(real):
    store, client = real
    doc = store.list_documents()[0]
    versions = store.versions_of_document(doc["id"])
    first, last = versions[0]["id"], versions[-1]["id"]
    resp = await client.get(f"/api/v1/compare?from={first}&to={last}")
    assert resp.status == 200
    body = await resp.json()
    assert body["document_id"] == doc["id"]
    assert body["from"]["id"] == first and body["to"]["id"] == last
    assert body["comparison"]["changes"], "eight versions apart, something changed"
    same = await (await client.get(f"/api/v1/compare?from={first}&to={first}")).json()
    assert same["comparison"]["changes"] == [] and same["comparison"]["material"] is False


async def test_compare_refuses_versions_of_different_documents_and_bad_ids(real):
    store, client = real
    d1, d2 = store.list_documents()[:2]
    v1 = store.versions_of_document(d1["id"])[0]["id"]
    v2 = store.versions_of_document(d2["id"])[0]["id"]
    for query, status in [
        (f"from={v1}&to={v2}", 400),
        (f"from={v1}", 400),
        ("from=a&to=b", 400),
        (f"from={v1}&to=999999", 404),
    ]:
        resp = await client.get(f"/api/v1/compare?{query}")
        assert resp.status == status, query
        assert resp.content_type == "application/problem+json"


async def test_change_recorded_without_comparison_answers_null(client, store):
    (change_id,) = add_changes(store, "example.com", 1)
    body = await (await client.get(f"/api/v1/changes/{change_id}")).json()
    assert body["comparison"] is None and body["summary"] == "edits a clause"


async def test_a_quiet_subscription_moves_its_cursor_past_other_buckets(client, store):
    quiet, busy = "quiet.com", "busy.com"
    assert site_hash(quiet)[:2] != site_hash(busy)[:2]
    mine = f"buckets={site_hash(quiet)[:2]}"
    first = add_changes(store, quiet, 1)
    add_changes(store, busy, 3)
    page = await (await client.get(f"/api/v1/changes?{mine}")).json()
    assert [c["id"] for c in page["changes"]] == first
    assert decode_cursor(page["next"]) == store.last_change_id()  # past busy.com's three
    add_changes(store, busy, 2)
    page = await (await client.get(f"/api/v1/changes?{mine}&after={page['next']}")).json()
    assert page["changes"] == [] and decode_cursor(page["next"]) == store.last_change_id()
    later = add_changes(store, quiet, 1)
    page = await (await client.get(f"/api/v1/changes?{mine}&after={page['next']}")).json()
    assert [c["id"] for c in page["changes"]] == later


async def test_feed_max_age_is_the_configured_one(aiohttp_client, store):
    # Behind a cache this bounds how late a new change reaches extensions (docs/deploy.md).
    default = await aiohttp_client(make_app(store))
    resp = await default.get("/api/v1/changes")
    assert resp.headers["Cache-Control"] == "public, max-age=30, stale-while-revalidate=60"
    short = await aiohttp_client(make_app(store, feed_max_age=5))
    resp = await short.get("/api/v1/changes")
    assert resp.headers["Cache-Control"] == "public, max-age=5, stale-while-revalidate=10"
