"""Operator calls: what only the person running this copy may change over HTTP.

Authenticated with `Authorization: Bearer <operator token>`, the token set in
CLAUSEWATCH_OPERATOR_TOKEN (none set: every operator call answers 403, so a server nobody
configured for it exposes no write). Compared by sha256 in constant time, as webhook
tokens are (api/routes/webhooks.py). The public calls never take these fields: one
`render: always` costs a browser page at every check of a document.
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import json_response, positive_int, read_json_body
from api.shapes import SiteDocument
from db.reads import version_counts
from db.rows import RENDER_MODES, Document, SiteRow
from monitor.domains import DomainError, normalize_domain
from monitor.renderchoice import fetched_with

MAX_BODY = 1024


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def require_operator(request: web.Request) -> None:
    """Go on only for the operator's bearer token; else a 401 (missing, wrong) or a 403
    (operator calls are off: no token configured)."""
    configured = request.app[keys.SETTINGS].operator_token
    if not configured:
        raise Problem(
            403, "Operator calls are off", "this server has no CLAUSEWATCH_OPERATOR_TOKEN set"
        )
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        _digest(token.strip()), _digest(configured)
    ):
        exc = Problem(401, "Unauthorized", "send Authorization: Bearer <the operator token>")
        exc.problem.headers["WWW-Authenticate"] = 'Bearer realm="clausewatch-operator"'
        raise exc


def _document(request: web.Request) -> tuple[SiteRow, Document]:
    """The site and the document of the path (any state: the operator sees them all)."""
    store = request.app[keys.STORE]
    try:
        name = normalize_domain(request.match_info["site"])
    except DomainError:
        raise Problem(400, "Bad site", "site must be a domain name such as example.com") from None
    document_id = positive_int(request.match_info["id"], "document id")
    site = store.get_site(name)
    document = store.get_document(document_id) if site else None
    if site is None or document is None or document["site_id"] != site["id"]:
        raise Problem(404, "Unknown document", f"{name} has no document {document_id}")
    return site, document


async def change_document(request: web.Request) -> web.StreamResponse:
    """PATCH a document's fetch setting: `{"render": "auto" | "always" | "never"}`.

    A new setting forgets what `auto` decided and the last render's fingerprint, as
    `track --render` does; the same setting again changes nothing."""
    require_operator(request)
    site, document = _document(request)
    body = await read_json_body(request, limit=MAX_BODY)
    render = body.get("render")
    if set(body) != {"render"} or render not in RENDER_MODES:
        raise Problem(
            400, "Bad document change", f'send {{"render": one of {", ".join(RENDER_MODES)}}}'
        )
    store = request.app[keys.STORE]
    store.add_document(site["id"], document["url"], kind=document["kind"], render=render)
    changed = store.get_document(document["id"])
    if changed is None:  # removed meanwhile
        raise Problem(404, "Unknown document", f"{site['site']} has no document {document['id']}")
    answer: SiteDocument = {
        "id": changed["id"],
        "kind": changed["kind"],
        "url": changed["url"],
        "status": changed["status"],
        "last_checked_at": changed["last_checked_at"],
        "versions": version_counts(store, site["id"]).get(changed["id"], 0),
        "versions_url": f"/api/v1/sites/{site['site']}/documents/{changed['id']}/versions",
        "render": changed["render"],
        "fetched_with": fetched_with(changed),
    }
    return json_response(request, answer, headers={"Cache-Control": "no-store"})
