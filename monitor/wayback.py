"""The Wayback Machine client: CDX listings and raw (`id_`) captures, async on aiohttp.

The same code talks to the Internet Archive and to a local pywb (tests): the base URL is
configuration, and the CDX parser reads both IA's JSON arrays (a header row, then rows,
then an empty row and the resume key) and pywb's NDJSON (one object a line, its own field
names). Politeness is built in, because IA blocks clients that are not: one rate limiter
per endpoint class shared by every request of this client, Retry-After (or 60 s) on 429,
bounded exponential backoff with jitter on 5xx and connection errors, a timeout and a body
size cap on every request, an honest User-Agent.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import aiohttp

from monitor.responses import retry_after

DEFAULT_BASE_URL = "https://web.archive.org"
# IA's CDX hard limit is about 24-30 requests a minute per IP; stay at 80 % of 24 as edgi's
# `wayback` client does. Raw playback is less strict; 80 % of 60/min keeps well clear.
CDX_PER_MINUTE = 0.8 * 24
FETCH_PER_MINUTE = 0.8 * 60
RATE_LIMITED_WAIT = 60.0  # IA sends no Retry-After with its 429s
MAX_BODY = 20 * 1024 * 1024
CDX_PAGE_SIZE = 5000
# pywb answers with its own names for the same fields.
_ALIASES = {"url": "original", "status": "statuscode", "mime": "mimetype"}


def _package_version() -> str:
    try:
        return version("clausewatch")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def user_agent(contact: str = "") -> str:
    return f"Clausewatch/{_package_version()}" + (f" (+{contact})" if contact else "")


class WaybackError(RuntimeError):
    """The archive could not answer after the allowed retries, or answered nonsense."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One row of a CDX listing."""

    timestamp: str  # 14 digits, UTC
    original: str
    digest: str
    statuscode: str = "200"
    mimetype: str | None = None
    length: int | None = None

    @property
    def captured_at(self) -> datetime:
        return datetime.strptime(self.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(
            tzinfo=UTC
        )

    def to_dict(self) -> dict:
        return {
            "timestamp": self.timestamp,
            "original": self.original,
            "digest": self.digest,
            "statuscode": self.statuscode,
            "mimetype": self.mimetype,
            "length": self.length,
        }


@dataclass(frozen=True, slots=True)
class RawCapture:
    """The archived bytes of a capture as the site served them."""

    capture: Capture
    body: bytes
    content_type: str | None
    headers: dict[str, str]
    url: str  # where it was fetched from
    digest_ok: bool | None  # None: the CDX gave no digest to check against


def payload_digest(body: bytes) -> str:
    """The CDX digest of a body: sha1, base32."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def parse_cdx(text: str, default_url: str = "") -> tuple[list[Capture], str | None]:
    """Rows and resume key of a CDX answer, from IA's arrays or pywb's NDJSON.

    Rows that are not plain 200 captures, and pywb's fuzzy matches, are dropped here as
    well as by the query's filter, so a server that ignores the filter cannot leak them in.
    """
    text = text.strip()
    if not text:
        return [], None
    if text.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WaybackError(f"CDX answer is not valid JSON ({exc.msg})") from None
        except RecursionError:  # nested past the stack: a bad answer, not a bug of ours
            raise WaybackError("CDX answer is not valid JSON (nested too deeply)") from None
        if not data:
            return [], None
        header, rows, resume = data[0], [], None
        for i, row in enumerate(data[1:], start=1):
            if not row:  # the empty row before the resume key
                rest = data[i + 1 :]
                resume = rest[0][0] if rest and rest[0] else None
                break
            rows.append(dict(zip(header, row, strict=False)))
    else:
        rows, resume = [], None
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise WaybackError(f"CDX answer line is not valid JSON ({exc.msg})") from None
            except RecursionError:
                raise WaybackError(
                    "CDX answer line is not valid JSON (nested too deeply)"
                ) from None
            if not isinstance(obj, dict):
                raise WaybackError("CDX answer line is not an object")
            rows.append({_ALIASES.get(k, k): v for k, v in obj.items()})
    captures = []
    for row in rows:
        if row.get("is_fuzzy") in ("1", 1, True):
            continue
        status = str(row.get("statuscode", "200"))
        if status != "200" or not row.get("timestamp") or not row.get("digest"):
            continue
        length = row.get("length")
        captures.append(
            Capture(
                timestamp=str(row["timestamp"]),
                original=row.get("original") or default_url,
                digest=str(row["digest"]),
                statuscode=status,
                mimetype=row.get("mimetype"),
                length=int(str(length)) if str(length or "").isdigit() else None,
            )
        )
    return captures, resume


def collapse_digests(captures: Iterable[Capture]) -> list[Capture]:
    """Drop each capture whose digest equals its predecessor's: the same bytes again.

    IA's `collapse=digest` does this server-side, but pywb ignores it, so we do it here.
    """
    out: list[Capture] = []
    for c in sorted(captures, key=lambda c: c.timestamp):
        if out and out[-1].digest == c.digest:
            continue
        if out and out[-1].timestamp == c.timestamp:
            continue  # two records at one second (e.g. revisit + response): keep one
        out.append(c)
    return out


class RateLimiter:
    """At most `per_minute` starts a minute, spaced evenly, shared by all callers."""

    def __init__(
        self,
        per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = float("-inf")
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = self._clock()
            if self._next > now:
                await self._sleep(self._next - now)
                now = self._clock()
            self._next = max(now, self._next) + self.interval

    async def hold_off(self, seconds: float) -> None:
        """Push the next start back (the server asked us to wait)."""
        async with self._lock:
            self._next = max(self._next, self._clock() + seconds)


@dataclass
class RetryPolicy:
    attempts: int = 5  # tries per request, first included
    base_delay: float = 2.0
    max_delay: float = 120.0
    rate_limited_wait: float = RATE_LIMITED_WAIT

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        """Exponential, capped, with full jitter in [50 %, 100 %]."""
        delay: float = min(self.max_delay, self.base_delay * 2**attempt)
        return delay * (0.5 + rng() / 2)


@dataclass
class WaybackStats:
    cdx_requests: int = 0
    fetches: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited: float = 0.0
    digest_mismatches: int = 0
    errors: list[str] = field(default_factory=list)


class WaybackClient:
    """Use as `async with WaybackClient(base_url) as wb:`; share one per process."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        cdx_per_minute: float = CDX_PER_MINUTE,
        fetch_per_minute: float = FETCH_PER_MINUTE,
        retry: RetryPolicy | None = None,
        timeout: aiohttp.ClientTimeout | None = None,
        max_body: int = MAX_BODY,
        contact: str = "",
        force_close: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.base_url = base_url.rstrip("/")
        self.cdx_limiter = RateLimiter(cdx_per_minute, clock=clock, sleep=sleep)
        self.fetch_limiter = RateLimiter(fetch_per_minute, clock=clock, sleep=sleep)
        self.retry = retry or RetryPolicy()
        self.timeout = timeout or aiohttp.ClientTimeout(total=60, sock_connect=15, sock_read=30)
        self.max_body = max_body
        self.user_agent = user_agent(contact)
        # pywb spends ~44 ms per request on a kept-alive connection; closing is cheaper.
        self.force_close = force_close
        self._sleep, self._rng, self._wall_clock = sleep, rng, wall_clock
        self._session: aiohttp.ClientSession | None = None
        self.stats = WaybackStats()

    async def __aenter__(self) -> WaybackClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(force_close=self.force_close, limit=4),
                timeout=self.timeout,
                headers={"User-Agent": self.user_agent},
            )
        return self._session

    async def _wait(self, seconds: float) -> None:
        self.stats.waited += seconds
        await self._sleep(seconds)

    async def _get(
        self, url: str, params: dict | None, limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str], str]:
        """GET with the retry policy; (status, body, headers, final url) of a non-retryable answer."""
        last_error = ""
        for attempt in range(self.retry.attempts):
            await limiter.acquire()
            try:
                async with self._get_session().get(url, params=params) as resp:
                    if resp.status == 429:
                        self.stats.rate_limited += 1
                        wait = retry_after(resp.headers, self._wall_clock())
                        wait = self.retry.rate_limited_wait if wait is None else wait
                        last_error = f"HTTP 429 (rate limited) from {resp.url}"
                        # Everyone on this endpoint waits, not just this request.
                        await limiter.hold_off(wait)
                        self.stats.retries += 1
                        continue
                    if resp.status >= 500:
                        last_error = f"HTTP {resp.status} from {resp.url}"
                    else:
                        declared = resp.content_length
                        if declared is not None and declared > self.max_body:
                            raise WaybackError(f"{resp.url}: body of {declared} bytes is too large")
                        chunks, size = [], 0
                        async for chunk in resp.content.iter_chunked(1 << 16):
                            size += len(chunk)
                            if size > self.max_body:
                                raise WaybackError(
                                    f"{resp.url}: body larger than {self.max_body} bytes"
                                )
                            chunks.append(chunk)
                        body = b"".join(chunks)
                        # With a content coding, Content-Length counts encoded bytes.
                        encoded = "Content-Encoding" in resp.headers
                        if declared is not None and not encoded and len(body) != declared:
                            raise aiohttp.ClientPayloadError(
                                f"truncated body: {len(body)} of {declared} bytes"
                            )
                        return resp.status, body, dict(resp.headers), str(resp.url)
            except (aiohttp.ClientError, TimeoutError) as exc:
                last_error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            self.stats.retries += 1
            if attempt + 1 < self.retry.attempts:
                await self._wait(self.retry.backoff(attempt, self._rng))
        self.stats.errors.append(last_error)
        raise WaybackError(f"gave up after {self.retry.attempts} tries: {last_error}")

    async def captures(
        self,
        url: str,
        *,
        since: str | None = None,
        until: str | None = None,
        page_size: int = CDX_PAGE_SIZE,
    ) -> list[Capture]:
        """Every 200 capture of exactly `url` (since/until: timestamp prefixes, e.g. '2019').

        No `fl=`: IA's default fields are the ones we read (plus urlkey), while pywb honours
        `fl` only in its own field names and then drops `url` (the archived original) and
        `is_fuzzy` - both needed here.
        """
        params = {
            "url": url,
            "output": "json",
            "filter": "statuscode:200",
            "matchType": "exact",
            "showResumeKey": "true",
            "limit": str(page_size),
        }
        if since:
            params["from"] = since
        if until:
            params["to"] = until
        out: list[Capture] = []
        seen_keys: set[str] = set()
        while True:
            self.stats.cdx_requests += 1
            status, body, _, _ = await self._get(
                f"{self.base_url}/cdx/search/cdx", params, self.cdx_limiter
            )
            if status != 200:
                raise WaybackError(f"CDX query for {url} answered HTTP {status}")
            rows, resume = parse_cdx(body.decode("utf-8", errors="replace"), url)
            out.extend(rows)
            if not resume or resume in seen_keys:
                break
            seen_keys.add(resume)
            params["resumeKey"] = resume
        return sorted({(c.timestamp, c.digest): c for c in out}.values(), key=lambda c: c.timestamp)

    def raw_url(self, capture: Capture) -> str:
        return f"{self.base_url}/web/{capture.timestamp}id_/{capture.original}"

    def replay_url(self, capture: Capture) -> str:
        """The capture as replayed for a browser (links and scripts rewritten to the
        archive), without the Wayback toolbar (`if_`, as the Wayback's own frame loads it)
        so the rendered text is the page's alone."""
        return f"{self.base_url}/web/{capture.timestamp}if_/{capture.original}"

    async def fetch(self, capture: Capture) -> RawCapture:
        """The capture's bytes as archived, checked against its CDX digest."""
        self.stats.fetches += 1
        url = self.raw_url(capture)
        status, body, headers, final_url = await self._get(url, None, self.fetch_limiter)
        if status != 200:
            raise WaybackError(f"{url}: HTTP {status}")
        digest_ok = None
        if capture.digest and len(capture.digest) == 32:
            # IA sometimes replays a body that differs from the indexed payload (re-encoded,
            # de-chunked); the bytes are still the capture, so report rather than refuse.
            digest_ok = payload_digest(body) == capture.digest
            if not digest_ok:
                self.stats.digest_mismatches += 1
        return RawCapture(
            capture=capture,
            body=body,
            content_type=headers.get("Content-Type") or capture.mimetype,
            headers=headers,
            url=final_url,
            digest_ok=digest_ok,
        )
