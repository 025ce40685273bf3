"""The running service: the aiohttp application and the monitor's scheduler in one process.

`add_monitor(app, settings)` appends a cleanup_ctx that, once the store is open, builds the
Fetcher, the Wayback client, the archiver and the Monitor, and starts the Scheduler; on
cleanup it stops the scheduler first (a pass in flight settles or gives its claims back),
then closes the clients. `add_webhook_delivery(app)` runs the webhook delivery loop. The
route modules know nothing of either. `serve(settings)` runs it all until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import signal
import socket
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from api import keys, serverlimits
from api.app import create_app
from api.baseurl import BASE_URL
from api.config import Settings
from api.webhooks import delivery_ctx
from db import Store
from db.rows import DocumentRow
from monitor.archive import Archiver, Saver, savepagenow
from monitor.backfill import BackfillReport, backfill_document
from monitor.fetch import Fetcher, FetchPolicy, user_agent
from monitor.netguard import Lookup
from monitor.pruning import Pruner
from monitor.record import reconcile_lagging
from monitor.render import Renderer, RenderPolicy, chromium_available
from monitor.renderchoice import ChoosingFetcher, StorePrints, store_remember
from monitor.schedule import Clock, Monitor, Scheduler, Timing, utc_now
from monitor.wayback import WaybackClient

log = logging.getLogger("clausewatch.server")
SCHEDULER = web.AppKey("scheduler", Scheduler)
log = logging.getLogger("clausewatch.service")
MAX_TICK = 60.0


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        allow_private=settings.allow_private_addresses,
        user_agent=user_agent(settings.user_agent_contact),
        concurrency=max(1, settings.max_concurrency),
        min_host_delay=max(0, settings.min_host_delay),
    )


def archives(settings: Settings) -> bool:
    """Archive-on-change asks the Internet Archive for work in the operator's name: only
    when the operator has said who they are."""
    return settings.archive_on_change and bool(settings.user_agent_contact)


def rendering_off(settings: Settings) -> str | None:
    """Why the monitor will not render pages, or None when it will."""
    if settings.render_pages <= 0:
        return "render_pages is 0"
    return chromium_available(settings.chromium_path)


def tick_of(settings: Settings) -> float:
    """How often the scheduler looks for due documents: often enough for the interval."""
    return min(MAX_TICK, max(1.0, settings.check_interval / 10))


def pruner_of(settings: Settings, store: Store) -> Pruner | None:
    """The retention timer, when retention is configured (keep_raw "run-ends") and on."""
    if settings.keep_raw != "run-ends" or settings.prune_interval <= 0:
        return None
    return Pruner(store, interval=settings.prune_interval, batch=max(1, settings.prune_batch))


@dataclass(frozen=True)
class Injected:
    """What tests and benches replace: the clock, DNS and the SavePageNow call."""

    clock: Clock = utc_now
    lookup: Lookup | None = None
    saver: Saver | None = None


@asynccontextmanager
async def open_monitor(
    store: Store, settings: Settings, injected: Injected | None = None
) -> AsyncIterator[Monitor]:
    """A Monitor wired to settings, with its clients open for the duration."""
    injected = injected or Injected()
    async with AsyncExitStack() as stack:
        fetcher = await stack.enter_async_context(
            Fetcher(fetch_policy(settings), lookup=injected.lookup)
        )
        renderer = None
        if rendering_off(settings) is None:
            # The browser itself starts on the first page that needs it.
            renderer = await stack.enter_async_context(
                Renderer(
                    fetcher.policy,
                    RenderPolicy(pages=settings.render_pages, executable=settings.chromium_path),
                    lookup=injected.lookup,
                    fetcher=fetcher,
                )
            )
        chooser = ChoosingFetcher(
            fetcher,
            renderer,
            remember=store_remember(store),
            prints=StorePrints(store),
            rerender_after=timedelta(days=settings.rerender_days),
        )
        unlimited: dict[str, Any] = (
            {} if settings.wayback_rate_limits else {"cdx_per_minute": 0, "fetch_per_minute": 0}
        )
        wayback = await stack.enter_async_context(
            WaybackClient(settings.wayback_url, contact=settings.user_agent_contact, **unlimited)
        )
        extract_pool = None
        if settings.extract_workers > 0:
            # spawn, not fork: this process has threads (sqlite, aiohttp) a fork would copy.
            extract_pool = ProcessPoolExecutor(
                max_workers=settings.extract_workers,
                mp_context=multiprocessing.get_context("spawn"),
            )
            # Waited for: no worker outlives the service (they finish a page in milliseconds).
            stack.callback(extract_pool.shutdown, wait=True, cancel_futures=True)
        archiver = None
        if archives(settings):
            saver = injected.saver or savepagenow(user_agent(settings.user_agent_contact))
            archiver = Archiver(store, saver)
            stack.callback(archiver.close)

        # Archived captures that hold no policy text as served are rendered from their
        # replay page (scripts replayed from the archive, which robots.txt does not govern).
        render = functools.partial(renderer.fetch, robots=False) if renderer else None

        async def backfill(document: DocumentRow) -> BackfillReport:
            return await backfill_document(store, wayback, document, render=render)

        yield Monitor(
            store,
            chooser,
            timing=Timing(interval=float(settings.check_interval)),
            clock=injected.clock,
            archiver=archiver,
            backfill=backfill,
            extract_pool=extract_pool,
        )


def add_monitor(
    app: web.Application,
    settings: Settings,
    injected: Injected | None = None,
    *,
    on_started: Callable[[Scheduler], None] | None = None,
) -> None:
    """Run the monitor's scheduler for as long as `app` runs (after the store is open)."""

    async def monitor_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_monitor(app[keys.STORE], settings, injected) as monitor:
            # A kill between a version's commit and its changes' leaves the change unwritten;
            # write it before the first pass (announced once: its id is new, its origin kept).
            recovered = await asyncio.to_thread(reconcile_lagging, monitor.store, monitor.pipeline)
            for document_id, added in recovered.items():
                log.warning("document %s: %d change(s) recovered at start", document_id, len(added))
            scheduler = Scheduler(
                monitor, tick=tick_of(settings), pruner=pruner_of(settings, monitor.store)
            )
            app[SCHEDULER] = scheduler
            scheduler.start()
            if on_started:
                on_started(scheduler)
            try:
                yield
            finally:
                await scheduler.shutdown()

    app.cleanup_ctx.append(monitor_ctx)


