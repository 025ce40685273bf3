"""Classes of misjudgment found on round 4 of the labelled set (docs/labelling.md): pairs of
tests/data/policy-histories (Open Terms Archive and Platform Governance Archive, ODC-BY 1.0;
see tests/data/policy-histories/README.md) that the judge had never been run on. Each real
pair was misjudged before; next to it, a counter-case that must stay as it was."""

from dataclasses import replace

import pytest
from corpora import policy_history

from monitor.classify import is_link_line
from monitor.classify.capture import second_copy
from monitor.classify.edits import edit_reason
from monitor.compare import compare
from monitor.diff.words import word_ops
from monitor.model import Clause

FOOTER = (
    "Site Map | Connect | Studio | Mobile App | Press Room | Blog | Widgets | RSS Feed | "
    "Recommend Us Terms of Use | Privacy Policy | Cookie Policy | Copyright/IP Policy | Help | "
    "Contact Us Copyright © 123Greetings.com, Inc. All rights reserved."
)


def test_a_footer_menu_with_its_copyright_line_is_navigation():
    assert is_link_line(FOOTER)
    # Items glued by the extraction ("Editor Bob's Blog Site Map") among many titles.
    assert is_link_line(
        "Stay Connected B'day Reminders Event Reminders Newsletter Editor " + FOOTER
    )


def test_prose_split_by_bars_is_not_a_menu():
    text = (
        "We collect your email address | we share it with advertising partners | for ads "
        "| and analytics | Help | Blog | Contact | Press"
    )
    assert not is_link_line(text)


@pytest.mark.parametrize(
    "old, new",
    [
        # The site's footer menu dropped, then another one: the policy text the same.
        ("123greetings/2020-11-09T173003Z.md", "123greetings/2026-03-02T123011Z.md"),
        ("123greetings/2018-05-24T054356Z.md", "123greetings/2020-06-08T060456Z.md"),
    ],
)
def test_a_footer_menu_that_comes_or_goes_is_no_policy_change(old, new):
    c = compare(policy_history(old), policy_history(new))
    assert not c.material, c.summary


def test_a_not_limited_to_idiom_dropped_is_no_negation_flip():
    old = "These uses may include, but are not limited to, counting visits to each page."
    new = "These uses may include counting visits to each page."
    v = edit_reason(old, new, word_ops(old, new), ["first-party-collection"])
    assert v.rule != "negation", v.reason
    # A real "not" dropped still turns the clause around.
    old2 = "We do not share the pages you visit with advertisers."
    new2 = "We share the pages you visit with advertisers."
    assert edit_reason(old2, new2, word_ops(old2, new2), ["third-party-sharing"]).rule == "negation"


def test_a_dotted_abbreviation_ends_no_sentence_and_a_framework_is_a_term_not_a_name():
    from monitor.classify.inventory import _SENTENCE, text_elements

    text = (
        "Bitwarden is responsible for personal information it receives under the EU-U.S. "
        "Data Privacy Framework and then transfers to a third party."
    )
    assert [s for s in _SENTENCE.split(text) if s.strip()] == [text]
    found = text_elements(text)
    assert ("act", "share", "transfer-mechanism", False) in found
    assert not any(e[0] == "name" and "framework" in e[1] for e in found)
    assert ("term", "transfer-mechanism") in text_elements("We rely on the DPF for transfers.")
    # A real full stop still ends a sentence, and a vendor is still a name.
    two = text_elements("We use Khoros to answer you. We share your email address with it.")
    assert ("name", "khoro") in two  # names are kept singular: "Khoros" like "partners"


def test_a_capture_that_holds_the_page_twice_is_no_policy_change():
    # The new capture repeats the whole policy (182 clauses: 91 twice); beside the copy,
    # only the date, a product rename and link targets changed.
    old = policy_history("le-chat/2025-11-11T153307Z.md")
    new = policy_history("le-chat/2025-12-15T233452Z.md")
    assert second_copy(new) is not None and second_copy(old) is None
    c = compare(old, new)
    assert not c.material, c.summary
    assert any("holds the page twice" in ch.reason for ch in c.changes)


def test_a_capture_that_held_the_page_twice_then_once_is_no_policy_change():
    # The same pair reversed (found by judging dev pairs both ways): the diff pairs the
    # new single copy with the old capture's second copy, so the clauses that go are
    # those of the first copy ("removes the right to know if we process your personal
    # data"), each still held by the copy that was kept.
    doubled = policy_history("le-chat/2025-12-15T233452Z.md")
    single = policy_history("le-chat/2025-11-11T153307Z.md")
    c = compare(doubled, single)
    assert not c.material, c.summary
    assert any("holds the page twice" in ch.reason for ch in c.changes)


def test_a_clause_new_to_both_copies_stays_material():
    # A sentence the doubled capture writes in each copy, which the old one never had:
    # neither copy of it has a kept twin.
    old = policy_history("le-chat/2025-11-11T153307Z.md")
    doubled = policy_history("le-chat/2025-12-15T233452Z.md")
    start = second_copy(doubled)
    sale = Clause(doubled.clauses[-1].section, "paragraph", "We sell your prompts to data brokers.")
    clauses = (*doubled.clauses[:start], sale, *doubled.clauses[start:], sale)
    c = compare(old, replace(doubled, clauses=clauses))
    assert c.material and any("sale" in ch.reason for ch in c.material_changes), c.summary


def test_a_clause_only_the_second_copy_holds_stays_material():
    old = policy_history("le-chat/2025-11-11T153307Z.md")
    doubled = policy_history("le-chat/2025-12-15T233452Z.md")
    start = second_copy(doubled)
    assert start is not None
    sale = Clause(doubled.clauses[-1].section, "paragraph", "We sell your prompts to data brokers.")
    new = replace(doubled, clauses=(*doubled.clauses, sale))
    c = compare(old, new)
    assert c.material and any("sale" in ch.reason for ch in c.material_changes), c.summary


def test_a_policy_that_grows_is_no_second_copy():
    doc = policy_history("le-chat/2025-11-11T153307Z.md")
    grown = replace(doc, clauses=doc.clauses + doc.clauses[: len(doc.clauses) // 3])
    assert second_copy(grown) is None
