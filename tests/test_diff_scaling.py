"""The clause alignment's quadratic passes stay bounded, counted in operations (never in
wall time): a sentence every paragraph repeats, or thousands of leftover clauses, must not
make one pass compare everything with everything."""

from __future__ import annotations

from itertools import product

import pytest

import monitor.classify as classify
from monitor.compare import compare
from monitor.diff import align, diff_clauses
from monitor.model import Clause, PolicyDocument

_SYLLABLES = [a + b for a, b in product("bdfgklmnprstvz", "aeiou")]


def _word(k: int) -> str:
    """A distinct made-up word for each k (so clauses share no words by accident)."""
    out = ""
    while True:
        out += _SYLLABLES[k % len(_SYLLABLES)]
        k //= len(_SYLLABLES)
        if not k:
            return out


def _clause(i: int, tail: str = "") -> Clause:
    ws = [_word(7 * i + k) for k in range(7)]
    return Clause(("Terms",), "paragraph", f"{' '.join(ws).capitalize()} here.{tail}")


BOILERPLATE = " Learn more about this in our help centre."


def _edited(clauses: list[Clause], every: int) -> list[Clause]:
    """Every ``every``-th clause with one word replaced."""
    out = []
    for i, c in enumerate(clauses):
        if i % every == 0:
            rest = c.text.split(" ", 1)[1]
            c = Clause(c.section, c.kind, f"Changed {rest}")
        out.append(c)
    return out


def _count_calls(monkeypatch, owner, name: str) -> list[int]:
    """Counts the calls of ``owner.name`` (a function or a method) while the test runs."""
    calls = [0]
    original = getattr(owner, name)

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def _count_linking(monkeypatch) -> list[int]:
    """Counts the sentence postings _find_regroups walks to link paragraphs."""
    walked = [0]
    linked = align._linked

    def counting(keys, where):
        walked[0] += sum(len(where.get(k, ())) for k in keys)
        return linked(keys, where)

    monkeypatch.setattr(align, "_linked", counting)
    return walked


@pytest.mark.parametrize("n", [300, 1200])
def test_a_sentence_every_paragraph_repeats_links_no_paragraph_to_all_the_others(monkeypatch, n):
    old = [_clause(i, BOILERPLATE) for i in range(n)]
    new = _edited(old, every=3)
    walked = _count_linking(monkeypatch)
    d = diff_clauses(old, new)
    # Each edited paragraph is one edit, not a member of one regroup of them all held
    # together by the shared sentence.
    assert d.regroups == []
    assert [c.kind for c in d.changes] == ["modified"] * len(range(0, n, 3))
    # Linear: each sentence walks a bounded posting list (before, every leftover paragraph
    # walked the boilerplate's list of all the others: (n/3)² each way).
    sentences = 2 * 2 * len(range(0, n, 3))
    assert walked[0] <= align._SENTENCE_POSTINGS * sentences


def test_a_sentence_repeated_a_few_times_still_links_a_split_paragraph():
    # Below the bound nothing changes: a paragraph split in two, each half keeping a
    # sentence that two other paragraphs also hold, is still found as a regroup.
    shared = " Learn more about this in our help centre."
    whole = f"{_clause(2).text} {_clause(3).text}{shared}"
    old = [_clause(0, shared), _clause(1, shared), Clause(("Terms",), "paragraph", whole)]
    new = [
        _clause(0, shared),
        _clause(1, shared),
        _clause(2),
        Clause(("Terms",), "paragraph", f"{_clause(3).text}{shared}"),
    ]
    d = diff_clauses(old, new)
    assert [(g.old_indices, g.new_indices) for g in d.regroups] == [([2], [2, 3])]


def test_pairing_many_leftover_clauses_compares_each_with_a_bounded_few(monkeypatch):
    n = 3000
    old = [_clause(i) for i in range(n)]
    # Every clause edited: all of them are left over for pairing (9 million pairs).
    new = [Clause(c.section, c.kind, c.text.replace(" here.", " there.")) for c in old]
    calls = _count_calls(monkeypatch, align, "_similarity")
    d = diff_clauses(old, new)
    assert [c.kind for c in d.changes] == ["modified"] * n
    assert 0 < calls[0] <= align._MAX_CANDIDATES * n


