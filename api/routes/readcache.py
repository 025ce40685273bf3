"""A small in-process cache of public read answers, exact because SQLite says when to drop it.

Every entry remembers the version of the data it was built from: for lookups and feed
pages the store's read generation (`read_generation`: moved by triggers on exactly the
writes they read), else `PRAGMA data_version` (moved by every commit of any other
connection). An entry is served only while that version holds — never stale, no TTL to
tune. It is what a CDN in front would do for repeated URLs (the popular lookup prefixes, the feed
pages of clients that are up to date), for deployments without one. Bounded in entries
and bytes, least recently used out first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from aiohttp import web

from api.routes.common import JSON_TYPE, etag_matches
from db import Store

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry:
    version: tuple[int, int]
    body: bytes
    etag: str
    cache_control: str


def data_version(store: Store) -> tuple[int, int]:
    """The reading connection's data version, with its thread (versions are per connection)."""
    (n,) = store.reader.execute("PRAGMA data_version").fetchone()
    return threading.get_ident(), n


def read_generation(store: Store) -> tuple[int, int]:
    """The version of what lookups and feed pages read: the store's read generation, which
    triggers move on exactly those writes (schema m011), not on a monitor's bookkeeping (a
    snapshot, a next check time), so their answers outlive the commits of every check.

    Read before the answer is built: an answer is never older than the version it is kept
    under (a commit in between only makes it newer, and the next request rebuilds it)."""
    (n,) = store.reading().execute("SELECT n FROM read_generation").fetchone()
    return 0, n


class ReadCache:
    def __init__(self, max_entries: int = 8192, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        # Figures that many answers share (one per key), under the same version rule.
        self._values: dict[str, tuple[tuple[int, int], object]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple, version: tuple[int, int]) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 16:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)

    def value(self, name: str, version: tuple[int, int], build: Callable[[], T]) -> T:
        """`build()`, computed once per data version: a figure every answer of a kind needs."""
        held = self._values.get(name)
        if held is not None and held[0] == version:
            return held[1]  # type: ignore[return-value]
        result = build()
        self._values[name] = (version, result)
        return result

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Bytes of the answers held (what max_bytes bounds)."""
        return self._bytes


READ_CACHE = web.AppKey("read_cache", ReadCache)


def install(app: web.Application) -> None:
    if READ_CACHE not in app:
        app[READ_CACHE] = ReadCache()


def respond(request: web.Request, entry: Entry) -> web.Response:
    headers = {"ETag": entry.etag, "Cache-Control": entry.cache_control}
    if etag_matches(request, entry.etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=entry.body, content_type=JSON_TYPE, headers=headers)
