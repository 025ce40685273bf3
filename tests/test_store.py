import threading

import pytest
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

from db import Store, site_hash
from db.changes import feed_page, next_change_for
from db.reads import lookup_bucket

POLICY = {
    "title": "Privacy",
    "effective_date": "2024-01-02",
    "language": "en",
    "format": "html",
    "clauses": [
        {"section": ["Privacy"], "kind": "heading", "text": "Privacy"},
        {"section": ["Privacy", "Sharing"], "kind": "paragraph", "text": "We sell cookies."},
    ],
}


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


def _document(store, site="example.com"):
    s = store.add_site(site)
    return store.add_document(s["id"], f"https://{site}/privacy")


def test_opens_as_a_plain_sqlite_file_with_wal_and_migrations(tmp_path):
    path = tmp_path / "cw.db"
    Store.open(path).close()
    Store.open(path).close()  # reopening applies nothing twice
    store = Store.open(path)
    assert store.reader.journal_mode == "wal"
    applied = list(store.reader.query("SELECT name FROM _sqlite_migrations"))
    names = [r["name"] for r in applied]
    # Each step once, in order, however many steps later work appends.
    assert names[0] == "m001_initial" and names == sorted(set(names))
    store.close()
    result = CliRunner().invoke(sqlite_utils_cli, ["tables", str(path), "--counts"])
    assert result.exit_code == 0, result.output
    for table in ("sites", "documents", "snapshots", "versions", "changes", "clauses_fts"):
        assert f'"table": "{table}"' in result.output


def test_sites_are_idempotent(store):
    a = store.add_site("Example.com")
    assert store.add_site("example.com")["id"] == a["id"]
    assert a["site_hash"] == site_hash("example.com")
    assert store.get_site("example.com")["id"] == store.get_site(a["id"])["id"]


def test_document_state_for_the_scheduler(store):
    doc = _document(store)
    assert store.add_document(doc["site_id"], doc["url"])["id"] == doc["id"]
    store.update_document(
        doc["id"], status="blocked", failures=2, next_check_at="2030-01-01T00:00:00Z"
    )
    got = store.get_document(doc["id"])
    assert (got["status"], got["failures"], got["site"]) == ("blocked", 2, "example.com")
    assert store.checkable_documents_due("2029-01-01T00:00:00Z") == []
    assert [d["id"] for d in store.checkable_documents_due("2030-01-01T00:00:00Z")] == [doc["id"]]
    with pytest.raises(ValueError):
        store.update_document(doc["id"], site_id=3)


def test_recording_the_same_capture_twice_adds_nothing(store):
    doc = _document(store)
    raw = b"<html>" + b"policy " * 1000 + b"</html>"
    first, created = store.add_snapshot(
        doc["id"], raw, captured_at="2024-01-01T00:00:00Z", source="wayback", headers={"a": "b"}
    )
    again, created_again = store.add_snapshot(
        doc["id"], raw, captured_at="2024-01-01T00:00:00Z", source="wayback"
    )
    assert created and not created_again and first["id"] == again["id"]
    other, _ = store.add_snapshot(doc["id"], raw, captured_at="2024-02-01T00:00:00Z", source="live")
    assert other["id"] != first["id"]
    assert store.counts()["blobs"] == 1  # same bytes stored once
    stored = next(store.reader.query("SELECT size, length(data) AS n FROM blobs"))
    assert stored["size"] == len(raw) > stored["n"]  # compressed
    assert store.get_blob(first["blob_sha256"]) == raw
    assert first["headers"] == {"a": "b"}


def test_versions_deduplicate_and_clauses_are_searchable(store):
    doc = _document(store)
    vid, created = store.upsert_version(doc["id"], "h1", POLICY)
    assert created and store.upsert_version(doc["id"], "h1", POLICY) == (vid, False)
    version = store.get_version(vid)
    assert version["clauses"][1]["text"] == "We sell cookies."
    hits = store.search_clauses("selling cookies")  # porter stemming
    assert [(h["version_id"], h["position"], h["site"]) for h in hits] == [(vid, 1, "example.com")]
    assert store.search_clauses('") OR (') == []  # FTS syntax is never passed through


