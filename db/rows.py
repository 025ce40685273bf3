"""What every part of the store shares: the words it stores and how it writes times,
hashes and JSON columns.

Times are ISO 8601 UTC strings ending in `Z` (`2024-02-03T00:34:30Z`) so they sort as text.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

ORIGINS = ("live", "backfill", "reprocess")
# How a snapshot was obtained: a plain GET or a Wayback capture, each maybe rendered in a
# browser first (monitor/render.py): the viewer and history say which.
SOURCES = ("live", "wayback", "live-rendered", "wayback-rendered")
RENDER_MODES = ("auto", "always", "never")
# Changes a client may announce as news; the others are history told late (see __init__).
ANNOUNCED_ORIGINS = ("live",)
# Site states whose documents the monitor checks: `tracked` (by hand or by the tracking
# worker; migration m008 merged the old `active`); `pending` sites wait for the worker,
# `failed` ones for a person.
CHECKED_SITE_STATES = ("tracked",)
# How a clause's section path is written in the clauses table (search results show it):
# monitor.model.SECTION_SEPARATOR, which db may not import (db <- monitor); a test holds
# the two equal.
SECTION_SEPARATOR = " > "


def utc_iso(moment: datetime | str | None = None) -> str:
    """A moment as the store writes it; naive datetimes are taken as UTC."""
    if isinstance(moment, str):
        return moment
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_hash(site: str) -> str:
    return hashlib.sha256(site.encode("utf-8")).hexdigest()


def decode_row(row: dict | None, *json_fields: str) -> dict | None:
    """A row as the store hands it out: JSON columns decoded, `material` a bool."""
    if row is None:
        return None
    for name in json_fields:
        if name in row and isinstance(row[name], str):
            row[name] = json.loads(row[name])
    for name in ("material",):
        if name in row and row[name] is not None:
            row[name] = bool(row[name])
    return row
