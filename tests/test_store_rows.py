"""The row types of db/rows.py promise only keys the store's reads hand out, so what mypy
checks in the layers above is there at run time (a renamed column or a narrower SELECT
fails here until its type says so). A new column may wait outside the types until a
reader needs it: mypy refuses reading a key its type does not name."""

from typing import get_type_hints

import pytest

from db import Store
from db.changes import changes_of_document, feed_page, latest_changes
from db.reads import add_pending_site
from db.requests import add_request, get_request, requests_in
from db.rows import (
    ChangeEntry,
    ChangeRow,
    Document,
    DocumentRow,
    PolicyFields,
    RequestRow,
    SiteRow,
    SnapshotRow,
    VersionKey,
    VersionRow,
    VersionSummary,
    VersionText,
)
from monitor.model import Clause, PolicyDocument

POLICY = {
    "title": "Privacy",
    "effective_date": "2024-01-02",
    "language": "en",
    "format": "html",
    "clauses": [{"section": ["Privacy"], "kind": "paragraph", "text": "We sell cookies."}],
}


def keys(row_type: type) -> set[str]:
    return set(get_type_hints(row_type))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


def test_every_read_hands_out_the_keys_its_row_type_promises(store):
    site = store.add_site("example.com")
    pending, _ = add_pending_site(store, "pending.example")
    added = store.add_document(site["id"], "https://example.com/privacy")
    versions = []
    for n, when in enumerate(("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")):
        snapshot, _ = store.add_snapshot(
            added["id"], f"page {n}".encode(), captured_at=when, source="live"
        )
        text = {**POLICY, "clauses": [{**POLICY["clauses"][0], "text": f"We sell {n}."}]}
        version_id, _ = store.upsert_version(added["id"], f"h{n}", text)
        store.mark_snapshot(snapshot["id"], version_id=version_id)
        versions.append(version_id)
    store.refresh_version_spans(added["id"])
    store.insert_change(
        {
            "document_id": added["id"],
            "from_version_id": versions[0],
            "to_version_id": versions[1],
            "occurrence": 0,
            "from_captured_at": "2024-01-01T00:00:00Z",
            "to_captured_at": "2024-02-01T00:00:00Z",
            "origin": "live",
            "material": True,
            "categories": ["third-party-sharing"],
            "summary": "sells",
            "comparison": {"changes": []},
        }
    )

    for row in (site, pending, store.get_site("example.com"), *store.list_sites()):
        assert keys(SiteRow) <= set(row)
    assert keys(DocumentRow) <= set(added)
    for doc in (store.get_document(added["id"]), *store.list_documents()):
        assert keys(Document) <= set(doc)
    assert keys(Document) <= set(store.documents_of_site(site["id"])[0])
    for row in (snapshot, store.latest_snapshot(added["id"])):
        assert keys(SnapshotRow) <= set(row)
    assert keys(SnapshotRow) <= set(store.snapshots_of_document(added["id"])[0])
    assert keys(VersionRow) <= set(store.get_version(versions[0]))
    assert keys(VersionRow) <= set(store.current_version(added["id"]))
    assert keys(VersionKey) <= set(store.version_by_hash(added["id"], "h0"))
    assert keys(VersionText) <= set(store.version_texts(added["id"])[0])
    assert keys(VersionSummary) <= set(store.versions_of_document(added["id"])[0])
    [change] = changes_of_document(store, added["id"])
    assert keys(ChangeRow) <= set(change)
    assert keys(ChangeRow) <= set(store.recent_changes()[0])
    assert keys(ChangeEntry) <= set(latest_changes(store)[0])
    assert keys(ChangeEntry) <= set(feed_page(store, 0)[0])
    assert add_request(store, site["id"], "https://example.com/terms")
    [request] = requests_in(store, ("pending",))
    assert keys(RequestRow) <= set(request) and keys(RequestRow) <= set(get_request(store, 1))
    # The decoded JSON columns have the types the rows say.
    assert change["categories"] == ["third-party-sharing"] and change["material"] is True
    assert store.get_version(versions[0])["clauses"][0]["section"] == ["Privacy"]


def test_a_policy_document_serialises_to_the_fields_a_version_stores():
    doc = PolicyDocument((Clause(("Privacy",), "paragraph", "We sell cookies."),), title="P")
    fields = doc.to_dict()
    assert set(fields) == keys(PolicyFields) and set(fields) <= keys(VersionRow)
    assert set(fields["clauses"][0]) == {"section", "kind", "text"}
    assert PolicyDocument.from_dict(fields) == doc
