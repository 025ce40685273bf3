"""Webhook registrations: rows and the next change each one is owed. No HTTP here.

A registration is found by id and proven by its token's sha256 (the token itself is
never stored); every function takes the id, so one registration's calls cannot reach
another's row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from db.store import Store, utc_iso

_FIELDS = frozenset(
    {
        "url",
        "sites",
        "active",
        "cursor",
        "failures",
        "next_attempt_at",
        "last_attempt_at",
        "last_status",
        "last_error",
        "disabled_reason",
    }
)


def _decode(found: dict[str, Any]) -> dict[str, Any]:
    row = dict(found)
    row["sites"] = json.loads(row["sites"])
    row["active"] = bool(row["active"])
    return row


def add_webhook(
    store: Store, *, url: str, sites: Sequence[str], token_sha256: str, secret: str
) -> dict[str, Any]:
    """A new registration that starts at the feed's end: it is owed only what comes next."""
    with store.write() as db:
        cursor = db.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
        webhook_id = db.execute(
            "INSERT INTO webhooks (url, sites, token_sha256, secret, cursor, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [url, json.dumps(list(sites)), token_sha256, secret, cursor, utc_iso()],
        ).lastrowid
        return _decode(next(db.query("SELECT * FROM webhooks WHERE id = ?", [webhook_id])))


def get_webhook(store: Store, webhook_id: int) -> dict[str, Any] | None:
    rows = list(store.reading().query("SELECT * FROM webhooks WHERE id = ?", [webhook_id]))
    return _decode(rows[0]) if rows else None


def update_webhook(store: Store, webhook_id: int, **fields: Any) -> None:
    unknown = set(fields) - _FIELDS
    if unknown:
        raise ValueError(f"not webhook state: {sorted(unknown)}")
    if "sites" in fields:
        fields["sites"] = json.dumps(list(fields["sites"]))
    if "active" in fields:
        fields["active"] = int(bool(fields["active"]))
    if not fields:
        return
    with store.write() as db:
        db.table("webhooks").update(webhook_id, fields)


def delete_webhook(store: Store, webhook_id: int) -> None:
    with store.write() as db:
        db.execute("DELETE FROM webhooks WHERE id = ?", [webhook_id])


def due_webhooks(store: Store, now: str) -> list[dict[str, Any]]:
    """Active registrations whose next attempt is due."""
    return [
        _decode(r)
        for r in store.reading().query(
            "SELECT * FROM webhooks WHERE active = 1"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id",
            [now],
        )
    ]
