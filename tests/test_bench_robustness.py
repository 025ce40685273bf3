"""bench/robustness.py's edits: each makes the one edit it names, leaves the rest of the
text as it was, and is not made where the version offers nothing to work on."""

from __future__ import annotations

import random
from collections import Counter

from benches import bench_module

from monitor.compare import compare
from monitor.extract import extract

robustness = bench_module("robustness")

POLICY = """# Acme Privacy Policy

Last updated: January 5, 2024

## 1. What we collect

Acme collects your name, your email address and the pages you read, so that Acme can run the service you signed up for and answer your questions.

We use the pages you read to choose which articles to show you first. We never use them to show you advertising. You can turn this off in your account settings at any time.

We keep your account data for 30 days after you close your account, then we delete it for good.

When you sign up, we collect the following information:

- Your name
- Your email address
- The country you live in

## 2. Sharing

We do not sell your personal information to anyone, and Acme shares it only with the hosting provider that runs our servers.

- Hosting provider
- Payment processor
- Mail provider

| Provider | Data | Purpose |
| --- | --- | --- |
| Hostco | Account data | Hosting our servers |
| Payco | Card number | Taking payments |

The providers above act on our behalf, as Section 3 explains.

## 3. Your rights

You have the right to access and delete the personal information Acme holds about you, and to object to its use for marketing.

Write to privacy@acme.example with any question about this policy.
"""


def _edit(edit) -> str | None:
    return edit(POLICY, random.Random(1), "acme")


def _words(text: str) -> Counter:
    return Counter(text.replace("*", "").split())


def test_edits_that_keep_the_words_keep_every_word():
    for edit in (
        robustness.move_section,
        robustness.swap_paragraphs,
        robustness.add_emphasis,
        robustness.split_paragraph,
        robustness.merge_paragraphs,
        robustness.move_sentence,
    ):
        edited = _edit(edit)
        assert edited and edited != POLICY, edit.__name__
        assert _words(edited) == _words(POLICY), edit.__name__


def test_each_edit_makes_the_edit_it_names():
    assert "## 2. What we collect" in _edit(robustness.renumber_headings)
    dated = _edit(robustness.change_date_line)
    assert "January 5, 2024" not in dated and "Last updated: March" in dated
    renamed = _edit(robustness.rename_brand)
    assert "Acme" not in renamed and "Zephyrex shares" in renamed
    assert "privacy@acme.example" in renamed  # an address is not the brand as a word
    assert "privacy@acme.example" not in _edit(robustness.change_contact)
    as_line = _edit(robustness.list_as_line)
    assert (
        "Hosting provider; Payment processor; Mail provider." in as_line
        or "Your name; Your email address; The country you live in." in as_line
    )
    assert "We also sell your personal information" in _edit(robustness.add_sale)
    assert "We do sell your personal information" in _edit(robustness.drop_not)
    assert "360 years" in _edit(robustness.lengthen_retention)
    assert "You have the right to access" not in _edit(robustness.remove_right)
    assert "### 1. What we collect" in _edit(robustness.heading_levels)
    assert "- We never use them to show you advertising." in _edit(robustness.sentences_as_list)
    summary = _edit(robustness.add_summary)
    assert summary.index("## Summary") < summary.index("## 1. What we collect")
    # Three sentences the body states word for word.
    said = summary.split("## Summary\n\n")[1].split("\n\n")[0]
    flat = " ".join(POLICY.split())
    sentences = [x if x.endswith(".") else x + "." for x in said.split(". ")]
    assert len(sentences) == 3 and all(x in flat for x in sentences), sentences
    assert "- Provider: Hostco; Data: Account data; Purpose: Hosting our servers" in _edit(
        robustness.table_as_list
    )
    assert "as Section 4 explains" in _edit(robustness.renumber_references)
    assert "More about this" in _edit(robustness.add_heading)
    reordered = _edit(robustness.reorder_list)
    assert reordered != POLICY and _words(reordered) == _words(POLICY)
    assert "- The country you live in\n- Your genetic data, such as the results of DNA tests" in (
        _edit(robustness.add_list_item)
    )
    furnished = _edit(robustness.page_furniture)
    assert "# Acme Privacy Policy\n\nEffective 2027-" in furnished
    assert furnished.rstrip().endswith("Acme. All rights reserved.")
    reworded = _edit(robustness.reword)
    assert reworded != POLICY and len(reworded.split()) <= len(POLICY.split())
    typoed = _edit(robustness.typos)
    gone, came = _words(POLICY) - _words(typoed), _words(typoed) - _words(POLICY)
    # Three words, each with two letters swapped: the same letters, in another order.
    assert sum(gone.values()) == sum(came.values()) == 3
    assert sorted(map(sorted, gone.elements())) == sorted(map(sorted, came.elements()))


def test_an_edit_with_nothing_to_work_on_is_not_made():
    bare = "# Policy\n\nWe collect your name.\n"
    for edit in robustness.NOISE + robustness.MATERIAL:
        if edit is not robustness.page_furniture:  # it adds its lines to any page
            assert edit(bare, random.Random(1), "acme") is None, edit.__name__


def test_the_judge_agrees_with_the_guide_on_the_small_policy():
    base = extract(POLICY.encode(), "text/markdown", "p.md")
    for edit in robustness.NOISE + robustness.MATERIAL:
        edited = _edit(edit)
        if edited is None:
            continue
        c = compare(base, extract(edited.encode(), "text/markdown", "p.md"))
        assert c.material == (edit in robustness.MATERIAL), (edit.__name__, c.summary)


def test_services_are_split_as_the_labelled_sets_split_them():
    splits = robustness.service_splits()
    assert splits["snapchat"] == "dev"  # a devset service
    assert set(splits.values()) == {"dev", "test"}
    assert robustness.latest_version("snapchat").name.endswith(".md")
