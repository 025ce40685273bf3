"""Tracking requests, a site's page, a document's version timeline, and one version's clauses.

`POST /api/v1/sites` only validates and records the request (a site in state "pending",
plus a URL request when a policy URL was given: a document only once the tracking worker
verifies it, see monitor.tracking); the worker picks pending sites up for discovery and
backfill. It is the one call that names a site, so it is rate-limited, and its answer
reveals nothing that is not public (whether anyone asked before).
"""

from __future__ import annotations

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import (
    change_json,
    json_response,
    positive_int,
    public_version,
    read_json_body,
    site_or_404,
)
from api.shapes import Site, Timeline, TimelineVersion, Version, VersionMeta
from db.changes import latest_changes
from db.reads import add_pending_site, is_public, version_counts
from db.requests import add_request
from db.rows import VersionRow, VersionSummary
from monitor.admission import TargetRefused, check_resolves_public, parse_site, parse_url
from monitor.renderchoice import fetched_with

MAX_BODY = 4 * 1024
SITE_CACHE = "public, max-age=60"
VERSION_CACHE = "public, max-age=3600"


async def track(request: web.Request) -> web.StreamResponse:
    settings = request.app[keys.SETTINGS]
    allow = settings.allow_private_addresses
    body = await read_json_body(request, limit=MAX_BODY)
    given = {k for k in ("site", "url") if body.get(k) is not None}
    if len(given) != 1 or set(body) - {"site", "url"}:
        raise Problem(400, "Bad tracking request", 'send {"site": "example.com"} or {"url": "…"}')
    try:
        if "url" in given:
            target = parse_url(body["url"], allow_private=allow)
        else:
            target = parse_site(body["site"], allow_private=allow)
        await check_resolves_public(target.host, request.app.get(keys.LOOKUP), allow_private=allow)
    except TargetRefused as exc:
        raise Problem(400, "Site refused", str(exc)) from None
    store = request.app[keys.STORE]
    with store.write():
        site, _created = add_pending_site(store, target.site)
        if site["state"] == "failed":
            # Asked again: try again (the answer must not tell that it failed before).
            store.set_site_state(site["id"], "pending")
        public = is_public(store, site)
        known = {d["url"] for d in store.documents_of_site(site["id"])}
        asked = target.url is not None and target.url not in known
        if asked and target.url is not None:
            # Never a document straight away: the tracking worker admits it only once it is
            # verified as the site's privacy policy, or an operator approves it.
            add_request(store, site["id"], target.url)
    # The answer depends only on what is public: a site not (yet) tracked answers the same
    # 202 "pending" to a first request and to a repeat, so nobody learns what others asked.
    answer = {
        "site": site["site"],
        "status_url": f"/api/v1/sites/{site['site']}",
        "state": "tracked" if public else "pending",
    }
    return json_response(
        request,
        answer,
        status=200 if public and not asked else 202,
        headers={"Location": answer["status_url"], "Cache-Control": "no-store"},
    )


async def site_page(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    site = site_or_404(request)
    counts = version_counts(store, site["id"])
    body: Site = {
        "site": site["site"],
        "site_hash": site["site_hash"],
        "state": site["state"],
        "detail": site.get("state_detail"),
        "documents": [
            {
                "id": d["id"],
                "kind": d["kind"],
                "url": d["url"],
                "status": d["status"],
                "last_checked_at": d["last_checked_at"],
                "versions": counts.get(d["id"], 0),
                "versions_url": f"/api/v1/sites/{site['site']}/documents/{d['id']}/versions",
                "render": d.get("render") or "auto",
                "fetched_with": fetched_with(d),
            }
            for d in store.documents_of_site(site["id"])
        ],
        "changes": [change_json(c) for c in latest_changes(store, site_id=site["id"], limit=20)],
        "viewer_url": f"/sites/{site['site']}",
    }
    return json_response(request, body, cache=SITE_CACHE)


async def versions_timeline(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    site = site_or_404(request)
    doc_id = positive_int(request.match_info["id"], "document id")
    doc = store.get_document(doc_id)
    if doc is None or doc["site_id"] != site["id"]:
        raise Problem(404, "Unknown document", f"{site['site']} has no document {doc_id}")
    versions: list[TimelineVersion] = [
        {
            "id": v["id"],
            **_version_fields(v),
            "snapshots": v["snapshot_count"],
            "clauses": v["clause_count"],
            "url": f"/api/v1/versions/{v['id']}",
        }
        for v in store.versions_of_document(doc_id)
    ]
    body: Timeline = {
        "site": site["site"],
        "document": {"id": doc["id"], "kind": doc["kind"], "url": doc["url"]},
        "versions": versions,
    }
    return json_response(request, body, cache=SITE_CACHE)


def _version_fields(v: VersionSummary | VersionRow) -> VersionMeta:
    """What the timeline and a version's own page both say of a version."""
    return {
        "title": v["title"],
        "effective_date": v["effective_date"],
        "language": v["language"],
        "format": v["format"],
        "first_captured_at": v["first_captured_at"],
        "last_captured_at": v["last_captured_at"],
    }


async def version(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    version_id = positive_int(request.match_info["id"], "version id")
    v, doc = public_version(store, version_id)
    body: Version = {
        "id": v["id"],
        "document_id": v["document_id"],
        "site": doc["site"],
        **_version_fields(v),
        "clauses": [
            {"section": list(c["section"]), "kind": c["kind"], "text": c["text"]}
            for c in v["clauses"]
        ],
    }
    # A version's text never changes in place save by a reprocess: cache it longer.
    return json_response(request, body, cache=VERSION_CACHE)
