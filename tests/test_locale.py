"""The same page captured in another language or locale is no policy change (labelling
guide B13), on real pairs of the wild set's dev split (tests/data/policy-changes, ODC-BY 1.0,
"Open Terms Archive contributors") and on clauses edited by hand."""

from dataclasses import replace

import pytest
from corpora import policy_change, policy_history

from monitor.classify.locale import language_switch, locale_switch
from monitor.compare import compare
from monitor.diff import diff_clauses
from monitor.diff.words import word_ops
from monitor.model import Clause, PolicyDocument


@pytest.mark.parametrize(
    "old, new",
    [
        # English -> Spanish and back, five days apart: the rewrite is a translation.
        ("verizon/2021-03-04T103249Z.md", "verizon/2021-03-09T121811Z.md"),
        ("verizon/2021-03-09T121811Z.md", "verizon/2021-03-09T130402Z.md"),
    ],
)
def test_the_same_policy_captured_in_another_language_is_not_material(old, new):
    c = compare(policy_change(old), policy_change(new))
    assert policy_change(old).language != policy_change(new).language
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert c.changes[0].rule == "capture" and "another language" in c.changes[0].reason


def test_a_short_bilingual_notice_replaced_by_a_full_policy_is_no_translation():
    # gofile: a 3-clause French/English statement becomes an 80-clause English policy with
    # retention periods (labelled material, B10).
    old, new = (
        policy_change("gofile/2024-05-22T183614Z.md"),
        policy_change("gofile/2026-06-17T003930Z.md"),
    )
    assert old.language != new.language
    assert compare(old, new).material


@pytest.mark.parametrize(
    "old, new",
    [
        ("google-nest/2022-01-25T183434Z.md", "google-nest/2022-01-27T003358Z.md"),
        ("google-nest/2022-01-27T063357Z.md", "google-nest/2022-01-27T123353Z.md"),
        ("google-nest/2022-01-27T123353Z.md", "google-nest/2022-01-27T183358Z.md"),
    ],
)
def test_the_british_and_american_copies_of_one_page_are_not_a_change(old, new):
    c = compare(policy_change(old), policy_change(new))
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert any("another locale" in ch.reason for ch in c.changes)


SEC = ("Google Nest privacy", "Our commitment")
# Clauses of google-nest 2022-01-25 (British copy) and the American words for them.
UK_US = [
    (
        "We do not use environmental and activity sensor data for ad personalisation.",
        "We do not use environmental and activity sensor data for ad personalization.",
    ),
    (
        "Through this programme, the Nest security team can learn about vulnerabilities.",
        "Through this program, the Nest security team can learn about vulnerabilities.",
    ),
    (
        "We have dedicated security teams that analyse the hardware and software of each device.",
        "We have dedicated security teams that analyze the hardware and software of each device.",
    ),
    (
        "Face Match helps your device recognise you and personalise your experience.",
        "Face Match helps your device recognize you and personalize your experience.",
    ),
    (
        "To fulfil some requests, your Assistant can retrieve a sensor reading.",
        "To fulfill some requests, your Assistant can retrieve a sensor reading.",
    ),
]


def _doc(texts: list[str]) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(SEC, "paragraph", t) for t in texts), language="en")


def _changes(pairs):
    old, new = _doc([a for a, _ in pairs]), _doc([b for _, b in pairs])
    return diff_clauses(old.clauses, new.clauses).changes


def test_many_spellings_switched_one_way_are_a_locale_switch():
    assert locale_switch(_changes(UK_US)) == "British → American English"
    back = [(b, a) for a, b in UK_US]
    assert locale_switch(_changes(back)) == "American → British English"


def test_one_spelling_fixed_beside_a_real_edit_stays_material():
    # A single "recognise" -> "recognize" is a spelling fix, not a copy of another locale.
    pairs = [
        UK_US[3],
        (
            "We do not use environmental and activity sensor data for ad personalisation.",
            "We use environmental and activity sensor data for ad personalisation.",
        ),
    ]
    assert locale_switch(_changes(pairs)) is None
    c = compare(_doc([a for a, _ in pairs]), _doc([b for _, b in pairs]))
    assert c.material


def test_a_locale_switch_explains_a_copy_not_a_rewrite():
    # Five spellings swapped one way beside three edits judged material: more material
    # edits than a copy in another locale makes (two swapped spellings for each at least).
    changes = _changes(UK_US)
    others = [replace(ch, material=True) for ch in _changes([("a b c", "x y z")] * 3)]
    assert locale_switch([*changes, *others[:2]]) == "British → American English"
    assert locale_switch([*changes, *others]) is None


@pytest.mark.parametrize(
    "old, new",
    [
        # Years apart, the archive's copy also turned British: Australia added to the
        # regional notices, age assurance from account and content signals (round 4, dev).
        ("snapchat/2024-01-22T124016Z.md", "snapchat/2026-08-05T005648Z.md"),
        # A new policy for the EEA (location estimated from IP addresses and area codes,
        # businesses' providers incl. Facebook), spelt the British way.
        ("whatsapp/2021-04-14T225938Z.md", "whatsapp/2021-04-29T131023Z.md"),
    ],
)
def test_a_policy_rewritten_while_its_copy_changed_locale_is_material(old, new):
    c = compare(policy_history(old), policy_history(new))
    assert c.material, c.summary
    assert not any("another locale" in ch.reason for ch in c.changes)


def test_spellings_switched_both_ways_are_no_locale_switch():
    mixed = [*UK_US[:3], *[(b, a) for a, b in UK_US[3:]]]
    assert locale_switch(_changes(mixed)) is None


def _lang(lang: str | None, texts: list[str]) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(SEC, "paragraph", t) for t in texts), language=lang)


def test_a_language_switch_needs_two_known_languages_pages_of_a_like_size_and_names():
    en = ["Verizon Fios keeps your data.", "Verizon Fios shares it with CyberTipline."]
    es = ["Verizon Fios guarda tus datos.", "Verizon Fios los comparte con CyberTipline."]
    assert language_switch(_lang("en", en), _lang("es", es))
    assert not language_switch(_lang("en", en), _lang("en", es))
    assert not language_switch(_lang(None, en), _lang("es", es))
    assert not language_switch(_lang("en", en), _lang("es", es[:1]))
    # Another company's policy: the brand name the old text repeats is gone.
    de = ["LOVESCOUT24 speichert deine Daten.", "LOVESCOUT24 teilt sie mit CyberTipline."]
    fr = ["Meetic conserve vos données.", "Meetic les partage avec CyberTipline."]
    assert not language_switch(_lang("de", de), _lang("fr", fr))


def test_word_ops_pair_the_variant_words():
    ops = word_ops("ad personalisation here", "ad personalization here")
    assert ("delete", "personalisation") in ops and ("insert", "personalization") in ops
