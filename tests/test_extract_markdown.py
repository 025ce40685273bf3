"""Markdown extraction: the balena seed by hand, and each Markdown construct on its own."""

from datetime import date
from pathlib import Path

import pytest

from monitor.extract import extract
from monitor.model import ExtractionError

DATA = Path(__file__).parent / "data"


def md(text: str):
    return extract(text.encode(), "text/markdown")


@pytest.fixture(scope="module")
def balena():
    return extract((DATA / "seeds" / "balena-privacy.md").read_bytes())


BALENA_TOP_HEADINGS = [
    "SCOPE",
    "PERSONAL INFORMATION WE COLLECT",
    "Information You Provide to Us",
    "Information You Provide to Us",  # used twice in the capture, kept as written
    "HOW WE USE YOUR INFORMATION",
    "DISCLOSING YOUR INFORMATION TO THIRD PARTIES",
    "YOUR CHOICES",
    "General",
    "Opt-Out",
    "Modifying Your Information",
    "Email and Telephone Communications",
    "“Do Not Track”",
    "Cookies and Interest-Based Advertising",
    "YOUR PRIVACY RIGHTS",
    "INTERNATIONAL DATA TRANSFERS",
    "DATA RETENTION",
    "SECURITY",
    "CHILDREN'S INFORMATION",
    "SUPERVISORY AUTHORITY",
    "CALIFORNIA PRIVACY",
    "Information We Collect",
    "Categories of Sources from Which Personal Information is Collected",
    "Business or Commercial Purposes for Collecting Personal Information",
    "Disclosures of Personal Information for a Business Purpose",
    "Sales of Personal Information",
    "CHANGES TO OUR PRIVACY POLICY",
    "CONTACT US.",
]


def test_balena_setext_headings_in_order(balena):
    assert [h.text for h in balena.headings if len(h.section) == 1] == BALENA_TOP_HEADINGS


def test_balena_last_updated_is_metadata_not_a_clause(balena):
    assert balena.effective_date == date(2020, 4, 1)
    assert not any("Last Updated:" in c.text for c in balena.clauses)
    assert balena.format == "markdown"
    assert balena.language == "en"


def test_balena_stray_icon_word_dropped(balena):
    assert balena.clauses[0].text.startswith("Protecting your privacy is important to us.")
    assert not any(c.text == "clock" for c in balena.clauses)


def test_balena_broken_bold_repaired(balena):
    texts = [c.text for c in balena.clauses]
    assert not any("**" in t for t in texts)
    # The run-in headings that the stray markers split now open their own paragraphs.
    assert "Your Communications with Us. We collect personal information" in "\n".join(texts)
    comms = next(c for c in balena.clauses if c.text.startswith("Your Communications with Us."))
    assert comms.section == ("Information You Provide to Us",)
    assert any(t.startswith("Service Providers. We may share any personal") for t in texts)
    account = next(c for c in balena.clauses if c.text.startswith("Account Information."))
    assert account.text.endswith("permit us to access.")
    # A bold-only paragraph rebuilt from the markers is a sub-heading with its own section.
    cookies = "Cookies, Pixel Tags/Web Beacons, Analytics Information, and Interest-Based Advertising technologies"
    heading = next(c for c in balena.clauses if c.text == cookies)
    assert heading.kind == "heading"
    assert heading.section == ("Information You Provide to Us", cookies)
    item = next(c for c in balena.clauses if c.text.startswith("Cookies. Cookies are small"))
    assert item.kind == "list-item" and item.section[-1] == cookies


def test_balena_lists_and_links(balena):
    items = [c for c in balena.clauses if c.kind == "list-item"]
    assert len(items) == 27
    contact = balena.clauses[-1]
    assert contact.section == ("CONTACT US.",)
    assert "[email protected] or by mail at 1517 12th Ave" in contact.text
    assert "](" not in "".join(c.text for c in balena.clauses)


def test_atx_headings_build_section_paths():
    doc = md(
        "# Privacy\n\nIntro.\n\n## Data we collect\n\nWe collect.\n\n### Cookies ###\n\nCrumbs.\n\n## Sharing\n\nNone.\n"
    )
    assert doc.title == "Privacy"
    assert [(c.kind, c.section) for c in doc.clauses] == [
        ("heading", ("Privacy",)),
        ("paragraph", ("Privacy",)),
        ("heading", ("Privacy", "Data we collect")),
        ("paragraph", ("Privacy", "Data we collect")),
        ("heading", ("Privacy", "Data we collect", "Cookies")),
        ("paragraph", ("Privacy", "Data we collect", "Cookies")),
        ("heading", ("Privacy", "Sharing")),
        ("paragraph", ("Privacy", "Sharing")),
    ]


