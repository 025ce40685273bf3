"""The SSRF guard: the server fetches only public http(s) addresses (DESIGN.md, invariants).

A URL is checked twice: its scheme and any literal IP host before a request (aiohttp never
asks a resolver about a literal), and every resolved address inside the connector's
resolver. The resolver hands the connector only the addresses it checked, so the TCP
connection goes to them — there is no second lookup an attacker's DNS could answer
differently (DNS rebinding). TLS SNI and the Host header still carry the hostname.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges `is_global` lets through or that deserve a name of their own in the refusal.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# IETF protocol assignments: not globally reachable save two anycast services.
_IETF = ipaddress.ip_network("192.0.0.0/24")
_IETF_GLOBAL = {ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10")}

# A lookup answers (address, family) pairs for a hostname; tests and the bench inject
# their own so "a hostname resolving to a private address" needs no real DNS.
Lookup = Callable[[str, int, int], Awaitable[list[tuple[str, int]]]]


class AddressRefused(OSError):
    """A URL the guard will not fetch: not http(s), or an address that is not public."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: refused ({reason})")
        self.host = host
        self.reason = reason


def refusal_reason(address: str | IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address, or None when it is."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 one reaches that IPv4 host.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = refusal_reason(embedded)
            return f"embeds {embedded}, {inner}" if inner else None
        if ip.teredo is not None or ip in _NAT64_LOCAL:
            return "tunnel"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared address space (CGNAT)"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _IETF and ip not in _IETF_GLOBAL:
        return "IETF protocol assignment"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not global"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses may be connected to: public ones, plus what is explicitly allowed.

    ``allow_private`` lifts the guard (tests on loopback); ``allow_networks`` exempts only
    the listed networks (e.g. one internal mirror), which is the narrower switch.
    """

    allow_private: bool = False
    allow_networks: tuple[str, ...] = ()
    _networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        nets = tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_networks)
        object.__setattr__(self, "_networks", nets)

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why a connection to ``address`` is refused under this policy, or None."""
        if self.allow_private:
            return None
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        if any(ip.version == net.version and ip in net for net in self._networks):
            return None
        return refusal_reason(ip)


def check_url(url: URL, policy: AddressPolicy) -> None:
    """Raise AddressRefused unless ``url`` is http(s) with a host we may connect to.

    Hostnames are checked later, by GuardedResolver, on the addresses they resolve to.
    """
    if url.scheme not in ("http", "https"):
        raise AddressRefused(str(url), f"scheme {url.scheme or 'missing'!r} is not http(s)")
    host = url.raw_host
    if not host:
        raise AddressRefused(str(url), "no host")
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    reason = policy.refusal(ip)
    if reason:
        raise AddressRefused(host, reason)


class SystemLookup:
    """The machine's resolver, through the event loop's getaddrinfo."""

    async def __call__(self, host: str, port: int, family: int) -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        return [(sockaddr[0], fam) for fam, _, _, _, sockaddr in infos]


class StaticLookup:
    """A fixed hostname -> addresses table; any other name fails like a DNS miss."""

    def __init__(self, table: Mapping[str, str | Sequence[str]]) -> None:
        self._table = {
            name.lower().rstrip("."): [addrs] if isinstance(addrs, str) else list(addrs)
            for name, addrs in table.items()
        }

    async def __call__(self, host: str, port: int, family: int) -> list[tuple[str, int]]:
        addrs = self._table.get(host.lower().rstrip("."))
        if not addrs:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: name not known")
        out = []
        for addr in addrs:
            fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
            if family in (socket.AF_UNSPEC, fam):
                out.append((addr, fam))
        return out


class GuardedResolver(AbstractResolver):
    """Resolves once, refuses if ANY address is not public, returns the checked addresses.

    Refusing on any (not all) bad address closes the trick of a name that answers one
    public and one private address and lets the connector pick.
    """

    def __init__(self, lookup: Lookup | None = None, policy: AddressPolicy | None = None) -> None:
        self._lookup = lookup or SystemLookup()
        self._policy = policy or AddressPolicy()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._lookup(host, port, family)
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no address")
        results: list[ResolveResult] = []
        for address, fam in found:
            reason = self._policy.refusal(address)
            if reason:
                raise AddressRefused(host, f"resolves to {address}, {reason}")
            results.append(
                ResolveResult(hostname=host, host=address, port=port, family=fam, proto=0, flags=0)
            )
        return results

    async def close(self) -> None:
        return None
