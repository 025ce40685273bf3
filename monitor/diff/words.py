"""Word-level diff inside one clause, with diff-match-patch over word tokens.

Each distinct token is mapped to one private character (the linesToChars trick, with
words instead of lines), so diff-match-patch aligns words, never letters, and its semantic
cleanup merges the small equalities that make a character diff unreadable.
"""

from __future__ import annotations

import re

from diff_match_patch import diff_match_patch

# Words (with inner apostrophes and hyphens), numbers with separators, single symbols and
# runs of whitespace: concatenating the tokens gives back the text exactly.
_TOKEN = re.compile(r"\w+(?:['’\-.,]\w+)*|\s+|[^\w\s]")
_OPS = {0: "equal", 1: "insert", -1: "delete"}
# Private-use plane, so mapped characters can never collide with real text handling.
_FIRST_CHAR = 0xF0000


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _engine() -> diff_match_patch:
    dmp = diff_match_patch()
    # Clauses are short: an exact diff is cheap and a timeout would silently degrade it.
    dmp.Diff_Timeout = 0
    return dmp


_DMP = _engine()


def word_ops(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in equal/insert/delete; joining equal+delete gives ``old``,
    equal+insert gives ``new``."""
    if old == new:
        return [("equal", old)] if old else []
    table: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        out = []
        for tok in tokenize(text):
            ch = table.get(tok)
            if ch is None:
                ch = chr(_FIRST_CHAR + len(tokens))
                table[tok] = ch
                tokens.append(tok)
            out.append(ch)
        return "".join(out)

    a, b = encode(old), encode(new)
    diffs = _DMP.diff_main(a, b, False)
    _DMP.diff_cleanupSemantic(diffs)
    ops: list[tuple[str, str]] = []
    for op, chars in diffs:
        text = "".join(tokens[ord(c) - _FIRST_CHAR] for c in chars)
        if ops and ops[-1][0] == _OPS[op]:
            ops[-1] = (ops[-1][0], ops[-1][1] + text)
        else:
            ops.append((_OPS[op], text))
    return ops


def old_text(ops: list[tuple[str, str]]) -> str:
    return "".join(t for op, t in ops if op != "insert")


def new_text(ops: list[tuple[str, str]]) -> str:
    return "".join(t for op, t in ops if op != "delete")
