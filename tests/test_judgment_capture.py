"""A capture that is not the policy, or holds only part of the page, or an extraction that
re-spaces the same words, is no policy change (labelling guide B13, "Extraction noise").
Pairs from the dev split of tests/data/policy-changes (Open Terms Archive
contrib-versions, ODC-BY 1.0, "Open Terms Archive contributors"); each was a false alert
before. A policy that really drops sections stays material (B11)."""

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from corpora import policy_change, policy_history

from monitor.classify.capture import partial_capture
from monitor.compare import compare
from monitor.model import Clause, PolicyDocument
from monitor.policyness import not_policy

DATA = Path(__file__).parent / "data"
WILD = {
    (p["old"], p["new"]): p
    for p in json.loads((DATA / "judgment" / "wild.json").read_text())["pairs"]
    if p["split"] == "dev"
}


def judged_not_material(old: str, new: str):
    assert not WILD[(old, new)]["material"]
    c = compare(policy_change(old), policy_change(new))
    assert not c.material, c.summary
    return c


@pytest.mark.parametrize(
    "old, new",
    [
        # The new capture is the documentation home page.
        ("base/2024-12-04T180220Z.md", "base/2025-02-21T060235Z.md"),
        # The new capture holds a fragment of the page titled "Information you provide".
        ("wetransfer/2025-12-19T125632Z.md", "wetransfer/2025-12-20T005635Z.md"),
    ],
)
def test_a_capture_that_is_not_the_policy_is_no_policy_change(old, new):
    c = judged_not_material(old, new)
    assert any(ch.rule == "capture" for ch in c.changes)
    assert any("not the policy" in ch.reason for ch in c.changes)


@pytest.mark.parametrize(
    "old, new, says",
    [
        # Cut off after the introduction: the rest of the policy (98 % of its words) gone,
        # what is left word for word the same.
        (
            "wetransfer/2025-12-17T005459Z.md",
            "wetransfer/2025-12-19T125632Z.md",
            "the new capture stops after “This Privacy Policy covers the processing",
        ),
        # The per-app supplements shown in tabs are missing from the new capture (78 % of
        # the page) while the notice itself, its "Last updated" date included, is unchanged.
        (
            "vodafone-ie/2026-03-27T125538Z.md",
            "vodafone-ie/2026-04-28T005520Z.md",
            "the new capture misses 1499 clauses from “Vodafone products” on",
        ),
    ],
)
def test_a_partial_capture_is_no_policy_change(old, new, says):
    c = judged_not_material(old, new)
    reasons = [ch.reason for ch in c.changes if ch.rule == "capture"]
    assert any("a partial capture: " + says in r for r in reasons), reasons[:3]


def test_glued_words_from_a_re_extraction_are_no_policy_change():
    # The same PDF text re-extracted with line breaks taken out: "how we\n\ncollect" reads
    # "how wecollect", paragraphs regroup; only the date line differs.
    c = judged_not_material(
        "alpha-vantage/2024-03-04T183127Z.md", "alpha-vantage/2026-03-27T003305Z.md"
    )
    assert any("re-spaced or regrouped by extraction" in ch.reason for ch in c.changes)


# -- what must stay material ------------------------------------------------------------

POLICY = "wetransfer/2025-12-17T005459Z.md"


def without(doc: PolicyDocument, start: str, stop: str | None = None, **changes):
    """`doc` without its clauses from the one starting `start` up to the one starting
    `stop` (or the end)."""
    texts = [c.text for c in doc.clauses]
    a = next(k for k, t in enumerate(texts) if t.startswith(start))
    b = next(k for k, t in enumerate(texts) if t.startswith(stop)) if stop else len(texts)
    return replace(doc, clauses=doc.clauses[:a] + doc.clauses[b:], **changes)


@pytest.mark.parametrize(
    "start, stop, changes",
    [
        # A section dropped from the middle: who the data is shared with.
        ("How & when we share", "How & when we transmit", {}),
        # The last sections dropped (cookies, transfers, security, retention, rights,
        # minors): a large removal, but less than half of the page.
        ("Why and how we use cookies", None, {}),
        # Most of the page dropped with a new date: the policy was re-issued shorter.
        ("Information you provide", None, {"effective_date": date(2026, 1, 1)}),
    ],
)
def test_a_policy_that_drops_whole_sections_stays_material(start, stop, changes):
    old = policy_change(POLICY)
    new = without(old, start, stop, **changes)
    assert partial_capture(old, new) is None
    c = compare(old, new)
    assert c.material, c.summary
    assert all(ch.rule != "capture" for ch in c.changes if ch.material)


