"""The SSRF guard: only public http(s) addresses, checked after DNS and on every hop."""

from __future__ import annotations

import socket
import ssl

import pytest
import trustme
from aiohttp import web

from monitor.fetch import Fetcher, FetchPolicy
from monitor.netguard import (
    AddressPolicy,
    AddressRefused,
    GuardedResolver,
    StaticLookup,
    check_url,
    host_address,
    refusal_reason,
)

NOT_PUBLIC = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.251",
    "255.255.255.255",
    "192.0.0.8",
    "198.18.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "2001::1",  # Teredo
    "fec0::1",  # site-local, deprecated (Python calls it global)
    "feff::1",
    "::7f00:1",  # IPv4-compatible ::127.0.0.1
    "::a00:1",  # IPv4-compatible ::10.0.0.1
    "::ffff:0:7f00:1",  # IPv4-translated (RFC 2765) 127.0.0.1
    "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64
    "3fff::1",  # documentation (RFC 9637)
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_refused(address):
    assert refusal_reason(address) is not None
    assert AddressPolicy().refusal(address) is not None
    assert AddressPolicy(allow_private=True).refusal(address) is None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert refusal_reason(address) is None


def test_allow_networks_exempts_only_those_networks():
    policy = AddressPolicy(allow_networks=("127.0.0.1/32",))
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("127.0.0.2") == "loopback"
    assert policy.refusal("::1") == "loopback"


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/", "gopher://example.com/", "http://10.1.2.3/"],
)
def test_check_url_refuses_other_schemes_and_private_literals(url):
    from yarl import URL

    with pytest.raises(AddressRefused):
        check_url(URL(url), AddressPolicy())


# Every way WHATWG URL and inet_aton spell 127.0.0.1, 10.0.0.1, 169.254.169.254 and 0.0.0.0.
NUMERIC_SPELLINGS = {
    "2130706433": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "0177.0.0.01": "127.0.0.1",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "0X7F.0.0.1": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "017700000001": "127.0.0.1",
    "127.000.000.001": "127.0.0.1",
    "127.0.0.1.": "127.0.0.1",
    "127.1.": "127.0.0.1",
    "0": "0.0.0.0",
    "0x0": "0.0.0.0",
    "0x": "0.0.0.0",
    "00": "0.0.0.0",
    "167772161": "10.0.0.1",
    "10.1": "10.0.0.1",
    "012.0.0.1": "10.0.0.1",
    "0xa.0.0.1": "10.0.0.1",
    "2852039166": "169.254.169.254",
    "0xa9fea9fe": "169.254.169.254",
    "169.254.43518": "169.254.169.254",
    "0251.0376.0251.0376": "169.254.169.254",
}


@pytest.mark.parametrize(("spelling", "address"), NUMERIC_SPELLINGS.items())
def test_numeric_ipv4_spellings_are_read_as_the_address_and_refused(spelling, address):
    from yarl import URL

    assert str(host_address(spelling)) == address
    with pytest.raises(AddressRefused) as refused:
        check_url(URL(f"http://{spelling}:8080/latest/meta-data/"), AddressPolicy())
    assert refused.value.reason == refusal_reason(address)
    check_url(URL(f"http://{spelling}/"), AddressPolicy(allow_private=True))


@pytest.mark.parametrize(
    "host",
    [
        "08.1.1.1",
        "1.2.3.09",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.65536",
        "example.0x7f",
        "a..1",
        "127%2e0%2e0%2e1",
        "4294967296",
    ],
)
def test_hosts_that_end_in_a_number_but_are_no_address_are_refused(host):
    """A browser refuses these URLs; guessing a hostname is how guard and fetcher disagree."""
    from yarl import URL

    with pytest.raises(AddressRefused):
        check_url(URL(f"http://{host}/"), AddressPolicy(allow_private=False))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[::127.0.0.1]", "::7f00:1"),
        ("[64:ff9b::127.0.0.1]", "64:ff9b::7f00:1"),
        ("[::ffff:0:127.0.0.1]", "::ffff:0:7f00:1"),
        ("[0:0:0:0:0:ffff:7f00:1]", "::ffff:7f00:1"),
        ("[fec0::1]", "fec0::1"),
    ],
)
def test_ipv6_spellings_of_private_hosts_are_refused(host, address):
    from yarl import URL

    assert str(host_address(host)) == address
    with pytest.raises(AddressRefused):
        check_url(URL(f"http://{host}/"), AddressPolicy())


@pytest.mark.parametrize("host", ["１２７．０．０．１", "127。0。0。1", "①②⑦.0.0.1", "０ｘ７ｆ.1"])
def test_unicode_spellings_normalised_by_idna_are_refused_too(host):
    from yarl import URL

    with pytest.raises(AddressRefused, match="loopback"):
        check_url(URL(f"http://{host}/"), AddressPolicy())


