"""The lexicon's word prefilter: a category is searched only in texts holding a word its
phrases can begin with, and that skip must never change a category; and the tables that
try each pattern only at the words its matches can start at."""

import importlib
import re
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify import lexicon
from monitor.classify.leading import (
    DIGIT,
    Starts,
    Table,
    first_word,
    leading_prefixes,
    words_at,
)
from monitor.extract import extract

# monitor.classify exports a function named inventory, which hides the module.
inventory_module = importlib.import_module("monitor.classify.inventory")
HISTORIES = Path(__file__).parent / "data" / "policy-histories"


def test_prefixes_are_read_from_literals_branches_and_optional_parts():
    assert leading_prefixes(r"\b(?:collect\w*|(?:we|us) (?:may )?log)\b") == {"collect", "we", "us"}
    assert leading_prefixes(r"\b(?:(?:\d+|one) days?)\b") == {DIGIT, "one"}
    # A digit only stands for itself at the start: "x5" begins with "x".
    assert leading_prefixes(r"\bx\d+") == {"x"}
    assert leading_prefixes(r"\b(?:aged?\d+)\b") == {"age", "aged"}
    assert leading_prefixes(r"\b(?:(?:your )?choices?)\b") == {"your", "choice", "choices"}
    assert leading_prefixes(r"\b(?:e-?mail|ip address\w*)\b") == {"e", "email", "ip"}


def test_patterns_whose_start_cannot_be_read_are_always_searched():
    assert leading_prefixes(r"\b(?:.x|collect)\b") is None
    assert leading_prefixes(r"(?:[^a]bc|collect)") is None
    assert leading_prefixes(r"(?i:collect)") is None
    assert leading_prefixes(r"(?:x)?") is None


def test_the_first_word_of_a_match_is_read_from_the_pattern():
    def admits(pattern: str) -> object:
        rx = first_word(pattern)
        assert rx is not None
        return lambda word: rx.fullmatch(word) is not None

    contacts = admits(r"\b(?:(?:your |phone )contacts|address books?)\b")
    assert contacts("your") and contacts("phone") and contacts("address")
    assert not contacts("yours") and not contacts("contacts") and not contacts("books")
    email = admits(r"\b(?:e-?mail address(?:es)?)\b")
    assert email("e") and email("email") and not email("emails")
    # A match of word characters ending in \b is the word whole; without the \b the word
    # may go on past the match.
    use = admits(r"\b(?:us(?:e|es|ed|ing))\b")
    assert use("use") and use("using") and not use("users") and not use("us")
    assert admits(r"\bcollect")("collected")
    # Repeats: none of an optional part, at least one of a needed one.
    ids = admits(r"\b(?:(?:unique |online )+ids?|user ids?)\b")
    assert ids("unique") and ids("online") and ids("user") and not ids("ids")
    assert admits(r"\b(?:(?:geo-?)?location)\b")("geolocation")
    # Lookarounds take no character: passed over.
    assert admits(r"\b(?:(?<!\bin )orders?)\b")("order")
    # A class of no word character ends the word; one of both may or may not.
    third = admits(r"\b(?:third[- ]part(?:y|ies))\b")
    assert third("third") and not third("thirdparty")
    group = admits(r"\b(?:[\w&-]+ group)\b")
    assert group("hsbc") and group("h")


def test_patterns_whose_first_word_cannot_be_read_have_none():
    assert first_word(r"(?i:share)") is None
    assert first_word(r"\b(?P<a>x)(?P=a)\b") is None
    assert first_word(r"\b(?:x[^a]c)\b") is None


def test_a_table_tries_a_pattern_only_at_its_first_words():
    contacts = _Counting(re.compile(r"\b(?:(?:your |phone )contacts)\b"))
    table = Table({"contacts": contacts})
    low = "yours truly, your data, your contacts"
    assert [m.group() for _, m in table.matches(low)] == ["your contacts"]
    # "yours" begins like "your " and is no first word of a match: not tried.
    assert contacts.matches == 2


