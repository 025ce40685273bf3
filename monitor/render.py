"""Rendered fetching: a page's text after its scripts ran, in Debian's Chromium.

Some policies are an empty shell to a plain GET: a client-rendered app, a text loaded from a
JSON endpoint, a consent wall that injects it. ``Renderer.fetch`` loads such a page in a
headless Chromium (driven by Playwright, ``executable_path`` = the system's chromium, never
a downloaded build) and answers a ``FetchResult`` like ``Fetcher.fetch``, whose body is the
serialized DOM.

The browser never touches the network itself. Every request a page makes - the document,
its redirects, scripts, XHR/fetch, images, frames - is intercepted (Playwright routing) and
made by *us*, one hop at a time, through an aiohttp session whose resolver is the SSRF guard
(monitor.netguard): the address is checked and the TCP connection goes to that checked
address, so DNS rebinding gets nowhere. Redirects come back to the browser as 3xx and its
next request is intercepted again. Whatever routing cannot see is cut off at the browser:
service workers are blocked, the browser's own DNS answers nothing and its proxy is a name
that never resolves (so WebSockets, preconnects and anything unrouted fail closed), WebRTC
may not use non-proxied UDP. Downloads are refused (an attachment is aborted before its
bytes reach the browser, and the context does not accept downloads), popups are closed,
permissions are not granted, and each fetch gets a fresh context (no cookies, no storage
kept). Each page has a hard timeout and a byte budget across all its requests; one browser
serves at most ``pages`` pages at once and starts on the first render.

Robots.txt and politeness apply to the document as for the plain fetcher (the same
RobotsCache and Politeness, shared with it); subresources are loaded as a browser does.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from monitor.fetch import Fetcher, FetchPolicy, FetchResult, Hop, Outcome
from monitor.netguard import AddressPolicy, AddressRefused, Lookup, SystemLookup, check_url
from monitor.renderprint import Fingerprint, Resource, replay_headers
from monitor.responses import challenge_reason

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
# Cut the browser off from everything we do not route (see the module docstring); the rest
# keep a headless browser quiet: no update checks, no sync, no first-run work.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://unroutable.invalid:9",
    # Chromium sends loopback around any proxy unless told otherwise.
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-features=NetworkPrediction,Prefetch,PreconnectToSearch",
)
# Hop-by-hop headers and those the browser must not see from us: we hand over bodies
# already decompressed, with their real length.
_DROP_RESPONSE = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)
_DROP_REQUEST = frozenset({"host", "content-length", "connection", "accept-encoding"})
_CHUNK = 64 * 1024
# What a page loads that holds no text: skipped (aborted without a request).
_NOT_TEXT = frozenset({"image", "media", "font"})
# How a fetch builds its answer: the outcome and the FetchResult's other fields.
_Result = Callable[..., FetchResult]
# Resources of one fingerprint fetched again at once: what a browser opens per host.
_REPLAY_AT_ONCE = 6


@dataclass(frozen=True, slots=True)
class RenderPolicy:
    """How a Renderer behaves. Defaults are for the real web; tests shrink the numbers."""

    pages: int = 2  # pages rendered at once in the one browser
    page_timeout: float = 30.0  # one page, from navigation to the serialized DOM
    settle_timeout: float = 3.0  # after `load`, waiting for the network to go quiet
    quiet: float = 0.2  # seconds without a request in flight that count as quiet
    request_timeout: float = 15.0  # one request the page makes, body included
    max_page_bytes: int = 20 * 1024 * 1024  # all the bodies one page loads, decompressed
    max_requests: int = 300  # requests one page may make
    viewport: tuple[int, int] = (1280, 900)
    # Exact address:port pairs allowed although not public (tests: the local site only);
    # anything broader is FetchPolicy.allow_private / allow_networks.
    allow_endpoints: tuple[str, ...] = ()
    executable: str = CHROMIUM


def chromium_available(executable: str = CHROMIUM) -> str | None:
    """Why rendering cannot run here, or None when it can."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        return f"{executable} not found (apt-get install chromium)"
    return None


