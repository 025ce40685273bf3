"""robots.txt: fetched once per origin through the guarded client, kept for a while, obeyed.

A robots.txt that is missing or forbidden (4xx) allows everything; one we cannot read
(5xx, or 429 "slow down") disallows everything until it is fetched again, because a server
in trouble is the one we should least add load to. When the origin itself cannot be reached
or is refused by the SSRF guard, the page fetch reports that instead. Failures are remembered for a
shorter time than answers so a passing outage does not stop checks for a day.

Rules are read as RFC 9309 says (protego): `*` and `$` in paths, and the longest matching
rule wins, so `Allow: /privacy` under `Disallow: /` allows the policy.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from protego import Protego
from yarl import URL

if TYPE_CHECKING:
    from monitor.fetch import FetchResult

Clock = Callable[[], float]
RobotsFetch = Callable[[URL], Awaitable["FetchResult"]]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says, or the rule standing in for it."""

    parser: Protego | None
    allow_all: bool
    note: str  # why these rules: "robots.txt", "no robots.txt (404)", "robots.txt unreadable"...
    # The origin itself failed (refused-address, or unreachable with no HTTP answer):
    # any URL there would fail the same way, so the page fetch reports this instead.
    failure: str | None = None

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def allows(self, user_agent: str, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, user_agent)


def rules_from_result(result: FetchResult) -> RobotsRules:
    """The rules an answer to GET /robots.txt stands for."""
    if result.outcome in ("ok", "moved") and result.status is not None and result.status < 300:
        parser = Protego.parse(result.body.decode("utf-8", errors="replace"))
        return RobotsRules(parser, True, "robots.txt")
    status = result.status
    if result.outcome == "refused-address" or (result.outcome == "unreachable" and status is None):
        return RobotsRules(None, False, result.error or result.outcome, failure=result.outcome)
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsRules(None, True, f"no robots.txt ({status})")
    if result.outcome == "too-large":
        return RobotsRules(None, True, "robots.txt too large, ignored")
    why = f"HTTP {status}" if status else (result.error or result.outcome)
    return RobotsRules(None, False, f"robots.txt unreadable ({why})")


def origin(url: URL) -> str:
    return f"{url.scheme}://{url.raw_host}:{url.port}"


class RobotsCache:
    """robots.txt rules per origin, fetched at most once at a time and kept ``ttl`` seconds."""

    def __init__(
        self,
        fetch: RobotsFetch,
        *,
        user_agent: str,
        ttl: float = 24 * 3600,
        failure_ttl: float = 600,
        clock: Clock = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._user_agent = user_agent
        self._ttl = ttl
        self._failure_ttl = min(failure_ttl, ttl)
        self._clock = clock
        self._entries: dict[str, tuple[float, RobotsRules]] = {}
        self._pending: dict[str, asyncio.Future[RobotsRules]] = {}

    async def rules(self, url: URL) -> RobotsRules:
        key = origin(url)
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self._clock():
            return entry[1]
        pending = self._pending.get(key)
        if pending is not None:
            # Concurrent checks of one origin share a single robots.txt fetch.
            return await asyncio.shield(pending)
        future: asyncio.Future[RobotsRules] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            result = await self._fetch(url.with_path("/robots.txt").with_query(None))
            rules = rules_from_result(result)
            ttl = self._ttl if rules.parser is not None or rules.allow_all else self._failure_ttl
            self._entries[key] = (self._clock() + ttl, rules)
            future.set_result(rules)
            return rules
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            # Nobody may be waiting; mark the exception retrieved so asyncio does not warn.
            future.exception()
            raise
        finally:
            del self._pending[key]

    async def allowed(self, url: URL) -> tuple[bool, RobotsRules]:
        rules = await self.rules(url)
        return rules.allows(self._user_agent, str(url)), rules
