"""The viewer's pages: home, site, change, compare, version and search, plus HTML errors.

Handlers read the store (short indexed queries) and hand plain data to Jinja templates with
autoescape on, so policy text is always text. Everything works without JavaScript: modes and
the material-only filter are query parameters (`?mode=side|inline`, `?material=1`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote, urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web

from api import keys
from api.comparisons import COMPARISONS, Busy, TooLarge
from api.comparisons import install as install_comparisons
from api.problems import Handler, Problem, wants_html
from api.routes.common import parse_flag, parse_id, public_site
from api.viewer.chart import change_chart
from api.viewer.diffview import diff_view
from api.viewer.pages import environment
from api.viewer.text import capture_url, highlight, safe_href
from db import Store
from db.reads import public_sites_containing, tracked_site_count
from db.rows import ChangeRow, Document, SiteRow, SnapshotRow, VersionKey, VersionRow
from monitor.domains import DomainError

HERE = Path(__file__).parent
JINJA = web.AppKey("viewer_jinja", jinja2.Environment)
MAX_QUERY = 200
RECENT = 15
SEARCH_LIMIT = 50
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")

log = logging.getLogger("clausewatch.viewer")

# Policy text is escaped by the templates; this is the second line of defence should a
# template ever slip: no inline script, no foreign script, no plugins, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


# -- addresses -------------------------------------------------------------------------


def site_path(site: str) -> str:
    return f"/sites/{quote(site, safe='')}"


def change_path(site: str, change_id: int, **query: str) -> str:
    tail = f"?{urlencode(query)}" if query else ""
    return f"{site_path(site)}/changes/{change_id}{tail}"


def version_path(site: str, version_id: int) -> str:
    return f"{site_path(site)}/versions/{version_id}"


def compare_path(site: str, old: int, new: int, **query: str) -> str:
    return f"{site_path(site)}/compare?{urlencode({'from': old, 'to': new, **query})}"


def feed_path(site: str) -> str:
    return f"/feeds/sites/{quote(site, safe='')}.atom"


# -- request parsing -------------------------------------------------------------------


def _id(value: str | None, what: str) -> int:
    if value is None or value == "":
        raise web.HTTPBadRequest(text=f"The {what} is missing.")
    parsed = parse_id(value)  # the API's integer parse: same ids valid in both
    if parsed is None:
        raise web.HTTPBadRequest(text=f"“{value[:40]}” is not a {what}: ids are whole numbers.")
    return parsed


def _choice(request: web.Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.query.get(name, default)
    if value not in allowed:
        raise web.HTTPBadRequest(
            text=f"{name}={value[:40]} is not understood; use one of: {', '.join(allowed)}."
        )
    return value


def _flag(request: web.Request, name: str) -> bool:
    value = request.query.get(name, "").lower()
    flag = parse_flag(value, TRUE, FALSE)
    if flag is not None:
        return flag
    raise web.HTTPBadRequest(text=f"{name}={value[:40]} is not understood; use {name}=1 or 0.")


def _store(request: web.Request) -> Store:
    return request.app[keys.STORE]


def _site(request: web.Request) -> SiteRow:
    name = request.match_info["site"]
    try:
        _, site = public_site(_store(request), name)  # the API's: one notion of a public site
    except DomainError:
        site = None
    if site is None:
        raise web.HTTPNotFound(text=f"Clausewatch does not track “{name[:80]}”.")
    return site


def _document_of_site(store: Store, site: SiteRow, document_id: int) -> Document:
    doc = store.get_document(document_id)
    if doc is None or doc["site_id"] != site["id"]:
        raise web.HTTPNotFound(text=f"{site['site']} has no such document.")
    return doc


def _version_of_site(store: Store, site: SiteRow, version_id: int) -> tuple[VersionRow, Document]:
    version = store.get_version(version_id)
    if version is None:
        raise web.HTTPNotFound(text=f"{site['site']} has no version {version_id}.")
    try:
        doc = _document_of_site(store, site, version["document_id"])
    except web.HTTPNotFound:
        raise web.HTTPNotFound(text=f"{site['site']} has no version {version_id}.") from None
    return version, doc


# -- what pages share ------------------------------------------------------------------


def _numbers(versions: Sequence[VersionKey]) -> dict[int, int]:
    """Version id -> its number in the document (v1 … vN by first capture): the one
    numbering every page shows; database ids never appear as version numbers."""
    return {v["id"]: n for n, v in enumerate(versions, 1)}


# (short, long) names of how a capture was obtained (db.store.SOURCES).
_SOURCE_LABELS = {
    "live": ("Live", "live fetch"),
    "live-rendered": ("Live, rendered", "live fetch, rendered in a browser"),
    "wayback": ("Wayback", "Wayback Machine"),
    "wayback-rendered": ("Wayback, rendered", "Wayback Machine, rendered in a browser"),
}


def _capture(settings_wayback: str, snapshot: SnapshotRow | None, doc: Document) -> dict | None:
    """A capture as the pages show it: when, where from, and a link to look at it."""
    if snapshot is None:
        return None
    return {
        "captured_at": snapshot["captured_at"],
        "source": snapshot["source"],
        "source_label": _SOURCE_LABELS.get(snapshot["source"], ("", "live fetch"))[1],
        "source_short": _SOURCE_LABELS.get(snapshot["source"], ("Live", ""))[0],
        "url": capture_url(settings_wayback, snapshot, doc["url"]),
    }


def _snapshot_at(
    snapshots: list[SnapshotRow], version_id: int, captured_at: str
) -> SnapshotRow | None:
    exact = [
        s for s in snapshots if s["version_id"] == version_id and s["captured_at"] == captured_at
    ]
    if exact:
        return exact[0]
    of_version = [s for s in snapshots if s["version_id"] == version_id]
    return of_version[0] if of_version else None


def _render(request: web.Request, name: str, context: dict, status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(name, request, context, app_key=JINJA, status=status)


# -- pages -----------------------------------------------------------------------------


async def home(request: web.Request) -> web.Response:
    store = _store(request)
    counts = store.counts()
    return _render(
        request,
        "home.html",
        {
            "site_count": tracked_site_count(store),
            "version_count": counts["versions"],
            "change_count": counts["changes"],
            "recent": store.recent_changes(material=True, limit=RECENT),
        },
    )


def _timeline(store: Store, wayback: str, site: SiteRow, doc: Document) -> dict:
    versions = store.versions_of_document(doc["id"])
    changes = store.changes_of_document(doc["id"])
    snapshots = store.snapshots_of_document(doc["id"])
    sizes = store.version_sizes(doc["id"])
    into: dict[int, ChangeRow] = {}
    for c in changes:
        into.setdefault(c["to_version_id"], c)
    rows = []
    for n, v in enumerate(versions, 1):
        first = next((s for s in snapshots if s["version_id"] == v["id"]), None)
        rows.append(
            {
                "number": n,
                "version": v,
                "capture": _capture(wayback, first, doc),
                "size": sizes.get(v["id"], {}),
                "change": into.get(v["id"]),
            }
        )
    times = [t for v in versions for t in (v["first_captured_at"], v["last_captured_at"]) if t]
    chart = None
    if times and changes:
        chart = change_chart(
            changes, min(times), max(times), lambda c: change_path(site["site"], c["id"])
        )
    return {
        "document": doc,
        "document_href": safe_href(doc["url"]),
        "rows": rows,
        "changes": list(reversed(changes)),
        "material_count": sum(c["material"] for c in changes),
        "chart": chart,
        "compare_from": versions[-2]["id"] if len(versions) > 1 else None,
        "compare_to": versions[-1]["id"] if versions else None,
        "failed_captures": sum(1 for s in snapshots if s["error"]),
    }


async def site_page(request: web.Request) -> web.Response:
    store = _store(request)
    site = _site(request)
    wayback = request.app[keys.SETTINGS].wayback_url
    documents = [_timeline(store, wayback, site, d) for d in store.documents_of_site(site["id"])]
    return _render(
        request,
        "site.html",
        {"site": site, "documents": documents, "feed": feed_path(site["site"])},
    )


def _view_options(request: web.Request) -> tuple[str, bool]:
    return _choice(request, "mode", ("side", "inline"), "side"), _flag(request, "material")


def _mode_links(make: Callable[..., str], mode: str, material_only: bool) -> dict:
    """The links that switch mode or filter while keeping the other setting."""
    keep = {"material": "1"} if material_only else {}
    return {
        "side": make(mode="side", **keep),
        "inline": make(mode="inline", **keep),
        "all": make(mode=mode),
        "material": make(mode=mode, material="1"),
    }


async def change_page(request: web.Request) -> web.Response:
    store = _store(request)
    site = _site(request)
    change_id = _id(request.match_info["id"], "change id")
    mode, material_only = _view_options(request)
    change = store.change_by_id(change_id)
    if change is None or change["site"] != site["site"]:
        raise web.HTTPNotFound(text=f"{site['site']} has no change {change_id}.")
    doc = _document_of_site(store, site, change["document_id"])
    siblings = store.changes_of_document(doc["id"])
    at = next(i for i, c in enumerate(siblings) if c["id"] == change_id)
    snapshots = store.snapshots_of_document(doc["id"])
    numbers = _numbers(store.versions_of_document(doc["id"]))
    wayback = request.app[keys.SETTINGS].wayback_url
    name = site["site"]
    keep = {"mode": mode, **({"material": "1"} if material_only else {})}
    return _render(
        request,
        "change.html",
        {
            "site": site,
            "document": doc,
            "document_href": safe_href(doc["url"]),
            "change": change,
            "archive_href": safe_href(change.get("archive_url")),
            "view": diff_view(change["comparison"] or {}, material_only=material_only),
            "mode": mode,
            "links": _mode_links(
                lambda **q: change_path(name, change_id, **q), mode, material_only
            ),
            "before": {
                "label": "Before",
                "version_id": change["from_version_id"],
                "number": numbers.get(change["from_version_id"]),
                "href": version_path(name, change["from_version_id"]),
                "capture": _capture(
                    wayback,
                    _snapshot_at(snapshots, change["from_version_id"], change["from_captured_at"]),
                    doc,
                ),
            },
            "after": {
                "label": "After",
                "version_id": change["to_version_id"],
                "number": numbers.get(change["to_version_id"]),
                "href": version_path(name, change["to_version_id"]),
                "capture": _capture(
                    wayback,
                    _snapshot_at(snapshots, change["to_version_id"], change["to_captured_at"]),
                    doc,
                ),
            },
            "previous": (
                {**siblings[at - 1], "href": change_path(name, siblings[at - 1]["id"], **keep)}
                if at > 0
                else None
            ),
            "next": (
                {**siblings[at + 1], "href": change_path(name, siblings[at + 1]["id"], **keep)}
                if at + 1 < len(siblings)
                else None
            ),
            "position": at + 1,
            "of": len(siblings),
        },
    )


async def compare_page(request: web.Request) -> web.Response:
    store = _store(request)
    site = _site(request)
    old_id = _id(request.query.get("from"), "version id to compare from")
    new_id = _id(request.query.get("to"), "version id to compare to")
    mode, material_only = _view_options(request)
    old, old_doc = _version_of_site(store, site, old_id)
    new, new_doc = _version_of_site(store, site, new_id)
    if old_doc["id"] != new_doc["id"]:
        raise web.HTTPBadRequest(text="These two versions belong to different documents.")
    try:
        comparison = await request.app[COMPARISONS].between(store, old, new)
    except TooLarge as exc:
        raise web.HTTPUnprocessableEntity(text=f"Too large to compare here: {exc}.") from None
    except Busy as exc:
        raise web.HTTPServiceUnavailable(
            text=f"Too many comparisons at once: {exc}.",
            headers={"Retry-After": str(math.ceil(exc.retry_after))},
        ) from None
    snapshots = store.snapshots_of_document(old_doc["id"])
    wayback = request.app[keys.SETTINGS].wayback_url
    name = site["site"]
    versions = store.versions_of_document(old_doc["id"])
    numbers = _numbers(versions)

    def side(label: str, version: VersionRow) -> dict:
        first = next((s for s in snapshots if s["version_id"] == version["id"]), None)
        return {
            "label": label,
            "version_id": version["id"],
            "number": numbers[version["id"]],
            "href": version_path(name, version["id"]),
            "capture": _capture(wayback, first, old_doc),
        }

    return _render(
        request,
        "change.html",
        {
            "site": site,
            "document": old_doc,
            "document_href": safe_href(old_doc["url"]),
            "change": None,
            "archive_href": None,
            "view": diff_view(comparison, material_only=material_only),
            "mode": mode,
            "links": _mode_links(
                lambda **q: compare_path(name, old_id, new_id, **q), mode, material_only
            ),
            "before": side("From", old),
            "after": side("To", new),
            "versions": versions,
            "compare_from": old_id,
            "compare_to": new_id,
            "previous": None,
            "next": None,
        },
    )


async def version_page(request: web.Request) -> web.Response:
    store = _store(request)
    site = _site(request)
    version_id = _id(request.match_info["id"], "version id")
    version, doc = _version_of_site(store, site, version_id)
    versions = store.versions_of_document(doc["id"])
    at = next(i for i, v in enumerate(versions) if v["id"] == version_id)
    wayback = request.app[keys.SETTINGS].wayback_url
    captures = [
        _capture(wayback, s, doc)
        for s in store.snapshots_of_document(doc["id"])
        if s["version_id"] == version_id
    ]
    name = site["site"]
    clauses = [
        {**c, "position": i, "level": min(len(c["section"]) + 1, 6)}
        for i, c in enumerate(version["clauses"])
    ]
    return _render(
        request,
        "version.html",
        {
            "site": site,
            "document": doc,
            "document_href": safe_href(doc["url"]),
            "version": version,
            "number": at + 1,
            "of": len(versions),
            "clauses": clauses,
            "captures": captures,
            "previous": versions[at - 1] if at > 0 else None,
            "next": versions[at + 1] if at + 1 < len(versions) else None,
            "compare_previous": compare_path(name, versions[at - 1]["id"], version_id)
            if at > 0
            else None,
        },
    )


async def search_page(request: web.Request) -> web.Response:
    store = _store(request)
    q = " ".join(request.query.get("q", "").split())[:MAX_QUERY]
    sites, hits, truncated = [], [], False
    if q:
        needle = q.lower()
        sites = public_sites_containing(store, needle)
        rows = store.search_clauses(q, limit=SEARCH_LIMIT)
        for group in group_hits(rows):
            first = group[0]
            hits.append(
                {
                    **first,
                    "pieces": highlight(first["text"], q),
                    "href": _clause_href(first),
                    "versions": [
                        {"href": _clause_href(r), "first_captured_at": r["first_captured_at"]}
                        for r in group
                    ],
                }
            )
        truncated = len(rows) == SEARCH_LIMIT
    return _render(
        request,
        "search.html",
        {"q": q, "sites": sites, "hits": hits, "truncated": q and truncated},
    )


def _clause_href(row: dict) -> str:
    return f"{version_path(row['site'], row['version_id'])}#c{row['position']}"


def group_hits(rows: list[dict]) -> list[list[dict]]:
    """Search rows grouped by document and clause text, best first; each group oldest first.

    A clause usually survives many versions unchanged: one result that names its versions
    reads better than the same sentence repeated.
    """
    groups: dict[tuple[int, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["document_id"], row["text"]), []).append(row)
    return [
        sorted(g, key=lambda r: (r["first_captured_at"] or "", r["version_id"]))
        for g in groups.values()
    ]


STATIC = {p.name: p for p in (HERE / "static").iterdir() if p.suffix in (".css", ".js")}


async def static_file(request: web.Request) -> web.FileResponse:
    # Only the files shipped here, so a miss is an ordinary 404 page (aiohttp's static
    # route answers a missing file with an empty body no middleware sees).
    path = STATIC.get(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound(text="There is no such file.")
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


# -- errors ----------------------------------------------------------------------------

_FRIENDLY = {
    400: "The address is not quite right.",
    404: "There is no page at this address.",
    405: "This page cannot be used that way.",
}


def _error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return _render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


@web.middleware
async def html_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors on the viewer's addresses as pages; the API's stay problem documents."""
    if not wants_html(request):
        return await handler(request)
    try:
        response = await handler(request)
    except Problem:
        raise  # a route that chose a problem document keeps it
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        default = f"{exc.status}: {exc.reason}"
        message = exc.text if exc.text and exc.text != default else ""
        response = _error_page(
            request, exc.status, exc.reason, message or _FRIENDLY.get(exc.status, "")
        )
        for name in ("Allow", "Retry-After"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
    except Exception:
        log.exception("viewer failed on %s %s", request.method, request.path)
        response = _error_page(
            request,
            500,
            "Something went wrong",
            "The failure has been logged. Please try again later.",
        )
    if response.content_type == "text/html":
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


# -- mounting --------------------------------------------------------------------------


def _globals() -> dict:
    return {
        "site_path": site_path,
        "change_path": change_path,
        "version_path": version_path,
        "compare_path": compare_path,
        "feed_path": feed_path,
    }


def setup(app: web.Application) -> None:
    env = environment()
    env.globals.update(_globals())
    app[JINJA] = env
    install_comparisons(app)
    # Inner to the problem middleware, which lets errors on non-API paths through to here.
    app.middlewares.append(html_errors)
