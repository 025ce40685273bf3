"""Rate-limit keys (issue 23, item 11): an IPv6 client is its /64, not its full address,
and an IPv4-mapped IPv6 address is the IPv4 client it maps.

One subscriber gets a whole /64 and may rotate through its 2**64 addresses; keyed by full
address, each one had a fresh bucket and the limits meant nothing over IPv6. The clients
here come through a trusted proxy on loopback (X-Forwarded-For), so any address family
can be played on 127.0.0.1.
"""

from __future__ import annotations

import pytest
from apisupport import make_app

from api.ratelimit import LIMITER, RateLimiter, Rule, client_key
from db import Store


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("::ffff:cb00:7105", "203.0.113.5"),
        ("?", "?"),
    ],
)
def test_client_key(address, key):
    assert client_key(address) == key


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        # The test client connects from 127.0.0.1: the trusted proxy.
        app = make_app(store, trusted_proxies="127.0.0.0/8")
        app[LIMITER] = RateLimiter({"track": Rule(2, 0.001)}, clock=lambda: 0.0)
        yield await aiohttp_client(app)


async def status(client, forwarded: str) -> int:
    # An unknown body is a 400 after the limiter has counted it; 429 is the limiter.
    resp = await client.post("/api/v1/sites", json={}, headers={"X-Forwarded-For": forwarded})
    return resp.status


async def test_rotating_addresses_in_one_ipv6_64_share_one_bucket(client):
    answers = [await status(client, f"2001:db8:77:1::{n:x}") for n in range(1, 6)]
    assert answers == [400, 400, 429, 429, 429]
    # The neighbouring /64 is another subscriber with its own bucket.
    assert await status(client, "2001:db8:77:2::1") == 400


async def test_an_ipv4_mapped_client_is_the_ipv4_client(client):
    assert await status(client, "198.51.100.20") == 400
    assert await status(client, "::ffff:198.51.100.20") == 400
    assert await status(client, "::ffff:c633:6414") == 429
    assert await status(client, "198.51.100.21") == 400


def test_a_trusted_proxy_is_recognised_through_a_dual_stack_socket():
    """A proxy at 10.0.0.5 reaching a server listening on `::` shows as ::ffff:10.0.0.5."""
    from api.ratelimit import _trusted, parse_networks

    networks = parse_networks("10.0.0.0/8")
    assert _trusted("10.0.0.5", networks)
    assert _trusted("::ffff:10.0.0.5", networks)
    assert not _trusted("::ffff:11.0.0.5", networks)
