"""Rate limits: a token bucket per client and route class, answered with 429 + Retry-After.

A client is an IPv4 address or an IPv6 /64 (`client_key`).

The classes separate what is cheap and public (the extension's reads, which a CDN should
carry anyway) from what names a site or creates state (tracking requests, webhook
registrations) and what costs CPU (search, compare). The clock is injected so tests can
move time instead of sleeping.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from api import keys
from api.problems import Handler, problem, wants_html
from api.routetable import API_PREFIXES, find


@dataclass(frozen=True, slots=True)
class Rule:
    """`burst` requests at once, refilled at `per_second`."""

    burst: float
    per_second: float


DEFAULT_RULES: dict[str, Rule] = {
    "read": Rule(burst=600, per_second=200),
    # A person searches or compares a few times a minute; a burst covers paging back and forth.
    "costly": Rule(burst=20, per_second=1),
    "track": Rule(burst=10, per_second=1 / 60),
    "webhook": Rule(burst=10, per_second=1 / 60),
    # The operator setting documents one by one; a wrong token costs a guess from it too.
    "operator": Rule(burst=60, per_second=1),
}


def route_class(method: str, path: str) -> str | None:
    """Which bucket a request draws from (its route's, api/routetable.py); None for what is
    never limited. A preflight is never limited; a request under the API's prefixes that no
    route serves (404, 405) draws from "read", so probing for paths is not free."""
    if method == "OPTIONS":
        return None
    route = find(method, path)
    if route is not None:
        return route.rate
    return "read" if path.startswith(API_PREFIXES) else None


class RateLimiter:
    """Token buckets keyed by (client, class), at most `max_clients` remembered (LRU)."""

    def __init__(
        self,
        rules: dict[str, Rule] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.rules = dict(DEFAULT_RULES if rules is None else rules)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()

    def take(self, client: str, cls: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        rule = self.rules.get(cls)
        if rule is None:
            return 0.0
        now = self.clock()
        key = (client, cls)
        tokens, then = self._buckets.pop(key, (rule.burst, now))
        tokens = min(rule.burst, tokens + (now - then) * rule.per_second)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rule.per_second
        self._buckets[key] = (tokens, now)
        # A forgotten client starts with a full bucket: the cost of bounding memory.
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


LIMITER = web.AppKey("rate_limiter", RateLimiter)
TRUSTED = web.AppKey("trusted_proxies", tuple)


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(raw: str) -> Networks:
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in raw.split(",") if n.strip())


def _trusted(address: str, networks: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a proxy reaching a dual-stack socket over IPv4
    return any(ip.version == n.version and ip in n for n in networks)


def client_address(request: web.Request, networks: Networks = ()) -> str:
    """The peer, or behind trusted proxies the last address in X-Forwarded-For they did not add.

    Walking from the right stops at the first untrusted hop: anything left of it was
    written by the client and proves nothing.
    """
    peer = request.remote or "?"
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def client_key(address: str) -> str:
    """The bucket key of a client address: IPv4 as is, IPv6 by its /64.

    One IPv6 subscriber is handed a whole /64 (RFC 6177) and can rotate through 2**64
    addresses, each with a fresh bucket; the /64 is the smallest unit one client holds.
    An IPv4-mapped address (a dual-stack socket's `::ffff:a.b.c.d`) is that IPv4 client.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@web.middleware
async def ratelimit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    cls = route_class(request.method, request.path)
    limiter = request.app.get(LIMITER)
    if cls is not None and limiter is not None:
        client = client_key(client_address(request, request.app.get(TRUSTED, ())))
        wait = limiter.take(client, cls)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            if cls == "costly" and wants_html(request):  # the viewer's pages: a page
                raise web.HTTPTooManyRequests(
                    text=f"Too many requests from this address; retry in {seconds} s.",
                    headers={"Retry-After": str(seconds)},
                )
            return problem(
                429,
                "Too Many Requests",
                f"too many {cls} requests from this address; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
    return await handler(request)


def setup(app: web.Application) -> None:
    """Install the limiter (replace `app[LIMITER]` before start to change rules or clock)."""
    app[LIMITER] = RateLimiter()
    settings = app.get(keys.SETTINGS)
    app[TRUSTED] = parse_networks(getattr(settings, "trusted_proxies", "") or "")
    app.middlewares.append(ratelimit_middleware)
