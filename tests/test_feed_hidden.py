"""The feed's public-site test is kept on each change (`changes.hidden`, migration m009) by
triggers; pages answer exactly what testing each change's site would."""

from __future__ import annotations

import sqlite3

from apisupport import add_changes

from db import Store
from db.changes import feed_page
from db.rows import CHECKED_SITE_STATES

# Every state word a site row can hold (db.sites, the tracking worker, untrack).
STATES = ("pending", "tracked", "failed", "requested", "untracked", "active")


def hidden_by_site(store: Store) -> dict[str, set[int]]:
    rows = store.reader.query(
        "SELECT s.site, c.hidden FROM changes c JOIN documents d ON d.id = c.document_id"
        " JOIN sites s ON s.id = d.site_id"
    )
    out: dict[str, set[int]] = {}
    for r in rows:
        out.setdefault(r["site"], set()).add(r["hidden"])
    return out


def public_ids(store: Store) -> list[int]:
    """The feed's answer by its definition: changes whose site is in a checked state."""
    marks = ", ".join("?" for _ in CHECKED_SITE_STATES)
    return [
        r["id"]
        for r in store.reader.query(
            "SELECT c.id FROM changes c JOIN documents d ON d.id = c.document_id"
            f" JOIN sites s ON s.id = d.site_id WHERE s.state IN ({marks}) ORDER BY c.id",
            list(CHECKED_SITE_STATES),
        )
    ]


def test_hidden_follows_every_state_change_of_the_site(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        add_changes(store, "a.example", 3)
        add_changes(store, "b.example", 2)
        a = store.get_site("a.example")["id"]
        for state in (*STATES, *reversed(STATES)):
            store.set_site_state(a, state)
            assert hidden_by_site(store) == {
                "a.example": {int(state not in CHECKED_SITE_STATES)},
                "b.example": {0},
            }, state
            got = [r["id"] for r in feed_page(store, 0, limit=100)]
            assert got == public_ids(store), state
            buckets = sorted(
                {r["bucket"] for r in store.reader.query("SELECT bucket FROM changes")}
            )
            assert [r["id"] for r in feed_page(store, 0, buckets=buckets)] == got


def test_a_change_of_a_site_not_yet_public_is_hidden_from_its_insert(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        site = store.add_site("pending.example")
        store.set_site_state(site["id"], "pending")
        add_changes(store, "pending.example", 2)  # add_site returns the existing row
        assert hidden_by_site(store) == {"pending.example": {1}}
        assert feed_page(store, 0) == []
        store.set_site_state(site["id"], "tracked")
        assert len(feed_page(store, 0)) == 2


def test_a_document_moved_to_another_site_takes_its_publicity(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        add_changes(store, "a.example", 2)
        hidden = store.add_site("hidden.example")
        store.set_site_state(hidden["id"], "failed")
        with store.write() as db:
            db.execute("UPDATE documents SET site_id = ?", [hidden["id"]])
        assert feed_page(store, 0) == []


def test_the_migration_hides_changes_of_sites_that_are_not_public(tmp_path):
    path = tmp_path / "cw.db"
    with Store.open(path) as store:
        add_changes(store, "a.example", 2)
        add_changes(store, "b.example", 2)
    # Back to the schema before m009, as a store written by an older release; then a site
    # stops being public while no trigger watches.
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP TRIGGER changes_hidden_on_insert;
        DROP TRIGGER changes_hidden_on_site_state;
        DROP TRIGGER changes_hidden_on_document_site;
        DROP INDEX changes_feed;
        ALTER TABLE changes DROP COLUMN hidden;
        CREATE INDEX changes_bucket ON changes(bucket, id);
        DELETE FROM _sqlite_migrations WHERE name = 'm009_changes_hidden_flag';
        UPDATE sites SET state = 'untracked' WHERE site = 'b.example';
        """
    )
    conn.close()
    with Store.open(path) as store:
        assert hidden_by_site(store) == {"a.example": {0}, "b.example": {1}}
        assert [r["id"] for r in feed_page(store, 0)] == public_ids(store)
        indexes = {r["name"] for r in store.reader.query("SELECT name FROM sqlite_master")}
        assert "changes_feed" in indexes and "changes_bucket" not in indexes


def test_choosing_a_page_reads_the_index_alone(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        add_changes(store, "a.example", 1)
        plan = " ".join(
            r[3]
            for r in store.reader.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM changes WHERE id > 0 AND hidden = 0"
                " AND material = 1 AND bucket = 'ab' ORDER BY id LIMIT 5"
            )
        )
        assert "COVERING INDEX changes_feed" in plan, plan
