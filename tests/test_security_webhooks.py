"""Webhook signatures (issue 23, item 10): Standard Webhooks, so a captured delivery cannot
be replayed, and links in events on the real bound port (item 8).

`Receiver` is the example a webhook owner can copy (docs/security.md describes it): it
verifies `webhook-signature` over `{webhook-id}.{webhook-timestamp}.{body}`, refuses a
timestamp outside its tolerance window, a tampered body and an id it has already
processed. It is written from the specification, not from api.webhooks, and checked
against the specification's published test vector, so the two agreeing means a stock
Standard Webhooks library agrees too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from aiohttp import web
from apisupport import add_changes, make_app

from api.config import Settings
from api.service import start_site
from api.webhooks import DELIVERER, Deliverer, HttpSender, new_secret, sign, signing_key
from db import Store

# The test vector published with the Standard Webhooks specification.
VECTOR = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "body": b'{"test": 2432232314}',
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
TOLERANCE = timedelta(minutes=5)


class Rejected(Exception):
    pass


class Receiver:
    """A webhook receiver done right: signature, freshness, and each id processed once."""

    def __init__(self, secret: str, clock) -> None:
        raw = secret.removeprefix("whsec_")
        self.key = base64.b64decode(raw) if secret.startswith("whsec_") else secret.encode()
        self.clock = clock
        self.seen: set[str] = set()
        self.events: list[dict] = []

    def verify(self, headers, body: bytes) -> dict:
        msg_id = headers.get("webhook-id")
        stamp = headers.get("webhook-timestamp")
        given = headers.get("webhook-signature", "")
        if not msg_id or not stamp or not stamp.isdigit():
            raise Rejected("missing webhook-id or webhook-timestamp")
        sent = datetime.fromtimestamp(int(stamp), UTC)
        if abs(self.clock() - sent) > TOLERANCE:
            raise Rejected("timestamp outside the tolerance window")
        signed = f"{msg_id}.{stamp}.".encode() + body
        expected = base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest())
        # The header may carry several space-separated signatures (key rotation).
        ok = any(
            version == "v1" and hmac.compare_digest(sig.encode(), expected)
            for version, _, sig in (part.partition(",") for part in given.split())
        )
        if not ok:
            raise Rejected("bad signature")
        return json.loads(body)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            event = self.verify(request.headers, body)
        except Rejected as exc:
            return web.Response(status=401, text=str(exc))
        msg_id = request.headers["webhook-id"]
        if msg_id not in self.seen:  # a duplicate within the window: acknowledged, not redone
            self.seen.add(msg_id)
            self.events.append(event)
        return web.Response(status=204)


def test_our_signature_reproduces_the_specification_vector():
    v = VECTOR
    assert sign(v["secret"], v["id"], v["timestamp"], v["body"]) == v["signature"]


def test_the_example_receiver_accepts_the_specification_vector():
    v = VECTOR
    at = datetime.fromtimestamp(v["timestamp"], UTC)
    receiver = Receiver(v["secret"], clock=lambda: at)
    headers = {"webhook-id": v["id"], "webhook-timestamp": str(v["timestamp"])}
    headers["webhook-signature"] = "v1,bm9wZQ== " + v["signature"]  # a rotated-out key too
    assert receiver.verify(headers, v["body"]) == {"test": 2432232314}


def test_secrets_are_whsec_base64_of_32_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_") and len(signing_key(secret)) == 32
    assert new_secret() != secret
    # A secret issued before Standard Webhooks signing keys HMAC with its own bytes.
    assert signing_key("ab" * 32) == b"ab" * 32


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def delivered(aiohttp_client, aiohttp_server, store):
    """One real delivery to a Receiver on loopback, and what was captured of it."""
    now = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    app = make_app(store, allow_private_addresses=True)
    client = await aiohttp_client(app)
    captured: list[tuple[dict, bytes]] = []

    receiver_app = web.Application()
    receiver: Receiver | None = None

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        captured.append((dict(request.headers), body))
        assert receiver is not None
        return await receiver.handle(request)

    receiver_app.router.add_post("/hook", handle)
    server = await aiohttp_server(receiver_app)
    resp = await client.post(
        "/api/v1/webhooks", json={"url": str(server.make_url("/hook")), "sites": ["example.com"]}
    )
    hook = await resp.json()
    receiver = Receiver(hook["secret"], clock=lambda: now[0])
    add_changes(store, "example.com", 1, material=True)
    sender = HttpSender(allow_private=True)
    try:
        deliverer = Deliverer(
            store, sender=sender, base_url="https://cw.example", clock=lambda: now[0]
        )
        (outcome,) = await deliverer.run_once()
    finally:
        await sender.close()
    assert outcome.ok and outcome.status == 204
    ((headers, body),) = captured
    return SimpleNamespace(receiver=receiver, headers=headers, body=body, now=now, server=server)


async def replay(server, headers: dict, body: bytes) -> int:
    import aiohttp

    keep = {k: v for k, v in headers.items() if k.lower().startswith("webhook-")}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            server.make_url("/hook"),
            data=body,
            headers={**keep, "Content-Type": "application/json"},
        ) as resp,
    ):
        return resp.status


async def test_a_real_delivery_verifies_and_carries_the_standard_headers(delivered):
    d = delivered
    assert len(d.receiver.events) == 1 and d.receiver.events[0]["type"] == "change"
    assert d.headers["webhook-timestamp"] == str(int(d.now[0].timestamp()))
    assert d.headers["webhook-id"].startswith("msg_")
    assert d.headers["webhook-signature"].startswith("v1,")
    assert "X-Clausewatch-Signature" not in d.headers  # the replayable body-only signature


async def test_a_replay_outside_the_tolerance_window_is_refused(delivered):
    d = delivered
    d.now[0] += TOLERANCE + timedelta(seconds=1)
    assert await replay(d.server, d.headers, d.body) == 401
    assert len(d.receiver.events) == 1


async def test_a_replay_with_a_fresh_timestamp_does_not_verify(delivered):
    """The attacker cannot re-date a captured delivery: the timestamp is signed."""
    d = delivered
    d.now[0] += timedelta(hours=1)
    forged = {**d.headers, "webhook-timestamp": str(int(d.now[0].timestamp()))}
    assert await replay(d.server, forged, d.body) == 401
    assert len(d.receiver.events) == 1


async def test_a_replay_inside_the_window_is_a_duplicate_by_id(delivered):
    d = delivered
    d.now[0] += timedelta(seconds=30)
    assert await replay(d.server, d.headers, d.body) == 204
    assert len(d.receiver.events) == 1  # acknowledged, not processed twice


async def test_a_tampered_body_or_id_is_refused(delivered):
    d = delivered
    event = json.loads(d.body)
    event["change"]["material"] = not event["change"]["material"]
    tampered = json.dumps(event, separators=(",", ":")).encode()
    assert await replay(d.server, d.headers, tampered) == 401
    assert await replay(d.server, {**d.headers, "webhook-id": "msg_other"}, d.body) == 401
    assert len(d.receiver.events) == 1


async def test_a_retry_keeps_its_id_and_signs_a_fresh_timestamp(store):
    from db.webhooks import add_webhook

    hook = add_webhook(
        store,
        url="https://hooks.example.com/cw",
        sites=["example.com"],
        token_sha256="0" * 64,
        secret=new_secret(),
    )
    add_changes(store, "example.com", 1)  # owed: made after the registration
    now = [datetime(2026, 3, 1, tzinfo=UTC)]
    sent: list[dict] = []

    async def sender(url, body, headers):
        sent.append(headers)
        return 500 if len(sent) == 1 else 204

    deliverer = Deliverer(store, sender=sender, base_url="https://cw.example", clock=lambda: now[0])
    await deliverer.run_once()
    now[0] += timedelta(minutes=1)
    await deliverer.run_once()
    first, second = sent
    assert first["webhook-id"] == second["webhook-id"]
    assert int(second["webhook-timestamp"]) - int(first["webhook-timestamp"]) == 60
    assert first["webhook-signature"] != second["webhook-signature"]
    assert hook["id"]


# -- item 8: event links on the port really bound --------------------------------------


async def test_event_links_use_the_bound_port_under_port_0(aiohttp_server, tmp_path):
    """`clausewatch serve --port 0` without a public URL: links read the real port, not :0."""
    receiver_app = web.Application()
    got: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        got.append(await request.read())
        return web.Response(status=204)

    receiver_app.router.add_post("/hook", handle)
    receiver = await aiohttp_server(receiver_app)
    with Store.open(tmp_path / "cw.db") as store:
        settings = Settings(
            db_path=store.path, host="127.0.0.1", port=0, allow_private_addresses=True
        )
        from api.app import create_app
        from api.service import add_webhook_delivery
        from api.webhooks import DELIVERY_INTERVAL

        app = create_app(settings, store=store)
        add_webhook_delivery(app)
        app[DELIVERY_INTERVAL] = None
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            url = await start_site(runner, settings)
            port = runner.addresses[0][1]
            assert port != 0 and url == f"http://127.0.0.1:{port}"
            from db.webhooks import add_webhook

            add_webhook(
                store,
                url=str(receiver.make_url("/hook")),
                sites=["example.com"],
                token_sha256="0" * 64,
                secret=new_secret(),
            )
            (change_id,) = add_changes(store, "example.com", 1)
            (outcome,) = await app[DELIVERER].run_once()
            assert outcome.ok, outcome
        finally:
            await runner.cleanup()
    (body,) = got
    link = json.loads(body)["change"]["url"]
    assert link == f"http://127.0.0.1:{port}/sites/example.com/changes/{change_id}"


def test_the_verifier_in_docs_security_md_accepts_the_vector_and_refuses_the_rest(monkeypatch):
    """The receiver code people will copy from the docs is run, not just shown."""
    import re
    import time
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", doc, re.S)
    namespace: dict = {}
    exec(code, namespace)
    verify = namespace["verify"]
    v = VECTOR
    headers = {
        "webhook-id": v["id"],
        "webhook-timestamp": str(v["timestamp"]),
        "webhook-signature": v["signature"],
    }
    monkeypatch.setattr(time, "time", lambda: v["timestamp"] + 60)
    verify(v["secret"], headers, v["body"])
    with pytest.raises(ValueError, match="signature"):
        verify(v["secret"], headers, v["body"].replace(b"2432232314", b"2432232315"))
    monkeypatch.setattr(time, "time", lambda: v["timestamp"] + 301)
    with pytest.raises(ValueError, match="tolerance"):
        verify(v["secret"], headers, v["body"])
