"""What the server may be asked to reach: tracked sites and webhook targets.

Both obey the fetcher's SSRF rules (DESIGN.md): public http(s) only; IP literals,
localhost, names under no public suffix (``.local``, ``.internal`` ...) and names that
resolve to a non-public address are refused — unless ``allow_private_addresses`` is set
(tests on loopback). Resolution goes through an injectable lookup (``LOOKUP`` on the app)
so tests need no real DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import tldextract
from aiohttp import web
from yarl import URL

from monitor.domains import DomainError, registrable_domain, split_site
from monitor.netguard import AddressPolicy, Lookup, SystemLookup

LOOKUP: web.AppKey[Lookup] = web.AppKey("target_lookup")
RESOLVE_TIMEOUT_S = 5.0
# Special-use names that the Public Suffix List lists but nobody can register publicly.
_SPECIAL_SUFFIXES = ("home.arpa", "local", "localhost", "internal", "invalid", "test", "onion")

_psl = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class TargetRefused(ValueError):
    """A site or URL the server will not track or call; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Target:
    site: str  # registrable domain, IDNA
    url: str | None  # the policy (or webhook) URL when one was given
    host: str


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _check_name(host: str, *, allow_private: bool) -> None:
    if allow_private:
        return
    if _is_ip(host):
        raise TargetRefused(f"{host}: give a domain name, not an IP address")
    if host == "localhost" or host.endswith((".localhost", *(f".{s}" for s in _SPECIAL_SUFFIXES))):
        raise TargetRefused(f"{host}: a private or special-use name")
    parts = _psl(host)
    if not parts.suffix:
        raise TargetRefused(f"{host}: not under a public suffix (a private name)")
    if not parts.domain:
        raise TargetRefused(f"{host}: a public suffix, not a site")


def parse_site(text: str, *, allow_private: bool) -> Target:
    """A bare domain as typed (IDNA, any case, trailing dot) -> its registrable domain."""
    if not isinstance(text, str) or not text.strip() or len(text) > 300:
        raise TargetRefused("site must be a domain name such as example.com")
    if "/" in text or "@" in text or "?" in text or "#" in text:
        raise TargetRefused("site must be a bare domain; send a policy address as url")
    try:
        host, port = split_site(text)
    except DomainError as exc:
        raise TargetRefused(str(exc)) from None
    if port is not None and not allow_private:
        raise TargetRefused("site must be a bare domain, without a port")
    _check_name(host, allow_private=allow_private)
    return Target(site=registrable_domain(host), url=None, host=host)


def parse_url(text: str, *, allow_private: bool, what: str = "url") -> Target:
    """An absolute http(s) URL -> its site and normalised form."""
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        raise TargetRefused(f"{what} must be an absolute http(s) URL")
    try:
        url = URL(text.strip())
        scheme, raw_host = url.scheme, url.host
    except (ValueError, TypeError):
        raise TargetRefused(f"{what} is not a URL") from None
    if scheme not in ("http", "https"):
        raise TargetRefused(f"{what} must be http or https, not {scheme or 'relative'!r}")
    if not raw_host:
        raise TargetRefused(f"{what} has no host")
    if url.user or url.password:
        raise TargetRefused(f"{what} must not carry a user name or password")
    if _is_ip(raw_host):
        # yarl hands IPv6 hosts without brackets, which split_site cannot read back.
        host = raw_host.lower()
    else:
        try:
            host, _ = split_site(raw_host)
        except DomainError as exc:
            raise TargetRefused(str(exc)) from None
    _check_name(host, allow_private=allow_private)
    try:
        # yarl validates the host only here (a space, a control character): a 400, not a 500.
        normal = str(url.with_host(host).with_fragment(None))
    except ValueError:
        raise TargetRefused(f"{what} has an invalid host") from None
    return Target(site=registrable_domain(host), url=normal, host=host)


async def check_resolves_public(host: str, lookup: Lookup | None, *, allow_private: bool) -> None:
    """Refuse a host that does not resolve, or resolves to any non-public address."""
    if allow_private:
        return
    lookup = lookup or SystemLookup()
    policy = AddressPolicy()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            found = await lookup(host, 0, socket.AF_UNSPEC)
    except (OSError, TimeoutError):
        raise TargetRefused(f"{host}: the name does not resolve") from None
    if not found:
        raise TargetRefused(f"{host}: the name does not resolve")
    for address, _family in found:
        reason = policy.refusal(address)
        if reason:
            raise TargetRefused(f"{host}: resolves to a non-public address ({reason})")
