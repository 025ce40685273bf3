"""Comparisons of any two versions for the compare page, without letting them swamp the server.

Comparing two long policies that are years apart is CPU-heavy (seconds). So: a pair that is a
stored change is answered from its row; a computed comparison is kept in a small LRU keyed by
the two texts' hashes (a reprocess that rewrites a version changes its hash, so nothing stale
is served); and at most one comparison is computed at a time, off the event loop, so a burst
of requests queues instead of occupying every core.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from db import Store
from monitor.compare import compare
from monitor.model import PolicyDocument

CACHE_SIZE = 32


class Comparisons:
    def __init__(self, size: int = CACHE_SIZE, concurrency: int = 1):
        self._cache: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._size = size
        self._concurrency = concurrency
        self._gate: asyncio.Semaphore | None = None
        self.computed = 0  # how many comparisons were actually run (tests, diagnostics)

    def _remember(self, key: tuple[str, str], value: dict) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)

    async def between(self, store: Store, old: dict, new: dict) -> dict:
        """`Comparison.to_detail_dict()` of two versions (rows with clauses)."""
        stored = _stored_change(store, old, new)
        if stored is not None:
            return stored
        key = (old["text_hash"], new["text_hash"])
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self._gate is None:
            self._gate = asyncio.Semaphore(self._concurrency)
        async with self._gate:
            if key not in self._cache:  # another request may have computed it meanwhile
                value = await asyncio.get_running_loop().run_in_executor(
                    None, _compare_versions, old, new
                )
                self.computed += 1
                self._remember(key, value)
        return self._cache[key]


def _stored_change(store: Store, old: dict, new: dict) -> dict | None:
    if old["document_id"] != new["document_id"]:
        return None
    for change in store.changes_of_document(old["document_id"]):
        if change["from_version_id"] == old["id"] and change["to_version_id"] == new["id"]:
            return change["comparison"]
    return None


def _compare_versions(old: dict, new: dict) -> dict:
    return compare(PolicyDocument.from_dict(old), PolicyDocument.from_dict(new)).to_detail_dict()
