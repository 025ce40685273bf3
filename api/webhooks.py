"""Webhook delivery: signed change events, retried with backoff, disabled after repeated failure.

Each registration is owed, in feed order, every announced change (``db.ANNOUNCED_ORIGINS``:
history reconstructed from the archive is not news) of its sites after the point where it
registered. One event is in flight per registration; it is retried after
``base_delay * 2**(failures-1)`` (capped at ``max_delay``) and, after ``max_attempts``
consecutive failures, the registration is disabled until its owner re-enables it.

Deliveries follow Standard Webhooks (https://www.standardwebhooks.com): ``webhook-id``
(one per event and registration, the same on every retry), ``webhook-timestamp`` (Unix
seconds of this attempt) and ``webhook-signature: v1,<base64 HMAC-SHA256>`` of
``{id}.{timestamp}.{body}``. Signing the id and the time with the body is what lets a
receiver refuse a captured delivery replayed later (outside its tolerance window) or
again (an id it has seen); a signature of the body alone verified forever. The secret is
``whsec_<base64 key>``; docs/security.md shows a receiver's checks.

Targets obey the fetcher's SSRF rules: the URL is checked before each delivery and the
connection goes only to addresses the guarded resolver checked. The sender and the clock
are injected, so tests neither sleep nor need the network.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from api import keys
from api.baseurl import BASE_URL
from api.routes.common import change_json
from db import ANNOUNCED_ORIGINS, Store, utc_iso
from db.changes import next_change_for
from db.rows import ChangeEntry
from db.webhooks import due_webhooks, update_webhook
from monitor.netguard import AddressPolicy, AddressRefused, GuardedResolver, Lookup, check_url

log = logging.getLogger("clausewatch.webhooks")

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
# 32 random bytes: inside the 24..64 bytes Standard Webhooks asks for.
SECRET_BYTES = 32
# (url, body, headers) -> HTTP status; raising counts as a failed attempt.
Sender = Callable[[str, bytes, dict[str, str]], Awaitable[int]]
Clock = Callable[[], datetime]


def new_secret() -> str:
    """A registration's signing secret, as Standard Webhooks libraries take it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret: the bytes after `whsec_`, base64-decoded.

    A secret without the prefix (registrations made before Standard Webhooks signing,
    shown to their owners as 64 hex digits) keys HMAC with its own UTF-8 bytes; a
    Standard Webhooks library takes it as `whsec_` + base64 of those bytes.
    """
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error:
            pass  # not one we issued: fall through to its raw bytes
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def message_id(webhook_id: int, change_id: int) -> str:
    """One id per (registration, change): the same on every retry, so a receiver that
    remembers ids drops a duplicate and a replay."""
    return f"msg_{webhook_id}_{change_id}"


def event_body(webhook_id: int, change: ChangeEntry, base_url: str) -> bytes:
    payload = change_json(change)
    payload["url"] = base_url.rstrip("/") + payload["url"]
    event = {"type": "change", "webhook_id": webhook_id, "change": payload}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class HttpSender:
    """POSTs through a guarded connector: public addresses only, no redirects, a timeout."""

    def __init__(
        self, *, allow_private: bool, lookup: Lookup | None = None, timeout_s: float = 10.0
    ) -> None:
        self.policy = AddressPolicy(allow_private=allow_private)
        self.lookup = lookup
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        check_url(URL(url), self.policy)
        if self._session is None:
            resolver = GuardedResolver(self.lookup, self.policy)
            connector = aiohttp.TCPConnector(resolver=resolver, limit=20)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        try:
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as resp:
                return resp.status
        except aiohttp.ClientConnectorError as exc:
            # The guard's refusal is the useful reason, not "cannot connect".
            if isinstance(exc.os_error, AddressRefused):
                raise exc.os_error from None
            raise

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


@dataclass
class Outcome:
    webhook_id: int
    change_id: int
    ok: bool
    status: int | None
    error: str | None


class Deliverer:
    """Delivers what registrations are owed; `run_once` is one pass, `run` loops."""

    def __init__(
        self,
        store: Store,
        *,
        sender: Sender,
        base_url: str | Callable[[], str],
        clock: Clock | None = None,
        max_attempts: int = 6,
        base_delay: timedelta = timedelta(seconds=30),
        max_delay: timedelta = timedelta(hours=1),
        per_pass: int = 20,
    ) -> None:
        self.store = store
        self.sender = sender
        self.base_url = base_url
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.per_pass = per_pass

    def backoff(self, failures: int) -> timedelta:
        delay: timedelta = self.base_delay * (2 ** max(0, failures - 1))
        return min(self.max_delay, delay)

    async def run_once(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for hook in due_webhooks(self.store, utc_iso(self.clock())):
            outcomes += await self._deliver_owed(hook)
        return outcomes

    async def _deliver_owed(self, hook: dict) -> list[Outcome]:
        outcomes: list[Outcome] = []
        cursor, failures = hook["cursor"], hook["failures"]
        for _ in range(self.per_pass):
            change, reached = next_change_for(self.store, cursor, hook["sites"], ANNOUNCED_ORIGINS)
            if change is None:
                if reached != cursor:
                    update_webhook(self.store, hook["id"], cursor=reached)
                break
            outcome = await self._attempt(hook, change)
            outcomes.append(outcome)
            now = self.clock()
            state: dict = {
                "last_attempt_at": utc_iso(now),
                "last_status": outcome.status,
                "last_error": outcome.error,
            }
            if outcome.ok:
                cursor, failures = change["id"], 0
                update_webhook(
                    self.store, hook["id"], cursor=cursor, failures=0, next_attempt_at=None, **state
                )
                continue
            failures += 1
            if failures >= self.max_attempts:
                state.update(
                    active=False,
                    next_attempt_at=None,
                    disabled_reason=f"{failures} consecutive failed deliveries",
                )
            else:
                state["next_attempt_at"] = utc_iso(now + self.backoff(failures))
            update_webhook(self.store, hook["id"], failures=failures, **state)
            break
        return outcomes

    def _base(self) -> str:
        # Read at each delivery: under `--port 0` the port is known only once bound.
        return self.base_url() if callable(self.base_url) else self.base_url

    async def _attempt(self, hook: dict[str, Any], change: ChangeEntry) -> Outcome:
        body = event_body(hook["id"], change, self._base())
        msg_id = message_id(hook["id"], change["id"])
        # A fresh timestamp (and so signature) each attempt: a retry is not a replay.
        timestamp = int(self.clock().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Clausewatch-Webhook/1",
            "X-Clausewatch-Event": "change",
            ID_HEADER: msg_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(hook["secret"], msg_id, timestamp, body),
        }
        try:
            status = await self.sender(hook["url"], body, headers)
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            return Outcome(hook["id"], change["id"], False, None, str(exc)[:200] or "failed")
        ok = 200 <= status < 300
        return Outcome(hook["id"], change["id"], ok, status, None if ok else f"HTTP {status}")

    async def run(self, interval_s: float) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a bad pass must not end deliveries for good
                log.exception("webhook delivery pass failed")
            await asyncio.sleep(interval_s)


DELIVERER = web.AppKey("webhook_deliverer", Deliverer)
# Seconds between delivery passes; None (tests) starts no background task.
DELIVERY_INTERVAL: web.AppKey[float | None] = web.AppKey("webhook_delivery_interval")


async def delivery_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the delivery loop with the app; stop it (and its HTTP session) on cleanup."""
    settings = app[keys.SETTINGS]
    own_sender = None
    if DELIVERER not in app:
        own_sender = HttpSender(allow_private=settings.allow_private_addresses)
        # The public URL, else the bound address (the real port under `--port 0`).
        app[DELIVERER] = Deliverer(
            app[keys.STORE], sender=own_sender, base_url=app[BASE_URL].current
        )
    interval = app.get(DELIVERY_INTERVAL, 5.0)
    task = asyncio.create_task(app[DELIVERER].run(interval)) if interval else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if own_sender is not None:
        await own_sender.close()
