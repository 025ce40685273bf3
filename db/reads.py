"""Reads the HTTP API needs beyond `Store`'s own: lookup buckets and a site's page.

Plain functions over `store.reader` (or the writer inside `store.write()`), so they see the
same snapshot rules as the store's reads. No policy logic.
"""

from __future__ import annotations

import json

from db.store import Store, site_hash, utc_iso


def _reader(store: Store):
    return store._conn_for_reading()


def lookup_bucket(store: Store, prefix: str) -> list[dict]:
    """Tracked sites whose hash starts with `prefix`, with their last changes.

    Tracked: `active` (added by hand) or `tracked` (by the tracking worker); a `pending`
    or `failed` site is not tracked yet, so the extension offers to track it.

    Each row: site_hash, state, status (of its documents), last_change_id, last_change,
    last_material_change_id, last_material_change.
    """
    prefix = prefix.lower()
    if not prefix or any(c not in "0123456789abcdef" for c in prefix):
        return []
    # One statement: the last change and last material change of each site are the
    # max(id) over its documents, one seek each in changes_document_material; "id|time"
    # packed to stay a scalar subquery.
    last = (
        "(SELECT c.id || '|' || c.to_captured_at FROM changes c WHERE c.id = ("
        "SELECT max(m.id) FROM changes m"
        " WHERE m.document_id IN (SELECT d.id FROM documents d WHERE d.site_id = s.id){}))"
    )
    rows = (
        _reader(store)
        .execute(
            "SELECT s.site_hash, s.state,"
            " (SELECT group_concat(d.status) FROM documents d WHERE d.site_id = s.id),"
            f" {last.format('')}, {last.format(' AND m.material = 1')}"
            " FROM sites s WHERE s.site_hash >= ? AND s.site_hash < ? AND s.state IN ('active', 'tracked')"
            " ORDER BY s.site_hash",
            [prefix, prefix + "g"],
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


def tracked_site_count(store: Store) -> int:
    """Sites a lookup can answer for (the same states as `lookup_bucket`)."""
    return (
        _reader(store)
        .execute("SELECT count(*) FROM sites WHERE state IN ('active', 'tracked')")
        .fetchone()[0]
    )


def _unpack(packed: str | None) -> tuple[int | None, str | None]:
    if not packed:
        return None, None
    change_id, _, at = packed.partition("|")
    return int(change_id), at


def version_counts(store: Store, site_id: int) -> dict[int, int]:
    """Versions per document of a site."""
    return {
        r["document_id"]: r["n"]
        for r in _reader(store).query(
            "SELECT v.document_id, count(*) AS n FROM versions v"
            " JOIN documents d ON d.id = v.document_id WHERE d.site_id = ?"
            " GROUP BY v.document_id",
            [site_id],
        )
    }


def add_pending_site(store: Store, site: str) -> tuple[dict, bool]:
    """The site row, created with state 'pending' if new; (row, created). Idempotent."""
    with store.write() as db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO sites (site, site_hash, state, created_at)"
            " VALUES (?, ?, 'pending', ?)",
            [site, site_hash(site), utc_iso()],
        )
        created = cursor.rowcount == 1
        row = dict(next(db.query("SELECT * FROM sites WHERE site = ?", [site])))
    return row, created


def latest_changes(
    store: Store, *, site_id: int | None = None, material: bool | None = None, limit: int = 50
) -> list[dict]:
    """Changes (of one site, or all), newest (highest id) first, decoded like the store's."""
    where, params = [], []
    if site_id is not None:
        where.append("d.site_id = ?")
        params.append(site_id)
    if material is not None:
        where.append("c.material = ?")
        params.append(int(material))
    rows = _reader(store).query(
        "SELECT c.*, d.url AS document_url, d.kind AS document_kind, s.site, s.site_hash"
        " FROM changes c JOIN documents d ON d.id = c.document_id"
        " JOIN sites s ON s.id = d.site_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY c.id DESC LIMIT ?",
        [*params, limit],
    )
    out = []
    for row in rows:
        row = dict(row)
        row["categories"] = json.loads(row["categories"] or "[]")
        row["material"] = bool(row["material"])
        out.append(row)
    return out


# The feed's columns: everything a feed entry shows, nothing it does not (the comparison
# JSON is the bulk of a change row and only the change's own page needs it).
_FEED_SELECT = (
    "SELECT c.id, c.document_id, c.detected_at, c.from_captured_at, c.to_captured_at,"
    " c.origin, c.material, c.categories, c.summary, d.kind AS document_kind, s.site,"
    " s.site_hash FROM changes c JOIN documents d ON d.id = c.document_id"
    " JOIN sites s ON s.id = d.site_id"
)


def feed_page(
    store: Store,
    cursor: int,
    *,
    until: int | None = None,
    buckets: list[str] | None = None,
    material: bool | None = None,
    category: str | None = None,
    limit: int = 100,
) -> list[dict]:
    """Changes with cursor < id <= until, oldest first; `buckets`: 2-hex site_hash prefixes.

    The page's ids are chosen on `changes` alone (with buckets, from the (bucket, id) index:
    only the named buckets' rows are read, however many other changes follow the cursor),
    then joined to their documents and sites.
    """
    where, params = ["id > ?"], [cursor]
    if until is not None:
        where.append("id <= ?")
        params.append(until)
    if material is not None:
        where.append("material = ?")
        params.append(int(material))
    if category is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(categories) WHERE value = ?)")
        params.append(category)
    one = "SELECT id FROM changes WHERE " + " AND ".join(where)
    if buckets is None:
        ids, args = f"{one} ORDER BY id LIMIT ?", [*params, limit]
    else:
        # One range scan per bucket, each stopping at `limit`: a page costs at most
        # buckets x limit index rows, even for a client catching up from the beginning.
        per_bucket = f"SELECT * FROM ({one} AND bucket = ? ORDER BY id LIMIT ?)"
        ids = " UNION ALL ".join(per_bucket for _ in buckets) + " ORDER BY id LIMIT ?"
        args = [a for b in buckets for a in (*params, b.lower(), limit)] + [limit]
    rows = _reader(store).execute(_FEED_SELECT + f" WHERE c.id IN ({ids}) ORDER BY c.id", args)
    names = [d[0] for d in rows.description]
    out = []
    for values in rows.fetchall():
        row = dict(zip(names, values, strict=True))
        row["categories"] = json.loads(row["categories"] or "[]")
        row["material"] = bool(row["material"])
        out.append(row)
    return out
