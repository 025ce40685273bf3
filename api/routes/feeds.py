"""Atom feeds: one per site, one of every material change; entries link to the diff viewer.

Links are absolute (feed readers resolve nothing): built on `settings.public_url`, else
the server's bound address (api/baseurl.py) — never on the request's Host header, which
a client sets at will and a shared cache would then serve to everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from aiohttp import web
from feedgen.feed import FeedGenerator

from api import keys
from api.baseurl import BASE_URL
from api.routes.common import change_url, etag_matches, site_or_404, strong_etag
from db.changes import latest_changes
from db.rows import ChangeEntry

ATOM_TYPE = "application/atom+xml"
FEED_ENTRIES = 50
FEED_CACHE = "public, max-age=300"
# Atom needs an `updated` even for a feed with no entry yet.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def base_url(request: web.Request) -> str:
    return request.app[BASE_URL].for_request(request)


def _when(iso: str | None) -> datetime:
    if not iso:
        return _EPOCH
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _entry_title(change: ChangeEntry) -> str:
    label = "Material change" if change["material"] else "Change"
    return f"{label} to the {change['document_kind']} policy of {change['site']}"


def render_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate: str,
    changes: Sequence[ChangeEntry],
    base: str,
) -> bytes:
    """A valid Atom document of `changes` (newest first)."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.author({"name": "Clausewatch"})
    fg.link(href=self_url, rel="self", type=ATOM_TYPE)
    fg.link(href=alternate, rel="alternate", type="text/html")
    fg.updated(max((_when(c["detected_at"]) for c in changes), default=_EPOCH))
    # feedgen prepends entries; add oldest first so the document lists newest first.
    for change in reversed(changes):
        link = base + change_url(change["site"], change["id"])
        entry = fg.add_entry()
        entry.id(link)
        entry.title(_entry_title(change))
        entry.link(href=link, rel="alternate", type="text/html")
        entry.updated(_when(change["detected_at"]))
        entry.published(_when(change["to_captured_at"]))
        entry.summary(change["summary"] or "")
        for slug in change["categories"]:
            entry.category(term=slug)
    atom: bytes = fg.atom_str(pretty=False)
    return atom


def _atom_response(
    request: web.Request, body: bytes, changes: Sequence[ChangeEntry]
) -> web.StreamResponse:
    etag = strong_etag("atom", request.path, base_url(request), [c["id"] for c in changes])
    headers = {"ETag": etag, "Cache-Control": FEED_CACHE}
    if etag_matches(request, etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=ATOM_TYPE, charset="utf-8", headers=headers)


async def site_feed(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    site = site_or_404(request)
    name = site["site"]
    changes = latest_changes(store, site_id=site["id"], limit=FEED_ENTRIES)
    base = base_url(request)
    body = render_feed(
        feed_id=f"{base}/feeds/sites/{name}.atom",
        title=f"Privacy policy changes of {name} — Clausewatch",
        self_url=f"{base}/feeds/sites/{name}.atom",
        alternate=f"{base}/sites/{name}",
        changes=changes,
        base=base,
    )
    return _atom_response(request, body, changes)


async def material_feed(request: web.Request) -> web.StreamResponse:
    changes = latest_changes(request.app[keys.STORE], material=True, limit=FEED_ENTRIES)
    base = base_url(request)
    body = render_feed(
        feed_id=f"{base}/feeds/material.atom",
        title="Material privacy policy changes — Clausewatch",
        self_url=f"{base}/feeds/material.atom",
        alternate=f"{base}/",
        changes=changes,
        base=base,
    )
    return _atom_response(request, body, changes)