# check_url with every address allowed: the scheme and the host's presence only.
_SCHEME_ONLY = AddressPolicy(allow_private=True)


class EndpointGuard:
    """The address guard of rendered fetches: AddressPolicy, plus exact allowed endpoints.

    ``refusal(address, port)`` is what the resolver and the literal-IP check ask; the
    endpoint list exempts one address *and port* (a test's local site), not a whole network,
    so a page on that site still cannot reach another port of the same host.
    """

    def __init__(self, addresses: AddressPolicy, endpoints: Iterable[str] = ()) -> None:
        self.addresses = addresses
        self.endpoints: frozenset[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]]
        pinned = set()
        for item in endpoints:
            host, _, port = item.rpartition(":")
            pinned.add((ipaddress.ip_address(host.strip("[]")), int(port)))
        self.endpoints = frozenset(pinned)

    def refusal(self, address: str, port: int) -> str | None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if (ip, port) in self.endpoints:
            return None
        return self.addresses.refusal(ip)

    def check_url(self, url: URL) -> None:
        """Scheme and literal-IP check before any lookup (hostnames: in the resolver)."""
        check_url(url, _SCHEME_ONLY)
        host = (url.raw_host or "").strip("[]")
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return
        reason = self.refusal(str(ip), url.port or 0)
        if reason:
            raise AddressRefused(host, reason)


class _EndpointResolver(aiohttp.abc.AbstractResolver):
    """GuardedResolver with ports: resolves once, refuses if any address is refused."""

    def __init__(self, lookup: Lookup, guard: EndpointGuard) -> None:
        self._lookup = lookup
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        found = await self._lookup(host, port, family)
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no address")
        out: list[aiohttp.abc.ResolveResult] = []
        for address, fam in found:
            reason = self._guard.refusal(address, port)
            if reason:
                raise AddressRefused(host, f"resolves to {address}, {reason}")
            out.append(
                aiohttp.abc.ResolveResult(
                    hostname=host, host=address, port=port, family=fam, proto=0, flags=0
                )
            )
        return out

    async def close(self) -> None:
        return None


@dataclass(slots=True)
class _Page:
    """What happened while one page rendered: the budget spent and what was refused."""

    budget: int
    requests_left: int
    spent: int = 0
    document: dict[str, Any] | None = None  # status/headers/body of the top document
    refused: list[str] = field(default_factory=list)
    over_budget: bool = False
    document_error: str | None = None  # "<outcome>: <detail>" when the document failed
    redirects: list[tuple[str, int, str]] = field(default_factory=list)
    inflight: int = 0  # requests the router is making for the page right now
    last_activity: float = field(default_factory=time.monotonic)
    pending_at_dom: int = 0  # requests still in flight when the DOM was serialized
    # The render fingerprint (monitor/renderprint.py): every response handed to the page,
    # and why the record is incomplete (a non-GET, a failed request), if it is.
    resources: list[Resource] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)

    def fingerprint(self, dom: bytes) -> Fingerprint:
        unique = tuple(dict.fromkeys(self.resources))
        reason = self.unusable[0] if self.unusable else None
        if reason is None and self.pending_at_dom:
            reason = f"{self.pending_at_dom} request(s) in flight when the DOM was taken"
        return Fingerprint(unique, hashlib.sha256(dom).hexdigest(), reason)