@pytest.mark.parametrize("host", ["example.com", "1.example.com", "a.b.c.d1", "xn--bcher-kva.de"])
def test_hostnames_stay_hostnames(host):
    assert host_address(host) is None


async def test_numeric_spellings_are_refused_before_any_lookup_or_connection(origin):
    """The guard itself refuses, before DNS: the fetcher's verdict does not depend on
    how a resolver or the HTTP client (aiohttp < 3.14.1 did not) reads the spelling."""
    server, seen = origin
    asked: list[str] = []
    static = StaticLookup({"www.public.test": "127.0.0.1"})

    async def lookup(host, port, family):
        asked.append(host)
        return await static(host, port, family)

    base = f"http://www.public.test:{server.port}"
    async with _fetcher(lookup=lookup, allow_networks=("127.0.0.1/32",)) as fetcher:
        for spelling in ("167772161", "10.1", "0xa.0.0.1", "2852039166", "0", "[::a00:1]"):
            target = f"http://{spelling}:{server.port}/policy"
            result = await fetcher.fetch(f"{base}/redirect?to={target}")
            assert result.outcome == "refused-address", (spelling, result)
    # Loopback itself, without the exemption the public-looking site needed above.
    async with _fetcher(lookup=lookup) as fetcher:
        for spelling in ("2130706433", "127.1", "0177.0.0.1", "0x7f.1"):
            result = await fetcher.fetch(f"http://{spelling}:{server.port}/policy")
            assert result.outcome == "refused-address", (spelling, result)
    assert set(asked) == {"www.public.test"}
    assert "/policy" not in seen


async def test_resolver_refuses_a_numeric_spelling_handed_to_it_as_a_name():
    resolver = GuardedResolver(StaticLookup({}), AddressPolicy())
    with pytest.raises(AddressRefused, match="loopback"):
        await resolver.resolve("2130706433", 80)


async def test_resolver_refuses_if_any_address_is_private():
    lookup = StaticLookup({"mixed.test": ["93.184.216.34", "10.0.0.9"]})
    resolver = GuardedResolver(lookup, AddressPolicy())
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.9, private"):
        await resolver.resolve("mixed.test", 443, socket.AF_UNSPEC)
    allowed = GuardedResolver(lookup, AddressPolicy(allow_private=True))
    hosts = await allowed.resolve("mixed.test", 443, socket.AF_UNSPEC)
    assert [h["host"] for h in hosts] == ["93.184.216.34", "10.0.0.9"]
    assert all(h["hostname"] == "mixed.test" and h["port"] == 443 for h in hosts)


async def test_resolver_returns_the_checked_addresses_for_metadata_host_with_switch():
    lookup = StaticLookup({"metadata.test": "169.254.169.254"})
    with pytest.raises(AddressRefused, match="link-local"):
        await GuardedResolver(lookup, AddressPolicy()).resolve("metadata.test", 80)
    hosts = await GuardedResolver(lookup, AddressPolicy(allow_private=True)).resolve(
        "metadata.test", 80
    )
    assert [h["host"] for h in hosts] == ["169.254.169.254"]


# --- end to end: a real server on loopback ------------------------------------------


@pytest.fixture
async def origin(aiohttp_server):
    """A loopback site whose /to-private/<target> redirects to an internal address."""
    seen: list[str] = []

    async def page(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(
            text="<html><body><p>policy</p></body></html>", content_type="text/html"
        )

    async def to_private(request: web.Request) -> web.Response:
        seen.append(request.path)
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/robots.txt", page)
    app.router.add_get("/policy", page)
    app.router.add_get("/redirect", to_private)
    server = await aiohttp_server(app)
    return server, seen


def _fetcher(*, lookup=None, **policy) -> Fetcher:
    policy.setdefault("min_host_delay", 0)
    policy.setdefault("connect_timeout", 2)
    return Fetcher(FetchPolicy(**policy), lookup=lookup)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/policy",
        "http://10.0.0.1:{port}/policy",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/policy",
        "http://[::ffff:127.0.0.1]:{port}/policy",
        "http://internal.test:{port}/policy",
        "http://localhost.test:{port}/policy",
    ],
)
async def test_private_targets_are_refused_by_default(origin, url):
    server, seen = origin
    lookup = StaticLookup({"internal.test": "10.20.30.40", "localhost.test": "127.0.0.1"})
    async with _fetcher(lookup=lookup) as fetcher:
        result = await fetcher.fetch(url.format(port=server.port))
    assert result.outcome == "refused-address", result
    assert result.status is None and result.body == b""
    assert seen == []  # not even robots.txt was asked


