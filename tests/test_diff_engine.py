"""The word diff (diff-match-patch over one character a word, aligned by its C++ port) and
judgment's compiled difflib (cydifflib), held to what the diff and the judgment were first
written against: the Python packages."""

import difflib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify import noise
from monitor.diff import diff_clauses
from monitor.diff.words import (
    _DMP,
    _align,
    diff_tokens,
    encode,
    heads,
    new_text,
    old_text,
    tokenize,
    word_ops,
)
from monitor.extract import extract

HISTORIES = Path(__file__).parent / "data" / "policy-histories"


def encoded(old: str, new: str) -> tuple[str, str]:
    pair = encode(tokenize(old), tokenize(new))
    assert pair is not None
    return pair


def spans(ops: list[tuple[str, int]]) -> tuple[int, int]:
    """How many characters of each side the ops cover."""
    old = sum(n for op, n in ops if op != "+")
    new = sum(n for op, n in ops if op != "-")
    return old, new


def test_word_diff_covers_both_sides_of_every_real_edit():
    # The corpus's slowest pair to diff: edits of every size, from one changed word to a
    # paragraph rewritten.
    old, new = (
        extract((HISTORIES / "paypal" / name).read_bytes(), "text/markdown", f"paypal/{name}")
        for name in ("2026-02-21T004501Z.md", "2026-03-12T012724Z.md")
    )
    changes = diff_clauses(old.clauses, new.clauses).changes
    modified = [c for c in changes if c.kind == "modified"]
    assert len(modified) > 50
    for change in modified:
        a, b = encoded(change.old, change.new)
        assert spans(diff_tokens(a, b)) == (len(a), len(b))
        ops = word_ops(change.old, change.new)
        assert old_text(ops) == change.old and new_text(ops) == change.new


def python_port(a: str, b: str) -> list[tuple[int, str]]:
    return [tuple(d) for d in _DMP.diff_main(a, b, False)]


def aligned(a: str, b: str) -> list[tuple[int, str]]:
    diffs = _align(a, b)
    _DMP.diff_cleanupMerge(diffs)
    return diffs


def test_cpp_alignment_is_the_python_ports_on_every_real_edit():
    old, new = (
        extract((HISTORIES / "paypal" / name).read_bytes(), "text/markdown", f"paypal/{name}")
        for name in ("2026-02-21T004501Z.md", "2026-03-12T012724Z.md")
    )
    modified = [c for c in diff_clauses(old.clauses, new.clauses).changes if c.kind == "modified"]
    assert len(modified) > 50
    for change in modified:
        a, b = encoded(change.old, change.new)
        assert aligned(a, b) == python_port(a, b)
        # The words alone, as _with_spaces aligns them.
        wa, wb = heads(a), heads(b)
        assert aligned(wa, wb) == python_port(wa, wb)


_WORDS = st.sampled_from(["we", "may", "share", "not", "data", "30", "days", ",", ".", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.lists(_WORDS, max_size=40))
def test_word_diff_covers_both_sides_of_any_token_strings(old, new):
    a, b = encoded("".join(old), "".join(new))
    assert spans(diff_tokens(a, b)) == (len(a), len(b))


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=60), st.lists(_WORDS, max_size=60))
def test_cpp_alignment_is_the_python_ports_on_any_token_strings(old, new):
    a, b = encoded("".join(old), "".join(new))
    assert aligned(a, b) == python_port(a, b)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_word_ops_give_back_both_texts(old, new):
    ops = word_ops(old, new)
    assert old_text(ops) == old and new_text(ops) == new


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=60), st.lists(_WORDS, max_size=60))
def test_judgment_word_matcher_gives_difflib_opcodes(old, new):
    # Judgment aligns word lists with cydifflib's SequenceMatcher (difflib compiled).
    expected = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert noise.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() == expected
    # What the rules call (edit_reason among them): the same opcodes, cached per pair.
    assert [tuple(op) for op in noise.word_opcodes(old, new)] == [tuple(op) for op in expected]


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.lists(_WORDS, max_size=40))
def test_word_ops_give_back_both_texts_of_word_strings(old, new):
    # Words and runs of spaces: the words are aligned alone and the spaces put back.
    old, new = "".join(old), "".join(new)
    ops = word_ops(old, new)
    assert old_text(ops) == old and new_text(ops) == new


def test_changed_spacing_after_a_kept_word_is_an_edit_of_the_spacing_only():
    assert word_ops("we  share data", "we share data") == [
        ("equal", "we"),
        ("delete", "  "),
        ("insert", " "),
        ("equal", "share data"),
    ]


def test_lcs_with_a_key_repeated_past_the_bound_still_anchors_the_distinct_clauses():
    # A 2,000-row table of "Yes" cells on both sides: 4,000,000 matches for one key. The
    # bound leaves that key out of the LCS; every distinct clause still anchors in order.
    from monitor.diff.align import longest_common_subsequence

    a = [f"clause {k}" if k % 2 else "yes" for k in range(4000)]
    b = list(a)
    pairs = longest_common_subsequence(a, b)
    assert [(i, j) for i, j in pairs if a[i] != "yes"] == [(k, k) for k in range(1, 4000, 2)]
    assert all(a[i] == b[j] for i, j in pairs)
    # Below the bound the LCS is exact: the repeated key anchors too.
    small = [f"clause {k}" if k % 2 else "yes" for k in range(20)]
    assert len(longest_common_subsequence(small, small)) == 20
