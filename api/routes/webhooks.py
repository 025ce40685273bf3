"""Webhook registrations: create (token and secret shown once), read, change, delete.

Managing a registration needs its id and `Authorization: Bearer <token>`; the token is
compared by its sha256 in constant time, and a wrong token gets the same 404 as an
unknown id, so one registration learns nothing about another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import json_response, positive_int, read_json_body
from api.shapes import Webhook, WebhookCreated
from api.webhooks import new_secret
from db.webhooks import add_webhook, delete_webhook, get_webhook, update_webhook
from monitor.admission import TargetRefused, check_resolves_public, parse_site, parse_url

MAX_BODY = 16 * 1024
MAX_SITES = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def view(hook: dict[str, Any]) -> Webhook:
    """What its owner may see of a registration (never the token, the secret only once)."""
    return {
        "id": hook["id"],
        "url": hook["url"],
        "sites": hook["sites"],
        "active": hook["active"],
        "failures": hook["failures"],
        "last_attempt_at": hook["last_attempt_at"],
        "last_status": hook["last_status"],
        "last_error": hook["last_error"],
        "disabled_reason": hook["disabled_reason"],
        "created_at": hook["created_at"],
    }


async def _checked_url(request: web.Request, raw: object) -> str:
    allow = request.app[keys.SETTINGS].allow_private_addresses
    try:
        target = parse_url(raw, allow_private=allow)  # type: ignore[arg-type]
        await check_resolves_public(target.host, request.app.get(keys.LOOKUP), allow_private=allow)
    except TargetRefused as exc:
        raise Problem(400, "Webhook URL refused", str(exc)) from None
    return target.url or ""


def _checked_sites(request: web.Request, raw: object) -> list[str]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_SITES:
        raise Problem(400, "Bad sites", f"sites must be a list of 1 to {MAX_SITES} domains")
    allow = request.app[keys.SETTINGS].allow_private_addresses
    sites: list[str] = []
    for item in raw:
        try:
            site = parse_site(item, allow_private=allow).site
        except TargetRefused as exc:
            raise Problem(400, "Bad sites", str(exc)) from None
        if site not in sites:
            sites.append(site)
    return sites


async def register(request: web.Request) -> web.StreamResponse:
    body = await read_json_body(request, limit=MAX_BODY)
    if set(body) - {"url", "sites"}:
        raise Problem(400, "Bad webhook", 'send {"url": "https://…", "sites": ["example.com"]}')
    url = await _checked_url(request, body.get("url"))
    sites = _checked_sites(request, body.get("sites"))
    token, secret = secrets.token_urlsafe(32), new_secret()
    hook = add_webhook(
        request.app[keys.STORE], url=url, sites=sites, token_sha256=token_hash(token), secret=secret
    )
    answer: WebhookCreated = {**view(hook), "token": token, "secret": secret}
    location = f"/api/v1/webhooks/{hook['id']}"
    return json_response(
        request, answer, status=201, headers={"Location": location, "Cache-Control": "no-store"}
    )


def _owned(request: web.Request) -> dict:
    """The registration named in the path, if the bearer token is its own."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        exc = Problem(401, "Unauthorized", "send Authorization: Bearer <the webhook's token>")
        exc.problem.headers["WWW-Authenticate"] = 'Bearer realm="clausewatch"'
        raise exc
    webhook_id = positive_int(request.match_info["id"], "webhook id")
    hook = get_webhook(request.app[keys.STORE], webhook_id)
    given = token_hash(token.strip())
    stored = hook["token_sha256"] if hook else "0" * 64
    if not hmac.compare_digest(given, stored) or hook is None:
        raise Problem(404, "Unknown webhook", "no webhook with this id and token")
    return hook


async def show(request: web.Request) -> web.StreamResponse:
    hook = _owned(request)
    return json_response(request, view(hook), headers={"Cache-Control": "no-store"})


async def change(request: web.Request) -> web.StreamResponse:
    hook = _owned(request)
    body = await read_json_body(request, limit=MAX_BODY)
    if not body or set(body) - {"url", "sites", "active"}:
        raise Problem(400, "Bad webhook change", "send any of url, sites, active")
    fields: dict = {}
    if "url" in body:
        fields["url"] = await _checked_url(request, body["url"])
    if "sites" in body:
        fields["sites"] = _checked_sites(request, body["sites"])
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise Problem(400, "Bad webhook change", "active must be true or false")
        fields["active"] = body["active"]
        if body["active"]:
            # Re-enabled by its owner: a fresh start at the event it was stuck on.
            fields.update(failures=0, next_attempt_at=None, disabled_reason=None)
    store = request.app[keys.STORE]
    update_webhook(store, hook["id"], **fields)
    changed = get_webhook(store, hook["id"])
    if changed is None:  # deleted by its owner meanwhile
        raise Problem(404, "Unknown webhook", "no webhook with this id and token")
    return json_response(request, view(changed), headers={"Cache-Control": "no-store"})


async def remove(request: web.Request) -> web.StreamResponse:
    hook = _owned(request)
    delete_webhook(request.app[keys.STORE], hook["id"])
    return web.Response(status=204, headers={"Cache-Control": "no-store"})
