"""Test databases built from real policy histories, recorded the way a backfill records them.

Each service of tests/data/policy-histories/ becomes a site (``<service>.example``) with one
privacy document; each of its markdown files becomes a Wayback snapshot at the time in its
file name, recorded through `monitor.record.record_snapshot` (origin ``backfill``), and the
changes are reconciled once at the end, as `monitor.backfill` does. Use it from any test::

    from corpusdb import record_history   # tests/ is on sys.path under pytest
    store = Store.open(tmp_path / "cw.db")
    site = record_history(store, "bitwarden")

or `build_store(path, services)` for a fresh store. Speed: record few services with few
versions; `limit` keeps the first n files of a history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db import Store
from monitor.record import NewSnapshot, Pipeline, reconcile_changes, record_snapshot

HISTORIES = Path(__file__).parent / "data" / "policy-histories"
WAYBACK = "https://web.archive.org"


@dataclass(frozen=True)
class RecordedHistory:
    site: str
    document_id: int
    url: str
    files: tuple[Path, ...]


def history_files(service: str, limit: int | None = None) -> list[Path]:
    files = sorted((HISTORIES / service).glob("*.md"))
    if not files:
        raise FileNotFoundError(f"no policy history for {service!r} under {HISTORIES}")
    return files[:limit] if limit else files


def captured_at(file: Path) -> datetime:
    """The file name is the time Open Terms Archive recorded the version (2024-02-03T003430Z)."""
    return datetime.strptime(file.stem, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)


def record_history(
    store: Store,
    service: str,
    *,
    limit: int | None = None,
    site: str | None = None,
    wayback_url: str = WAYBACK,
    pipeline: Pipeline | None = None,
) -> RecordedHistory:
    """Record a service's versions as Wayback captures of one document; its site and document."""
    site = site or f"{service}.example"
    url = f"https://{site}/privacy"
    pipeline = pipeline or Pipeline.default()
    site_row = store.add_site(site)
    doc = store.add_document(site_row["id"], url)
    files = history_files(service, limit)
    for file in files:
        when = captured_at(file)
        stamp = when.strftime("%Y%m%d%H%M%S")
        capture = NewSnapshot(
            file.read_bytes(),
            when,
            "wayback",
            url=f"{wayback_url}/web/{stamp}id_/{url}",
            content_type="text/markdown; charset=utf-8",
        )
        record_snapshot(store, doc["id"], capture, pipeline=pipeline, reconcile=False)
    reconcile_changes(store, doc["id"], origin="backfill", pipeline=pipeline)
    store.refresh_version_spans(doc["id"])
    return RecordedHistory(site_row["site"], doc["id"], url, tuple(files))


def build_store(
    path: str | Path, services: dict[str, int | None] | list[str]
) -> tuple[Store, list[RecordedHistory]]:
    """A new store at `path` with these services recorded ({service: limit} or names)."""
    wanted = services if isinstance(services, dict) else dict.fromkeys(services)
    store = Store.open(path)
    return store, [record_history(store, s, limit=n) for s, n in wanted.items()]