def test_a_word_begins_a_match_by_prefix_or_by_a_digit():
    starts = Starts(frozenset({"choice", "choices", DIGIT}))
    assert starts.plain == ("choice",)
    assert starts.begins("choices") and starts.begins("30") and starts.begins("٣٠")
    assert not starts.begins("chose") and not starts.begins("")


def every_category(low: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What searching every pattern finds, the prefilter left out."""
    return (
        tuple(s for s, rx in lexicon._COMPILED.items() if rx.search(low)),
        tuple(s for s, rx in lexicon._CONTEXT_COMPILED.items() if rx.search(low)),
    )


def prefiltered(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        lexicon._practice_categories.__wrapped__(text),
        tuple(lexicon._context_categories(text, set())),
    )


@cache
def corpus_texts() -> list[str]:
    texts: set[str] = set()
    for path in sorted(HISTORIES.glob("*/*.md")):
        doc = extract(path.read_bytes(), "text/markdown", path.name)
        for c in doc.clauses:
            texts.add(c.text)
            texts.add(c.section_path)
    return sorted(texts)


def test_the_prefilter_finds_every_category_in_every_corpus_clause():
    texts = corpus_texts()
    assert len(texts) > 5_000
    wrong = [t for t in texts if prefiltered(t) != every_category(t.lower())]
    assert not wrong, wrong[:3]


# Phrases of the lexicon cut into pieces and glued back with other words and punctuation:
# texts that come close to matching, and sometimes do.
_PATTERNS = [p for pats in (*lexicon._LEXICON.values(), *lexicon._CONTEXT.values()) for p in pats]
# Words of the phrases ("collect", "address", "e-", "mail"), and digits for \d:
_PIECES = sorted({w for p in _PATTERNS for w in re.findall(r"[a-z][a-z'-]*", p)} | {"7", "٣"})
_GLUE = st.sampled_from([" ", "  ", "-", ", ", ". ", "'s ", "_", "é", "3", " ٣ "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), _GLUE), min_size=1, max_size=12))
def test_the_prefilter_agrees_with_searching_everything(parts):
    text = "".join(w + g for w, g in parts)
    assert prefiltered(text) == every_category(text.lower())


# leading.Table: each pattern tried only at the words its matches can start at, which must
# find exactly what searching the whole text finds.
_SENTENCE_TABLE = inventory_module._TABLE


def _searched(table, low: str) -> tuple[set, list]:
    matches = [(k, m.span(), m.groups()) for k, rx in table.rx.items() for m in rx.finditer(low)]
    # A pattern search() finds is one finditer() yields a match of.
    return {k for k, _, _ in matches}, sorted(matches, key=repr)


def _tried(table, low: str) -> tuple[set, list]:
    # Each pattern tried at the words its own scan finds (Table.starts, the default), and
    # at every word of the text: both must find what searching finds.
    matches = [(k, m.span(), m.groups()) for k, m in table.matches(low)]
    at = words_at(low)
    every = [(k, m.span(), m.groups()) for k, m in table.matches(low, at)]
    assert sorted(every, key=repr) == sorted(matches, key=repr)
    assert table.found(low, at) == table.found(low)
    return table.found(low), sorted(matches, key=repr)


def _begun(table, low: str) -> list[tuple[int, str]]:
    """The words of the text that begin like some pattern's match (one of its leading
    beginnings, or a digit), looked up one by one."""
    return [
        (at, w)
        for at, w in words_at(low)
        if w.startswith(tuple(table._by_prefix)) or (table._digit and w[:1].isdecimal())
    ]


def test_the_scan_for_starts_finds_exactly_the_words_that_begin_a_pattern():
    texts = corpus_texts()
    for table in (_SENTENCE_TABLE, lexicon._TABLE):
        wrong = [t for t in texts if table.starts(t.lower()) != _begun(table, t.lower())]
        assert not wrong, wrong[:3]


def test_the_scan_for_starts_reads_prefixes_of_prefixes_digits_and_word_edges():
    table = Table(
        {
            "ad": re.compile(r"\b(?:ads?|advertis\w+)\b"),
            "period": re.compile(r"\b(?:\d+|one) days?\b"),
            "share": re.compile(r"\bshar(?:e|ing)\b"),
        }
    )
    low = "we share ads, advertising 30 days; one day, ٣ days. shad bad_ad, reshare, oneday"
    assert table.starts(low) == _begun(table, low)
    assert [w for _, w in table.starts(low)] == [
        "share",
        "ads",
        "advertising",
        "30",
        "one",
        "٣",
        "oneday",
    ]
    # A table with no pattern read word by word scans for none.
    assert Table({"x": re.compile(r"(?:.x)")}).starts("xx ax") == []


def test_the_tables_find_every_match_in_corpus_clauses():
    # One clause in three (every pattern's finditer over all of them takes long).
    texts = corpus_texts()[::3]
    for table in (_SENTENCE_TABLE, lexicon._TABLE):
        wrong = [t for t in texts if _tried(table, t.lower()) != _searched(table, t.lower())]
        assert not wrong, wrong[:3]


_INVENTORY_PIECES = sorted(
    {w for rx in _SENTENCE_TABLE.rx.values() for w in re.findall(r"[a-z][a-z'-]*", rx.pattern)}
    | {"7", "٣", "16", "90"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_INVENTORY_PIECES), _GLUE), min_size=1, max_size=14))
def test_the_sentence_table_agrees_with_searching_everything(parts):
    low = "".join(w + g for w, g in parts)
    assert _tried(_SENTENCE_TABLE, low) == _searched(_SENTENCE_TABLE, low)
    assert _SENTENCE_TABLE.starts(low) == _begun(_SENTENCE_TABLE, low)


class _Counting:
    """A compiled pattern that counts how often it is tried."""

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx, self.pattern, self.flags = rx, rx.pattern, rx.flags
        self.searches = self.matches = 0

    def search(self, s: str):
        self.searches += 1
        return self.rx.search(s)

    def finditer(self, s: str):
        self.searches += 1
        return self.rx.finditer(s)

    def match(self, s: str, pos: int):
        self.matches += 1
        return self.rx.match(s, pos)


def test_a_pattern_is_tried_only_at_the_words_it_can_start_at():
    share = _Counting(re.compile(r"\b(?:shar(?:e|es|ed|ing)|disclos\w+)\b"))
    table = Table({"share": share, "any": _Counting(re.compile(r"\b(?:.x)\b"))})
    # A thousand words, two of which begin like the pattern's phrases ("disclosure" does
    # not match it whole: "disclos\w+" does).
    low = " ".join(["lorem ipsum dolor"] * 333 + ["we share", "the disclosure"])
    at = words_at(low)
    assert table.found(low, at) == {"share"}
    assert (share.searches, share.matches) == (0, 1)
    assert [m.group() for _, m in table.matches(low, at)] == ["share", "disclosure"]
    assert (share.searches, share.matches) == (0, 3)
    # A pattern whose beginnings cannot be read is searched over the whole text, once.
    assert table.rx["any"].searches == 2


def test_a_pattern_that_can_match_inside_a_word_is_searched_whole():
    # No \b before it: "one day" matches inside "someone days".
    table = Table({"period": re.compile(r"(?:\d+|one) days?\b")})
    assert table.always == ("period",)
    low = "someone days later"
    assert [m.group() for _, m in table.matches(low, words_at(low))] == ["one days"]
    # Nor is a case-insensitive pattern read word by word: its prefixes are not its words.
    assert Table({"x": re.compile(r"\bShare\b", re.I)}).always == ("x",)
