"""A capture that missed the top of the page, completed by the next one, is no policy change
(labelling guide B13), on real pairs of the wild set's dev split (tests/data/policy-changes,
ODC-BY 1.0, "Open Terms Archive contributors") and on clauses edited by hand."""

import pytest
from corpora import policy_change

from monitor.classify.capture import missed_top
from monitor.compare import compare
from monitor.diff import diff_clauses
from monitor.model import Clause, PolicyDocument


@pytest.mark.parametrize(
    "old, new",
    [
        # 12 hours apart: the first capture starts at "Who is the data controller", the
        # second has the title, "Download pdf" and the introduction above it.
        ("wetransfer/2025-12-20T005635Z.md", "wetransfer/2025-12-20T125651Z.md"),
        ("wetransfer/2025-12-21T005807Z.md", "wetransfer/2025-12-21T125722Z.md"),
    ],
)
def test_a_capture_that_missed_the_top_of_the_page_completed_later_is_not_material(old, new):
    c = compare(policy_change(old), policy_change(new))
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert any(
        ch.rule == "capture" and "old capture misses the top" in ch.reason for ch in c.changes
    )


def test_the_same_capture_the_other_way_misses_the_top_on_the_new_side():
    old, new = (
        policy_change("wetransfer/2025-12-20T125651Z.md"),
        policy_change("wetransfer/2025-12-21T005807Z.md"),
    )
    c = compare(old, new)
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert missed_top(diff_clauses(old.clauses, new.clauses).changes, old, new) == "new"


# Clauses quoted from wetransfer 2025-12-20 (the introduction), edited by hand.
TITLE = "Privacy & Cookie Policy"
INTRO = [
    ((TITLE, "Introduction"), "heading", "Introduction"),
    (
        (TITLE, "Introduction"),
        "paragraph",
        "This Privacy Policy covers the processing activities that WeTransfer performs as "
        "the data controller, and we also share your files with our advertising partners.",
    ),
]
BODY = [
    ((TITLE, "Who"), "heading", "Who is the data controller"),
    ((TITLE, "Who"), "paragraph", "WeTransfer B.V. is the data controller of your data."),
    ((TITLE, "What"), "heading", "What information do we collect"),
    ((TITLE, "What"), "paragraph", "We collect the information you provide when you sign up."),
    ((TITLE, "What"), "paragraph", "We collect your IP address when you use the Services."),
]


def _doc(rows, title: str | None) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(s, k, t) for s, k, t in rows), title=title)


def test_an_introduction_added_to_a_policy_that_had_its_title_stays_material():
    # The old capture has the page's title: the new sentences are the policy's own.
    head = [((TITLE,), "heading", TITLE)]
    old = _doc([*head, *BODY], TITLE)
    new = _doc([*head, *INTRO, *BODY], TITLE)
    assert compare(old, new).material


def test_a_missed_top_needs_the_pages_title_in_the_missing_block():
    # Titleless on both sides: nothing says the old capture started mid-page.
    old, new = _doc(BODY, None), _doc([*INTRO, *BODY], None)
    assert missed_top(diff_clauses(old.clauses, new.clauses).changes, old, new) is None
    assert compare(old, new).material
    # With the title heading on top of the added block, it is the missed top of the page.
    new = _doc([((TITLE,), "heading", TITLE), *INTRO, *BODY], TITLE)
    assert missed_top(diff_clauses(old.clauses, new.clauses).changes, old, new) == "old"
    assert not compare(old, new).material


def test_the_previous_version_no_longer_shown_below_the_policy_is_not_material():
    # upscrolled 2026-06-01 -> 07-27: the page drops "Previous privacy policy (published
    # on 12 September 2025 and effective for existing users until 30 May 2026)" and its
    # 140 clauses; the policy in force above it is unchanged (B16).
    old = policy_change("upscrolled/2026-06-01T010241Z.md")
    new = policy_change("upscrolled/2026-07-27T131258Z.md")
    c = compare(old, new)
    assert not c.material, [ch.reason for ch in c.material_changes][:3]
    assert any("previous version" in ch.reason for ch in c.changes if ch.rule == "capture")


OLDER = [
    ((TITLE, "Previous privacy policy"), "heading", "Previous privacy policy"),
    (
        (TITLE, "Previous privacy policy"),
        "paragraph",
        "Previous privacy policy (published on 12 September 2025 and effective until 30 May 2026).",
    ),
    ((TITLE, "Previous privacy policy"), "paragraph", "We collect your e-mail address."),
    ((TITLE, "Previous privacy policy"), "paragraph", "We share your data with advertisers."),
    ((TITLE, "Previous privacy policy"), "paragraph", "We keep your data for 90 days."),
]


def test_a_removed_section_that_is_no_previous_version_stays_material():
    head = [((TITLE,), "heading", TITLE)]
    dropped = [((TITLE, "Sharing"), "heading", "Sharing"), *OLDER[2:], *OLDER[2:]]
    old, new = _doc([*head, *BODY, *dropped], TITLE), _doc([*head, *BODY], TITLE)
    assert compare(old, new).material
    # The previous version dropped, and a new sentence in the policy in force: material.
    old = _doc([*head, *BODY, *OLDER], TITLE)
    extra = ((TITLE, "What"), "paragraph", "We sell your precise location to data brokers.")
    new = _doc([*head, *BODY, extra], TITLE)
    assert compare(old, new).material
    assert not compare(old, _doc([*head, *BODY], TITLE)).material
