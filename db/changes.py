"""The change read model: every read of the changes table, through one SELECT (the public
feed's through its own table, `feed`) and one decoder.

A change as every reader gets it: the change's columns with its document's kind (and, for
the whole row, url) and its site's name and hash; `categories` a list, `material` a bool,
`comparison` decoded when selected. The named queries:

- `change_by_id`, `changes_of_document` (capture-time order): any site's, for the monitor;
- `feed_page`: the public feed, by cursor and 2-hex buckets, from its own table (`feed`,
  schema m014; tuned: bench/scale.py);
- `latest_changes`: public sites, newest first (site pages, Atom feeds);
- `recent_changes`: public sites, latest capture first (the viewer's home);
- `next_change_for`: a webhook's next change among its sites;
- `last_change_id`: the feed's end.

The public ones read only sites anyone may see (`PUBLIC_STATE`). The writes
(`insert_change`, `update_change`, `delete_change`) are the store's (`Changes`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from db.connection import Connections
from db.rows import CHECKED_SITE_STATES, ORIGINS, ChangeEntry, ChangeRow, decode_row, utc_iso

_FROM = " FROM changes c JOIN documents d ON d.id = c.document_id JOIN sites s ON s.id = d.site_id"
# The whole change, with the comparison its own page shows.
ROW = "c.*, d.url AS document_url, d.kind AS document_kind, s.site, s.site_hash"
# What a feed entry shows (the API's change JSON, Atom entries, webhook events), nothing
# it does not: the comparison JSON is the bulk of a change row.
ENTRY = (
    "c.id, c.document_id, c.detected_at, c.from_captured_at, c.to_captured_at,"
    " c.origin, c.material, c.categories, c.summary, d.kind AS document_kind, s.site,"
    " s.site_hash"
)
# What may be listed anywhere public: a site the monitor checks (see db.reads.PUBLIC_SITE).
PUBLIC_STATE = "s.state IN ({})".format(", ".join(f"'{s}'" for s in CHECKED_SITE_STATES))


def decode_change(row: dict[str, Any]) -> dict[str, Any]:
    """A change row as every reader gets it."""
    decode_row(row, "categories", "comparison")
    if row.get("categories") is None:
        row["categories"] = []
    return row


def _rows(
    store: Connections,
    columns: str,
    where: Sequence[str],
    params: Sequence[Any],
    order: str,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The one SELECT: changes joined to their documents and sites, decoded."""
    sql = f"SELECT {columns}{_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    cursor = store.reading().execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [decode_change(dict(zip(names, values, strict=True))) for values in cursor.fetchall()]


def _public(material: bool | None) -> tuple[list[str], list[Any]]:
    """The conditions of a public listing: public sites only, material or not if asked."""
    if material is None:
        return [PUBLIC_STATE], []
    return [PUBLIC_STATE, "c.material = ?"], [int(material)]


def change_by_id(store: Connections, change_id: int) -> ChangeRow | None:
    rows = _rows(store, ROW, ["c.id = ?"], [change_id], "c.id")
    return cast(ChangeRow, rows[0]) if rows else None


def changes_of_document(store: Connections, document_id: int) -> list[ChangeRow]:
    """A document's changes in capture-time order."""
    rows = _rows(store, ROW, ["c.document_id = ?"], [document_id], "c.to_captured_at, c.id")
    return cast(list[ChangeRow], rows)


def last_change_id(store: Connections) -> int:
    return int(store.reading().execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0])


def latest_changes(
    store: Connections, *, site_id: int | None = None, material: bool | None = None, limit: int = 50
) -> list[ChangeEntry]:
    """Feed entries (of one public site, or all), newest (highest id) first."""
    where, params = _public(material)
    if site_id is not None:
        where.append("d.site_id = ?")
        params.append(site_id)
    return cast(list[ChangeEntry], _rows(store, ENTRY, where, params, "c.id DESC", limit))


def recent_changes(
    store: Connections, *, material: bool | None = None, limit: int = 20
) -> list[ChangeRow]:
    """Changes of public sites (the viewer's home is public), the latest capture first
    (history included)."""
    where, params = _public(material)
    rows = _rows(store, ROW, where, params, "c.to_captured_at DESC, c.id DESC", limit)
    return cast(list[ChangeRow], rows)


# A feed entry as `feed` (schema m014) holds it: ENTRY's columns, kept per public change.
FEED_ENTRY = (
    "id, document_id, detected_at, from_captured_at, to_captured_at, origin, material,"
    " categories, summary, document_kind, site, site_hash"
)


