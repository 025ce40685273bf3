"""The feed reads its own table (`feed`, migration m014): every public change as the entry the
feed shows, clustered by (bucket, id), kept by triggers. It must equal its definition after
every write the feed reads, a page must read nothing else, and the migration must fill it
on a store written before it."""

from __future__ import annotations

import random
import sqlite3

from apisupport import add_changes

from api.routes.readcache import read_generation
from db import Store, site_hash
from db.changes import feed_page, feed_query
from db.removal import remove_document, remove_site
from db.rows import CHECKED_SITE_STATES

STATES = ("pending", "tracked", "failed", "requested", "untracked", "active")
COLUMNS = (
    "bucket, id, document_id, detected_at, from_captured_at, to_captured_at, origin,"
    " material, categories, summary, document_kind, site, site_hash"
)


def table(store: Store) -> list[tuple]:
    return [
        tuple(r) for r in store.reader.execute(f"SELECT {COLUMNS} FROM feed ORDER BY bucket, id")
    ]


def definition(store: Store) -> list[tuple]:
    """What `feed` must hold, worked out row by row: each change of a site in a checked
    state, with its document's kind and its site's name and hash."""
    db = store.reader
    sites = {r["id"]: r for r in db.query("SELECT * FROM sites")}
    documents = {r["id"]: r for r in db.query("SELECT * FROM documents")}
    out = []
    for c in db.query("SELECT * FROM changes"):
        doc = documents.get(c["document_id"])
        site = sites.get(doc["site_id"]) if doc else None
        if site is None or site["state"] not in CHECKED_SITE_STATES:
            continue
        out.append(
            (
                site["site_hash"][:2],
                c["id"],
                c["document_id"],
                c["detected_at"],
                c["from_captured_at"],
                c["to_captured_at"],
                c["origin"],
                c["material"],
                c["categories"],
                c["summary"],
                doc["kind"],
                site["site"],
                site["site_hash"],
            )
        )
    return sorted(out)


def test_the_feed_table_equals_its_definition_after_every_write_it_reads(tmp_path):
    rng = random.Random(14)
    with Store.open(tmp_path / "cw.db") as store:
        names = [f"site{i}.example" for i in range(12)]
        for _ in range(40):
            add_changes(store, rng.choice(names), 1, material=rng.random() < 0.3)
        assert table(store) == definition(store) and table(store)

        def some(sql: str) -> int:
            return rng.choice([r[0] for r in store.reader.execute(sql)])

        steps = [
            lambda: add_changes(store, rng.choice(names), rng.randint(1, 2), summary="new"),
            lambda: store.update_change(
                some("SELECT id FROM changes"),
                material=rng.random() < 0.5,
                categories=rng.choice([[], ["third-party-sharing"]]),
                summary=f"re-judged {rng.random()}",
            ),
            lambda: store.update_change(some("SELECT id FROM changes"), score=rng.random()),
            # A document's newest change (add_changes numbers occurrences by count).
            lambda: store.delete_change(some("SELECT max(id) FROM changes GROUP BY document_id")),
            lambda: store.set_site_state(some("SELECT id FROM sites"), rng.choice(STATES)),
            lambda: rename(store, some("SELECT id FROM sites"), f"renamed{rng.random()}.example"),
            lambda: write(
                store,
                "UPDATE documents SET kind = ? WHERE id = ?",
                [rng.choice(["privacy", "terms"]), some("SELECT id FROM documents")],
            ),
            lambda: write(
                store,
                "UPDATE documents SET site_id = ? WHERE id = ?",
                [some("SELECT id FROM sites"), some("SELECT id FROM documents")],
            ),
            lambda: remove_document(store, some("SELECT id FROM documents")),
            lambda: remove_site(store, some("SELECT id FROM sites")),
        ]
        for i in range(150):
            step = rng.randrange(len(steps))
            if step >= len(steps) - 2 and rng.random() < 0.7:
                step = 0  # removals rarely, or the store empties
            if not store.reader.execute("SELECT 1 FROM changes").fetchone():
                step = 0
            before, generation = table(store), read_generation(store)
            steps[step]()
            assert table(store) == definition(store), (i, step)
            # Cached pages live under the read generation (m011): whatever moves the feed
            # table moves it too, so a cached page is never stale.
            if table(store) != before:
                assert read_generation(store) != generation, (i, step)


