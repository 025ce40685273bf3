"""Cached lookups and feed pages are kept under the store's read generation (migration m011):
it moves on every write they read, and not on a monitor's bookkeeping, so their answers are
never stale yet outlive the commits of every check."""

from __future__ import annotations

import hashlib

import pytest
from apisupport import add_changes, make_app

from api.routes.readcache import READ_CACHE, read_generation
from db import Store, site_hash


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        add_changes(s, "example.com", 2)
        yield s


def moves(store: Store, write) -> bool:
    before = read_generation(store)
    with store.write() as db:
        write(db)
    return read_generation(store) != before


PUBLIC_WRITES = {
    "a change": lambda db: db.execute(
        "INSERT INTO changes (document_id, from_version_id, to_version_id, from_captured_at,"
        " to_captured_at, detected_at, origin) SELECT document_id, to_version_id,"
        " from_version_id, '2027', '2027', '2027', 'live' FROM changes LIMIT 1"
    ),
    "a change re-judged": lambda db: db.execute("UPDATE changes SET summary = 'new' WHERE id = 1"),
    "a change removed": lambda db: db.execute("DELETE FROM changes WHERE id = 1"),
    "a site's state": lambda db: db.execute("UPDATE sites SET state = 'untracked'"),
    "a site added": lambda db: db.execute(
        "INSERT INTO sites (site, site_hash, state, created_at) VALUES ('b.org', 'ab', 'tracked', '')"
    ),
    "a document's status": lambda db: db.execute("UPDATE documents SET status = 'error'"),
    "a document's kind": lambda db: db.execute("UPDATE documents SET kind = 'terms'"),
    "a document added": lambda db: db.execute(
        "INSERT INTO documents (site_id, url, created_at) SELECT id, 'https://x/y', '' FROM sites"
    ),
}

BOOKKEEPING = {
    "a check's times": lambda db: db.execute(
        "UPDATE documents SET last_checked_at = '2027', next_check_at = '2028', etag = 'e'"
    ),
    "the same status again": lambda db: db.execute("UPDATE documents SET status = status"),
    "a snapshot": lambda db: db.execute(
        "INSERT INTO snapshots (document_id, blob_sha256, source, captured_at, recorded_at)"
        " SELECT document_id, blob_sha256, 'live', '2027', '2027' FROM snapshots LIMIT 1"
    ),
    "a version's span": lambda db: db.execute("UPDATE versions SET last_captured_at = '2027'"),
    "the same site state again": lambda db: db.execute("UPDATE sites SET state = state"),
}


@pytest.mark.parametrize("name", PUBLIC_WRITES)
def test_every_write_a_public_answer_reads_moves_it(store, name):
    assert moves(store, PUBLIC_WRITES[name])


@pytest.mark.parametrize("name", BOOKKEEPING)
def test_a_monitors_bookkeeping_does_not(store, name):
    if name == "a snapshot":
        store.put_blob(b"raw")
        with store.write() as db:
            db.execute(
                "INSERT INTO snapshots (document_id, blob_sha256, source, captured_at,"
                " recorded_at) SELECT id, ?, 'live', '2026', '2026' FROM documents",
                [hashlib.sha256(b"raw").hexdigest()],
            )
    assert not moves(store, BOOKKEEPING[name])


async def test_answers_outlive_checks_and_never_go_stale(aiohttp_client, store):
    client = await aiohttp_client(make_app(store))
    cache = client.app[READ_CACHE]
    prefix = site_hash("example.com")[:3]
    first = await (await client.get(f"/api/v1/lookup/{prefix}")).json()
    await client.get("/api/v1/changes?limit=5")
    # A check of the document commits: the cached answers stay.
    with store.write() as db:
        db.execute("UPDATE documents SET last_checked_at = '2027', next_check_at = '2028'")
    hits = cache.hits
    assert await (await client.get(f"/api/v1/lookup/{prefix}")).json() == first
    await client.get("/api/v1/changes?limit=5")
    assert cache.hits == hits + 2
    # A new change: both answers show it at once.
    add_changes(store, "example.com", 1)
    after = await (await client.get(f"/api/v1/lookup/{prefix}")).json()
    assert after["sites"][0]["last_change_id"] > first["sites"][0]["last_change_id"]
    assert len((await (await client.get("/api/v1/changes?limit=5")).json())["changes"]) == 3
    # The document fails: the lookup says so.
    store.set_site_state(store.get_site("example.com")["id"], "tracked")  # no change: no move
    with store.write() as db:
        db.execute("UPDATE documents SET status = 'error'")
    assert (await (await client.get(f"/api/v1/lookup/{prefix}")).json())["sites"][0][
        "status"
    ] == "error"
