"""Webhooks: registration and isolation, signed deliveries to a real receiver on loopback,
retries with backoff on an injected clock, disabling, and the SSRF rules for targets."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from apisupport import add_changes, make_app

from api.keys import LOOKUP
from api.service import add_webhook_delivery
from api.webhooks import DELIVERER, DELIVERY_INTERVAL, Deliverer, HttpSender
from db import Store
from db.webhooks import get_webhook
from monitor.netguard import StaticLookup

PUBLIC = "93.184.215.14"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def client(aiohttp_client, store):
    app = make_app(store)
    app[LOOKUP] = StaticLookup(
        {
            "hooks.example.com": PUBLIC,
            "internal.example.com": "10.20.30.40",
            "rebind.example.com": [PUBLIC, "127.0.0.1"],
        }
    )
    return await aiohttp_client(app)


async def register(client, url="https://hooks.example.com/cw", sites=("example.com",)):
    resp = await client.post("/api/v1/webhooks", json={"url": url, "sites": list(sites)})
    assert resp.status == 201, await resp.text()
    return await resp.json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Receiver:
    """A real HTTP server on 127.0.0.1:0 that records what it receives."""

    def __init__(self, statuses=()):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses = list(statuses)
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        self.got.set()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 204)


@pytest.fixture
async def receiver(aiohttp_server):
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    server = await aiohttp_server(app)
    rec.url = str(server.make_url("/hook"))
    return rec


# -- registration and isolation ---------------------------------------------------------


async def test_register_shows_token_and_secret_once_and_stores_the_token_hashed(client, store):
    body = await register(client, sites=["Example.com", "www.example.com", "other.org"])
    assert body["sites"] == ["example.com", "other.org"]
    assert body["active"] is True and body["url"] == "https://hooks.example.com/cw"
    row = get_webhook(store, body["id"])
    assert row["token_sha256"] == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in json.dumps(row)
    shown = await (
        await client.get(f"/api/v1/webhooks/{body['id']}", headers=bearer(body["token"]))
    ).json()
    assert shown["id"] == body["id"] and "token" not in shown and "secret" not in shown


async def test_one_registration_cannot_see_change_or_delete_another(client, store):
    a = await register(client)
    b = await register(client, sites=["other.org"])
    path_a = f"/api/v1/webhooks/{a['id']}"
    for method, kwargs in [
        ("GET", {}),
        ("PATCH", {"json": {"url": "https://hooks.example.com/stolen"}}),
        ("DELETE", {}),
    ]:
        resp = await client.request(method, path_a, headers=bearer(b["token"]), **kwargs)
        assert resp.status == 404 and resp.content_type == "application/problem+json"
    assert get_webhook(store, a["id"])["url"] == "https://hooks.example.com/cw"
    # The same answer for an id that does not exist: nothing to learn by probing.
    ghost = await client.get("/api/v1/webhooks/9999", headers=bearer(b["token"]))
    assert ghost.status == 404
    unauth = await client.get(path_a)
    assert unauth.status == 401 and "Bearer" in unauth.headers["WWW-Authenticate"]
    assert (await client.get(path_a, headers={"Authorization": "Basic eDp5"})).status == 401


async def test_owner_patches_and_deletes(client, store):
    a = await register(client)
    path = f"/api/v1/webhooks/{a['id']}"
    resp = await client.patch(
        path, json={"sites": ["new.org"], "active": False}, headers=bearer(a["token"])
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["sites"] == ["new.org"] and body["active"] is False
    for bad in ({}, {"active": "yes"}, {"sites": []}, {"colour": "red"}, {"url": "ftp://x.com/"}):
        r = await client.patch(path, json=bad, headers=bearer(a["token"]))
        assert r.status == 400, bad
    assert (await client.delete(path, headers=bearer(a["token"]))).status == 204
    assert (await client.get(path, headers=bearer(a["token"]))).status == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://127.0.0.1:9000/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://internal.example.com/hook",
        "http://rebind.example.com/hook",
        "http://localhost/hook",
        "ftp://hooks.example.com/hook",
        "not a url",
    ],
)
async def test_webhook_targets_obey_the_ssrf_rules(client, store, url):
    resp = await client.post("/api/v1/webhooks", json={"url": url, "sites": ["example.com"]})
    assert resp.status == 400 and resp.content_type == "application/problem+json"
    assert store.reading().execute("SELECT count(*) FROM webhooks").fetchone()[0] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://hooks.example.com/cw"},
        {"url": "https://hooks.example.com/cw", "sites": []},
        {"url": "https://hooks.example.com/cw", "sites": "example.com"},
        {"url": "https://hooks.example.com/cw", "sites": ["10.0.0.1"]},
        {"url": "https://hooks.example.com/cw", "sites": [f"s{i}.com" for i in range(101)]},
        {"url": "https://hooks.example.com/cw", "sites": ["example.com"], "secret": "mine"},
    ],
)
async def test_bad_registrations(client, body):
    resp = await client.post("/api/v1/webhooks", json=body)
    assert resp.status == 400 and resp.content_type == "application/problem+json"


# -- delivery ---------------------------------------------------------------------------


async def test_delivery_is_signed_and_only_owed_changes_go_out(aiohttp_client, store, receiver):
    app = make_app(store, allow_private_addresses=True, public_url="https://cw.example")
    client = await aiohttp_client(app)
    add_changes(store, "example.com", 1)  # before registration: not owed
    hook = await register(client, url=receiver.url, sites=["example.com"])
    owed = add_changes(store, "example.com", 1, material=True, categories=("user-choice",))
    add_changes(store, "other.org", 1)  # another site
    add_changes(store, "example.com", 1, origin="backfill")  # history, not news
    sender = HttpSender(allow_private=True)
    deliverer = Deliverer(store, sender=sender, base_url="https://cw.example")
    try:
        outcomes = await deliverer.run_once()
    finally:
        await sender.close()
    assert [(o.change_id, o.ok) for o in outcomes] == [(owed[0], True)]
    ((headers, raw),) = receiver.requests
    # Standard Webhooks: HMAC-SHA256 of "{id}.{timestamp}.{body}" under the decoded secret
    # (tests/test_security_webhooks.py keeps a whole receiver, replay checks included).
    assert hook["secret"].startswith("whsec_")
    key = base64.b64decode(hook["secret"].removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + raw
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["webhook-signature"], expected)
    event = json.loads(raw)
    assert event["type"] == "change" and event["webhook_id"] == hook["id"]
    assert event["change"]["id"] == owed[0] and event["change"]["material"] is True
    assert event["change"]["url"] == f"https://cw.example/sites/example.com/changes/{owed[0]}"
    assert headers["webhook-id"] == f"msg_{hook['id']}_{owed[0]}"
    # Nothing more is owed: a second pass sends nothing.
    assert await deliverer.run_once() == []
    assert len(receiver.requests) == 1


async def test_retries_back_off_then_disable_and_owner_re_enables(client, store):
    hook = await register(client)
    change_id = add_changes(store, "example.com", 1)[0]
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    statuses = [500, 500, 503]
    calls = []

    async def sender(url, body, headers):
        calls.append(now[0])
        if statuses:
            return statuses.pop(0)
        return 200

    deliverer = Deliverer(
        store, sender=sender, base_url="https://cw.example", clock=lambda: now[0], max_attempts=3
    )
    assert [o.ok for o in await deliverer.run_once()] == [False]
    row = get_webhook(store, hook["id"])
    assert row["failures"] == 1 and row["next_attempt_at"] == "2025-01-01T00:00:30Z"
    assert row["last_status"] == 500 and row["last_error"] == "HTTP 500"
    now[0] += timedelta(seconds=29)
    assert await deliverer.run_once() == []  # not due yet
    now[0] += timedelta(seconds=1)
    await deliverer.run_once()
    assert get_webhook(store, hook["id"])["next_attempt_at"] == "2025-01-01T00:01:30Z"  # +60 s
    now[0] += timedelta(seconds=60)
    await deliverer.run_once()
    row = get_webhook(store, hook["id"])
    assert (
        row["active"] is False
        and row["failures"] == 3
        and "3 consecutive" in row["disabled_reason"]
    )
    now[0] += timedelta(days=1)
    assert await deliverer.run_once() == []  # disabled: nothing is tried
    assert len(calls) == 3
    resp = await client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"active": True}, headers=bearer(hook["token"])
    )
    assert (await resp.json())["active"] is True
    assert [(o.change_id, o.ok) for o in await deliverer.run_once()] == [(change_id, True)]
    row = get_webhook(store, hook["id"])
    assert row["failures"] == 0 and row["cursor"] == change_id


async def test_sender_exceptions_count_as_failures(client, store):
    await register(client)
    add_changes(store, "example.com", 1)

    async def sender(url, body, headers):
        raise ConnectionResetError("peer reset")

    deliverer = Deliverer(store, sender=sender, base_url="https://cw.example")
    (outcome,) = await deliverer.run_once()
    assert not outcome.ok and "peer reset" in outcome.error


async def test_the_sender_refuses_a_target_that_now_resolves_privately(store):
    sender = HttpSender(allow_private=False, lookup=StaticLookup({"hooks.example.com": "10.0.0.8"}))
    try:
        with pytest.raises(OSError, match=r"10\.0\.0\.8"):
            await sender("http://hooks.example.com/cw", b"{}", {})
        with pytest.raises(OSError, match="loopback"):
            await sender("http://127.0.0.1:1/cw", b"{}", {})
    finally:
        await sender.close()


async def test_the_app_runs_deliveries_in_the_background(aiohttp_client, store, receiver):
    app = make_app(store, allow_private_addresses=True)
    add_webhook_delivery(app)
    app[DELIVERY_INTERVAL] = 0.01
    client = await aiohttp_client(app)
    assert isinstance(app[DELIVERER], Deliverer)
    await register(client, url=receiver.url, sites=["example.com"])
    add_changes(store, "example.com", 1)
    await asyncio.wait_for(receiver.got.wait(), timeout=10)
    assert len(receiver.requests) == 1


async def test_a_change_racing_a_delete_answers_404_not_500(client, store, monkeypatch):
    # The owner deletes the registration (another request) between the update and the
    # re-read of a PATCH: the PATCH answers that the webhook is gone, not a crash.
    from api.routes import webhooks as routes
    from db.webhooks import delete_webhook, update_webhook

    hook = await register(client)

    def update_then_deleted(s, webhook_id, **fields):
        update_webhook(s, webhook_id, **fields)
        delete_webhook(s, webhook_id)

    monkeypatch.setattr(routes, "update_webhook", update_then_deleted)
    resp = await client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"active": False}, headers=bearer(hook["token"])
    )
    assert resp.status == 404 and resp.content_type == "application/problem+json"
