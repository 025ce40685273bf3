"""Live fetching: one polite, guarded, bounded GET of a document, with a plain outcome.

Every hop of a redirect chain is checked by the SSRF guard, asked of robots.txt and gated
by politeness; every wait has a timeout and every body a size cap counted after
decompression, so a gzip bomb stops at the cap. The outcome names what a person can act
on; the scheduler maps it to a document's status.

Outcomes:
  ok                    2xx with a body (``final_url`` may differ after temporary redirects)
  moved                 as ok, but a hop was permanent (301/308): track ``moved_to`` instead
  not-modified          304 to our conditional GET (ETag / Last-Modified)
  not-found             404 or 410
  blocked               401/403/407/429/451, or a captcha/challenge page (any status)
  unreachable           DNS, connect, timeout, 5xx, broken body, redirect loop or too many hops
  too-large             the body passed ``max_bytes`` (after decompression)
  disallowed-by-robots  robots.txt forbids the URL (or could not be read: 5xx)
  refused-address       not http(s), or a host that is (or resolves to) a non-public address
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Literal, Protocol, cast

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from monitor.extract.decode import decode_body
from monitor.netguard import AddressPolicy, AddressRefused, GuardedResolver, Lookup, check_url
from monitor.politeness import Clock, Politeness, Sleep
from monitor.responses import BodyKind, body_kind, challenge_reason, mime_type, retry_after
from monitor.robots import RobotsCache

Outcome = Literal[
    "ok",
    "moved",
    "not-modified",
    "not-found",
    "blocked",
    "unreachable",
    "too-large",
    "disallowed-by-robots",
    "refused-address",
]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]

# No default contact: the operator names themselves (CLAUSEWATCH_USER_AGENT_CONTACT).
DEFAULT_CONTACT = ""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_BLOCKING = frozenset({401, 403, 407, 429, 451})
_TEXTUAL: frozenset[str] = frozenset({"html", "text", "json", "xml"})
_ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,"
    "application/json;q=0.8,*/*;q=0.5"
)
_CHUNK = 64 * 1024


def user_agent(contact: str = DEFAULT_CONTACT) -> str:
    """The honest User-Agent: who we are, which version, and where to reach us."""
    try:
        ours = version("clausewatch")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        ours = "0"
    return f"Clausewatch/{ours}" + (f" (+{contact})" if contact else "")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How a Fetcher behaves. Defaults are for the real web; tests shrink the numbers."""

    allow_private: bool = False  # the explicit switch: loopback and private networks allowed
    allow_networks: tuple[str, ...] = ()  # narrower: only these networks exempted (CIDR)
    user_agent: str = field(default_factory=user_agent)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two reads of the socket
    total_timeout: float = 60.0  # one request, body included
    max_bytes: int = 10 * 1024 * 1024  # decompressed body of a document
    max_error_bytes: int = 64 * 1024  # enough of an error page to recognise a bot wall
    max_robots_bytes: int = 512 * 1024  # what Google reads of a robots.txt
    max_redirects: int = 5
    min_host_delay: float = 1.0  # seconds between the end of one request and the next
    concurrency: int = 16  # requests in flight across all hosts
    respect_robots: bool = True
    robots_ttl: float = 24 * 3600.0
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay is obeyed up to this


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect: the URL asked, the status it answered and where it pointed."""

    url: str
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # as asked
    outcome: Outcome
    final_url: str  # the URL that answered last
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: CIMultiDictProxy(CIMultiDict()))
    body: bytes = b""  # as served, after Content-Encoding is undone: what a snapshot stores
    content_type: str | None = None  # the MIME type, lowercased, without parameters
    kind: BodyKind | None = None  # html | pdf | text | json | xml | other
    text: str | None = None  # the body decoded, for textual kinds
    charset: str | None = None
    charset_source: str | None = None  # header | meta | bom | utf-8 | detected | *-contradicted
    redirects: tuple[Hop, ...] = ()
    moved_to: str | None = None  # target of the last permanent redirect
    elapsed: float = 0.0
    error: str | None = None  # detail for anything but ok / not-modified
    retry_after: float | None = None  # seconds, when the server said (429, 503)
    rendered: bool = False  # body is the DOM after scripts ran (monitor.render)
    refused: tuple[str, ...] = ()  # requests of a rendered page the guard refused, and why

    @property
    def has_body(self) -> bool:
        return self.outcome in ("ok", "moved")

    @property
    def not_modified(self) -> bool:
        return self.outcome == "not-modified"

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("Last-Modified")


class Fetches(Protocol):
    """What the stages that fetch need of a fetcher (`Fetcher`, the rendering one, fakes)."""

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


@dataclass(slots=True)
class _Answer:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    truncated: bool
    location: str | None


class _Failure(Exception):
    def __init__(self, outcome: Outcome, error: str) -> None:
        super().__init__(error)
        self.outcome: Outcome = outcome
        self.error = error


class Fetcher:
    """Fetches documents politely and safely; one aiohttp session for its lifetime.

    ``async with Fetcher(policy) as fetcher: result = await fetcher.fetch(url)``.
    ``lookup`` replaces DNS (tests and benches map names to loopback); ``clock`` and
    ``sleep`` drive the politeness pauses and robots.txt expiry; ``ssl_context`` replaces
    the system's trust store (a private CA), never turning verification off.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        lookup: Lookup | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._lookup = lookup
        self._ssl = ssl_context
        self._clock = clock
        self.politeness = Politeness(
            min_delay=self.policy.min_host_delay,
            concurrency=self.policy.concurrency,
            clock=clock,
            sleep=sleep,
        )
        self.robots = RobotsCache(
            self._fetch_robots,
            user_agent=self.policy.user_agent,
            ttl=self.policy.robots_ttl,
            clock=clock,
        )
        self.addresses = AddressPolicy(self.policy.allow_private, self.policy.allow_networks)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        p = self.policy
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self._lookup, self.addresses),
            limit=p.concurrency,
            ssl=self._ssl if self._ssl is not None else True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=p.total_timeout,
                connect=p.connect_timeout,
                sock_connect=p.connect_timeout,
                sock_read=p.read_timeout,
            ),
            headers={"User-Agent": p.user_agent, "Accept": _ACCEPT},
            cookie_jar=aiohttp.DummyCookieJar(),
            # Proxies from the environment would connect to addresses we never checked.
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def robots_gate(
        self, url: URL, policy: FetchPolicy | None = None
    ) -> tuple[tuple[str, str | None] | None, float | None]:
        """What robots.txt says of `url`: the (outcome, note) of a refusal or None, and the
        crawl delay to keep (capped by the policy). The plain and the rendering fetcher both
        ask here, so a rendered page obeys robots.txt exactly as a plain one does."""
        policy = policy or self.policy
        allowed, rules = await self.robots.allowed(url)
        if rules.failure:
            return (rules.failure, rules.note), None
        if not allowed:
            return ("disallowed-by-robots", rules.note), None
        asked = rules.crawl_delay(policy.user_agent)
        return None, (min(asked, policy.max_crawl_delay) if asked else None)

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally, when a validator is given) and say how it went."""
        return await self._fetch(
            url,
            etag=etag,
            last_modified=last_modified,
            cap=self.policy.max_bytes,
            robots=self.policy.respect_robots,
        )

    async def _fetch_robots(self, url: URL) -> FetchResult:
        return await self._fetch(str(url), cap=self.policy.max_robots_bytes, robots=False)

    async def _fetch(
        self,
        url: str,
        *,
        cap: int,
        robots: bool,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        started = self._clock()
        hops: list[Hop] = []
        moved_to: str | None = None
        current_text = url

        def result(outcome: Outcome, **kw: object) -> FetchResult:
            return FetchResult(
                url=url,
                outcome=outcome,
                final_url=current_text,
                redirects=tuple(hops),
                moved_to=moved_to,
                elapsed=self._clock() - started,
                **kw,  # type: ignore[arg-type]
            )

        try:
            current = URL(url)
        except (ValueError, TypeError) as exc:
            return result("refused-address", error=f"invalid URL ({exc})")
        if not current.absolute:
            return result("refused-address", error="not an absolute http(s) URL")
        current = current.with_fragment(None)
        seen = {current}
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified

        for _ in range(self.policy.max_redirects + 1):
            current_text = str(current)
            try:
                check_url(current, self.addresses)
            except AddressRefused as exc:
                return result("refused-address", error=str(exc))
            delay = None
            if robots:
                refusal, delay = await self.robots_gate(current)
                if refusal is not None:
                    return result(cast(Outcome, refusal[0]), error=refusal[1])
            try:
                answer = await self._request(current, conditional, cap, delay)
            except _Failure as failure:
                return result(failure.outcome, error=failure.error)

            if answer.location is not None:
                try:
                    target = current.join(URL(answer.location)).with_fragment(None)
                except (ValueError, TypeError):
                    return result("unreachable", status=answer.status, error="bad redirect")
                hops.append(Hop(current_text, answer.status, str(target)))
                if answer.status in _PERMANENT:
                    moved_to = str(target)
                if target in seen:
                    current_text = str(target)
                    return result("unreachable", status=answer.status, error="redirect loop")
                seen.add(target)
                current = target
                continue
            return self._judge(answer, cap, result, moved=moved_to is not None)

        return result(
            "unreachable",
            error=f"too many redirects (more than {self.policy.max_redirects})",
        )

    async def _request(
        self, url: URL, headers: dict[str, str], cap: int, delay: float | None
    ) -> _Answer:
        assert self._session is not None, "use the Fetcher as `async with Fetcher(...)`"
        async with self.politeness.slot(url.raw_host or "", delay) as turn:
            try:
                async with self._session.get(
                    url, headers=headers, allow_redirects=False
                ) as response:
                    status = response.status
                    location = response.headers.get("Location")
                    if status not in _REDIRECTS or not location:
                        location = None
                    success = 200 <= status < 300
                    limit = cap if success else min(cap, self.policy.max_error_bytes)
                    body, truncated = await _read_capped(response, limit, whole=success)
                    if truncated:
                        # Unread bytes must not go back into the pool with the connection.
                        response.close()
                    return _Answer(status, response.headers, body, truncated, location)
            except aiohttp.ClientConnectorDNSError as exc:
                turn.contacted = False
                if isinstance(exc.os_error, AddressRefused):
                    raise _Failure("refused-address", str(exc.os_error)) from None
                raise _Failure("unreachable", f"DNS: {exc.os_error}") from None
            except aiohttp.ClientConnectorError as exc:
                raise _Failure("unreachable", f"connect: {exc.os_error}") from None
            except TimeoutError:
                raise _Failure("unreachable", "timeout") from None
            except aiohttp.InvalidURL as exc:
                turn.contacted = False
                raise _Failure("refused-address", f"invalid URL ({exc})") from None
            except aiohttp.ClientPayloadError as exc:
                raise _Failure("unreachable", f"broken body ({exc})") from None
            except (aiohttp.ClientError, OSError) as exc:
                raise _Failure("unreachable", f"{type(exc).__name__}: {exc}") from None

    def _judge(
        self, answer: _Answer, cap: int, result: Callable[..., FetchResult], *, moved: bool
    ) -> FetchResult:
        status, headers, body = answer.status, answer.headers, answer.body
        common = {"status": status, "headers": headers}
        wait = retry_after(headers) if status in (429, 503) else None
        if status == 304:
            return result("not-modified", **common)
        wall = challenge_reason(status, headers, body)
        if wall:
            return result("blocked", error=wall, retry_after=wait, **common)
        if status in _BLOCKING:
            return result("blocked", error=f"HTTP {status}", retry_after=wait, **common)
        if status in (404, 410):
            return result("not-found", error=f"HTTP {status}", **common)
        if not 200 <= status < 300:
            return result("unreachable", error=f"HTTP {status}", retry_after=wait, **common)
        if answer.truncated:
            return result("too-large", error=f"body larger than {cap} bytes", **common)
        kind = body_kind(headers.get("Content-Type"), body)
        decoded = None
        if kind in _TEXTUAL:
            decoded = decode_body(body, headers.get("Content-Type"))
        return result(
            "moved" if moved else "ok",
            body=body,
            content_type=mime_type(headers.get("Content-Type")),
            kind=kind,
            text=decoded.text if decoded else None,
            charset=decoded.charset if decoded else None,
            charset_source=decoded.source if decoded else None,
            **common,
        )


async def _read_capped(
    response: aiohttp.ClientResponse, limit: int, *, whole: bool
) -> tuple[bytes, bool]:
    """At most ``limit`` decompressed bytes of the body, and whether there was more.

    When the whole body is wanted, a declared length past the cap ends it unread.
    """
    declared = response.content_length
    if whole and declared is not None and declared > limit:
        return b"", True
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        if total + len(chunk) > limit:
            chunks.append(chunk[: limit - total])
            return b"".join(chunks), True
        total += len(chunk)
        chunks.append(chunk)
    return b"".join(chunks), False