def test_a_partial_capture_needs_the_rest_word_for_word():
    # Cut off like the real one, but a sentence of what is left was also edited: an edit,
    # not only a capture, so the cut-off is not claimed.
    old = policy_change(POLICY)
    cut = without(old, "Who is the data controller")
    edited = Clause(cut.clauses[3].section, "paragraph", cut.clauses[3].text + " We sell it.")
    new = replace(cut, clauses=(*cut.clauses[:3], edited, *cut.clauses[4:]))
    assert partial_capture(old, cut) is not None
    assert partial_capture(old, new) is None


def test_a_partial_capture_whose_rest_was_edited_only_cosmetically_is_still_partial():
    # Cut off like the real one, and a typo fixed in a clause of what is left: an edit
    # judged not material, so the rest still counts as the same text.
    old = policy_change(POLICY)
    cut = without(old, "Who is the data controller")
    k = next(k for k, c in enumerate(cut.clauses) if " activities " in c.text)
    typo = cut.clauses[k].text.replace(" activities ", " activites ", 1)
    fixed = replace(cut.clauses[k], text=typo, key="")
    new = replace(cut, clauses=(*cut.clauses[:k], fixed, *cut.clauses[k + 1 :]))
    assert partial_capture(old, new) is None  # not word for word
    c = compare(old, new)
    assert not c.material, c.summary
    assert any("a partial capture" in ch.reason for ch in c.changes if ch.rule == "capture")
    edited = [ch for ch in c.changes if ch.kind == "modified"]
    assert edited and all(not ch.material and ch.rule != "capture" for ch in edited)


def test_a_partial_capture_then_a_contact_edit_is_no_policy_change():
    # Two dev steps, each labelled not material: the capture that missed 1,499 clauses,
    # then a changed contact detail. Together they failed the word-for-word test.
    first = ("vodafone-ie/2026-03-27T125538Z.md", "vodafone-ie/2026-04-28T005520Z.md")
    second = ("vodafone-ie/2026-04-28T005520Z.md", "vodafone-ie/2026-05-12T005552Z.md")
    assert not WILD[first]["material"] and not WILD[second]["material"]
    judged_not_material(*second)
    c = compare(policy_change(first[0]), policy_change(second[1]))
    assert not c.material, c.summary
    assert any("a partial capture" in ch.reason for ch in c.changes if ch.rule == "capture")


def doc(*paragraphs: str) -> PolicyDocument:
    return PolicyDocument(tuple(Clause(("Privacy",), "paragraph", p) for p in paragraphs))


def test_respacing_never_hides_a_changed_word():
    # Regrouped and glued like a re-extraction, and "not" dropped: still material.
    old = doc(
        "We keep your messages encrypted.",
        "We do not sell your personal",
        "information to advertisers.",
        "You can delete your account at any time.",
    )
    glued = "We do not sell your personalinformation to advertisers."
    same = compare(old, doc(old.clauses[0].text, glued, old.clauses[3].text))
    assert not same.material, same.summary
    changed = compare(
        old, doc(old.clauses[0].text, glued.replace("do not ", ""), old.clauses[3].text)
    )
    assert changed.material, changed.summary
    assert all("re-spaced" not in ch.reason for ch in changed.changes if ch.material)


def test_a_hub_page_that_lists_the_notices_is_not_the_policy():
    # The new capture is the overview that links the digital-presence policy, the services
    # notice, cookies, addresses; the old side was the policy itself.
    c = judged_not_material("swiss-post/2022-09-19T120805Z.md", "swiss-post/2023-08-23T151718Z.md")
    assert any("a hub page" in ch.reason and ch.rule == "capture" for ch in c.changes)