def test_setext_levels_and_rules():
    doc = md("Policy\n======\n\nText one.\n\n* * *\n\nPart\n----\n\nText two.\n")
    assert [c.section for c in doc.clauses if c.kind == "paragraph"] == [
        ("Policy",),
        ("Policy", "Part"),
    ]


def test_nested_lists_and_continuations():
    doc = md(
        "## Uses\n\n*   First use\n    continues here\n*   Second\n    *   nested one\n    *   nested two\n1. numbered\n2) other\n"
    )
    items = [c.text for c in doc.clauses if c.kind == "list-item"]
    assert items == [
        "First use continues here",
        "Second",
        "nested one",
        "nested two",
        "numbered",
        "other",
    ]


def test_tables_become_rows_without_the_rule():
    doc = md(
        "## Table\n\n| Category | Collected |\n| --- | :-: |\n| Identifiers | Yes |\n| Geo \\| GPS | No |\n"
    )
    assert [c.text for c in doc.clauses if c.kind == "table-row"] == [
        "Category | Collected",
        "Identifiers | Yes",
        "Geo | GPS | No",
    ]


def test_inline_markup_escapes_and_hard_breaks():
    doc = md(
        'Intro\n=====\n\nSee [our \\[policy\\]](https://x.example/p "t") and _this_ `code`  \n'
        "next line with opt\\_out and a ![logo](l.png) image.\n"
    )
    assert doc.body[0].text == "See our [policy] and this code next line with opt_out and a image."


def test_bold_only_paragraph_is_a_subheading_below_the_open_heading():
    doc = md("# A\n\n## B\n\n**Run-in**\n\nText.\n\n**Next:**\n\nMore.\n\n## C\n\nEnd.\n")
    assert [c.section for c in doc.body] == [("A", "B", "Run-in"), ("A", "B", "Next:"), ("A", "C")]


def test_markdown_with_only_headings_has_no_policy_text():
    with pytest.raises(ExtractionError):
        md("# Title\n\n## Empty\n")


def test_markdown_without_heading_markup_gets_headings_by_look():
    doc = md(
        "Acme Privacy Policy\n\nWe care about [you](x).\n\nWhat We Collect\n\n* your **name**\n* your email\n"
    )
    assert [h.text for h in doc.headings] == ["Acme Privacy Policy", "What We Collect"]
    assert doc.clauses[-1].section == ("What We Collect",)


def test_bold_address_block_is_text_and_indented_paragraph_stays_in_its_item():
    doc = md(
        "## Contact\n\n**Acme Ltd  \nAttn: Data Protection Officer  \n1 Main Street**\n\n"
        "*   **Cookies:** we set one.\n    \n    You can refuse it.\n*   1. nested on one line\n"
    )
    assert [(c.kind, c.text) for c in doc.clauses] == [
        ("heading", "Contact"),
        ("paragraph", "Acme Ltd Attn: Data Protection Officer 1 Main Street"),
        ("list-item", "Cookies: we set one. You can refuse it."),
        ("list-item", "nested on one line"),
    ]


def test_in_page_contents_list_dropped_other_lists_kept():
    doc = md(
        "# Policy\n\n* [Data we collect](#data)\n* [Who we share it with](#share); and\n"
        "* [Your rights](#rights)\n\n## Data\n\n* your name, see [Rights](#rights)\n"
        "* your email, see [our FAQ](https://faq.example)\n"
    )
    assert [(c.kind, c.text) for c in doc.clauses] == [
        ("heading", "Policy"),
        ("heading", "Data"),
        ("list-item", "your name, see Rights"),
        ("list-item", "your email, see our FAQ"),
    ]


def test_in_page_contents_laid_out_as_one_line_is_dropped_as_the_list_is():
    # The Register's contents list (dev service of tests/data/policy-changes) laid out as
    # one line by the robustness bench: kept as a paragraph, it read as a clause on
    # retention ("How long do we keep your information for?") added to the policy.
    entries = ["[Data we collect](#s1)", "[How long do we keep it?](#s2)", "[Your Rights](#s3)"]
    doc = md("# Policy\n\n" + "; ".join(entries) + ".\n\n## Data\n\nWe keep your email.\n")
    assert [c.text for c in doc.clauses] == ["Policy", "Data", "We keep your email."]
    # A sentence with in-page links in it is text, and so is a line of two links.
    for kept in (
        "We keep your email, see [Retention](#s2) and [Rights](#s3) and [FAQ](#s4).",
        "[Data we collect](#s1); [Your Rights](#s3)",
        "[Data](#s1); [Rights](#s3); [our partners](https://partners.example)",
    ):
        assert len(md(f"# Policy\n\n{kept}\n").clauses) == 2, kept
