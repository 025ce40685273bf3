"""Extraction of real captures against Open Terms Archive's reference text (issue 21).

Over the 15 capture histories (tests/data/capture-histories, 180 raw captures in English,
French and German): word and sentence recall of OTA's reference text, and leakage of text
that is not in it, per language (tests/fidelity.py says how they are counted). The
thresholds hold on the adjusted figure, which departs from OTA's reference only where
tests/fidelity.py lists a case; each case is checked here to be what the notes say it is.

Also: consecutive captures whose policy text did not change extract to the same normalized
text, the identity that version records rely on.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from fidelity import (
    ALSO_POLICY,
    HISTORIES,
    LANGUAGES,
    NOT_THE_POLICY,
    PARTIAL_REFERENCE,
    REPEATS_IN_REFERENCE,
    STALE_REFERENCE,
    Score,
    Text,
    history_pages,
    measure,
    raw_html_pages,
    reference_clauses,
    without_repeats,
)

from monitor.extract import extract
from monitor.model import ExtractionError
from monitor.textnorm import comparison_key

PAGES = history_pages()
BY_NAME = {p.name: p for p in PAGES + raw_html_pages()}
RECALL = 0.99
LEAKAGE = 0.01
# The raw figure (every reference as OTA made it) is lower where the cases below apply;
# measured: recall >= 0.976 and leakage <= 0.072 in every language.
RAW_RECALL = 0.97
RAW_LEAKAGE = 0.08
# Captures at which the policy text really changed although truth.json records no change
# there (the reference is stale from then on; see STALE_REFERENCE).
UNRECORDED_CHANGES = {
    "meetic/2023-01-20T123259Z.html": "'examen de vos informations' became 'consultation'",
    "meetic/2024-07-16T183310Z.html": "the retention sentence reworded",
    "meetic/2026-01-02T123223Z.html": "a new policy, applying from 01/02/2026",
    "lovescout24/2024-11-06T123330Z.html": "a new postal address",
    "lovescout24/2025-08-12T123312Z.html": "a Swiss representative added",
    "lovescout24/2026-01-02T123217Z.html": "a new policy, applying from 01.02.2026",
    "zoosk/2022-10-18T183326Z.html": "a new address of the data protection officer",
}
# Changes truth.json records where the text a reader sees did not change.
MARKUP_ONLY_CHANGES = {
    "her/2025-04-23T003254Z.html": "OTA's Markdown nests a list one level deeper ('* *')",
}


@cache
def document(name: str):
    page = BY_NAME[name]
    return extract(page.path.read_bytes(), "text/html", page.url)


def ours(name: str) -> tuple[str, ...]:
    return tuple(c.text for c in document(name).clauses)


@cache
def scores() -> dict[str, tuple[Score, Score]]:
    raw: dict[str, Score] = defaultdict(Score)
    adjusted: dict[str, Score] = defaultdict(Score)
    for page in PAGES:
        plain, fixed = measure(page, list(ours(page.name)))
        raw[page.language].add(plain)
        if fixed is not None:
            adjusted[page.language].add(fixed)
    return {lang: (raw[lang], adjusted[lang]) for lang in raw}


def test_every_language_is_measured():
    assert sorted(scores()) == ["de", "en", "fr"]
    assert len(PAGES) == 180 - len(NOT_THE_POLICY)
    assert {p.language for p in PAGES} == set(LANGUAGES.values()) | {"en"}


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_recall_and_leakage_per_language(lang):
    raw, adjusted = scores()[lang]
    assert adjusted.pages >= 18
    assert adjusted.word_recall >= RECALL
    assert adjusted.sentence_recall >= RECALL
    assert adjusted.word_leakage <= LEAKAGE
    assert adjusted.sentence_leakage <= LEAKAGE
    assert min(raw.word_recall, raw.sentence_recall) >= RAW_RECALL
    assert max(raw.word_leakage, raw.sentence_leakage) <= RAW_LEAKAGE


# -- each departure from the reference is what the notes say --------------------------------


def sentences(texts) -> set[str]:
    return set(Text.of(texts).sentences)


@cache
def every_version(service: str) -> set[str]:
    """Sentences of every OTA version of a service in the window."""
    found: set[str] = set()
    for path in (HISTORIES / service).glob("ota-*.md"):
        with contextlib.suppress(ExtractionError):  # an empty version (an error page)
            found |= sentences(c.text for c in extract(path.read_bytes()).clauses)
    return found


@pytest.mark.parametrize("name", sorted(NOT_THE_POLICY))
def test_captures_named_not_the_policy_share_next_to_nothing_with_it(name):
    service = name.split("/")[0]
    truth = json.loads((HISTORIES / service / "truth.json").read_text())
    url = next((c["url"] for c in truth["captures"] if c["url"]), None)
    try:
        mine = sentences(
            c.text for c in extract((HISTORIES / name).read_bytes(), "text/html", url).clauses
        )
    except ExtractionError:
        mine = set()
    policy = every_version(service) - {s for s in every_version(service) if len(s) < 40}
    assert len(mine & policy) <= 0.1 * len(policy)


@pytest.mark.parametrize("name", sorted(n for n in STALE_REFERENCE if n.count("/") == 1))
def test_stale_references_miss_text_the_capture_has(name):
    page = BY_NAME[name]
    service = name.split("/")[0]
    if (HISTORIES / service).is_dir():
        # Text in the capture that no OTA version of the window has: a change OTA missed.
        new = sentences(ours(name)) - every_version(service)
        assert len(new) >= 1
    else:  # le-chat: the page holds several documents, the reference one of them
        plain, _ = measure(page, list(ours(name)))
        assert plain.sentence_leakage > 0.5 and plain.sentence_recall >= RECALL


def test_christianmingle_cookie_and_california_notices_are_policy_ota_leaves_out():
    start, _ = ALSO_POLICY["christianmingle"]
    for page in (p for p in PAGES if p.name.startswith("christianmingle/")):
        html = page.path.read_text(encoding="utf-8")
        assert 'id="cookiepolicy"' in html and 'href="#CookiePolicy"' in html
        assert 'href="#CCPA"' in html and 'id="CCPA"' in html
        mine = ours(page.name)
        assert any(t.casefold().startswith(start) for t in mine)
        notice = "This Cookie Notice supplements the information contained in the Privacy Notice"
        assert any(t.startswith(notice) for t in mine)
        assert not any(notice in t for t in reference_clauses(page))


@pytest.mark.parametrize("name", sorted(REPEATS_IN_REFERENCE))
def test_references_repeating_their_text_against_a_page_that_has_it_once(name):
    page = BY_NAME[name]
    reference = [comparison_key(t) for t in reference_clauses(page)]
    kept = [comparison_key(t) for t in without_repeats(reference_clauses(page))]
    repeated = {k for k in reference if len(k) > 60 and reference.count(k) > kept.count(k)}
    assert len(repeated) >= 10
    mine = [comparison_key(t) for t in ours(name)]
    once = [k for k in repeated if mine.count(k) == 1]
    assert len(once) >= 0.9 * len(repeated)


@pytest.mark.parametrize("name", sorted(PARTIAL_REFERENCE))
def test_partial_references_lack_text_the_page_shows(name):
    page = BY_NAME[name]
    assert "random email address" in page.path.read_text(encoding="utf-8")
    assert any("random email address" in t for t in ours(name))
    assert not any("random email address" in t for t in reference_clauses(page))


# -- identity of consecutive captures ---------------------------------------------------------


@cache
def normalized(name: str) -> str:
    return extract(
        BY_NAME[name].path.read_bytes(), "text/html", BY_NAME[name].url
    ).normalized_text()


def consecutive_pairs():
    """(previous policy capture, capture, truth says changed) for every service.

    Captures that are not the policy are stepped over; truth.json records the page coming
    back after one (mektoube's error page) as a change, which it is not for the policy text.
    """
    for truth_path in sorted(HISTORIES.glob("*/truth.json")):
        service = truth_path.parent.name
        truth = json.loads(truth_path.read_text())
        firsts = {f"{service}/{c['first_capture']}" for c in truth["text_changes"]}
        previous, across = None, False
        for capture in truth["captures"]:
            name = f"{service}/{capture['file']}"
            if name in NOT_THE_POLICY:
                across = True  # compared across: the capture before and after must agree
                continue
            if previous is not None:
                yield previous, name, name in firsts and not across
            previous, across = name, False


PAIRS = list(consecutive_pairs())


@pytest.mark.parametrize(
    ("before", "after", "changed"), PAIRS, ids=[f"{a}->{b.split('/')[1]}" for a, b, _ in PAIRS]
)
def test_captures_extract_the_same_text_exactly_when_the_policy_did_not_change(
    before, after, changed
):
    real_change = (changed and after not in MARKUP_ONLY_CHANGES) or after in UNRECORDED_CHANGES
    assert (normalized(before) != normalized(after)) == real_change


def test_identity_figures():
    unchanged = [(a, b) for a, b, changed in PAIRS if not changed]
    same = [(a, b) for a, b in unchanged if normalized(a) == normalized(b)]
    assert len(PAIRS) == 180 - 15 - len(NOT_THE_POLICY)
    # Every pair truth.json calls unchanged extracts the same, but for the changes it missed.
    assert len(unchanged) - len(same) == len(UNRECORDED_CHANGES)


def test_page_names_are_real():
    for name in [*NOT_THE_POLICY, *STALE_REFERENCE, *PARTIAL_REFERENCE, *REPEATS_IN_REFERENCE]:
        file = name.split("/")[1]
        assert (HISTORIES / name).is_file() or (
            Path(__file__).parent / "data" / "raw-html" / name
        ).is_file()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z\.html", file)
    assert all((HISTORIES / n).is_file() for n in [*UNRECORDED_CHANGES, *MARKUP_ONLY_CHANGES])
