"""A large page's parse tree goes back to the system before the clauses are built.

The tree of a page at the 10 MiB fetch cap is about 80 MB of C heap; freed but kept by
malloc, it stayed in the process beside the clauses (extraction's peak went 126 -> 141 MB,
`clausewatch extract` 130 -> 163 MB with its imports). The peak itself is measured by
bench/extract_fidelity.py; here, that the release is asked for, and only when it pays.
"""

from __future__ import annotations

import pytest

from monitor.extract import extract, memory

PARAGRAPH = b"<p>We keep your messages for thirty days, then delete them for good.</p>\n"


@pytest.fixture
def trims(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: calls.append)
    return calls


def test_a_large_page_releases_its_tree(trims):
    body = PARAGRAPH * (memory.LARGE_PAGE // len(PARAGRAPH) + 1)
    doc = extract(b"<html><body><h1>Privacy</h1>" + body + b"</body></html>", "text/html")
    assert len(doc.clauses) > 10_000
    assert trims == [0]


def test_a_small_page_does_not_walk_the_heap(trims):
    extract(b"<html><body><h1>Privacy</h1>" + PARAGRAPH + b"</body></html>", "text/html")
    assert trims == []


def test_release_is_a_no_op_without_malloc_trim(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    memory.release_freed(memory.LARGE_PAGE)  # musl, macOS: nothing to call, no error


def test_the_real_trim_is_found_or_absent():
    trim = memory._malloc_trim()
    assert trim is None or trim(0) in (0, 1)
