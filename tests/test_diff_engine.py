"""The word-level diff runs in diff-match-patch's C++ implementation, and judgment's word
alignment in compiled difflib; these tests hold both to the answers of the Python
implementations the diff and the judgment were first written and tested with."""

import difflib
from pathlib import Path

from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify import edits, noise
from monitor.diff import diff_clauses
from monitor.diff.words import _encode, diff_tokens, new_text, old_text, tokenize, word_ops
from monitor.extract import extract

HISTORIES = Path(__file__).parent / "data" / "policy-histories"
_OPS = {0: "=", 1: "+", -1: "-"}


def reference(a: str, b: str) -> list[tuple[str, int]]:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(_OPS[op], len(text)) for op, text in diffs]


def encoded(old: str, new: str) -> tuple[str, str]:
    table: dict[str, str] = {}
    return _encode(tokenize(old), table), _encode(tokenize(new), table)


def test_same_answers_as_python_diff_match_patch_on_real_edited_policy():
    # The corpus's slowest pair to diff: edits of every size, from one changed word to a
    # paragraph rewritten.
    old, new = (
        extract((HISTORIES / "paypal" / name).read_bytes(), "text/markdown", f"paypal/{name}")
        for name in ("2026-02-21T004501Z.md", "2026-03-12T012724Z.md")
    )
    changes = diff_clauses(old.clauses, new.clauses).changes
    pairs = [encoded(c.old, c.new) for c in changes if c.kind == "modified"]
    assert len(pairs) > 50
    assert any(len(a) > 100 for a, _ in pairs)
    for a, b in pairs:
        assert diff_tokens(a, b) == reference(a, b)


_WORDS = st.sampled_from(["we", "may", "share", "not", "data", "30", "days", ",", ".", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.lists(_WORDS, max_size=40))
def test_same_answers_as_python_diff_match_patch_on_any_token_strings(old, new):
    a, b = encoded("".join(old), "".join(new))
    assert diff_tokens(a, b) == reference(a, b)


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
    assert edits.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() == expected
