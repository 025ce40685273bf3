"""Where a version writes a name (monitor.classify.renames._mentions): one search of the
whole version gives what a search of each clause gives, on real versions and on names that
run across the end of a clause."""

from __future__ import annotations

import re

import pytest
from corpora import policy_history

from monitor.classify.renames import _mentions
from monitor.classify.words import words
from monitor.model import Clause, PolicyDocument


def _clause_by_clause(name: tuple[str, ...], doc: PolicyDocument) -> list[tuple[int, str]]:
    rx = re.compile(r"\b" + r"\W+".join(map(re.escape, name)) + r"\b", re.IGNORECASE)
    return [(k, m.group(0)) for k, c in enumerate(doc.clauses) for m in rx.finditer(c.text)]


def _doc(*texts: str) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(("S",), "paragraph", t) for t in texts))


@pytest.mark.parametrize(
    "rel",
    ["facebook/2020-11-19T084723Z.md", "snapchat/2024-01-22T124016Z.md"],
)
def test_same_mentions_as_clause_by_clause_on_real_versions(rel):
    doc = policy_history(rel)
    names: set[tuple[str, ...]] = set()
    for c in doc.clauses[::7]:
        ws = words(c.text)
        for n in (1, 2, 3):
            names.update(tuple(ws[i : i + n]) for i in range(0, max(0, len(ws) - n + 1), 5))
    # The last word of each clause and the first of the next, as one name.
    for a, b in zip(doc.clauses, doc.clauses[1:], strict=False):
        wa, wb = words(a.text), words(b.text)
        if wa and wb:
            names.add((wa[-1], wb[0]))
    assert len(names) > 200
    found = 0
    for name in sorted(names):
        expected = _clause_by_clause(name, doc)
        assert _mentions(name, doc) == expected, name
        found += bool(expected)
    assert found > 100


def test_a_name_does_not_run_across_clauses():
    doc = _doc("We work with Meta", "Platforms Inc. processes data for Meta Platforms.", "x_y")
    for name in (("meta", "platforms"), ("meta",), ("platforms",), ("x_y",), ("x",), ("y",)):
        assert _mentions(name, doc) == _clause_by_clause(name, doc), name
    assert _mentions(("meta", "platforms"), doc) == [(1, "Meta Platforms")]
    # Empty clauses and a name at either end of the version.
    doc = _doc("", "Acme", "", "acme and ACME", "")
    assert _mentions(("acme",), doc) == [(1, "Acme"), (3, "acme"), (3, "ACME")]
    assert _mentions(("acme",), doc) == _clause_by_clause(("acme",), doc)