def rename(store: Store, site_id: int, name: str) -> None:
    write(
        store,
        "UPDATE sites SET site = ?, site_hash = ? WHERE id = ?",
        [name, site_hash(name), site_id],
    )


def write(store: Store, sql: str, params: list) -> None:
    try:
        with store.write() as db:
            db.execute(sql, params)
    except sqlite3.IntegrityError:
        pass  # e.g. a document moved to a site that has one at the same URL


def plan(store: Store, buckets: list[str] | None, **filters) -> list[str]:
    sql, params = feed_query(7, until=900, buckets=buckets, limit=101, **filters)
    return [r[3] for r in store.reader.execute("EXPLAIN QUERY PLAN " + sql, params)]


def test_a_page_reads_the_feed_table_alone_one_range_per_bucket_merged_lazily(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        add_changes(store, "a.example", 3)
        buckets = [f"{b:02x}" for b in range(0, 250, 25)]
        for filters in ({}, {"material": True}, {"category": "data-retention"}):
            steps = plan(store, buckets, **filters)
            # (the category test reads the entry's own categories through json_each)
            searches = [
                s for s in steps if s.startswith(("SEARCH", "SCAN")) and "json_each" not in s
            ]
            # Each bucket's entries are one range of the clustered key: no change, document
            # or site row is read. And no temporary b-tree: the arms are merged as they are
            # stepped, so a page reads about limit + buckets entries, not buckets x limit.
            assert searches == ["SEARCH feed USING PRIMARY KEY (bucket=? AND id>? AND id<?)"] * 10
            assert not [s for s in steps if "TEMP B-TREE" in s], steps
        assert [s for s in plan(store, None) if s.startswith(("SEARCH", "SCAN"))] == [
            "SEARCH feed USING INDEX feed_by_id (id>? AND id<?)"
        ]


def test_a_bucket_named_twice_gives_its_entries_once(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        add_changes(store, "a.example", 3)
        bucket = site_hash("a.example")[:2]
        pages = [feed_page(store, 0, buckets=b) for b in ([bucket], [bucket, bucket.upper()])]
        assert len(pages[0]) == 3 and pages[1] == pages[0]


def test_the_migration_fills_the_feed_of_a_store_written_before_it(tmp_path):
    path = tmp_path / "cw.db"
    rng = random.Random(3)
    with Store.open(path) as store:
        for i in range(30):
            add_changes(store, f"site{i % 9}.example", 2, material=rng.random() < 0.3)
    # Back to the schema before m014 (it only adds the table and its triggers), as a store
    # written by an older release; then writes the feed reads while no trigger watches.
    conn = sqlite3.connect(path)
    triggers = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name != 'feed' AND sql LIKE '%feed%' AND type = 'trigger'"
        )
    ]
    assert len(triggers) == 5
    conn.executescript(
        "".join(f"DROP TRIGGER {t};" for t in triggers)
        + """
        DROP TABLE feed;
        DELETE FROM _sqlite_migrations WHERE name = 'm014_feed_entries';
        UPDATE sites SET state = 'untracked' WHERE site = 'site1.example';
        UPDATE documents SET kind = 'terms' WHERE id = 3;
        UPDATE changes SET summary = 'amended before m014' WHERE id = 5;
        """
    )
    conn.close()
    with Store.open(path) as store:
        assert len(definition(store)) == 60 - 8  # site1: 4 x 2 changes
        assert table(store) == definition(store)
        last = store.last_change_id()
        public = [row[1] for row in sorted(definition(store), key=lambda row: row[1])]
        assert [r["id"] for r in feed_page(store, 0, until=last, limit=500)] == public
        # ...and the triggers keep it from then on.
        add_changes(store, "site1.example", 1)
        store.set_site_state(store.get_site("site1.example")["id"], "tracked")
        assert table(store) == definition(store)