def test_judging_moved_text_indexes_each_version_once_not_once_per_span(monkeypatch):
    # Sentences said in two sections and cut from one: each cut is counted against the
    # other version's copies. The lookup of that version's word runs hashed the whole
    # version every time (its cache key), once per cut: clauses x cuts.
    def said(i: int, section: str) -> Clause:
        return Clause(
            (section,),
            "paragraph",
            f"We share your precise location data with advertising partner {_word(i)} "
            "to show you ads.",
        )

    n = 40
    old = [said(i, "Sharing") for i in range(n)] + [said(i, "Partners") for i in range(n)]
    new = [said(i, "Sharing") for i in range(n)]
    lookups = _count_calls(monkeypatch, classify, "_runs_of")
    result = compare(PolicyDocument(tuple(old)), PolicyDocument(tuple(new)))
    assert [c.kind for c in result.changes] == ["removed"] * n
    # Two pools, each with its own version and the other one.
    assert 0 < lookups[0] <= 4


def _sentence(k: int) -> str:
    return " ".join(_word(11 * k + w) for w in range(6)).capitalize() + "."


def _nested_regroups(n: int) -> tuple[list[Clause], list[Clause]]:
    """Old paragraph k holds sentences A_k and B_k; new paragraph k holds B_k and
    A_{n-1-k}, and is followed by a clause added. Each pair of paragraphs k and n-1-k is
    one regroup spanning the middle of the page, and every added clause lies inside all
    the spans around it."""
    old, new = [], []
    for k in range(n):
        old.append(Clause(("Terms",), "paragraph", f"{_sentence(2 * k)} {_sentence(2 * k + 1)}"))
        new.append(
            Clause(("Terms",), "paragraph", f"{_sentence(2 * k + 1)} {_sentence(2 * (n - 1 - k))}")
        )
        new.append(Clause(("Terms",), "paragraph", _sentence(10**6 + k)))
    return old, new


def test_filling_nested_regroup_spans_walks_each_leftover_once(monkeypatch):
    # A group takes the leftovers between its first and last members. Each span was walked
    # whole, the leftovers already taken by an outer group included: n²/4 steps here
    # (16,000 clauses: 0.6 s in this walk alone, 2.5 s at 32,000).
    n = 400
    old, new = _nested_regroups(n)
    steps = _count_calls(monkeypatch, align._Free, "next")
    d = diff_clauses(old, new)
    # The outermost pair takes every added clause between them (its text is then no
    # reflow of its paragraphs); each other pair is a reflow of its two paragraphs.
    assert len(d.regroups) == n // 2 - 1
    assert all(len(g.old_indices) == len(g.new_indices) == 2 for g in d.regroups)
    assert 0 < steps[0] <= 2 * (len(old) + len(new))


def test_items_added_to_a_long_open_list_read_each_version_once(monkeypatch):
    # Each item added to an open-ended list of kinds of data looked up the list's
    # introduction in the other version through a cache keyed by the version, which hashes
    # every clause at each lookup, and walked back over the list to find that
    # introduction: clauses x items (40,602 clause hashes for 200 items, 642,402 for 800).
    intro = "We collect the following personal information, such as:"
    old = [Clause(("Data",), "heading", "Data we collect"), Clause(("Data",), "paragraph", intro)]
    old += [
        Clause(("Data",), "list-item", f"Your {_word(k)} {_word(k + 1)} location data")
        for k in range(200)
    ]
    new = list(old)
    for k in range(200):
        new.insert(
            2 + 2 * k,
            Clause(("Data",), "list-item", f"Your {_word(10**5 + k)} browsing history"),
        )
    hashes = _count_calls(monkeypatch, Clause, "__hash__")
    result = compare(PolicyDocument(tuple(old)), PolicyDocument(tuple(new)))
    # Every item added is an example in an open-ended list, not a new practice.
    assert [(c.kind, c.rule, c.material) for c in result.changes] == [
        ("added", "example", False)
    ] * 200
    assert 0 < hashes[0] <= 4 * (len(old) + len(new))
