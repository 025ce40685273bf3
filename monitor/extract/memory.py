"""Handing a freed parse tree's memory back to the system.

The HTML parser allocates a page's tree with C malloc, about 8 times the page's bytes (80 MB
for a page at the 10 MiB fetch cap). Freed, that memory stays with the process: glibc keeps
freed heap pages for reuse, and the Python objects built next (the clauses) come from
arenas of their own, so the process's peak would hold the tree and the clauses at once.
``malloc_trim`` returns the free pages to the system. It walks the heap (about 20 ms after a
10 MiB page), so it is asked for only after large pages.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

# Below this a page's tree is a few MB: not worth a walk of the heap.
LARGE_PAGE = 1024 * 1024

_trim: Callable[[int], int] | None = None
_looked_up = False


def _malloc_trim() -> Callable[[int], int] | None:
    global _trim, _looked_up
    if not _looked_up:
        _looked_up = True
        try:
            # The process's own symbols: glibc's on Linux; absent elsewhere (musl, macOS).
            _trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
        except OSError:
            _trim = None
    return _trim


def release_freed(page_bytes: int) -> None:
    """After a tree of a ``page_bytes`` page was freed: give its memory back, if large."""
    if page_bytes < LARGE_PAGE:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