def feed_query(
    cursor: int,
    *,
    until: int | None = None,
    buckets: Sequence[str] | None = None,
    material: bool | None = None,
    category: str | None = None,
    limit: int = 100,
) -> tuple[str, list[Any]]:
    """The SQL and parameters of a feed page (see `feed_page`)."""
    where = ["id > ?"]
    params: list[Any] = [cursor]
    if until is not None:
        where.append("id <= ?")
        params.append(until)
    if material is not None:
        where.append("material = ?")
        params.append(int(material))
    if category is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(categories) WHERE value = ?)")
        params.append(category)
    one = f"SELECT {FEED_ENTRY} FROM feed WHERE " + " AND ".join(where)
    if buckets is None:
        return f"{one} ORDER BY id LIMIT ?", [*params, limit]
    # One range per bucket merged in id order (SQLite's MERGE of the compound's arms, each
    # already in id order within its bucket): the merge steps each range only as far as the
    # page needs, so a page reads about limit + buckets entries, each bucket's adjacent in
    # the table, even for a client catching up from the beginning.
    # (Each bucket once: an entry is in one bucket, and a bucket named twice would give its
    # entries twice.)
    named = sorted({b.lower() for b in buckets})
    arms = " UNION ALL ".join(f"{one} AND bucket = ?" for _ in named)
    args = [a for b in named for a in (*params, b)]
    return f"{arms} ORDER BY id LIMIT ?", [*args, limit]


def feed_page(
    store: Connections,
    cursor: int,
    *,
    until: int | None = None,
    buckets: list[str] | None = None,
    material: bool | None = None,
    category: str | None = None,
    limit: int = 100,
) -> list[ChangeEntry]:
    """Changes of public sites with cursor < id <= until, oldest first; `buckets`: 2-hex
    site_hash prefixes.

    Read from `feed` alone (schema m014): the public changes, each kept as the entry the
    feed shows and clustered by (bucket, id), so a page reads one short range per bucket
    and no change, document or site row. Only public changes are there, so the public-site
    test comes before the limit: a short page means that nothing public is left, since the
    cursor then jumps.
    """
    sql, params = feed_query(
        cursor, until=until, buckets=buckets, material=material, category=category, limit=limit
    )
    rows = store.reading().execute(sql, params)
    names = [d[0] for d in rows.description]
    return cast(
        list[ChangeEntry],
        [decode_change(dict(zip(names, values, strict=True))) for values in rows.fetchall()],
    )


def next_change_for(
    store: Connections, cursor: int, sites: Sequence[str], origins: Sequence[str]
) -> tuple[ChangeEntry | None, int]:
    """A webhook's next event: the first change after `cursor` of one of `sites`, and how
    far the feed was read.

    When nothing matches, the second value is the feed's end, so the caller can move its
    cursor there (ids become visible in order, so nothing below it can still appear).
    """
    end = last_change_id(store)
    if not sites or end <= cursor:
        return None, max(cursor, end)
    marks = ", ".join("?" for _ in sites)
    omarks = ", ".join("?" for _ in origins)
    where = ["c.id > ?", "c.id <= ?", f"s.site IN ({marks})", f"c.origin IN ({omarks})"]
    rows = _rows(store, ENTRY, where, [cursor, end, *sites, *origins], "c.id", 1)
    if not rows:
        return None, end
    return cast(ChangeEntry, rows[0]), rows[0]["id"]


class Changes(Connections):
    """The store's change writes, and its named change reads as methods."""

    def insert_change(self, change: dict[str, Any]) -> int:
        """A new change row; its id is the next feed cursor."""
        row = dict(change)
        row.setdefault("detected_at", utc_iso())
        if row.get("origin") not in ORIGINS:
            raise ValueError(f"unknown change origin {row.get('origin')!r}")
        row["categories"] = json.dumps(list(row.get("categories") or []))
        row["comparison"] = json.dumps(row.get("comparison"), ensure_ascii=False)
        row["material"] = int(bool(row.get("material")))
        with self.write() as db:
            change_id = db.table("changes").insert(row).last_pk
        assert isinstance(change_id, int)  # the rowid of an INTEGER PRIMARY KEY
        return change_id

    def update_change(self, change_id: int, **fields: Any) -> None:
        """Amend a change in place: it keeps its id (feed position) and detected_at."""
        if "categories" in fields:
            fields["categories"] = json.dumps(list(fields["categories"] or []))
        if "comparison" in fields:
            fields["comparison"] = json.dumps(fields["comparison"], ensure_ascii=False)
        if "material" in fields:
            fields["material"] = int(bool(fields["material"]))
        with self.write() as db:
            db.table("changes").update(change_id, fields)

    def delete_change(self, change_id: int) -> None:
        with self.write() as db:
            db.execute("DELETE FROM changes WHERE id = ?", [change_id])

    def change_by_id(self, change_id: int) -> ChangeRow | None:
        return change_by_id(self, change_id)

    def changes_of_document(self, document_id: int) -> list[ChangeRow]:
        """A document's changes in capture-time order."""
        return changes_of_document(self, document_id)

    def last_change_id(self) -> int:
        return last_change_id(self)

    def recent_changes(self, *, material: bool | None = None, limit: int = 20) -> list[ChangeRow]:
        return recent_changes(self, material=material, limit=limit)