def add_webhook_delivery(app: web.Application) -> None:
    """Deliver webhook events for as long as `app` runs (api/webhooks.py), once the store is
    open; `app[DELIVERY_INTERVAL] = None` keeps the loop from starting (tests)."""
    app.cleanup_ctx.append(delivery_ctx)


def create_service(settings: Settings, injected: Injected | None = None) -> web.Application:
    """The application with its background workers: every worker starts here, none from a
    route module, so `create_app` alone serves requests and runs nothing else."""
    app = create_app(settings)
    add_webhook_delivery(app)
    add_monitor(app, settings, injected)
    return app


def make_runner(app: web.Application, settings: Settings) -> web.AppRunner:
    """The runner `serve` uses, with the bounds on slow and idle clients (api/serverlimits)."""
    return web.AppRunner(
        app, handle_signals=False, access_log=None, **serverlimits.server_limits(settings)
    )


def bind_socket(settings: Settings) -> socket.socket:
    """A listening socket on settings' address, or OSError (e.g. the port is taken)."""
    family, _, _, _, address = socket.getaddrinfo(
        settings.host or None, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(address, family=family, backlog=128)


async def start_site(
    runner: web.AppRunner, settings: Settings, sock: socket.socket | None = None
) -> str:
    """Listen on settings' address (or on `sock`, already bound); the URL really bound (the
    real port under port 0), which links in webhook events are built on without a public URL."""
    site = web.SockSite(runner, sock) if sock else web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    host, port = runner.addresses[0][:2]
    app = runner.app
    app[BASE_URL].bind(host, port)
    return app[BASE_URL].bound or ""


async def serve(
    settings: Settings,
    *,
    announce: Callable[[str], None] = print,
    injected: Injected | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, then shut down gracefully.

    The port is bound before the monitor starts: with the port taken, nothing is fetched
    (and no page is sent to SavePageNow) before the OSError."""
    sock = bind_socket(settings)
    app = create_service(settings, injected)
    runner = make_runner(app, settings)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    restore_handler = serverlimits.install(loop)
    serverlimits.raise_fd_limit()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        url = await start_site(runner, settings, sock)
        announce(f"Clausewatch serving on {url} (database {settings.db_path})")
        if not settings.user_agent_contact:
            log.warning(
                "CLAUSEWATCH_USER_AGENT_CONTACT is not set: the crawler's User-Agent names no "
                "one to contact, and changed pages are not sent to SavePageNow; set it to a "
                "URL or mailto: address where you can be reached"
            )
        if app[BASE_URL].guessing:
            log.warning(
                "CLAUSEWATCH_PUBLIC_URL is not set: links in webhook events will name %s; "
                "set it to the address people use",
                url,
            )
        off = rendering_off(settings)
        if off:
            announce(f"Rendering is off ({off}): every policy is fetched without a browser")
        await stop.wait()
        announce("Stopping: finishing checks in flight...")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await runner.cleanup()
        restore_handler()