class Renderer:
    """Renders documents in one lazily started Chromium, ``policy.pages`` at a time.

    ``async with Renderer(fetch_policy, render_policy) as r: result = await r.fetch(url)``.
    ``fetcher`` (a plain Fetcher, open) lends its robots.txt cache and politeness so both
    fetchers ask robots.txt once and wait their turn for a host together.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        render: RenderPolicy | None = None,
        *,
        lookup: Lookup | None = None,
        fetcher: Fetcher | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or (fetcher.policy if fetcher else FetchPolicy())
        self.render = render or RenderPolicy()
        self.guard = EndpointGuard(
            AddressPolicy(self.policy.allow_private, self.policy.allow_networks),
            self.render.allow_endpoints,
        )
        self._lookup = lookup or SystemLookup()
        self._fetcher = fetcher
        self._clock = clock
        self._pages = asyncio.Semaphore(max(1, self.render.pages))
        self._start_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._session: aiohttp.ClientSession | None = None
        self._spare: asyncio.Future | None = None  # the next fetch's context and page
        self.rendered = 0  # pages rendered since start (for the bench and the logs)
        self.replayed = 0  # fingerprints replayed instead of a render (monitor/renderprint.py)

    async def __aenter__(self) -> Renderer:
        p = self.policy
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                resolver=_EndpointResolver(self._lookup, self.guard), limit=p.concurrency
            ),
            timeout=aiohttp.ClientTimeout(
                total=self.render.request_timeout,
                connect=p.connect_timeout,
                sock_connect=p.connect_timeout,
                sock_read=p.read_timeout,
            ),
            cookie_jar=aiohttp.DummyCookieJar(),  # the browser's context keeps the cookies
            trust_env=False,
            auto_decompress=True,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the browser (if it started) and the session; safe to call twice."""
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.cancel()
            try:
                context, _, _ = await spare
                await context.close()
            except BaseException:  # cancelled before it opened, or the browser is gone
                log.debug("dropping the spare page", exc_info=True)
        browser, pw = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            try:
                await browser.close()
            except Exception:  # already gone (crashed): nothing left to close
                log.debug("closing chromium", exc_info=True)
        if pw is not None:
            await pw.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def started(self) -> bool:
        return self._browser is not None

    async def _browser_ready(self) -> Any:
        async with self._start_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            from playwright.async_api import async_playwright

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.render.executable,
                args=list(LAUNCH_ARGS),
                headless=True,
                timeout=30_000,
            )
            return self._browser

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        robots: bool = True,
    ) -> FetchResult:
        """Render ``url`` and answer its DOM as a FetchResult (``rendered`` true).

        Validators are ignored: a rendered page is built from many responses, so one
        document's 304 would not say the rendered text is unchanged. ``robots`` False is
        for an archive's replay pages, which the Wayback client fetches without asking
        robots.txt either.
        """
        fetched, _ = await self.render_with_print(url, robots=robots)
        return fetched

    async def render_with_print(
        self, url: str, *, robots: bool = True
    ) -> tuple[FetchResult, Fingerprint | None]:
        """``fetch``, and the render fingerprint of a page that answered (else None)."""
        started = self._clock()

        def result(outcome: str, **kw: Any) -> FetchResult:
            return FetchResult(
                url=url,
                outcome=cast(Outcome, outcome),
                final_url=kw.pop("final_url", url),
                elapsed=self._clock() - started,
                rendered=True,
                **kw,
            )

        try:
            target = URL(url).with_fragment(None)
            self.guard.check_url(target)
        except (ValueError, TypeError) as exc:
            return result("refused-address", error=f"invalid URL ({exc})"), None
        except AddressRefused as exc:
            return result("refused-address", error=str(exc)), None
        delay = None
        if self._fetcher is not None and self.policy.respect_robots and robots:
            refusal, delay = await self._fetcher.robots_gate(target, self.policy)
            if refusal is not None:
                return result(refusal[0], error=refusal[1]), None
        kept: list[_Page] = []
        async with self._pages:
            if self._fetcher is not None:
                async with self._fetcher.politeness.slot(target.raw_host or "", delay):
                    fetched = await self._render(str(target), result, kept)
            else:
                fetched = await self._render(str(target), result, kept)
        if not fetched.has_body or not kept:
            return fetched, None
        return fetched, kept[0].fingerprint(fetched.body)

    async def replay(self, url: str, fingerprint: Fingerprint) -> str | None:
        """Fetch again, plainly, every response a render of ``url`` used (``fingerprint``):
        None when each one is byte-identical, so rendering again would compute the same page
        from the same inputs; otherwise why not (then render).

        No browser: one GET per resource through the same guard as a render's requests,
        conditional where the server gave validators (a 304 is the same bytes). The
        document's host is asked of robots.txt and waits its politeness turn as a render's
        document does; the first difference ends the replay."""
        if fingerprint.unusable:
            return fingerprint.unusable
        try:
            target = URL(url).with_fragment(None)
            self.guard.check_url(target)
        except (ValueError, TypeError, AddressRefused) as exc:
            return f"{url}: {exc}"
        delay = None
        if self._fetcher is not None and self.policy.respect_robots:
            refusal, delay = await self._fetcher.robots_gate(target, self.policy)
            if refusal is not None:
                return f"{refusal[0]}: {refusal[1]}"
        self.replayed += 1
        async with AsyncExitStack() as stack:
            if self._fetcher is not None:
                await stack.enter_async_context(
                    self._fetcher.politeness.slot(target.raw_host or "", delay)
                )
            gate = asyncio.Semaphore(_REPLAY_AT_ONCE)

            async def one(resource: Resource) -> str | None:
                async with gate:
                    return await self._replay_one(resource)

            tasks = [asyncio.ensure_future(one(r)) for r in fingerprint.resources]
            try:
                for done in asyncio.as_completed(tasks):
                    why = await done
                    if why is not None:
                        return why
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        return None

    async def _replay_one(self, resource: Resource) -> str | None:
        """None when ``resource`` answers the very bytes it answered the render, else why."""
        try:
            url = URL(resource.url)
            self.guard.check_url(url)
        except (ValueError, TypeError, AddressRefused) as exc:
            return f"{resource.url}: {exc}"
        headers = {
            "User-Agent": self.policy.user_agent,
            **dict(resource.headers),
            **resource.conditional,
        }
        assert self._session is not None, "use the Renderer as `async with Renderer(...)`"
        try:
            async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status == 304 and resource.conditional:
                    return None
                if response.status != resource.status:
                    return f"{resource.url}: HTTP {response.status}, was {resource.status}"
                if response.headers.get("Location") != resource.location:
                    return f"{resource.url}: redirects elsewhere now"
                body, over = await _read_budget(response, self.render.max_page_bytes)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return f"{resource.url}: could not be fetched again ({type(exc).__name__}: {exc})"
        if over:
            return f"{resource.url}: larger than the page's byte budget now"
        if hashlib.sha256(body).hexdigest() != resource.sha256:
            return f"{resource.url}: its body changed"
        return None

    async def _render(self, url: str, result: _Result, kept: list[_Page]) -> FetchResult:
        from playwright.async_api import Error as PlaywrightError

        context, page, page_state = await self._fresh_page()
        kept.append(page_state)
        if self._spare is None:
            # The next fetch's page opens while this one renders (each is still used once).
            self._spare = asyncio.ensure_future(self._new_page())
        try:
            try:
                async with asyncio.timeout(self.render.page_timeout):
                    response = await self._navigate(page, url, page_state)
                    await self._settle(page, page_state)
                    html = await page.content()
                    page_state.pending_at_dom = page_state.inflight
                    final_url = page.url
            except TimeoutError:
                return result(
                    "unreachable",
                    error=f"render timeout: the page did not finish within"
                    f" {self.render.page_timeout:g} s",
                    **_hops(page_state),
                )
            except PlaywrightError as exc:
                return self._failed(result, page_state, exc)
            if page_state.over_budget:
                return result(
                    "too-large",
                    error=f"the page loaded more than {self.render.max_page_bytes} bytes",
                    **_hops(page_state),
                )
            return self._judge(result, page_state, response, html, final_url)
        finally:
            try:
                await context.close()
            except PlaywrightError:
                log.debug("closing a browser context", exc_info=True)
            self.rendered += 1

    async def _settle(self, page: Any, state: _Page) -> None:
        """After `load`, wait until no request of the page has been in flight for
        ``quiet`` seconds (the XHR that brings the text, then the script that writes it),
        at most ``settle_timeout``: a page that keeps polling is taken as it is then.

        Our own count, not Playwright's `networkidle`, which always waits 500 ms: every
        request goes through the router, so it knows when the page is quiet."""
        from playwright.async_api import Error as PlaywrightError

        deadline = time.monotonic() + self.render.settle_timeout
        while time.monotonic() < deadline:
            quiet_for = time.monotonic() - state.last_activity
            if state.inflight == 0 and quiet_for >= self.render.quiet:
                # The last response may still wait for its callback (parse, write the
                # DOM): a task queued behind it in the page answers once that ran.
                try:
                    await page.evaluate("() => new Promise(r => setTimeout(r, 0))")
                except PlaywrightError:
                    pass  # the page navigated meanwhile (a script redirect): keep waiting
                else:
                    if state.inflight == 0:
                        return
            await asyncio.sleep(min(self.render.quiet, 0.02))

    async def _navigate(self, page: Any, url: str, state: _Page) -> Any:
        """Go to ``url``, following the redirects the router turned back into navigations."""
        from playwright.async_api import Error as PlaywrightError

        target, seen = url, {url}
        for _ in range(self.policy.max_redirects + 1):
            known = len(state.redirects)
            try:
                return await page.goto(target, wait_until="load")
            except PlaywrightError:
                if len(state.redirects) == known:
                    raise
            target = state.redirects[-1][2]
            if target in seen:
                state.document_error = "unreachable: redirect loop"
                raise PlaywrightError("redirect loop")
            seen.add(target)
        state.document_error = (
            f"unreachable: too many redirects (more than {self.policy.max_redirects})"
        )
        raise PlaywrightError("too many redirects")

    async def _fresh_page(self) -> tuple[Any, Any, _Page]:
        """A new context and its page, routed through the guard: the spare if there is one."""
        spare, self._spare = self._spare, None
        if spare is not None:
            try:
                opened: tuple[Any, Any, _Page] = await spare
                return opened
            except Exception:  # the browser went away meanwhile: open one now
                log.debug("the spare page failed", exc_info=True)
        return await self._new_page()

    async def _new_page(self) -> tuple[Any, Any, _Page]:
        browser = await self._browser_ready()
        state = _Page(budget=self.render.max_page_bytes, requests_left=self.render.max_requests)
        context = await browser.new_context(
            user_agent=self.policy.user_agent,
            accept_downloads=False,
            service_workers="block",
            java_script_enabled=True,
            permissions=[],
            viewport={"width": self.render.viewport[0], "height": self.render.viewport[1]},
        )
        try:
            await context.route("**/*", lambda route: self._route(route, state))
            page = await context.new_page()
        except BaseException:
            await context.close()
            raise
        page.on("popup", _close_quietly)
        page.on("download", lambda d: state.refused.append(f"download {d.url}"))
        return context, page, state

    def _failed(self, result: _Result, state: _Page, exc: Exception) -> FetchResult:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        hops = _hops(state)
        if state.redirects:
            hops["final_url"] = state.redirects[-1][2]
        if state.document_error:
            outcome, detail = state.document_error.split(":", 1)
            return result(outcome, error=detail.strip(), **hops)
        return result("unreachable", error=f"render: {message}", **hops)

    def _judge(
        self, result: _Result, state: _Page, response: Any, html: str, final_url: str
    ) -> FetchResult:
        doc = state.document or {}
        status = response.status if response is not None else doc.get("status")
        headers = CIMultiDictProxy(CIMultiDict(doc.get("headers") or {}))
        body = html.encode("utf-8")
        common = {
            "status": status,
            "headers": headers,
            "final_url": final_url,
            "refused": tuple(state.refused),
            **_hops(state),
        }
        # The wall may be in the document as served or only in what its scripts built.
        wall = challenge_reason(status or 200, headers, doc.get("body", b"")) or challenge_reason(
            status or 200, headers, body
        )
        if wall:
            return result("blocked", error=wall, **common)
        if status in (401, 403, 407, 429, 451):
            return result("blocked", error=f"HTTP {status}", **common)
        if status in (404, 410):
            return result("not-found", error=f"HTTP {status}", **common)
        if status is None or not 200 <= status < 300:
            return result("unreachable", error=f"HTTP {status}", **common)
        return result(
            "moved" if common.get("moved_to") else "ok",
            body=body,
            content_type="text/html",
            kind="html",
            text=html,
            charset="utf-8",
            charset_source="rendered",
            **common,
        )

    async def _route(self, route: Any, state: _Page) -> None:
        """Make one request of the page ourselves, through the guard, and hand it back.

        A redirect of the top document is not handed to the browser (Chromium would follow
        it without asking the router again): the hop is noted and ``_render`` navigates to
        its target, itself routed. Redirects of anything else are followed here, each hop
        through the guard.
        """
        state.inflight += 1
        state.last_activity = time.monotonic()
        try:
            await self._route_now(route, state)
        finally:
            state.inflight -= 1
            state.last_activity = time.monotonic()

    async def _route_now(self, route: Any, state: _Page) -> None:
        request = route.request
        top = request.is_navigation_request() and request.frame.parent_frame is None
        document = top and state.document is None
        if request.resource_type in _NOT_TEXT:
            # Never fetched: no text in them, and less for a page to reach.
            try:
                self.guard.check_url(URL(request.url))
            except (ValueError, TypeError, AddressRefused) as exc:
                state.refused.append(f"{request.url}: {exc}")
            await _abort(route, "blockedbyclient")
            return
        method, data = request.method, request.post_data_buffer
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROP_REQUEST}
        url_text = request.url
        if method != "GET" and request.resource_type != "ping":
            # Its answer may depend on what was sent or change what the server holds: a
            # plain GET cannot replay it (monitor/renderprint.py). A beacon (sendBeacon,
            # <a ping>) is the exception: no script can read its answer.
            state.unusable.append(f"the page made a {method} request ({url_text})")
        for _ in range(self.policy.max_redirects + 1):
            answer = await self._hop(
                url_text, method, headers, data, state, document, request.resource_type == "ping"
            )
            if isinstance(answer, str):  # refused or failed: the reason, for the abort
                await _abort(route, answer)
                return
            status, out_headers, body = answer
            location = dict((k.lower(), v) for k, v in out_headers).get("location")
            if status in (301, 302, 303, 307, 308) and location:
                target = str(URL(url_text).join(URL(location)).with_fragment(None))
                if top:
                    state.redirects.append((url_text, status, target))
                    await _abort(route, "aborted")
                    return
                url_text = target
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            if document:
                state.document = {"status": status, "headers": out_headers, "body": body}
            try:
                await route.fulfill(status=status, headers=_joined(out_headers), body=body)
            except Exception:  # the page went away meanwhile
                log.debug("fulfilling %s", request.url, exc_info=True)
            return
        state.refused.append(f"{request.url}: too many redirects")
        state.unusable.append(f"{request.url}: too many redirects")
        if document:
            state.document_error = "unreachable: too many redirects"
        await _abort(route, "failed")

    async def _hop(
        self,
        url_text: str,
        method: str,
        headers: dict[str, str],
        data: bytes | None,
        state: _Page,
        document: bool,
        ping: bool = False,
    ) -> tuple[int, list[tuple[str, str]], bytes] | str:
        """One request through the guard: (status, headers, body), or an abort code.
        ``ping``: a beacon, whose answer no script reads (not part of the fingerprint)."""

        def fail(kind: str, detail: str, code: str) -> str:
            if document:
                state.document_error = f"{kind}: {detail}"
            if kind != "refused-address" and not ping:
                # A refusal is the guard's, the same next time; anything else (a timeout,
                # a budget, a download) may answer otherwise: the record is incomplete.
                state.unusable.append(f"{url_text}: {kind}: {detail}")
            return code

        try:
            url = URL(url_text)
            self.guard.check_url(url)
        except (ValueError, TypeError, AddressRefused) as exc:
            state.refused.append(f"{url_text}: {exc}")
            return fail("refused-address", str(exc), "blockedbyclient")
        if state.requests_left <= 0 or state.over_budget:
            state.refused.append(f"{url_text}: request budget spent")
            return fail("too-large", "the page made too many requests", "blockedbyclient")
        state.requests_left -= 1
        assert self._session is not None, "use the Renderer as `async with Renderer(...)`"
        try:
            async with self._session.request(
                method, url, headers=headers, data=data, allow_redirects=False
            ) as response:
                disposition = response.headers.get("Content-Disposition", "")
                if disposition.lower().startswith("attachment"):
                    response.close()
                    state.refused.append(f"{url_text}: download refused")
                    return fail(
                        "unreachable", "the document is a download (refused)", "blockedbyclient"
                    )
                body, over = await _read_budget(response, state.budget - state.spent)
                state.spent += len(body)
                if over:
                    response.close()
                    state.over_budget = True
                    state.refused.append(f"{url_text}: byte budget spent")
                    limit = self.render.max_page_bytes
                    return fail(
                        "too-large", f"the page loaded more than {limit} bytes", "blockedbyclient"
                    )
                out = [
                    (k, v) for k, v in response.headers.items() if k.lower() not in _DROP_RESPONSE
                ]
                if method == "GET" and not ping:
                    state.resources.append(
                        Resource(
                            url_text,
                            response.status,
                            hashlib.sha256(body).hexdigest(),
                            response.headers.get("Location"),
                            response.headers.get("ETag"),
                            response.headers.get("Last-Modified"),
                            replay_headers(headers),
                        )
                    )
                return response.status, out, body
        except aiohttp.ClientConnectorDNSError as exc:
            detail = str(exc.os_error)
            if isinstance(exc.os_error, AddressRefused):
                state.refused.append(f"{url_text}: {detail}")
                return fail("refused-address", detail, "blockedbyclient")
            return fail("unreachable", f"DNS: {detail}", "namenotresolved")
        except TimeoutError:
            return fail("unreachable", "timeout", "timedout")
        except (aiohttp.ClientError, OSError) as exc:
            return fail("unreachable", f"{type(exc).__name__}: {exc}", "failed")


def _hops(state: _Page) -> dict[str, Any]:
    """The redirects of the top document, as the plain fetcher reports them."""
    hops = tuple(Hop(url, status, target) for url, status, target in state.redirects)
    permanent = [h.location for h in hops if h.status in (301, 308)]
    return {"redirects": hops, "moved_to": permanent[-1] if permanent else None}


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Playwright takes a dict: repeated headers joined (Set-Cookie with newlines)."""
    out: dict[str, str] = {}
    for k, v in headers:
        sep = "\n" if k.lower() == "set-cookie" else ", "
        out[k] = f"{out[k]}{sep}{v}" if k in out else v
    return out


async def _abort(route: Any, code: str) -> None:
    try:
        await route.abort(code)
    except Exception:  # the page went away meanwhile
        log.debug("aborting %s", route.request.url, exc_info=True)


async def _close_quietly(popup: Any) -> None:
    try:
        await popup.close()
    except Exception:
        log.debug("closing a popup", exc_info=True)


async def _read_budget(response: aiohttp.ClientResponse, left: int) -> tuple[bytes, bool]:
    """The body, unless it would pass what is left of the page's byte budget."""
    declared = response.content_length
    if declared is not None and declared > left:
        return b"", True
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > left:
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False
