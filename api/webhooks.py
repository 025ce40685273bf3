"""Webhook delivery: signed change events, retried with backoff, disabled after repeated failure.

Each registration is owed, in feed order, every announced change (``db.ANNOUNCED_ORIGINS``:
history reconstructed from the archive is not news) of its sites after the point where it
registered. One event is in flight per registration; it is retried after
``base_delay * 2**(failures-1)`` (capped at ``max_delay``) and, after ``max_attempts``
consecutive failures, the registration is disabled until its owner re-enables it.

The body is JSON; ``X-Clausewatch-Signature: sha256=<hex>`` is the HMAC-SHA256 of the raw
body under the registration's secret. Targets obey the fetcher's SSRF rules: the URL is
checked before each delivery and the connection goes only to addresses the guarded
resolver checked. The sender and the clock are injected, so tests neither sleep nor need
the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
from yarl import URL

from api import keys
from api.config import Settings
from api.routes.common import change_json
from db import ANNOUNCED_ORIGINS, Store, utc_iso
from db.webhooks import due_webhooks, next_change_for, update_webhook
from monitor.netguard import AddressPolicy, AddressRefused, GuardedResolver, Lookup, check_url

log = logging.getLogger("clausewatch.webhooks")

SIGNATURE_HEADER = "X-Clausewatch-Signature"
# (url, body, headers) -> HTTP status; raising counts as a failed attempt.
Sender = Callable[[str, bytes, dict[str, str]], Awaitable[int]]
Clock = Callable[[], datetime]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def event_body(webhook_id: int, change: dict, base_url: str) -> bytes:
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
        base_url: str,
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
        return min(self.max_delay, self.base_delay * (2 ** max(0, failures - 1)))

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

    async def _attempt(self, hook: dict, change: dict) -> Outcome:
        body = event_body(hook["id"], change, self.base_url)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Clausewatch-Webhook/1",
            "X-Clausewatch-Event": "change",
            # Stable across retries, so a receiver can drop a duplicate.
            "X-Clausewatch-Delivery": f"{hook['id']}-{change['id']}",
            SIGNATURE_HEADER: sign(hook["secret"], body),
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
DELIVERY_INTERVAL = web.AppKey("webhook_delivery_interval", object)


def _base_url(settings: Settings) -> str:
    return settings.public_url or f"http://{settings.host}:{settings.port}"


async def delivery_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the delivery loop with the app; stop it (and its HTTP session) on cleanup."""
    settings = app[keys.SETTINGS]
    own_sender = None
    if DELIVERER not in app:
        own_sender = HttpSender(allow_private=settings.allow_private_addresses)
        app[DELIVERER] = Deliverer(app[keys.STORE], sender=own_sender, base_url=_base_url(settings))
    interval = app.get(DELIVERY_INTERVAL, 5.0)
    task = asyncio.create_task(app[DELIVERER].run(interval)) if interval else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if own_sender is not None:
        await own_sender.close()
