"""monitor.classify.substrings answers exactly what a scan of the joined text answers."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import monitor.classify
from monitor.classify import _Pool
from monitor.classify.substrings import Substrings, wordlike

# Pieces that make words inside other words: "data" in "metadata", "ads" in "uploads".
PIECES = ["da", "ta", "me", "ad", "s", "up", "lo", "a", "base", "ads"]
word = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
run = st.lists(word, max_size=6).map(" ".join)


@st.composite
def asked(draw: st.DrawFn) -> tuple[list[str], str]:
    runs = draw(st.lists(run, max_size=10))
    text = "\x00".join(runs)
    if text and draw(st.booleans()):
        # A piece of the text itself, cut anywhere: inside words, across their spaces.
        start = draw(st.integers(0, len(text) - 1))
        span = text[start : draw(st.integers(start, min(len(text), start + 24)))]
    else:
        span = " ".join(draw(st.lists(word, min_size=1, max_size=4)))
    return runs, span


@example((["uploads database"], "ads data"))
@example((["metadata"], "data"))
@example((["a b", "c d"], "b c"))
@example((["up", ""], ""))
@settings(max_examples=500)
@given(asked())
def test_a_span_stands_in_the_runs_exactly_when_it_stands_in_their_text(case):
    runs, span = case
    if not wordlike(span) and span:
        return
    assert Substrings(runs).has(span) == (span in "\x00".join(runs))


@pytest.mark.parametrize("scan_max_chars", [50_000, -1], ids=["scanned", "indexed"])
def test_the_pool_finds_text_inside_words_indexed_or_scanned(scan_max_chars, monkeypatch):
    monkeypatch.setattr(monitor.classify, "_POOL_SCAN_MAX_CHARS", scan_max_chars)
    pool = _Pool(["we share metadata", "with uploads database"])
    assert (pool.index is not None) == (scan_max_chars < 0)
    assert pool.holds("data") and pool.holds("ads data") and pool.holds("share meta")
    assert not pool.holds("share with") and not pool.holds("database with")
