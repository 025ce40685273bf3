"""Clause alignment and word-level diff, on clause lists built by hand."""

from monitor.diff import diff_clauses, word_ops
from monitor.diff.sentences import split_sentences
from monitor.diff.words import new_text, old_text
from monitor.model import Clause

S = ("Sharing",)


def p(text, section=S, kind="paragraph"):
    return Clause(section, kind, text)


BASE = [
    p("Privacy Policy", (), "heading"),
    p("We collect your email address when you sign up."),
    p("We share data with service providers who help us run the service."),
    p("We keep your data for 30 days after you close your account."),
    p("You can opt out of marketing emails at any time."),
    p("Contact us at privacy@example.com."),
]


def kinds(diff):
    return [(c.kind, c.old, c.new) for c in diff.changes]


def test_identical_versions_have_no_changes():
    d = diff_clauses(BASE, list(BASE))
    assert d.changes == [] and d.unchanged == len(BASE) and not d.rewrite


def test_presentation_only_differences_are_not_changes():
    new = list(BASE)
    new[1] = p("We  collect your **email address** when you sign\nup.")
    assert diff_clauses(BASE, new).changes == []


def test_edited_clause_is_modified_with_word_ops():
    new = list(BASE)
    new[3] = p("We keep your data for 5 years after you close your account.")
    d = diff_clauses(BASE, new)
    assert [(c.kind, c.old_index, c.new_index) for c in d.changes] == [("modified", 3, 3)]
    ops = d.changes[0].word_ops
    assert ("delete", "30 days") in ops and ("insert", "5 years") in ops
    assert old_text(ops) == BASE[3].text and new_text(ops) == new[3].text


def test_added_and_removed_clauses():
    new = [*BASE[:2], *BASE[3:], p("We sell your personal information to data brokers.")]
    d = diff_clauses(BASE, new)
    assert kinds(d) == [
        ("removed", BASE[2].text, None),
        ("added", None, "We sell your personal information to data brokers."),
    ]


def test_reordered_clause_is_moved_not_removed_and_added():
    new = [BASE[0], BASE[4], BASE[1], BASE[2], BASE[3], BASE[5]]
    d = diff_clauses(BASE, new)
    assert [c.kind for c in d.changes] == ["moved"]
    assert d.changes[0].old == BASE[4].text


def test_split_paragraph_reports_only_sentence_edits():
    old = [
        p("Intro text here."),
        p("We use cookies. We also use pixels. Ads are shown."),
        p("End."),
    ]
    same = [
        p("Intro text here."),
        p("We use cookies. We also use pixels."),
        p("Ads are shown."),
        p("End."),
    ]
    d = diff_clauses(old, same)
    assert d.changes == [] and len(d.regroups) == 1
    edited = list(same)
    edited[2] = p("Ads are never shown.")
    d = diff_clauses(old, edited)
    assert kinds(d) == [("modified", "Ads are shown.", "Ads are never shown.")]


def test_merged_paragraphs_are_a_regroup():
    old = [p("We use cookies."), p("We also use pixels."), p("Other.")]
    new = [p("We use cookies. We also use pixels."), p("Other.")]
    d = diff_clauses(old, new)
    assert d.changes == [] and d.regroups[0].old_indices == [0, 1]


def test_full_rewrite_is_flagged():
    old = [p(f"Old clause number {i} about apples and pears in orchards.") for i in range(12)]
    new = [p(f"Brand new statement {i}: we gather telemetry from devices.") for i in range(12)]
    assert diff_clauses(old, new).rewrite
    assert not diff_clauses(BASE, BASE[:-1]).rewrite


def test_word_ops_are_word_level_not_character_level():
    ops = word_ops("We may share data.", "We will share data.")
    assert ops == [
        ("equal", "We "),
        ("delete", "may"),
        ("insert", "will"),
        ("equal", " share data."),
    ]


def test_sentence_split_keeps_abbreviations():
    assert split_sentences('Laws of the U.S. apply. See e.g. Annex 2. He said "yes." Done.') == [
        "Laws of the U.S. apply.",
        "See e.g. Annex 2.",
        'He said "yes."',
        "Done.",
    ]
