"""Where a version writes a name (monitor.classify.renames._mentions), cached per name and
version: the same places as a fresh search of each clause, and never another version's."""

from __future__ import annotations

import re

from corpora import policy_history

from monitor.classify.renames import _mentions, _mentions_in
from monitor.classify.words import words
from monitor.model import Clause, PolicyDocument


def _clause_by_clause(name: tuple[str, ...], doc: PolicyDocument) -> list[tuple[int, str]]:
    rx = re.compile(r"\b" + r"\W+".join(map(re.escape, name)) + r"\b", re.IGNORECASE)
    return [(k, m.group(0)) for k, c in enumerate(doc.clauses) for m in rx.finditer(c.text)]


def _doc(*texts: str) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(("S",), "paragraph", t) for t in texts))


def test_same_mentions_as_a_fresh_search_on_a_real_version():
    doc = policy_history("snapchat/2024-01-22T124016Z.md")
    names: set[tuple[str, ...]] = set()
    for c in doc.clauses[::7]:
        ws = words(c.text)
        for n in (1, 2):
            names.update(tuple(ws[i : i + n]) for i in range(0, max(0, len(ws) - n + 1), 5))
    assert len(names) > 100
    for _ in range(2):  # asked again: from the cache
        for name in sorted(names):
            assert list(_mentions(name, doc)) == _clause_by_clause(name, doc), name


def test_the_cache_keeps_versions_apart():
    old = _doc("We share data with Twitter.", "Twitter, Inc. is the controller.")
    new = _doc("We share data with X.", "X Corp. is the controller.")
    assert list(_mentions(("twitter",), old)) == [(0, "Twitter"), (1, "Twitter")]
    assert _mentions(("twitter",), new) == ()
    # An equal version built anew finds the same places.
    again = _doc("We share data with Twitter.", "Twitter, Inc. is the controller.")
    assert _mentions(("twitter",), again) == _mentions(("twitter",), old)


def test_the_cache_keeps_few_versions_alive():
    # A monitor compares version after version: the cache must not keep every one of them.
    docs = [_doc(f"We share data with Vendor{k}.") for k in range(10)]
    for k, doc in enumerate(docs):
        _mentions((f"vendor{k}",), doc)
        _mentions(("twitter",), doc)
    assert _mentions_in.cache_info().currsize <= 4


def test_a_name_is_found_clause_by_clause_though_the_version_is_searched_as_one_text():
    # "Acme Labs" runs across two clauses in the joined text: no clause writes it. The
    # matches at the very start and end of clauses still stand.
    doc = _doc("We share data with Acme", "Labs receive it.", "Acme Labs", "acme labs; Acme  Labs")
    assert list(_mentions(("acme", "labs"), doc)) == _clause_by_clause(("acme", "labs"), doc)
    assert [k for k, _ in _mentions(("acme", "labs"), doc)] == [2, 3, 3]
