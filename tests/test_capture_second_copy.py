"""second_copy skips its shift-by-shift scan when too few keys repeat for any shift to
match: the answer must be the scan's on every input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify.capture import _COPY_MATCH, _COPY_MIN_CLAUSES, _COPY_SHIFT, second_copy
from monitor.model import Clause, PolicyDocument


def scanned(keys: list[str]) -> int | None:
    """second_copy as it was: every shift near the middle compared clause for clause."""
    n = len(keys)
    if n < 2 * _COPY_MIN_CLAUSES:
        return None
    best, start = 0, None
    for h in range(n // 2 - _COPY_SHIFT, n // 2 + _COPY_SHIFT + 1):
        same = sum(a == b for a, b in zip(keys[:h], keys[h:], strict=False))
        if same > best:
            best, start = same, h
    if start is None or best < _COPY_MATCH * min(start, n - start):
        return None
    return start


def doc(texts: list[str]) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(("S",), "paragraph", t) for t in texts))


# Few distinct texts, so that repeats (and near copies) are common; a page, the page twice
# with a few clauses changed, dropped or put in.
words = st.sampled_from([f"clause {k}" for k in range(30)])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(words, min_size=0, max_size=60),
    st.lists(st.tuples(st.integers(0, 200), words), max_size=4),
    st.booleans(),
)
def test_the_answer_is_the_scans(page, edits, doubled):
    texts = page + page if doubled else list(page)
    for at, text in edits:
        if texts:
            texts[at % len(texts)] = text
    assert second_copy(doc(texts)) == scanned([c.key for c in doc(texts).clauses])


def test_a_page_held_twice_is_still_found():
    page = [f"clause number {k} of the policy" for k in range(40)]
    assert second_copy(doc(page + page)) == 40
    assert second_copy(doc(page)) is None
