"""Building stores and apps for the API tests: real policy histories and real changes.

`record_history` runs the real pipeline (extract, compare, record) over copies of
policy-histories in tests/data; `add_changes` writes change rows through the store for
the feed tests that need many of them quickly.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from api.app import create_app
from api.config import Settings
from api.webhooks import DELIVERY_INTERVAL
from db import Store
from monitor.record import NewSnapshot, record_snapshot

DATA = Path(__file__).parent / "data"
HISTORIES = DATA / "policy-histories"
SERVICES = {"bitwarden": "bitwarden.com", "duckduckgo": "duckduckgo.com"}


def captured_at(path: Path) -> str:
    stamp = path.stem  # 2021-09-27T090744Z
    return f"{stamp[:13]}:{stamp[13:15]}:{stamp[15:17]}Z"


def record_history(store: Store, service: str, site: str) -> int:
    """Record every stored version of a service as live captures; the document id."""
    row = store.add_site(site)
    doc = store.add_document(row["id"], f"https://{site}/privacy")
    for path in sorted((HISTORIES / service).glob("*.md")):
        capture = NewSnapshot(
            path.read_bytes(), captured_at(path), "live", content_type="text/markdown"
        )
        record_snapshot(store, doc["id"], capture)
    return doc["id"]


def build_populated(path: Path) -> Path:
    with Store.open(path) as store:
        for service, site in SERVICES.items():
            record_history(store, service, site)
    return path


def copy_db(template: Path, dest: Path) -> Path:
    shutil.copyfile(template, dest)
    return dest


def site_with_hash_prefix(prefix: str, stem: str = "site") -> str:
    """A domain whose sha256 starts with `prefix` (found by counting; short prefixes only)."""
    n = 0
    while True:
        name = f"{stem}{n}.com"
        if hashlib.sha256(name.encode()).hexdigest().startswith(prefix):
            return name
        n += 1


def add_changes(
    store: Store,
    site: str,
    count: int,
    *,
    material: bool = False,
    categories: tuple[str, ...] = (),
    summary: str = "edits a clause",
    origin: str = "live",
) -> list[int]:
    """`count` changes of a site's document, alternating between two small versions."""
    row = store.add_site(site)
    doc = store.add_document(row["id"], f"https://{site}/privacy")["id"]
    ids = []
    versions = []
    for text in ("We collect your email.", "We collect and sell your email."):
        policy = {
            "clauses": [{"section": ["Data"], "kind": "paragraph", "text": text}],
            "title": "Privacy",
            "effective_date": None,
            "language": "en",
            "format": "text",
        }
        versions.append(
            store.upsert_version(doc, hashlib.sha256(text.encode()).hexdigest(), policy)[0]
        )
    existing = len(store.changes_of_document(doc))
    for i in range(existing, existing + count):
        a, b = (versions[0], versions[1]) if i % 2 == 0 else (versions[1], versions[0])
        ids.append(
            store.insert_change(
                {
                    "document_id": doc,
                    "from_version_id": a,
                    "to_version_id": b,
                    "occurrence": i,
                    "from_captured_at": f"2024-01-{1 + i % 28:02d}T00:00:00Z",
                    "to_captured_at": f"2024-02-{1 + i % 28:02d}T00:00:00Z",
                    "origin": origin,
                    "material": material,
                    "score": 0.7 if material else 0.1,
                    "categories": list(categories),
                    "summary": summary,
                    "comparison": None,
                }
            )
        )
    return ids


def make_app(store: Store, **settings):
    """The real application on `store`, without the background webhook loop."""
    app = create_app(Settings(db_path=store.path, **settings), store=store)
    app[DELIVERY_INTERVAL] = None
    return app