async def test_public_looking_url_redirecting_to_private_is_refused(origin):
    server, seen = origin
    # The site itself is let through by a narrow exemption; everything else stays guarded.
    lookup = StaticLookup({"www.public.test": "127.0.0.1", "intranet.test": "192.168.0.10"})
    base = f"http://www.public.test:{server.port}"
    async with _fetcher(lookup=lookup, allow_networks=("127.0.0.1/32",)) as fetcher:
        assert (await fetcher.fetch(f"{base}/policy")).outcome == "ok"
        for target in (
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://[::1]/",
            f"http://intranet.test:{server.port}/",
            "file:///etc/passwd",
        ):
            result = await fetcher.fetch(f"{base}/redirect?to={target}")
            assert result.outcome == "refused-address", (target, result)
            assert [h.status for h in result.redirects] == [302]
            assert result.final_url.startswith(target.split("/")[0])
    assert seen.count("/redirect") == 5


async def test_loopback_is_allowed_with_the_switch(origin):
    server, _ = origin
    lookup = StaticLookup({"site.test": "127.0.0.1"})
    async with _fetcher(lookup=lookup, allow_private=True) as fetcher:
        for url in (
            f"http://127.0.0.1:{server.port}/policy",
            f"http://site.test:{server.port}/policy",
            f"http://site.test:{server.port}/redirect?to=http://127.0.0.1:{server.port}/policy",
        ):
            result = await fetcher.fetch(url)
            assert result.outcome == "ok", result
            assert b"policy" in result.body


async def test_ipv6_loopback_is_allowed_with_the_switch():
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")

    async def six(request: web.Request) -> web.Response:
        return web.Response(text="six")

    app = web.Application()
    app.router.add_get("/", six)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "::1", 0)
        try:
            await site.start()
        except OSError:
            pytest.skip("cannot bind ::1")
        port = runner.addresses[0][1]
        async with _fetcher(allow_private=True) as fetcher:
            result = await fetcher.fetch(f"http://[::1]:{port}/")
        assert result.outcome == "ok" and result.body == b"six"
        async with _fetcher() as fetcher:
            assert (await fetcher.fetch(f"http://[::1]:{port}/")).outcome == "refused-address"
    finally:
        await runner.cleanup()


async def test_connection_goes_to_the_address_that_was_checked(origin):
    """A name that answers a checked address first and a private one later (DNS
    rebinding) is never looked up a second time for the same connection."""
    server, seen = origin
    answers = iter(["127.0.0.1"] + ["10.66.66.66"] * 10)
    calls = []

    async def rebinding(host, port, family):
        calls.append(host)
        address = next(answers)
        return [(address, socket.AF_INET)]

    async with _fetcher(lookup=rebinding, allow_networks=("127.0.0.1/32",)) as fetcher:
        result = await fetcher.fetch(f"http://rebind.test:{server.port}/policy")
    assert result.outcome == "ok", result
    assert calls == ["rebind.test"]
    assert seen == ["/robots.txt", "/policy"]


@pytest.mark.parametrize(
    "url", ["http://2130706433/", "http://127.1/", "not a url", "/relative/path", "ftp://x.test/"]
)
async def test_odd_urls_are_refused_not_raised(url):
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(url)
    assert result.outcome == "refused-address", result
    assert result.error


async def test_tls_verifies_the_hostname_while_connecting_to_the_checked_address():
    """The connection goes to the address the guard checked (127.0.0.1), yet TLS sends
    the hostname as SNI and verifies the certificate against it, not against the IP."""
    ca = trustme.CA()
    cert = ca.issue_cert("secure.test")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    sni: list[str | None] = []
    server_ctx.sni_callback = lambda sock, name, ctx: sni.append(name)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.host.split(':')[0]}")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
        await site.start()
        port = runner.addresses[0][1]
        lookup = StaticLookup({"secure.test": "127.0.0.1", "other.test": "127.0.0.1"})
        fetcher = Fetcher(
            FetchPolicy(allow_private=True, min_host_delay=0, connect_timeout=2),
            lookup=lookup,
            ssl_context=client_ctx,
        )
        async with fetcher:
            good = await fetcher.fetch(f"https://secure.test:{port}/policy")
            wrong_name = await fetcher.fetch(f"https://other.test:{port}/policy")
            by_ip = await fetcher.fetch(f"https://127.0.0.1:{port}/policy")
    finally:
        await runner.cleanup()
    assert good.outcome == "ok" and good.body == b"hello secure.test"
    assert "secure.test" in sni
    # a certificate for secure.test is no good for another name, nor for the bare address
    assert wrong_name.outcome == "unreachable" and "certificate" in wrong_name.error.lower()
    assert by_ip.outcome == "unreachable"
