"""compare() pauses Python's cyclic garbage collector while it runs (monitor/compare.py,
_collector_paused). That is sound only because a comparison makes no reference cycles:
everything it drops is freed by reference counting, so the collector would find nothing.
These tests hold that, on real pairs, and that the collector's state is given back."""

from __future__ import annotations

import gc
from itertools import pairwise
from pathlib import Path

import pytest
from corpora import policy_history

import monitor.compare as compare_module
from monitor.compare import compare
from monitor.model import Clause, PolicyDocument

HISTORIES = Path(__file__).parent / "data" / "policy-histories"


def _pairs() -> list[tuple[str, str]]:
    """Consecutive versions of a few services of tests/data/policy-histories."""
    out = []
    for service in ("snapchat", "spotify", "netflix", "bitwarden", "tinder"):
        rels = sorted(f"{service}/{p.name}" for p in (HISTORIES / service).glob("*.md"))
        out.extend(pairwise(rels))
    return out


@pytest.fixture
def collector_off():
    """The collector off and the heap collected, so that what a later collection finds is
    what the code under test left behind."""
    was = gc.isenabled()
    gc.disable()
    gc.collect()
    yield
    if was:
        gc.enable()


def test_the_real_pairs_are_there():
    assert len(_pairs()) >= 10


@pytest.mark.parametrize("old, new", _pairs())
def test_a_comparison_leaves_no_reference_cycles(old, new, collector_off):
    a, b = policy_history(old), policy_history(new)
    gc.collect()
    compare(a, b)
    compare(b, a)
    assert gc.collect() == 0


def test_a_comparison_of_many_clauses_leaves_no_reference_cycles(collector_off):
    # Every pair-level pass (moved text, regroups, the inventory) on one pair.
    old = [policy_history(rel).clauses for pair in _pairs() for rel in pair]
    clauses = list(dict.fromkeys(c for doc in old for c in doc))
    edited = [
        Clause(c.section, c.kind, f"{c.text} We may sell it.") if k % 7 == 0 else c
        for k, c in enumerate(clauses)
        if k % 13
    ]
    a, b = PolicyDocument(tuple(clauses)), PolicyDocument(tuple(reversed(edited)))
    gc.collect()
    assert compare(a, b).changes
    assert gc.collect() == 0


def test_the_collector_runs_during_a_comparison_no_more_and_again_after(monkeypatch):
    seen = []
    real = compare_module._compare
    monkeypatch.setattr(
        compare_module, "_compare", lambda a, b: seen.append(gc.isenabled()) or real(a, b)
    )
    doc = policy_history(_pairs()[0][0])
    was = gc.isenabled()
    try:
        gc.enable()
        compare(doc, doc)
        assert seen == [False] and gc.isenabled()
        # Left off by its owner, it stays off.
        gc.disable()
        compare(doc, doc)
        assert seen == [False, False] and not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_the_collector_is_back_after_a_comparison_that_fails(monkeypatch):
    def failing(a, b):
        raise RuntimeError("judgment failed")

    monkeypatch.setattr(compare_module, "_compare", failing)
    doc = policy_history(_pairs()[0][0])
    was = gc.isenabled()
    try:
        gc.enable()
        with pytest.raises(RuntimeError):
            compare(doc, doc)
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
