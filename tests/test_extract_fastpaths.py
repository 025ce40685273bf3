"""Extraction's fast paths give what the plain code they stand in for gives.

Each shortcut taken for speed (issue 21) skips work when a cheap test proves it would change
nothing. Here each is checked against the straightforward code it replaced, on text drawn
to hit the characters each shortcut is about (the translation table's quotes, dashes and
spaces, Markdown markers, NFKC-decomposable signs, mojibake markers, control bytes).
bench/extract_outputs.py checks the same on every capture of the corpora.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract import dates, detect, html, repair
from monitor.textnorm import _TRANSLATE, comparison_key

_SPECIAL = "".join(chr(c) for c in _TRANSLATE) + "`*_~[]()!.,;: \t\n\u00a8\ufb01\u00bd\u2003"
_MOJIBAKE = "\u00c2\u00c3\u00e2\u00c5\u00ef\u00d0\u00d1\u0080\u00a9\u00bf\u2019\u20ac\u2122&"
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(_SPECIAL + _MOJIBAKE), st.sampled_from("abcXYZ019-éüß"), st.characters()
    ),
    max_size=60,
)


def reference_key(text: str) -> str:
    """comparison_key as it was written before its fast paths."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if "](" in text:
        text = re.sub(r"!?\[([^\[\]]{0,1000})\]\([^()\s]{0,2048}\)", r"\1", text)
    text = re.sub(r"(\*{1,3}|_{2,3}|~~)", "", text)
    text = " ".join(text.split())
    return re.sub(r" ([,.;:!?)\]])", r"\1", text).casefold()


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_comparison_key_is_the_plain_one(text):
    assert comparison_key(text) == reference_key(text)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_a_collapsed_text_keys_the_same(text):
    # What extraction passes: clean_text's output, whose spaces are collapsed already.
    clean = repair.clean_text(text)
    assert comparison_key(clean, collapsed=True) == comparison_key(clean) == reference_key(clean)


def test_a_step_that_makes_a_space_still_collapses():
    # Each of these becomes or brings a space only after the collapse would have run.
    for text in ("a \u00a8 b", "see [ the page ](https://x.example) now", "a ** b", "x\u00a0y"):
        assert comparison_key(text, collapsed=True) == reference_key(text)


def reference_clean(text: str) -> str:
    import html as std_html

    if "&" in text and re.search(
        r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});", text
    ):
        text = std_html.unescape(text)
    if re.search(repair._MOJIBAKE_HINT.pattern, text):
        text = repair.ftfy.fix_encoding(text)
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_clean_text_is_the_plain_one(text):
    assert repair.clean_text(text) == reference_clean(text)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_date_folding_is_the_plain_one(text):
    plain = unicodedata.normalize("NFKD", text.casefold())
    assert dates._fold(text) == "".join(ch for ch in plain if not unicodedata.combining(ch))


MACHINE = st.one_of(
    TEXT,
    st.sampled_from(["true", " null ", "{a: b}", "[1, 2]", '["a b"]', "{ x }", "a3f9c2e1b7d4e5f6"]),
    st.text(alphabet='abcdefABC0123456789+/=_. -{}[]:,"', max_size=40),
)


@settings(max_examples=400, deadline=None)
@given(MACHINE)
def test_machine_value_is_the_plain_one(text):
    assert html._machine_value(text) == (html._MACHINE_VALUE.fullmatch(text.strip()) is not None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_binary_sniff_is_the_plain_one(head):
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    plain = (
        bool(head)
        and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        and (b"\x00" in head or control > len(head) // 100 + 1)
    )
    assert detect._is_binary(head) == plain