@pytest.mark.parametrize(
    "old, new",
    [
        # Untitled pages whose first heading is "Contacting Us" / "Information We Collect",
        # whose first lines say what they are ("This Privacy Statement explains our
        # practices…", "World Market Privacy Policy"): rewritten years later as titled ones
        # that add games and ads data, location, advertising (round 4, dev).
        ("netflix/2020-12-31T223156Z.md", "netflix/2024-09-01T061052Z.md"),
        ("world-market/2017-10-28T055608Z.md", "world-market/2020-01-04T065854Z.md"),
    ],
)
def test_an_untitled_policy_that_says_what_it_is_in_its_first_lines_is_the_policy(old, new):
    before, after = policy_history(old), policy_history(new)
    assert not_policy(before, after) is None
    # Recorded the other way round, the untitled one would have been kept out of the store.
    assert not_policy(after, before) is None
    c = compare(before, after)
    assert c.material and not any(ch.rule == "capture" for ch in c.changes), c.summary


def test_an_untitled_page_that_does_not_name_the_policy_is_still_not_the_policy():
    policy = policy_history("netflix/2024-09-01T061052Z.md")
    untitled = policy_history("netflix/2020-12-31T223156Z.md")
    opening = untitled.clauses[0]
    assert "Privacy Statement" in opening.text
    other = replace(
        untitled,
        clauses=(
            replace(opening, text="Here is how to reach our help center."),
            *untitled.clauses[1:],
        ),
    )
    assert not_policy(other, policy) is not None


@pytest.mark.parametrize("reverse", [False, True], ids=["fixed", "lost"])
def test_a_one_clause_shop_page_for_the_policy_is_a_capture_problem_both_ways(reverse):
    # world-market 2012-10-04 -> 2017-10-28 (dev round 4, labelled not material): the
    # archive's 2012 capture is the shop's cart and menu, one clause. Policy -> shop page
    # was too short to be called a rewrite, so whether it is the policy was never asked.
    shop = policy_history("world-market/2012-10-04T112540Z.md")
    policy = policy_history("world-market/2017-10-28T055608Z.md")
    old, new = (policy, shop) if reverse else (shop, policy)
    c = compare(old, new)
    assert not c.material, c.summary
    assert any("not the policy" in ch.reason for ch in c.changes if ch.rule == "capture")


def test_a_short_page_naming_one_notice_is_not_called_a_hub():
    hub = policy_change("swiss-post/2023-08-23T151718Z.md")
    policy = policy_change("swiss-post/2022-09-19T120805Z.md")
    first = next(k for k, c in enumerate(hub.clauses) if "Data protection notice" in c.text)
    one = replace(hub, clauses=hub.clauses[:first] + hub.clauses[first + 1 :])
    assert not_policy(hub, policy) is not None
    assert not_policy(one, policy) is None


CM_OLD, CM_NEW = "christianmingle/2022-01-20T143325Z.md", "christianmingle/2023-09-09T003209Z.md"


def test_a_notice_dropped_without_a_pointer_to_it_stays_material():
    # The same notice dropped from a policy that no longer points to any cookie policy:
    # what it said about cookies is gone from the reader's picture (B11).
    new = policy_change(CM_NEW)
    pointer = re.compile(r"[^.]*\bCookie Policy\b[^.]*\.")
    clauses = tuple(
        replace(c, text=pointer.sub("", c.text), key="") if pointer.search(c.text) else c
        for c in new.clauses
    )
    assert sum(a != b for a, b in zip(clauses, new.clauses, strict=True)) == 3
    unpointed = replace(new, clauses=clauses)
    c = compare(policy_change(CM_OLD), unpointed)
    assert c.material, c.summary


def test_a_capture_that_stops_mid_sentence_is_partial():
    # The dev cut-off above, had the page stopped inside a sentence of its table: the last
    # clause is the start of the policy's clause there (labelling guide B13: "the old side
    # stops mid-sentence").
    old = policy_change(POLICY)
    k = next(k for k, c in enumerate(old.clauses) if c.text.startswith("User Content |"))
    stub = replace(old.clauses[k], text=old.clauses[k].text[:60], key="")
    new = replace(old, clauses=(*old.clauses[:k], stub))
    side, why = partial_capture(old, new)
    assert side == "new" and why.startswith("the new capture stops mid-sentence, at “")
    c = compare(old, new)
    assert not c.material, c.summary
    # Reversed, the old capture was the cut one: completed.
    assert partial_capture(new, old)[0] == "old"
    assert not compare(new, old).material
