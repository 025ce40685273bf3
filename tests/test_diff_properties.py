"""Properties of the clause diff on real clause lists with random edits (hypothesis)."""

from collections import Counter
from fractions import Fraction
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from monitor.classify import _MOVED_JACCARD, _MOVED_SIMILAR_WORDS, _Pool
from monitor.compare import compare
from monitor.diff import diff_clauses
from monitor.diff.align import _similarity, _size_band, _within_band
from monitor.extract import extract
from monitor.model import Clause, PolicyDocument
from monitor.textnorm import comparison_key

DATA = Path(__file__).parent / "data" / "policy-histories"
SOURCES = [
    "discord/2020-07-29T133218Z.md",
    "123greetings/2018-05-24T054356Z.md",
    "spotify/2024-08-16T003402Z.md",
]
# Words an edit may put into a clause: some carry meaning, some do not.
WORDS = ["never", "sell", "data", "5", "partners", "the", "may", "will", "not", "Acme"]
PREFIX = 40  # clauses per document; enough structure, fast enough for many examples


@cache
def real(k: int) -> tuple[Clause, ...]:
    rel = SOURCES[k]
    return extract((DATA / rel).read_bytes(), "text/markdown", rel).clauses[:PREFIX]


def _edit_text(text: str, pos: int, word: str | None) -> str:
    ws = text.split(" ")
    pos %= len(ws)
    if word is None:
        del ws[pos]
    else:
        ws[pos] = word
    return " ".join(ws) or "x"


edit = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 2), st.integers(0, 10**6)),
    st.tuples(st.just("move"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(
        st.just("word"),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        st.sampled_from([*WORDS, None]),
    ),
)


@st.composite
def versions(draw):
    base = list(real(draw(st.integers(0, len(SOURCES) - 1))))
    new = list(base)
    for op in draw(st.lists(edit, min_size=0, max_size=6)):
        if not new:
            break
        i = op[1] % len(new)
        if op[0] == "delete":
            del new[i]
        elif op[0] == "insert":
            donor = real(op[2])
            new.insert(i, donor[op[3] % len(donor)])
        elif op[0] == "move":
            c = new.pop(i)
            new.insert(op[2] % (len(new) + 1), c)
        else:
            c = new[i]
            new[i] = Clause(c.section, c.kind, _edit_text(c.text, op[2], op[3]))
    return base, new


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(versions())
def test_a_version_against_itself_has_no_changes(pair):
    _, new = pair
    d = diff_clauses(new, list(new))
    assert d.changes == [] and d.regroups == []
    doc = PolicyDocument(tuple(new))
    assert compare(doc, doc).changes == []


def rebuild(old: list[Clause], new_len: int, d) -> list[str | None]:
    """NEW's comparison keys from OLD plus the reported edits. Positions inside a regroup
    that no edit touches read as None: their text is OLD's, regrouped."""
    targeted = {ch.new_index: ch for ch in d.changes if ch.new_index is not None}
    grouped_new = {j for g in d.regroups for j in g.new_indices}
    consumed = {ch.old_index for ch in d.changes if ch.old_index is not None}
    consumed |= {i for g in d.regroups for i in g.old_indices}
    untouched = iter([c for i, c in enumerate(old) if i not in consumed])
    out: list[str | None] = []
    for j in range(new_len):
        if j in targeted:
            out.append(comparison_key(targeted[j].new))
        elif j in grouped_new:
            out.append(None)
        else:
            out.append(next(untouched).key)
    assert next(untouched, None) is None, "an old clause is neither kept nor changed"
    return out


@FAST
@given(versions())
def test_applying_the_edits_to_old_rebuilds_new(pair):
    old, new = pair
    d = diff_clauses(old, new)
    rebuilt = rebuild(old, len(new), d)
    assert [k if k is not None else None for k in rebuilt] == [
        None if r is None else c.key for r, c in zip(rebuilt, new, strict=True)
    ]
    for g in d.regroups:
        # Untouched regrouped text is OLD's text, only regrouped.
        touched = {ch.new_index for ch in d.changes if ch.new_index in g.new_indices}
        if not touched and not any(
            ch.kind == "removed" and ch.old_index is None for ch in d.changes
        ):
            old_words = " ".join(old[i].key for i in g.old_indices).split()
            new_words = " ".join(new[j].key for j in g.new_indices).split()
            assert old_words == new_words


@FAST
@given(versions())
def test_swapping_old_and_new_swaps_added_and_removed(pair):
    old, new = pair
    forward = Counter(c.kind for c in diff_clauses(old, new).changes)
    backward = Counter(c.kind for c in diff_clauses(new, old).changes)
    assert forward["added"] == backward["removed"]
    assert forward["removed"] == backward["added"]
    assert forward["modified"] == backward["modified"]
    assert forward["moved"] == backward["moved"]


VOCABULARY = [f"w{i}" for i in range(60)]


@st.composite
def near_sets(draw):
    """A word set and others made from part of it plus a few words of their own: the sizes
    and overlaps at which the similarity tests change their answer."""
    words = VOCABULARY[: draw(st.integers(1, 30))]
    others = []
    for _ in range(draw(st.integers(1, 6))):
        kept = draw(st.permutations(words))[: draw(st.integers(0, len(words)))]
        own = VOCABULARY[30 : 30 + draw(st.integers(0, 8))]
        others.append(frozenset(kept + own))
    return frozenset(words), others


# A clause contained in one three times its size still pairs.
@example((frozenset(VOCABULARY[:6]), [frozenset(VOCABULARY[:6] + VOCABULARY[30:43])]))
@settings(max_examples=400)
@given(near_sets())
def test_the_size_band_keeps_every_set_similar_enough_to_pair(case):
    words, others = case
    sets = dict(enumerate(others))
    keys, sizes = _size_band(sets)
    kept = set(_within_band(keys, sizes, words))
    assert {k for k, s in sets.items() if _similarity(words, s)} <= kept


# At the lowest size that can reach the Jaccard: 8 of 13 words is 0.615.
@example((frozenset(VOCABULARY[:13]), [frozenset(VOCABULARY[:8])]))
# And at the highest: 9 words inside 15 is 0.6.
@example((frozenset(VOCABULARY[:9]), [frozenset(VOCABULARY[:9] + VOCABULARY[30:36])]))
@settings(max_examples=400)
@given(near_sets())
def test_the_moved_text_pool_finds_every_span_within_its_jaccard(case):
    words, others = case
    span = " ".join(sorted(words))
    pool = _Pool([" ".join(sorted(s)) for s in others])
    similar = len(words) >= _MOVED_SIMILAR_WORDS and any(
        len(s) >= _MOVED_SIMILAR_WORDS
        and Fraction(len(words & s), len(words | s)) >= _MOVED_JACCARD
        for s in others
    )
    assert pool.holds(span) >= similar
