"""What every part of the store shares: the words it stores and how it writes times,
hashes and JSON columns.

Times are ISO 8601 UTC strings ending in `Z` (`2024-02-03T00:34:30Z`) so they sort as text.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict, get_args

Origin = Literal["live", "backfill", "reprocess"]
ORIGINS: tuple[Origin, ...] = get_args(Origin)
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


def decode_row(row: dict[str, Any], *json_fields: str) -> dict[str, Any]:
    """A row as the store hands it out: JSON columns decoded, `material` a bool."""
    for name in json_fields:
        if name in row and isinstance(row[name], str):
            row[name] = json.loads(row[name])
    for name in ("material",):
        if name in row and row[name] is not None:
            row[name] = bool(row[name])
    return row


# The rows the store hands out, as the layers above read them. Times are `utc_iso` strings;
# JSON columns come decoded. A read that selects fewer columns says so with a smaller type.


# A document's status after its last check (monitor.check says what each one means).
DocumentStatus = Literal[
    "ok", "unreachable", "blocked", "empty", "structure-changed", "moved", "not-policy"
]
# What a clause is (monitor.model.Clause).
ClauseKind = Literal["heading", "paragraph", "list-item", "table-row"]


class SiteRow(TypedDict):
    id: int
    site: str  # registrable domain, lower case, punycode
    site_hash: str  # sha256 hex of `site`
    state: str  # tracked | pending | failed (CHECKED_SITE_STATES are checked)
    state_detail: str | None
    created_at: str


class RequestRow(TypedDict):
    """A request to track a policy URL (db/requests.py), with its site's name and state."""

    id: int
    site_id: int
    url: str
    state: str  # db.requests.STATES
    reason: str | None
    document_id: int | None  # the document it became, once admitted
    requested_at: str
    decided_at: str | None
    site: str
    site_state: str


class DocumentRow(TypedDict):
    """A documents row as written (`add_document`)."""

    id: int
    site_id: int
    kind: str
    url: str
    selector: str | None
    status: DocumentStatus
    status_detail: str | None
    etag: str | None
    last_modified: str | None
    last_checked_at: str | None
    next_check_at: str | None
    failures: int
    created_at: str
    render: str  # RENDER_MODES
    render_decision: str | None
    render_reason: str | None


class Document(DocumentRow):
    """A document as the store's reads hand it out: with its site's name."""

    site: str


class SnapshotRow(TypedDict):
    id: int
    document_id: int
    blob_sha256: str
    source: str  # SOURCES
    captured_at: str
    url: str | None
    status: int | None
    content_type: str | None
    headers: dict[str, str]
    digest: str | None
    recorded_at: str
    processed_at: str | None  # None: stored, not yet processed
    version_id: int | None
    error: str | None  # why processing made no version


class ClauseRow(TypedDict):
    """A clause as a version stores it (monitor.model.Clause.to_dict)."""

    section: list[str]
    kind: ClauseKind
    text: str


class PolicyFields(TypedDict):
    """A version's text as recording hands it to the store (PolicyDocument.to_dict)."""

    title: str | None
    effective_date: str | None
    language: str | None
    format: str
    clauses: list[ClauseRow]


class VersionKey(TypedDict):
    id: int
    text_hash: str


class VersionText(VersionKey):
    clauses: list[ClauseRow]


class VersionColumns(VersionKey):
    """A version's columns but its clauses."""

    document_id: int
    title: str | None
    effective_date: str | None
    language: str | None
    format: str | None
    first_captured_at: str | None  # of its snapshots (refresh_version_spans)
    last_captured_at: str | None
    snapshot_count: int
    created_at: str


class VersionRow(VersionColumns):
    """A version with its clauses: monitor.model.PolicyDocument.from_dict reads it (it is
    a VersionText too)."""

    clauses: list[ClauseRow]


class VersionSummary(VersionColumns):
    """A version without its clauses (`versions_of_document`)."""

    clause_count: int


class ChangeEntry(TypedDict):
    """A change as a feed entry shows it (db.changes.ENTRY)."""

    id: int
    document_id: int
    detected_at: str
    from_captured_at: str  # last capture of the old version
    to_captured_at: str  # first capture of the new one
    origin: Origin
    material: bool
    categories: list[str]
    summary: str | None
    document_kind: str
    site: str
    site_hash: str


class ChangeRow(ChangeEntry):
    """The whole change (db.changes.ROW), with its comparison."""

    from_version_id: int
    to_version_id: int
    occurrence: int
    score: float | None
    comparison: dict[str, Any] | None  # monitor.compare.Comparison.to_detail_dict()
    archive_url: str | None
    bucket: str | None
    document_url: str
