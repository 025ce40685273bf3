"""Reads the HTTP API needs beyond `Store`'s own: lookup buckets and a site's page.

Plain functions over `store.reader` (or the writer inside `store.write()`), so they see the
same snapshot rules as the store's reads. No policy logic.
"""

from __future__ import annotations

import json
from typing import cast

from db.changes import PUBLIC_STATE
from db.rows import SiteRow
from db.store import CHECKED_SITE_STATES, Store, site_hash, utc_iso

# What may be listed anywhere public (lookups, feeds, search, site pages, the viewer): a site
# the monitor checks that has an admitted document. Pending, failed or merely requested
# sites are nobody's business: a request must not be readable by others (issue 23).
PUBLIC_SITE = f"{PUBLIC_STATE} AND EXISTS (SELECT 1 FROM documents pd WHERE pd.site_id = s.id)"


def lookup_bucket(store: Store, prefix: str, bits: int | None = None) -> list[dict]:
    """Tracked sites whose hash starts with the first `bits` bits of `prefix` (all of its
    hex digits when None), with their last changes.

    Tracked: `tracked` (by hand or by the tracking worker); a `pending`
    or `failed` site is not tracked yet, so the extension offers to track it.

    Each row: site_hash, state, status (of its documents), last_change_id, last_change,
    last_material_change_id, last_material_change.
    """
    bounds = hash_range(prefix, bits)
    if bounds is None:
        return []
    # One statement: the last change and last material change of each site are its
    # documents' newest, read from the covering indexes (document_id[, material], id,
    # to_captured_at) alone: a change row (its comparison inline) is never touched, which on
    # a store larger than memory is a random read per site (bench/scale.py, 1M documents);
    # "id|time" packed to stay a scalar subquery.
    last = (
        "(SELECT m.id || '|' || m.to_captured_at FROM changes m"
        " WHERE m.document_id IN (SELECT d.id FROM documents d WHERE d.site_id = s.id){}"
        " ORDER BY m.id DESC LIMIT 1)"
    )
    rows = (
        store.reading()
        .execute(
            "SELECT s.site_hash, s.state,"
            " (SELECT group_concat(d.status) FROM documents d WHERE d.site_id = s.id),"
            f" {last.format('')}, {last.format(' AND m.material = 1')}"
            f" FROM sites s WHERE s.site_hash >= ? AND s.site_hash < ? AND {PUBLIC_SITE}"
            " ORDER BY s.site_hash",
            list(bounds),
        )
        .fetchall()
    )
    out = []
    for site_hash_, state, statuses, last_any, last_material in rows:
        statuses = (statuses or "").split(",")
        any_id, any_at = _unpack(last_any)
        material_id, material_at = _unpack(last_material)
        out.append(
            {
                "site_hash": site_hash_,
                "state": state,
                "status": "ok" if "ok" in statuses else (statuses[0] or "pending"),
                "last_change_id": any_id,
                "last_change": any_at,
                "last_material_change_id": material_id,
                "last_material_change": material_at,
            }
        )
    return out


