"""Migration m008: one word, `tracked`, for a site the monitor checks (the CLI wrote `active`)."""

from __future__ import annotations

import sqlite3

from db import Store
from db.reads import lookup_bucket
from db.store import site_hash


def test_the_migration_turns_active_sites_into_tracked_ones(tmp_path):
    path = tmp_path / "cw.db"
    with Store.open(path) as store:
        for name in ("bitwarden.com", "duckduckgo.com"):
            store.add_document(store.add_site(name)["id"], f"https://{name}/privacy")
        pending = store.add_site("signal.org")
        store.set_site_state(pending["id"], "pending")
    # Back to the schema before m008, with the states an older release wrote.
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP TRIGGER sites_state_word_on_insert;
        UPDATE sites SET state = 'active' WHERE site = 'bitwarden.com';
        DELETE FROM _sqlite_migrations WHERE name = 'm008_site_state_words';
        """
    )
    conn.close()
    with Store.open(path) as store:
        states = {s["site"]: s["state"] for s in store.list_sites()}
        assert states == {
            "bitwarden.com": "tracked",
            "duckduckgo.com": "tracked",
            "signal.org": "pending",
        }
        # Checked by the monitor and answered by lookups, as before.
        due = {d["url"] for d in store.checkable_documents_due("9999-01-01T00:00:00Z")}
        assert due == {"https://bitwarden.com/privacy", "https://duckduckgo.com/privacy"}
        answered = lookup_bucket(store, site_hash("bitwarden.com")[:2])
        assert [r["state"] for r in answered if r["site_hash"] == site_hash("bitwarden.com")] == [
            "tracked"
        ]


def test_an_insert_relying_on_the_old_default_gets_the_one_word(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        with store.write() as db:
            db.execute(
                "INSERT INTO sites (site, site_hash, created_at) VALUES (?, ?, ?)",
                ["example.com", site_hash("example.com"), "2026-01-01T00:00:00Z"],
            )
        assert store.get_site("example.com")["state"] == "tracked"
        assert store.add_site("example.org")["state"] == "tracked"
