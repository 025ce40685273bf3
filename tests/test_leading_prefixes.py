"""The lexicon's word prefilter: a category is searched only in texts holding a word its
phrases can begin with, and that skip must never change a category."""

import re
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify import lexicon
from monitor.classify.leading import DIGIT, Starts, leading_prefixes
from monitor.extract import extract

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