def hash_range(prefix: str, bits: int | None = None) -> tuple[str, str] | None:
    """The site hashes sharing the first `bits` bits of hex `prefix`, as a half-open range of
    strings (low <= site_hash < high), or None for a prefix that is not hex. Both ends are
    ceil(bits / 4) hex digits: hashes compare as strings exactly as their bits do."""
    prefix = prefix.lower()
    if not prefix or any(c not in "0123456789abcdef" for c in prefix):
        return None
    bits = 4 * len(prefix) if bits is None else bits
    digits = -(-bits // 4)
    if not 0 < bits <= 4 * len(prefix):
        return None
    spare = 4 * digits - bits
    start = int(prefix[:digits], 16) >> spare
    low = f"{start << spare:0{digits}x}"
    # Past the last bucket: "g" sorts after every hex string.
    high = "g" if start + 1 == 1 << bits else f"{(start + 1) << spare:0{digits}x}"
    return low, high


def is_public(store: Store, site: SiteRow | None) -> bool:
    """Whether a site row may be shown publicly (see PUBLIC_SITE)."""
    if site is None or site["state"] not in CHECKED_SITE_STATES:
        return False
    query = "SELECT 1 FROM documents WHERE site_id = ? LIMIT 1"
    return store.reading().execute(query, [site["id"]]).fetchone() is not None


def public_sites_containing(store: Store, needle: str, *, limit: int = 50) -> list[dict]:
    """Public sites whose name contains `needle`, by name."""
    return list(
        store.reading().query(
            f"SELECT s.* FROM sites s WHERE instr(s.site, ?) > 0 AND {PUBLIC_SITE}"
            " ORDER BY s.site LIMIT ?",
            [needle, limit],
        )
    )


def tracked_site_count(store: Store) -> int:
    """Sites a lookup can answer for (the same states as `lookup_bucket`)."""
    query = f"SELECT count(*) FROM sites s WHERE {PUBLIC_SITE}"
    return int(store.reading().execute(query).fetchone()[0])


def _unpack(packed: str | None) -> tuple[int | None, str | None]:
    if not packed:
        return None, None
    change_id, _, at = packed.partition("|")
    return int(change_id), at


def version_counts(store: Store, site_id: int) -> dict[int, int]:
    """Versions per document of a site."""
    return {
        r["document_id"]: r["n"]
        for r in store.reading().query(
            "SELECT v.document_id, count(*) AS n FROM versions v"
            " JOIN documents d ON d.id = v.document_id WHERE d.site_id = ?"
            " GROUP BY v.document_id",
            [site_id],
        )
    }


def add_pending_site(store: Store, site: str) -> tuple[SiteRow, bool]:
    """The site row, created with state 'pending' if new; (row, created). Idempotent."""
    with store.write() as db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO sites (site, site_hash, state, created_at)"
            " VALUES (?, ?, 'pending', ?)",
            [site, site_hash(site), utc_iso()],
        )
        created = cursor.rowcount == 1
        row = cast(SiteRow, next(db.query("SELECT * FROM sites WHERE site = ?", [site])))
    return row, created


# A document whose stored changes miss its timeline's last boundary: its latest versioned
# capture is not the version its latest change leads to, though it has another version. Only
# a recording cut short between its version commit and its change commit leaves this (any
# completed recording reconciles the whole timeline), so checking the head is enough.
_BEHIND = (
    "SELECT d.id FROM documents d WHERE {where}"
    " AND (SELECT count(*) FROM versions v WHERE v.document_id = d.id) > 1"
    " AND (SELECT s.version_id FROM snapshots s WHERE s.document_id = d.id"
    "   AND s.version_id IS NOT NULL ORDER BY s.captured_at DESC, s.id DESC LIMIT 1)"
    " IS NOT (SELECT c.to_version_id FROM changes c WHERE c.document_id = d.id"
    "   ORDER BY c.to_captured_at DESC, c.id DESC LIMIT 1)"
)


def documents_behind(store: Store) -> list[int]:
    """Ids of documents whose changes lag their versions (see `_BEHIND`), for a start-up pass."""
    return [r[0] for r in store.reading().execute(_BEHIND.format(where="1") + " ORDER BY d.id")]


def document_behind(store: Store, document_id: int) -> bool:
    """Whether one document's changes lag its versions (a few indexed seeks)."""
    query = _BEHIND.format(where="d.id = ?")
    return store.reading().execute(query, [document_id]).fetchone() is not None


def stored_comparison(
    store: Store, document_id: int, from_version_id: int, to_version_id: int
) -> dict | None:
    """The judged comparison of a stored change between two versions, if there is one."""
    row = (
        store.reading()
        .execute(
            "SELECT comparison FROM changes WHERE document_id = ? AND from_version_id = ?"
            " AND to_version_id = ? AND comparison IS NOT NULL AND comparison != 'null'"
            " ORDER BY occurrence LIMIT 1",
            [document_id, from_version_id, to_version_id],
        )
        .fetchone()
    )
    return json.loads(row[0]) if row else None
