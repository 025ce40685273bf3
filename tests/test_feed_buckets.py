"""The feed's bucket filter (the `feed` table's bucket, migration m014) answers exactly what
filtering every change by its site's hash would; the keys the feed read before m014 are no
longer kept (m015)."""

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
        buckets = {r["bucket"] for r in store.reader.query("SELECT bucket FROM feed")}
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


# What m007 and m009 kept on every change row for the feed before m014 (triggers rewriting the
# row, comparison included, on each insert), and the index over it.
UNREAD = (
    "changes_bucket_on_insert",
    "changes_hidden_on_insert",
    "changes_hidden_on_site_state",
    "changes_hidden_on_document_site",
    "changes_feed",
)


def schema_names(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def test_a_new_store_keeps_nothing_the_feed_no_longer_reads(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        add_changes(store, "bitwarden.com", 2)
    assert not schema_names(tmp_path / "cw.db") & set(UNREAD)


def test_the_migration_drops_the_old_feed_keys_of_a_store_from_before_it(tmp_path):
    path = tmp_path / "cw.db"
    with Store.open(path) as store:
        add_changes(store, "bitwarden.com", 2)
    # Back to the schema before m015, as a store written by an older release: its triggers
    # and index as m007 and m009 made them.
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE INDEX changes_feed ON changes(bucket, hidden, id, material);
        CREATE TRIGGER changes_bucket_on_insert AFTER INSERT ON changes
        WHEN NEW.bucket IS NULL BEGIN
            UPDATE changes SET bucket = 'x' WHERE id = NEW.id;
        END;
        CREATE TRIGGER changes_hidden_on_insert AFTER INSERT ON changes BEGIN
            UPDATE changes SET hidden = 1 WHERE id = NEW.id;
        END;
        CREATE TRIGGER changes_hidden_on_site_state AFTER UPDATE OF state ON sites BEGIN
            UPDATE changes SET hidden = 1;
        END;
        CREATE TRIGGER changes_hidden_on_document_site AFTER UPDATE OF site_id ON documents
        BEGIN
            UPDATE changes SET hidden = 1;
        END;
        DELETE FROM _sqlite_migrations WHERE name = 'm015_drop_unread_feed_keys';
        """
    )
    conn.close()
    assert schema_names(path) >= set(UNREAD)
    with Store.open(path) as store:
        before = [r["id"] for r in feed_page(store, 0, buckets=[site_hash("bitwarden.com")[:2]])]
        add_changes(store, "bitwarden.com", 1)
        after = [r["id"] for r in feed_page(store, 0, buckets=[site_hash("bitwarden.com")[:2]])]
    assert not schema_names(path) & set(UNREAD)
    assert len(before) == 2 and after[:2] == before and len(after) == 3
