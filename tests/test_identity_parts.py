"""identity_key masks clause by clause (cached) what it once masked in the whole text at
once. Stored versions are keyed by its hash (monitor.record), so the two must agree on
every input, clause edges included."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.model import Clause
from monitor.textnorm import (
    _TOKEN,
    _VOLATILE,
    _WORD_HYPHEN,
    VOLATILE_MARK,
    _mask_generated,
    _table_of_contents,
    identity_key,
)

# The pattern as it was written before it opened with the hyphen (the same matches).
_WORD_HYPHEN_AS_WRITTEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


def whole_text_identity(clauses: list[Clause]) -> str:
    """identity_key as it was: every pattern run once over the joined keys."""
    toc = _table_of_contents(clauses)
    text = " ".join(c.key for i, c in enumerate(clauses) if c.key and i not in toc)
    text = _VOLATILE.sub(VOLATILE_MARK, text)
    text = _TOKEN.sub(_mask_generated, text)
    if "-" in text:
        text = _WORD_HYPHEN_AS_WRITTEN.sub(" ", text)
    return " ".join(text.split())


# Pieces that the masking patterns react to, so that they land at clause edges too: ISO
# and clock times, long numbers, generated tokens, hyphens between letters and not.
PIECES = [
    "2024-05-01t10:20:30z",
    "2024-05-01T10:20",
    "10:20:30.5",
    "1234567890123",
    "a3f9c2e1b7d4e5f6",
    "c0ffee00-1234-4bcd-9a3f-0123456789ab",
    "third-party",
    "-",
    "x-",
    "-y",
    "9-",
    "friendscout24",
    "we",
    "share",
    "data",
    "q/w+e=r_t-y1u2i3o4",
    "12",
    ":",
    ".",
    # Digits of another script (\d reads them, an ASCII test does not), letters of
    # another script around a hyphen, and spaces a key may hold: a part collapses its own.
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661",
    "\u00e9t\u00e9-\u00e9t\u00e9",
    "  ",
    "\t",
    "\u00a0",
]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join) | st.lists(
    st.sampled_from(PIECES), min_size=1, max_size=6
).map(" ".join)
kinds = st.sampled_from(["paragraph", "list-item", "heading"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(kinds, texts), max_size=8))
def test_clause_by_clause_masking_is_the_whole_texts(parts):
    clauses = [Clause(("S",), kind, text) for kind, text in parts]
    assert identity_key(clauses) == whole_text_identity(clauses)


def test_masking_reaches_both_edges_of_every_clause():
    clauses = [
        Clause(("S",), "paragraph", "1234567890123"),
        Clause(("S",), "paragraph", "a3f9c2e1b7d4e5f6 ends with 10:20:30"),
        Clause(("S",), "paragraph", "third-party"),
    ]
    key = identity_key(clauses)
    assert key == whole_text_identity(clauses)
    assert re.fullmatch(r"∗ ∗ ends with ∗ third party", key)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="a-\u00e9_1 ", max_size=30))
def test_the_hyphen_pattern_matches_as_written(text):
    assert [m.span() for m in _WORD_HYPHEN.finditer(text)] == [
        m.span() for m in _WORD_HYPHEN_AS_WRITTEN.finditer(text)
    ]


def test_a_printable_string_holds_no_whitespace_but_the_space():
    # _identity_part keeps a printable key with single inner spaces as it is: no other
    # character str.split() splits at may be printable.
    assert not [
        c
        for c in range(sys.maxunicode + 1)
        if c != 0x20 and chr(c).isprintable() and len(f"a{chr(c)}b".split()) != 1
    ]
