"""A table of contents whose entries are numbered links to sections titled by plain
paragraphs (found by composing two dev pairs of The New York Times that were each labelled
not material: the page's table of contents left with the first one)."""

from __future__ import annotations

from corpora import policy_change

from monitor.classify import classify_change, toc_keys
from monitor.classify.capture import partial_capture
from monitor.compare import compare
from monitor.diff import ClauseChange
from monitor.extract import extract


def _doc(markdown: str):
    return extract(markdown.encode(), "text/markdown", "t.md")


POLICY = """# Privacy Policy

1. 1 [What Information Do We Gather About You?](https://example.com/a)
2. 2 [With Whom Do We Share the Information We Gather?](https://example.com/b)

What Information Do We Gather About You?

We collect your name and email address when you register.

With Whom Do We Share the Information We Gather?

We share your email address with our payment processor.
"""


def _item_removed(text: str, section: str) -> ClauseChange:
    return ClauseChange(
        kind="removed",
        section=section,
        old=text,
        new=None,
        old_section=section,
        clause_kind="list-item",
    )


def test_a_question_standing_alone_is_a_section_title_a_contents_line_can_list():
    keys = toc_keys(_doc(POLICY))
    assert "what information do we gather about you?" in keys
    # a statement is not read as a title: it may be an item of any list
    assert not any(k.startswith("we collect") for k in keys)


def test_a_numbered_contents_entry_naming_a_section_title_is_no_change_of_practice():
    toc = toc_keys(_doc(POLICY))
    entry = _item_removed("3 With Whom Do We Share the Information We Gather?", "Privacy Policy")
    judged = classify_change(entry, toc)
    assert (judged.material, judged.rule) == (False, "toc")
    # without the titles the entry reads as a clause on sharing: what failed before
    assert classify_change(entry, frozenset()).material


def test_a_number_before_one_word_stays_part_of_the_text():
    toc = frozenset({"year"})
    kept = _item_removed("1 year", "Retention")
    assert classify_change(kept, toc).rule != "toc"


def test_a_contents_list_dropped_with_an_unrelated_edit_is_not_a_practice_removed():
    # Each step alone was labelled not material; together the contents entries read as
    # clauses on collection, sharing, retention and children removed.
    old = policy_change("the-new-york-times/2020-12-08T152153Z.md")
    new = policy_change("the-new-york-times/2020-12-10T213800Z.md")
    c = compare(old, new)
    entries = [ch for ch in c.changes if (ch.old or "").startswith(("1 What", "3 With", "6 How"))]
    assert len(entries) == 3
    assert all(ch.rule == "toc" and not ch.material for ch in entries)


def test_the_first_step_alone_needs_no_capture_excuse_and_still_reads_as_a_partial_capture():
    # The new capture starts after the navigation, title and table of contents, and stops
    # before the footer. Its contents entries are now no change of practice by themselves,
    # so the pair is not material before any capture excuse is asked for; the capture
    # test still tells what happened to the page.
    old = policy_change("the-new-york-times/2020-12-08T152153Z.md")
    new = policy_change("the-new-york-times/2020-12-08T161859Z.md")
    c = compare(old, new)
    assert not c.material
    assert any(ch.rule == "toc" for ch in c.changes)
    side, why = partial_capture(old, new)
    assert side == "new" and why.startswith("the new capture starts mid-page")


CONTENTS_AS_LIST = """# Privacy Policy

- [Intro](#intro)
- [Sources of Data](#sources)
- [How Long We Keep Your Data](#retention)
- [Sharing With Partners](#sharing)

## Intro

This policy says what we do with your data.

## Sources of Data

We collect your name and email address when you register.

## How Long We Keep Your Data

We keep your account data while your account is open.

## Sharing With Partners

We share your email address with our payment processor.
"""


def test_the_contents_laid_out_as_one_line_is_no_new_statement():
    # Found by laying out each dev service's list as one line (spark, whatsapp): the
    # contents run together ("Intro; Sources of Data; How Long We Keep Your Data; ...")
    # read as a clause that states retention and sharing.
    items = ["Intro", "Sources of Data", "How Long We Keep Your Data", "Sharing With Partners"]
    tail = CONTENTS_AS_LIST.partition("## Intro")[2]
    one_line = "# Privacy Policy\n\n" + "; ".join(items) + ".\n\n## Intro" + tail
    c = compare(_doc(CONTENTS_AS_LIST), _doc(one_line))
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert any(ch.rule == "toc" and "as one line" in ch.reason for ch in c.changes)
    # A statement that names sections among other words is still read.
    said = one_line.replace("Intro; ", "We sell your data to brokers; ")
    assert compare(_doc(CONTENTS_AS_LIST), _doc(said)).material


