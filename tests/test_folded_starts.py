"""IGNORECASE patterns tried only where a match can start (leading.finditer_from), and
the literal gates in front of others: each must find exactly what the pattern finds on
its own, whatever the case of the text and whichever characters IGNORECASE folds apart
from str.lower() ("ı", "İ", "ſ", the Kelvin sign)."""

import importlib
import re
import string
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

import monitor.classify as judge
from monitor.classify import controller, edits, noise, practice
from monitor.classify.leading import FOLDED_APART, finditer_from, lowered, sub_from

# monitor.classify exports a function named inventory, which hides the module.
inventory_module = importlib.import_module("monitor.classify.inventory")

PAIRS = [
    (practice._PRACTICE, practice._VERB_START),
    (edits._DURATION, edits._DURATION_START),
    (edits._AGE, edits._AGE_START),
    (edits._QUANTITY_WORD, edits._QUANTITY_START),
    (noise._DATE, noise._DATE_START),
]
# Pieces the patterns read, run together in any order and case: "twone" holds two number
# words, "ſell" is "sell" to IGNORECASE only.
PIECES = [
    "sell", "sold", "share", "transferred", "log", "keep", "use", "reuse", "process",
    "one", "two", "tw", "ne", "twenty", "seven", "teen", "2", "30", "1.5", "(30)", "-",
    "days", "day", "weeks", "months", "year", "years", "hours", "old", "of age", "+",
    "aged", "age of", "under", "over", "older than", "at least", "at", "least",
    "jan", "january", "may", "sept", "dec.", "1st", "of", ",", "2024", "2024-01-02", "5/6/24",
    "we", "“we”", '"us"', "controller", "data controller", "responsible for the processing",
    "responsible", "for", "we've updated", "policy", "changed our name", "cookie preferences",
    "by continuing to use", "is now meta", "clarified", "revised",
    "ſ", "ı", "İ", "K", "é", "ß", " ", " ", ".", ";", "\n", "_", "'", "’",
]  # fmt: skip


def _texts():
    piece = st.sampled_from(PIECES).flatmap(
        lambda p: st.sampled_from([p, p.upper(), p.title(), p.swapcase()])
    )
    return st.lists(piece, max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(_texts())
def test_matches_tried_from_their_starts_are_the_patterns_own(text):
    for rx, starts in PAIRS:
        want = [(m.span(), m.groups()) for m in rx.finditer(text)]
        assert [(m.span(), m.groups()) for m in finditer_from(rx, starts, text)] == want
    assert sub_from(noise._DATE, noise._DATE_START, " DATE ", text) == noise._DATE.sub(
        " DATE ", text
    )


@settings(max_examples=600, deadline=None)
@given(_texts())
def test_gates_never_turn_a_match_away(text):
    if controller._WE.search(text) or controller._CONTROLLER.search(text):
        assert controller._may_name_holder(text)
    if judge._BANNER.search(text):
        low = text.lower()
        assert any(s in low for s in judge._BANNER_LITERALS)


def test_lowering_reads_as_ignorecase_except_for_the_characters_set_apart():
    # The ground finditer_from stands on, over all of Unicode: a character IGNORECASE
    # matches to an ASCII letter lowers to that letter unless FOLDED_APART holds it, and
    # lowering one character into one keeps it a word character or not.
    word = re.compile(r"\w")
    letters = re.compile("[a-z]", re.IGNORECASE)
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        low = c.lower()
        if letters.fullmatch(c):
            assert FOLDED_APART.fullmatch(c) or len(low) > 1 or low in string.ascii_lowercase
        if len(low) == 1 and cp % 7 == 0:
            assert bool(word.match(c)) == bool(word.match(low))


def test_text_with_a_character_folded_apart_is_searched_whole():
    assert lowered("ſell") is None
    assert lowered("İ") is None  # lowers into two characters
    assert lowered("We SELL") == "we sell"
    assert [m.group() for m in finditer_from(practice._PRACTICE, practice._VERB_START, "ſell it")]
    assert [
        m.group() for m in finditer_from(edits._DURATION, edits._DURATION_START, "twone days")
    ] == ["one days"]


def test_banner_literals_hold_no_letter_folded_apart():
    for lit in judge._BANNER_LITERALS:
        assert lit == lit.lower() and lit.isascii() and "i" not in lit and "s" not in lit


NAME_BEFORE = re.compile(
    r"(?<=[\s(“\"‘'/,])[A-Z][\w&'’-]*(?:\s+(?:of|for|and|&|de)?\s*[A-Z][\w&'’-]*)*"
)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.sampled_from(["A", "Bc", "of", " ", "\n", "(", "“", "'", "/", ",", "x", "-", "&", "É"]),
        max_size=25,
    ).map("".join)
)
def test_names_found_capital_first_are_those_found_lookbehind_first(text):
    want = [(m.span(), m.group()) for m in NAME_BEFORE.finditer(text)]
    assert [(m.span(), m.group()) for m in inventory_module._NAME.finditer(text)] == want


@settings(max_examples=600, deadline=None)
@given(_texts())
def test_durations_gated_on_units_are_the_patterns_own(text):
    want = [m.group(0).strip() for m in edits._DURATION.finditer(text)]
    assert [shown for _, shown in edits._durations(text)] == want


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_word_lists_cut_short_or_whole_agree_on_labels(text):
    ws = judge._LABEL_WORD.findall(text)
    for n in (1, 8, 12):
        got = judge._first_words(judge._LABEL_WORD, text, n)
        assert (len(got) > n) == (len(ws) > n)
        if len(ws) <= n:
            assert got == ws
