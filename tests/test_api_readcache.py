"""The read cache: exact (dropped on any commit, via PRAGMA data_version) and bounded."""

from __future__ import annotations

import pytest
from apisupport import add_changes, make_app

from api.routes.readcache import READ_CACHE, Entry, ReadCache, data_version
from db import Store, site_hash


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


def entry(version, size=10):
    return Entry(version, b"x" * size, '"e"', "public")


def test_data_version_moves_only_on_commits(store):
    first = data_version(store)
    assert data_version(store) == first
    store.add_site("example.com")
    assert data_version(store) != first


def test_entries_of_another_version_are_misses():
    cache = ReadCache()
    cache.put(("k",), entry((1, 1)))
    assert cache.get(("k",), (1, 1)) is not None
    assert cache.get(("k",), (1, 2)) is None
    assert (cache.hits, cache.misses) == (1, 1)


def test_bounded_by_entries_and_bytes_least_recent_out():
    cache = ReadCache(max_entries=3, max_bytes=1000)
    for k in "abc":
        cache.put((k,), entry((1, 1)))
    cache.get(("a",), (1, 1))  # a is now the most recent
    cache.put(("d",), entry((1, 1)))
    assert cache.get(("b",), (1, 1)) is None and cache.get(("a",), (1, 1)) is not None
    big = ReadCache(max_entries=100, max_bytes=1600)
    for k in range(10):
        big.put((k,), entry((1, 1), size=60))
    assert big._bytes <= 1600
    big.put(("huge",), entry((1, 1), size=200))  # over 1/16 of the budget: never kept
    assert big.get(("huge",), (1, 1)) is None


def test_shared_values_are_built_once_per_data_version():
    cache, built = ReadCache(), []

    def build():
        built.append(1)
        return len(built)

    assert cache.value("n", (1, 1), build) == 1
    assert cache.value("n", (1, 1), build) == 1
    assert cache.value("n", (1, 2), build) == 2  # the store moved: built again


async def test_answers_repeat_from_the_cache_until_the_store_changes(aiohttp_client, store):
    client = await aiohttp_client(make_app(store))
    cache = client.app[READ_CACHE]
    prefix = site_hash("example.com")[:5]
    assert (await (await client.get(f"/api/v1/lookup/{prefix}")).json())["sites"] == []
    hits = cache.hits
    await client.get(f"/api/v1/lookup/{prefix}")
    await client.get("/api/v1/changes?limit=5")
    await client.get("/api/v1/changes?limit=5")
    assert cache.hits == hits + 2
    add_changes(store, "example.com", 1)
    body = await (await client.get(f"/api/v1/lookup/{prefix}")).json()
    assert len(body["sites"]) == 1, "a commit drops every cached answer"
    assert len((await (await client.get("/api/v1/changes?limit=5")).json())["changes"]) == 1
