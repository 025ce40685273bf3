"""Where the server's absolute links point (Atom feeds, webhook events).

The configured public URL (`CLAUSEWATCH_PUBLIC_URL`), else the address the server is
bound to, else the local address the request's connection reached. Never the request's
`Host` header: anyone can send any Host, and a feed built on it and stored by a shared
cache (a CDN, a proxy) would hand every reader the attacker's links.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web


def origin(scheme: str, host: str, port: int) -> str:
    """`scheme://host:port`, with IPv6 in brackets and the default port left out."""
    shown = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{shown}" if port == default else f"{scheme}://{shown}:{port}"


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


class BaseURL:
    """The public URL if configured; the bound address once `bind` has been told it."""

    def __init__(self, public_url: str = "") -> None:
        self.public = public_url.rstrip("/")
        self.bound: str | None = None
        self._wildcard = False

    def bind(self, host: str, port: int) -> None:
        """The address the listening socket really has (the real port under `--port 0`)."""
        self.bound = origin("http", host, port)
        self._wildcard = _is_wildcard(host)

    @property
    def guessing(self) -> bool:
        """True when links would name a wildcard address (0.0.0.0, ::) for want of a
        public URL: fine for feeds (the connection's own address is used), useless in a
        webhook event."""
        return not self.public and self._wildcard

    def current(self) -> str:
        """For links made outside a request (webhook events)."""
        return self.public or self.bound or ""

    def for_request(self, request: web.Request) -> str:
        """For links in an answer: as `current()`, but where the server listens on every
        interface, the local address this connection reached (taken from the socket,
        not from anything the client wrote)."""
        if self.public:
            return self.public
        if self.bound and not self._wildcard:
            return self.bound
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport is not None else None
        if isinstance(sockname, tuple) and len(sockname) >= 2:
            return origin(request.scheme, str(sockname[0]), int(sockname[1]))
        return self.bound or ""


BASE_URL = web.AppKey("base_url", BaseURL)


def base_url_of(app: web.Application) -> BaseURL:
    return app[BASE_URL]
