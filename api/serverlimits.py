"""How long the server waits on a client, and what it says when it runs out of sockets.

Every connection holds a file descriptor, and a process has a fixed number of them
(`ulimit -n`, often 1,024; 256 on some systems). Clients that connect and then send their
headers a byte at a time (slowloris), or sit idle on a kept-alive connection, hold theirs
for as long as the server lets them: with aiohttp's default of 3,630 s a few hundred
such clients take every descriptor, health checks time out, and asyncio logs a
traceback for each accept it retries. So:

- `server_limits`: a complete request head must arrive within `idle_timeout` of the
  connect or of the end of the previous response (aiohttp's keep-alive timer, which
  runs from the connect); bodies are bounded by `body_timeout` where they are read
  (api/routes/common.py).
- `AcceptErrors`: running out of descriptors is reported in one line at most once a
  minute, with how many accepts failed meanwhile, instead of a traceback per accept.
- `ClientErrors`: aiohttp logs a traceback for every malformed request (a header line
  too long, a bad chunk); those are the client's fault, so they are counted and
  reported in one line at most once a minute as well.
- `raise_fd_limit`: the soft descriptor limit is raised to the hard one at start, as Go
  and nginx-style servers do; docs/security.md tells operators how to raise the hard one.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from api.config import Settings

log = logging.getLogger("clausewatch.server")

# What accept() fails with when the process or the system is out of descriptors/memory.
_EXHAUSTED = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
REPORT_EVERY_S = 60.0


def server_limits(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for aiohttp's AppRunner from settings."""
    return {"keepalive_timeout": max(0.05, float(settings.idle_timeout))}


def fd_limit() -> tuple[int, int] | None:
    """(soft, hard) RLIMIT_NOFILE, or None where there is no such thing."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def raise_fd_limit() -> tuple[int, int] | None:
    """Raise the soft descriptor limit to the hard one; the (soft, hard) now in force."""
    limits = fd_limit()
    if limits is None:
        return None
    import resource

    soft, hard = limits
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (OSError, ValueError):
            return limits
        return hard, hard
    return limits


def _is_exhaustion(context: dict) -> bool:
    exc = context.get("exception")
    return (
        isinstance(exc, OSError)
        and exc.errno in _EXHAUSTED
        and "accept" in str(context.get("message", ""))
    )


class AcceptErrors:
    """An event-loop exception handler: accept() failing for want of descriptors is
    logged once per `every` seconds; anything else goes to the previous handler."""

    def __init__(
        self,
        *,
        every: float = REPORT_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger = log,
        previous: Callable[[asyncio.AbstractEventLoop, dict], object] | None = None,
    ) -> None:
        self.every = every
        self.clock = clock
        self.logger = logger
        self.previous = previous
        self.failed = 0  # accepts failed since the last report
        self._last: float | None = None

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        if not _is_exhaustion(context):
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        self.failed += 1
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return
        limits = fd_limit()
        shown = f"{limits[0]}" if limits else "unknown"
        exc = context["exception"]
        self.logger.warning(
            "cannot accept connections: %s (open-file limit %s; %d accept(s) failed since "
            "the last report); slow or idle clients are dropped after idle_timeout, "
            "see docs/security.md to raise the limit",
            exc.strerror or exc,
            shown,
            self.failed,
        )
        self.failed = 0
        self._last = now


class ClientErrors(logging.Filter):
    """A filter for aiohttp's server logger: a malformed request (HttpProcessingError,
    answered 4xx by aiohttp) becomes one line a minute with a count, not a traceback each."""

    def __init__(
        self, *, every: float = REPORT_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.every = every
        self.clock = clock
        self.count = 0
        self._last: float | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, HttpProcessingError):
            return True
        self.count += 1
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return False
        # The exception's type, not its message: that quotes the client's bytes.
        record.msg = "malformed requests answered %s (%d since the last report; last: %s)"
        record.args = (exc.code, self.count, type(exc).__name__)
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        self.count = 0
        self._last = now
        return True


SERVER_LOGGER = "aiohttp.server"


def install(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Put AcceptErrors on `loop` and ClientErrors on aiohttp's server logger; returns
    what takes both off again."""
    previous = loop.get_exception_handler()
    loop.set_exception_handler(AcceptErrors(previous=previous))
    server_log = logging.getLogger(SERVER_LOGGER)
    client_errors = ClientErrors()
    server_log.addFilter(client_errors)

    def restore() -> None:
        loop.set_exception_handler(previous)
        server_log.removeFilter(client_errors)

    return restore
