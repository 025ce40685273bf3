"""Archive-on-change: when a live check finds a new version, have the Wayback Machine save
the page, and keep the archive's URL on the change so anyone can verify what we saw.

waybackpy's SavePageNow client is blocking (requests, and sleeps between its retries), so
each save runs in a worker thread of its own, under a timeout, at most `workers` at once.
A save that times out is abandoned, not killed (threads cannot be). The threads are daemon
threads outside the default pool: a stuck save never holds up the recording of snapshots
(which runs in the default pool), nor the process's exit on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from db import Store

# A blocking function: the page's URL -> the URL of its fresh archive copy.
Saver = Callable[[str], str]

DEFAULT_TIMEOUT = 120.0


def savepagenow(user_agent: str, *, max_tries: int = 2) -> Saver:
    """The real saver: waybackpy's WaybackMachineSaveAPI (needs web.archive.org)."""

    def save(url: str) -> str:
        from waybackpy import WaybackMachineSaveAPI

        return WaybackMachineSaveAPI(url, user_agent=user_agent, max_tries=max_tries).save()

    return save


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    page_url: str
    archive_url: str | None = None
    error: str | None = None


class Archiver:
    """Saves pages through `saver` with a timeout and stores the archive URL on changes."""

    def __init__(
        self, store: Store, saver: Saver, *, timeout: float = DEFAULT_TIMEOUT, workers: int = 2
    ) -> None:
        self.store = store
        self.saver = saver
        self.timeout = timeout
        self._slots = asyncio.Semaphore(workers)
        self.results: list[ArchiveResult] = []  # what this process archived, for reports

    async def save(self, page_url: str) -> ArchiveResult:
        """Ask for an archive copy of `page_url`; never raises for the saver's failures."""
        try:
            async with self._slots:
                archived = await asyncio.wait_for(
                    _in_daemon_thread(self.saver, page_url), self.timeout
                )
        except TimeoutError:
            return ArchiveResult(page_url, error=f"timed out after {self.timeout:g} s")
        except Exception as exc:  # any failure of a third-party client is just "not archived"
            return ArchiveResult(page_url, error=f"{type(exc).__name__}: {exc}")
        if not isinstance(archived, str) or not archived.startswith(("https://", "http://")):
            return ArchiveResult(page_url, error=f"no archive URL in the answer ({archived!r})")
        return ArchiveResult(page_url, archive_url=archived)

    async def archive_changes(self, page_url: str, change_ids: Sequence[int]) -> ArchiveResult:
        """Save the page once and point every one of `change_ids` at the copy."""
        result = await self.save(page_url)
        if result.archive_url:
            for change_id in change_ids:
                self.store.update_change(change_id, archive_url=result.archive_url)
        self.results.append(result)
        return result

    def close(self) -> None:
        """Nothing to wait for: saves still running are abandoned (daemon threads), and
        their change simply keeps no archive URL."""


def _in_daemon_thread(fn: Saver, arg: str) -> asyncio.Future:
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(value: object, error: BaseException | None) -> None:
        if future.done():  # timed out and abandoned meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def run() -> None:
        try:
            value, error = fn(arg), None
        except BaseException as exc:  # handed to the awaiting coroutine
            value, error = None, exc
        # The loop may be gone by now (the process is stopping): then nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=run, name="savepagenow", daemon=True).start()
    return future
