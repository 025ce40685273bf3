"""The feed's bucket filter reads only the named buckets (changes.bucket, migration m007), and
answers exactly what filtering every change by its site's hash would."""

from __future__ import annotations

import random
import sqlite3

from apisupport import add_changes

from db import Store, site_hash
from db.changes import feed_page


def brute_force(store: Store, cursor: int, buckets, material, limit: int) -> list[int]:
    ids = []
    for site in store.reader.query("SELECT id, site FROM sites ORDER BY id"):
        for doc in store.documents_of_site(site["id"]):
            for change in store.changes_of_document(doc["id"]):
                if change["id"] <= cursor or site_hash(site["site"])[:2] not in buckets:
                    continue
                if material is not None and bool(change["material"]) != material:
                    continue
                ids.append(change["id"])
    return sorted(ids)[:limit]


def test_every_insert_gets_its_sites_bucket(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        ids = add_changes(store, "bitwarden.com", 3)
        buckets = {r["bucket"] for r in store.reader.query("SELECT bucket FROM changes")}
        assert buckets == {site_hash("bitwarden.com")[:2]} and len(ids) == 3


def test_bucket_pages_match_a_brute_force_filter(tmp_path):
    rng = random.Random(5)
    with Store.open(tmp_path / "cw.db") as store:
        sites = [f"site{i}.example" for i in range(40)]
        for _ in range(120):  # interleaved, so one site's changes are spread over the ids
            add_changes(store, rng.choice(sites), 1, material=rng.random() < 0.3)
        last = max(r["id"] for r in store.reader.query("SELECT id FROM changes"))
        for _ in range(60):
            buckets = sorted({site_hash(rng.choice(sites))[:2] for _ in range(rng.randint(1, 4))})
            cursor, limit = rng.randrange(last), rng.choice([1, 3, 10, 500])
            material = rng.choice([None, True, False])
            got = [
                r["id"]
                for r in feed_page(
                    store, cursor, until=last, buckets=buckets, material=material, limit=limit
                )
            ]
            assert got == brute_force(store, cursor, buckets, material, limit)


def test_the_migration_fills_the_bucket_of_changes_recorded_before_it(tmp_path):
    path = tmp_path / "cw.db"
    with Store.open(path) as store:
        add_changes(store, "bitwarden.com", 2)
        add_changes(store, "duckduckgo.com", 2)
    # Back to the schema before m007, as a store written by an older release.
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP TRIGGER changes_hidden_on_insert;
        DROP TRIGGER changes_hidden_on_site_state;
        DROP TRIGGER changes_hidden_on_document_site;
        DROP INDEX changes_feed;
        ALTER TABLE changes DROP COLUMN hidden;
        DELETE FROM _sqlite_migrations WHERE name = 'm009_changes_hidden_flag';
        DROP TRIGGER changes_bucket_on_insert;
        DROP INDEX documents_site_status;
        DROP INDEX changes_document_last;
        DROP INDEX changes_document_material_last;
        CREATE INDEX changes_document_material ON changes(document_id, material);
        ALTER TABLE changes DROP COLUMN bucket;
        DELETE FROM _sqlite_migrations WHERE name = 'm007_feed_and_lookup_indexes';
        """
    )
    conn.close()
    with Store.open(path) as store:
        rows = list(store.reader.query("SELECT document_id, bucket FROM changes"))
        assert len(rows) == 4
        expected = {site_hash(s)[:2] for s in ("bitwarden.com", "duckduckgo.com")}
        assert {r["bucket"] for r in rows} == expected
        assert all(r["bucket"] for r in rows)
