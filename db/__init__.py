"""The SQLite store of Clausewatch (sqlite-utils): schema, migrations, reads and writes.

Nothing here imports `monitor` or `api`, and nothing here knows about policies: it stores
the words of DESIGN.md as rows and hands back plain dicts (JSON columns decoded, times as
ISO 8601 UTC strings ending in ``Z``), typed by ``db/rows.py`` (``SiteRow``, ``Document``,
``SnapshotRow``, ``VersionRow``, ``ChangeRow``, ...) so the layers that read them are
checked by mypy; ``tests/test_store_rows.py`` holds each type to what its reads return.

Opening::

    from db import Store
    store = Store.open("clausewatch.db")   # creates / migrates; WAL; busy_timeout 10 s
    ...
    store.close()                            # or `with Store.open(path) as store:`

Concurrency: one writer (``store.write()`` holds an in-process lock and a ``BEGIN
IMMEDIATE`` transaction; other processes wait on busy_timeout). Reads use a read-only
connection per thread (``store.reader``; ``store.reading()`` is the one a read should use:
the writer inside a write transaction) and never block on writes. A Store may be shared
by threads; an aiohttp app can call the read functions from its handlers directly (they
are short indexed queries).

Tables: ``sites``, ``documents`` (the scheduler's state lives here), ``blobs`` (raw bytes
by sha256, zlib-compressed, stored once), ``snapshots``, ``versions``, ``changes``
(``id`` is the public feed cursor, AUTOINCREMENT so never reused), ``clauses`` (+
``clauses_fts``, FTS5), ``backfill_captures`` (a backfill's progress),
``read_generation`` (one counter triggers move on every write a lookup or feed page reads:
the API's cache key) and ``_sqlite_migrations``.

Reads (all return dicts or lists of dicts; ``None`` when absent):

- ``get_site(site_or_id)``, ``list_sites()``
- ``get_document(id)``, ``documents_of_site(site_id)``, ``documents_by_url(url)``,
  ``list_documents()``
- ``get_snapshot(id)``, ``snapshots_of_document(document_id)`` (capture-time order),
  ``get_blob(sha256) -> bytes`` (``None`` when its body was pruned: ``db.retention``,
  ``clausewatch prune``)
- ``get_version(id)`` (with ``clauses``: list of {section: [..], kind, text}),
  ``versions_of_document(document_id)`` (without clauses, with ``clause_count``)
- ``change_by_id(id)``, ``changes_of_document(document_id)`` (capture-time order),
  ``last_change_id()``; the feed, site pages, Atom feeds and webhooks read changes through
  ``db.changes`` (the change read model: one SELECT, one decoder, named queries)
- ``search_clauses(q, limit=)`` -> rows with version_id, position, section, kind, text,
  snippet, document_id, site, url
- the monitor's: ``checkable_documents_due(now, limit=)`` (documents of sites in
  ``CHECKED_SITE_STATES``: ``tracked``), ``current_version(document_id)``
  (with clauses), ``latest_snapshot(document_id, error_prefix=)``, ``sites_in_state(state)``
- ``counts()``
- ``recent_changes(material=, limit=)`` (latest capture first), ``version_sizes(document_id)``
  (words and first-capture bytes per version): the diff viewer's reads

A change row: id, document_id, from_version_id, to_version_id, occurrence,
from_captured_at (last capture of the old version), to_captured_at (first capture of the
new one), detected_at (when Clausewatch learnt it), origin, material, score, categories
(list of slugs), summary, comparison (``Comparison.to_detail_dict()``), archive_url, and
joined: document_url, document_kind, site, site_hash.

Origins, and why old history never looks like news: ``live`` is a change seen by the
live monitor; ``backfill`` one reconstructed from the Wayback Machine; ``reprocess`` one
that a re-run of extraction/judgment found between versions that did not exist before.
All three appear in the feed (ids grow), but only ``ANNOUNCED_ORIGINS`` (``live``) may be
notified as new; the others carry their real, past ``to_captured_at`` and are history.
A reprocess keeps the id, detected_at and origin of every change whose two versions still
exist, updating its judgment in place, so nothing already announced is announced again.

Writes: ``add_site``, ``add_document``, ``update_document(id, **state)``, ``put_blob``,
``add_snapshot(...) -> (row, created)`` (idempotent on document, source, captured_at,
blob), ``mark_snapshot``, ``upsert_version(document_id, text_hash, policy_dict)``,
``refresh_version_spans``, ``delete_orphan_versions``, ``insert_change``,
``update_change``, ``delete_change``, ``add_backfill_captures``,
``mark_backfill_capture``; the monitor's ``claim_document(id, now=, until=, force=)`` (moves
a due document's next_check_at to the end of a lease; None if it was not due) and
``set_site_state(site_id, state, detail)``. Group several in one transaction with
``with store.write():``.
"""

from db.store import ANNOUNCED_ORIGINS, ORIGINS, Store, site_hash, utc_iso

__all__ = ["ANNOUNCED_ORIGINS", "ORIGINS", "Store", "site_hash", "utc_iso"]
