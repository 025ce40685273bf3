"""Judging a text scans it a bounded number of times, however many patterns the judge
holds: counted in whole-text regex scans (never in wall time)."""

from __future__ import annotations

import importlib
import re
import sys

from monitor.classify import lexicon

# monitor.classify exports a function named inventory, which hides the module.
inventory = importlib.import_module("monitor.classify.inventory")

_SCANS = frozenset(["search", "finditer", "findall", "split", "sub", "fullmatch"])


def _scans(fn, *args) -> int:
    """How many times fn runs a compiled pattern over a text (match at an offset is not a
    scan: it tries one place)."""
    count = [0]

    def profile(frame, event, arg):
        if event == "c_call" and isinstance(getattr(arg, "__self__", None), re.Pattern):
            count[0] += arg.__name__ in _SCANS

    sys.setprofile(profile)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return count[0]


# A sentence that names many kinds of data, parties and purposes: each is a pattern a
# search would run over the whole sentence.
SENTENCE = (
    "We collect your email address, phone number, precise location, contacts, photos, "
    "videos, voice recordings, messages, health data, financial information, passwords, "
    "browsing history, search history, purchases, device identifiers and IP address, and "
    "we share them with advertisers, marketing partners, service providers, affiliates, "
    "law enforcement, data brokers and analytics providers for advertising, marketing, "
    "analytics, research, fraud prevention, personalisation and profiling; you can opt out "
    "or withdraw consent in your settings, and we keep it for 90 days."
)


def test_reading_a_sentence_scans_it_a_bounded_number_of_times():
    elements = inventory.sentence_elements.__wrapped__(SENTENCE)
    assert ("term", "location") in elements and ("days", 90.0) in elements
    # One scan for its words, a few for the patterns that cannot be tried word by word
    # (names, legal entities, periods), and the few words before each action for a
    # negation (13 in all); not one per kind of data, party or purpose named (71 before).
    assert _scans(inventory.sentence_elements.__wrapped__, SENTENCE) <= 16


def test_finding_a_texts_categories_scans_it_a_bounded_number_of_times():
    assert len(lexicon._practice_categories.__wrapped__(SENTENCE)) >= 4
    # A text not read before (the words' patterns are cached per text).
    fresh = SENTENCE.replace("90 days", "91 days")
    # Its words, once; not each category whose phrases begin like one of its words (7
    # before).
    assert _scans(lexicon._practice_categories.__wrapped__, fresh) <= 2
