"""Word-level diff inside one clause, with diff-match-patch over word tokens.

Each distinct token is mapped to one private character (the linesToChars trick, with
words instead of lines), so diff-match-patch aligns words, never letters, and its semantic
cleanup merges the small equalities that make a character diff unreadable.

The diff runs in diff-match-patch's C++ implementation (fast_diff_match_patch): the same
algorithm and cleanup as the Python one, about six times faster on the corpus's edited
clauses, where the Python bisect was a third of compare()'s time.
tests/test_diff_engine.py holds the two to the same answers.
"""

from __future__ import annotations

import re

import fast_diff_match_patch

# Words (with inner apostrophes and hyphens), numbers with separators, single symbols and
# runs of whitespace: concatenating the tokens gives back the text exactly.
_TOKEN = re.compile(r"\w+(?:['’\-.,]\w+)*|\s+|[^\w\s]")
_OPS = {"=": "equal", "+": "insert", "-": "delete"}
# Private-use plane, so mapped characters can never collide with real text handling.
_FIRST_CHAR = 0xF0000


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_tokens(a: str, b: str) -> list[tuple[str, int]]:
    """[(op, length)] of diff-match-patch over two encoded strings, op in "=", "+", "-"."""
    # Clauses are short: an exact diff (no time limit) is cheap and a timeout would
    # silently degrade it; no line-mode speedup either, for the same reason.
    return fast_diff_match_patch.diff(
        a, b, timelimit=0, checklines=False, cleanup="Semantic", counts_only=True
    )


def word_ops(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in equal/insert/delete; joining equal+delete gives ``old``,
    equal+insert gives ``new``."""
    if old == new:
        return [("equal", old)] if old else []
    old_tokens, new_tokens = tokenize(old), tokenize(new)
    table: dict[str, str] = {}
    a, b = _encode(old_tokens, table), _encode(new_tokens, table)
    ops: list[tuple[str, str]] = []
    i = j = 0
    for op, n in diff_tokens(a, b):
        # Equal runs are the same tokens on both sides; read them from the old one.
        if op == "+":
            text = "".join(new_tokens[j : j + n])
            j += n
        else:
            text = "".join(old_tokens[i : i + n])
            i += n
            j += n if op == "=" else 0
        if ops and ops[-1][0] == _OPS[op]:
            ops[-1] = (ops[-1][0], ops[-1][1] + text)
        else:
            ops.append((_OPS[op], text))
    return ops


def _encode(tokens: list[str], table: dict[str, str]) -> str:
    """One character per token, the same character for the same token on both sides."""
    out = []
    for tok in tokens:
        ch = table.get(tok)
        if ch is None:
            ch = table[tok] = chr(_FIRST_CHAR + len(table))
        out.append(ch)
    return "".join(out)


def old_text(ops: list[tuple[str, str]]) -> str:
    return "".join(t for op, t in ops if op != "insert")


def new_text(ops: list[tuple[str, str]]) -> str:
    return "".join(t for op, t in ops if op != "delete")