PROCESSORS_TABLE = """# Privacy Policy

## Processors

We share data with these processors to run the service.

| Party name | Personal data disclosed | Purpose |
| --- | --- | --- |
| Adyen | Name, email address, payment card | Payment processing |
| Amplitude | Device identifiers, usage events | Product analytics |
| Typeform | Email address, survey answers | Customer surveys |

## Retention

We keep your data while your account is open.
"""

PROCESSORS_LIST = """# Privacy Policy

## Processors

We share data with these processors to run the service.

- Party name: Adyen; Personal data disclosed: Name, email address, payment card; Purpose: Payment processing
- Party name: Amplitude; Personal data disclosed: Device identifiers, usage events; Purpose: Product analytics
- Party name: Typeform; Personal data disclosed: Email address, survey answers; Purpose: Customer surveys

## Retention

We keep your data while your account is open.
"""


def test_a_table_re_laid_as_a_list_with_the_same_entries_is_no_change():
    # Found by re-laying a table of each dev service's latest version as a list, each row
    # an item naming its cells by the header (donkey-republic, financial-times, gofile,
    # protonmail...: "replaces “Amplitude |” with “Party name: Amplitude; ...”").
    table, items = _doc(PROCESSORS_TABLE), _doc(PROCESSORS_LIST)
    for a, b in ((table, items), (items, table)):
        c = compare(a, b)
        assert not c.material, [ch.reason for ch in c.material_changes]
        assert any(ch.rule == "relaid" for ch in c.changes)


def test_a_table_re_laid_with_one_more_entry_is_still_read():
    more = PROCESSORS_LIST.replace(
        "survey answers; Purpose",
        "survey answers, precise location; Purpose",
    )
    c = compare(_doc(PROCESSORS_TABLE), _doc(more))
    assert c.material, [ch.reason for ch in c.changes]


def test_each_row_knows_the_first_row_of_its_table():
    from monitor.classify import _table_header, _table_starts
    from monitor.model import Clause, PolicyDocument

    kinds = [
        "paragraph",
        "table-row",
        "table-row",
        "table-row",
        "paragraph",
        "table-row",
        "table-row",
    ]
    doc = PolicyDocument(tuple(Clause(("S",), k, f"{k} {i}") for i, k in enumerate(kinds)))
    assert _table_starts(doc) == (0, 1, 1, 1, 4, 5, 5)
    assert _table_header(doc, 3) == "table-row 1"
    assert _table_header(doc, 1) is None  # the header itself names no cells of its own
    assert _table_header(doc, 6) == "table-row 5"
    assert _table_header(doc, 4) is None


# Donkey Republic's subprocessors (dev service of tests/data/policy-changes; Open Terms
# Archive contrib-versions, ODC-BY 1.0): with five columns and short cells, an item is
# mostly the header's words, and the alignment pairs the header row with an item.
SHORT_CELLS_TABLE = """# Privacy Policy

## Subprocessors

| Party name | Personal data disclosed | Purpose | Transfer Mechanism | Hosting Location |
| --- | --- | --- | --- | --- |
| Adyen | Name, email address, Payment card | Payment provider | SCCs | EU |
| Amplitude | Device ID | Analytics | SCCs | US |
| Typeform | Name | Research survey tool | SCCs | US |
"""


def _short_cells_list(table: str) -> str:
    header, _, *rows = [line for line in table.splitlines() if line.startswith("|")]
    names = [c.strip() for c in header.strip("|").split("|")]
    items = [
        "- "
        + "; ".join(
            f"{n}: {c.strip()}" for n, c in zip(names, r.strip("|").split("|"), strict=True)
        )
        for r in rows
    ]
    return table.split("| Party name")[0] + "\n".join(items) + "\n"


def test_a_header_row_paired_with_a_re_laid_item_is_no_change():
    # Found by the robustness bench on donkey-republic: "adds “: Typeform” (and 2 more
    # edits)" for the header row "Party name | ... | Hosting Location" paired with
    # "Party name: Typeform; ...; Hosting Location: US".
    table, items = _doc(SHORT_CELLS_TABLE), _doc(_short_cells_list(SHORT_CELLS_TABLE))
    for a, b in ((table, items), (items, table)):
        c = compare(a, b)
        assert not c.material, [(ch.old, ch.new, ch.reason) for ch in c.material_changes]
    # The same item with a kind of data added is still read.
    more = _short_cells_list(SHORT_CELLS_TABLE).replace(
        "Personal data disclosed: Name; Purpose: Research",
        "Personal data disclosed: Name, precise location; Purpose: Research",
    )
    assert compare(table, _doc(more)).material


def test_the_summary_never_cuts_a_quotation_open():
    # The summary of cosmetic changes names each kind of edit without its detail; it cut at
    # the first colon, inside “Party name: Typeform; …”, and left "adds “" open.
    c = compare(_doc(SHORT_CELLS_TABLE), _doc(_short_cells_list(SHORT_CELLS_TABLE)))
    assert c.summary.startswith("No material change")
    assert c.summary.count("“") == c.summary.count("”"), c.summary
