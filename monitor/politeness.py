"""Politeness: one request at a time per host, a minimum pause between them, a global cap.

The clock and the sleep are injected so tests can check the pauses without waiting them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Turn:
    """One request's turn at a host. Set ``contacted = False`` when the request never
    reached the host (refused address, DNS failure): it then costs the host no pause."""

    __slots__ = ("contacted",)

    def __init__(self) -> None:
        self.contacted = True


class Politeness:
    """Gates requests: ``async with politeness.slot(host): <one request>``.

    The pause is measured from the end of the previous request to the same host, so a slow
    server is never hit sooner because it was slow. A request first waits for its host, then
    for a global slot, so hosts that must pause do not hold slots others could use.
    """

    def __init__(
        self,
        *,
        min_delay: float,
        concurrency: int,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.min_delay = max(0.0, min_delay)
        self._clock = clock
        self._sleep = sleep
        self._global = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Lock] = {}
        self._last_done: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, host: str, min_delay: float | None = None) -> AsyncIterator[Turn]:
        """One request's turn at ``host``; ``min_delay`` may only lengthen the pause."""
        host = host.lower()
        delay = max(self.min_delay, min_delay or 0.0)
        lock = self._hosts.setdefault(host, asyncio.Lock())
        async with lock:
            last = self._last_done.get(host)
            if last is not None:
                wait = last + delay - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            async with self._global:
                turn = Turn()
                try:
                    yield turn
                finally:
                    if turn.contacted:
                        self._last_done[host] = self._clock()
