"""The SSRF guard: the server fetches only public http(s) addresses (DESIGN.md, invariants).

A URL is checked twice: its scheme and any literal IP host before a request (aiohttp never
asks a resolver about a literal), and every resolved address inside the connector's
resolver. A literal is read the way browsers (WHATWG URL) and the C library's inet_aton
read it, so `2130706433`, `0177.0.0.1`, `127.1`, `0x7f.1` and `0` are all 127.0.0.1 or
0.0.0.0 to the guard too, not hostnames to wave through.

The resolver hands the connector only the addresses it checked, so the TCP connection
goes to them — there is no second lookup an attacker's DNS could answer differently
(DNS rebinding). TLS SNI and the Host header still carry the hostname.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
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
# IPv4-compatible IPv6 (RFC 4291, deprecated): ::a.b.c.d, the IPv4 host in the low bits.
_IPV4_COMPAT = ipaddress.ip_network("::/96")
# RFC 2765's IPv4-translated form ::ffff:0:a.b.c.d, another spelling of an IPv4 host.
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
# Deprecated site-local unicast (RFC 3879): Python counts it global; it never is.
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
# The IPv6 documentation prefix added in RFC 9637, newer than Python's table.
_DOC_V6 = ipaddress.ip_network("3fff::/20")
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
        if ip in _IPV4_TRANSLATED or (ip in _IPV4_COMPAT and int(ip) > 1):
            # Never routed as such; whatever stack accepts them reaches the IPv4 host.
            return f"IPv4-compatible form of {ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)}"
        if ip.teredo is not None or ip in _NAT64_LOCAL:
            return "tunnel"
        if ip in _SITE_LOCAL:
            return "site-local (deprecated)"
        if ip in _DOC_V6:
            return "documentation"
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


_HEX_PART = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL_PART = re.compile(r"0[0-7]+")
_DECIMAL_PART = re.compile(r"[0-9]+")


def _ipv4_number(part: str) -> int | None:
    """One dotted part as WHATWG's "IPv4 number parser" (and inet_aton) reads it:
    0x-hex, 0-octal (`08` is no number), else decimal."""
    if _HEX_PART.fullmatch(part):
        return int(part[2:] or "0", 16)
    if part.startswith("0") and len(part) > 1:
        return int(part, 8) if _OCTAL_PART.fullmatch(part) else None
    if _DECIMAL_PART.fullmatch(part):
        return int(part)
    return None


def ipv4_spelling(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host spells in any numeric form, None for a hostname.

    Follows the WHATWG URL host parser: a host whose last label is a number (decimal,
    0x-hex or 0-octal) is an IPv4 address of one to four parts, the last part filling the
    remaining bytes (`127.1` = 127.0.0.1, `2130706433` = 127.0.0.1, `0` = 0.0.0.0). A
    host that ends in a number but is no valid address raises AddressRefused, as a
    browser refuses the URL: guessing there is how guards and fetchers come to disagree.
    """
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # one trailing dot, as in a fully qualified name
    last_part = parts[-1]
    # "Ends in a number": all digits (even a bad octal such as 08) or a valid 0x number.
    if not (last_part.isascii() and last_part.isdigit()) and _ipv4_number(last_part) is None:
        return None
    parsed = [_ipv4_number(p) for p in parts]
    numbers = [n for n in parsed if n is not None]
    if len(parts) > 4 or len(numbers) != len(parsed):
        raise AddressRefused(host, "a malformed numeric IPv4 address")
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise AddressRefused(host, "a numeric IPv4 address out of range")
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def host_address(host: str) -> IPAddress | None:
    """The IP address a URL host names in any spelling (IPv6 in brackets or not, numeric
    IPv4 forms, trailing dot), None for a hostname; AddressRefused for what no parser
    would take as either (percent-encoding, which browsers decode and resolvers do not)."""
    if "%" in host and ":" not in host:
        raise AddressRefused(host, "a percent-encoded host")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare.split("%", 1)[0])
        except ValueError:
            raise AddressRefused(host, "a malformed IPv6 address") from None
    return ipv4_spelling(bare)


def check_url(url: URL, policy: AddressPolicy) -> None:
    """Raise AddressRefused unless ``url`` is http(s) with a host we may connect to.

    A host that spells an IP address in any form is checked here as that address;
    hostnames are checked later, by GuardedResolver, on the addresses they resolve to.
    """
    if url.scheme not in ("http", "https"):
        raise AddressRefused(str(url), f"scheme {url.scheme or 'missing'!r} is not http(s)")
    host = url.raw_host
    if not host:
        raise AddressRefused(str(url), "no host")
    ip = host_address(host)
    if ip is None:
        return
    reason = policy.refusal(ip)
    if reason:
        raise AddressRefused(host, reason)


class SystemLookup:
    """The machine's resolver, through the event loop's getaddrinfo."""

    async def __call__(self, host: str, port: int, family: int) -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        found: list[tuple[str, int]] = [(str(sockaddr[0]), fam) for fam, _, _, _, sockaddr in infos]
        return found


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
        out: list[tuple[str, int]] = []
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
        # A numeric spelling that reached us as a "name" (aiohttp asks the resolver for
        # anything it does not read as a literal) is judged as the address it spells.
        spelled = host_address(host)
        if spelled is not None:
            reason = self._policy.refusal(spelled)
            if reason:
                raise AddressRefused(host, reason)
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
