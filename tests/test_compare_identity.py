"""compare() reads each version's identity (monitor.textnorm.identity_key, the whole text
masked and joined) once along a history, not once for each comparison it is part of."""

from __future__ import annotations

from itertools import pairwise

import monitor.compare as compare_module
from monitor.compare import compare
from monitor.model import Clause, PolicyDocument


def _version(k: int) -> PolicyDocument:
    return PolicyDocument(
        (
            Clause(("Privacy",), "heading", "Privacy"),
            Clause(("Privacy",), "paragraph", f"We keep your messages for {k + 1} days."),
            Clause(("Privacy",), "paragraph", "We never sell your data."),
        )
    )


def test_each_version_of_a_history_is_keyed_once(monkeypatch):
    calls = []
    real = compare_module.identity_key
    monkeypatch.setattr(
        compare_module, "identity_key", lambda clauses: calls.append(1) or real(clauses)
    )
    compare_module._identity.cache_clear()
    history = [_version(k) for k in range(4)]
    results = [compare(a, b) for a, b in pairwise(history)]
    assert all(r.changes for r in results)
    assert len(calls) == len(history)


def test_versions_equal_in_text_are_one_version():
    compare_module._identity.cache_clear()
    a, b = _version(1), _version(1)
    assert a is not b
    assert compare(a, b).changes == []
    assert compare(a, _version(2)).changes