def test_lookup_takes_last_changes_across_a_sites_documents(store):
    site = store.add_site("example.com")
    docs = [store.add_document(site["id"], f"https://example.com/{p}")["id"] for p in "ab"]
    versions = {d: [store.upsert_version(d, f"{d}-{n}", POLICY)[0] for n in range(2)] for d in docs}

    def change(doc, n, material):
        return store.insert_change(
            {
                "document_id": doc,
                "from_version_id": versions[doc][n % 2],
                "to_version_id": versions[doc][1 - n % 2],
                "occurrence": n,
                "from_captured_at": f"2024-01-0{n + 1}T00:00:00Z",
                "to_captured_at": f"2024-02-0{n + 1}T00:00:00Z",
                "origin": "live",
                "material": material,
                "categories": [],
                "summary": "",
                "comparison": None,
            }
        )

    # Interleaved: a's material change is the last material one, b's quiet edit the last one.
    change(docs[1], 0, True)
    last_material = change(docs[0], 0, True)
    change(docs[0], 1, False)
    last = change(docs[1], 1, False)
    (row,) = lookup_bucket(store, site_hash("example.com")[:3])
    assert (row["last_change_id"], row["last_change"]) == (last, "2024-02-02T00:00:00Z")
    assert (row["last_material_change_id"], row["last_material_change"]) == (
        last_material,
        "2024-02-01T00:00:00Z",
    )


def test_change_feed_filters(store):
    docs = [_document(store, "a.com"), _document(store, "b.com")]
    for i, doc in enumerate(docs):
        v1, _ = store.upsert_version(doc["id"], "x", POLICY)
        v2, _ = store.upsert_version(doc["id"], "y", POLICY)
        store.insert_change(
            {
                "document_id": doc["id"],
                "from_version_id": v1,
                "to_version_id": v2,
                "from_captured_at": "2020-01-01T00:00:00Z",
                "to_captured_at": "2021-01-01T00:00:00Z",
                "origin": ("live", "backfill")[i],
                "material": i == 0,
                "categories": ["third-party-sharing"] if i == 0 else ["other"],
                "comparison": {"changes": []},
            }
        )
    all_changes = feed_page(store, 0)
    assert [c["site"] for c in all_changes] == ["a.com", "b.com"]
    assert feed_page(store, all_changes[0]["id"])[0]["site"] == "b.com"
    assert [c["site"] for c in feed_page(store, 0, material=True)] == ["a.com"]
    assert [c["site"] for c in feed_page(store, 0, category="other")] == ["b.com"]
    news, _ = next_change_for(store, 0, ["a.com", "b.com"], ["live"])
    assert news["site"] == "a.com" and news["categories"] == ["third-party-sharing"]
    bucket = site_hash("b.com")[:2]
    assert [c["site"] for c in feed_page(store, 0, buckets=[bucket])] == ["b.com"]
    change = store.change_by_id(all_changes[0]["id"])
    assert change["material"] is True and change["comparison"] == {"changes": []}


def test_readers_never_wait_for_the_writer(store):
    doc = _document(store)
    holding, release = threading.Event(), threading.Event()

    def writer():
        with store.write():
            store.update_document(doc["id"], status="empty")
            holding.set()
            release.wait(5)

    t = threading.Thread(target=writer)
    t.start()
    assert holding.wait(5)
    # The write is not committed yet: the reader sees the old state, immediately.
    assert store.get_document(doc["id"])["status"] == "ok"
    release.set()
    t.join()
    assert store.get_document(doc["id"])["status"] == "empty"


def test_writers_in_two_processes_queue_instead_of_failing(tmp_path):
    path = tmp_path / "cw.db"
    one, two = Store.open(path), Store.open(path)
    errors = []

    def add(store, prefix):
        try:
            for i in range(30):
                store.add_site(f"{prefix}{i}.com")
        except Exception as exc:  # pragma: no cover - the failure this test looks for
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(s, p)) for s, p in ((one, "a"), (two, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(one.list_sites()) == 60
    one.close()
    two.close()
