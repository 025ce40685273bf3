"""One section separator: the store writes section paths as the model joins them."""

from __future__ import annotations

from db import Store
from monitor.extract import extract


def test_search_shows_a_clauses_section_path_as_the_model_writes_it(tmp_path):
    doc = extract(
        b"# Privacy\n\n## Sharing\n\nWe never sell your data to brokers.\n", "text/markdown"
    )
    (clause,) = [c for c in doc.clauses if "brokers" in c.text]
    with Store.open(tmp_path / "cw.db") as store:
        site = store.add_site("example.com")
        document = store.add_document(site["id"], "https://example.com/privacy")
        store.upsert_version(document["id"], "h1", doc.to_dict())
        (hit,) = store.search_clauses("brokers")
    assert clause.section_path == "Privacy > Sharing" and hit["section"] == clause.section_path
