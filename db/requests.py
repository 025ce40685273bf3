"""Requests to track a given policy URL: kept apart from documents until admitted.

A request is ``pending`` until the tracking worker verifies it (``admitted``, with the
document it became) or cannot (``held``, with why, for an operator); an operator may
``approve`` a held request (the worker then admits it without verification) or ``reject``
it. Requests are never public: only admitted documents are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from db.rows import RequestRow
from db.store import Store, utc_iso

STATES = ("pending", "held", "approved", "admitted", "rejected")
OPEN = ("pending", "approved")  # what the tracking worker still has to act on
UNDECIDED = ("pending", "held", "approved")
# Open requests a site may collect: someone asking for page after page of one site must
# not grow the operator's queue (or the worker's fetches) without bound.
MAX_UNDECIDED_PER_SITE = 20

_SELECT = "SELECT r.*, s.site, s.state AS site_state FROM document_requests r JOIN sites s ON s.id = r.site_id"


def add_request(store: Store, site_id: int, url: str) -> bool:
    """Record a request (idempotent on site and URL); False when nothing was added."""
    with store.write() as db:
        (undecided,) = db.execute(
            "SELECT count(*) FROM document_requests WHERE site_id = ?"
            f" AND state IN ({', '.join('?' for _ in UNDECIDED)})",
            [site_id, *UNDECIDED],
        ).fetchone()
        if undecided >= MAX_UNDECIDED_PER_SITE:
            return False
        cursor = db.execute(
            "INSERT OR IGNORE INTO document_requests (site_id, url, requested_at) VALUES (?, ?, ?)",
            [site_id, url, utc_iso()],
        )
        return cursor.rowcount == 1


def get_request(store: Store, request_id: int) -> RequestRow | None:
    rows = list(store.reading().query(_SELECT + " WHERE r.id = ?", [request_id]))
    return cast(RequestRow, rows[0]) if rows else None


def requests_in(
    store: Store, states: Sequence[str], *, site_id: int | None = None
) -> list[RequestRow]:
    """Requests in these states (of one site, or all), oldest first."""
    where = [f"r.state IN ({', '.join('?' for _ in states)})"]
    params: list[Any] = list(states)
    if site_id is not None:
        where.append("r.site_id = ?")
        params.append(site_id)
    sql = _SELECT + " WHERE " + " AND ".join(where) + " ORDER BY r.id"
    return cast(list[RequestRow], list(store.reading().query(sql, params)))


def decide(
    store: Store,
    request_id: int,
    state: str,
    reason: str | None = None,
    *,
    document_id: int | None = None,
) -> None:
    if state not in STATES:
        raise ValueError(f"not a request state: {state!r}")
    with store.write() as db:
        db.execute(
            "UPDATE document_requests SET state = ?, reason = ?, document_id = ?,"
            " decided_at = ? WHERE id = ?",
            [state, reason, document_id, utc_iso(), request_id],
        )
