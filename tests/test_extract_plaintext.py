"""Plain text: a Wayback-extracted capture of the Digi policy must read like its HTML page.

tests/data/plaintext/digi-privacy-wayback.txt is the Digi seed's text laid out the way
Wayback text extractions are: the archive's note first, hard-wrapped paragraphs, "-" items,
headings on lines of their own, the date line last.
"""

from datetime import date
from pathlib import Path

import pytest

from monitor.extract import extract

DATA = Path(__file__).parent / "data"
NOTE = "The following text is extracted and transformed from"


@pytest.fixture(scope="module")
def pair():
    text = extract((DATA / "plaintext" / "digi-privacy-wayback.txt").read_bytes(), "text/plain")
    page = extract((DATA / "seeds" / "digi-privacy.html").read_bytes(), "text/html")
    return text, page


def test_preamble_is_not_policy_text(pair):
    text, _ = pair
    assert text.format == "text"
    assert not any(NOTE.lower() in c.text.lower() or "Wayback" in c.text for c in text.clauses)
    assert text.clauses[0].text == "Digi International Inc. Privacy Policy"
    assert text.title == "Digi International Inc. Privacy Policy"


def test_date_line_is_metadata(pair):
    text, _ = pair
    assert text.effective_date == date(2018, 5, 9)
    assert not any("Last Modified" in c.text for c in text.clauses)


def test_same_headings_as_the_page(pair):
    text, page = pair
    assert [h.text for h in text.headings] == [h.text for h in page.headings]
    # ALL CAPS sections contain the capitalised lines below them.
    share = next(c for c in text.clauses if c.text == "Third Party Vendors")
    assert share.section == (
        "HOW WE SHARE YOUR PERSONAL INFORMATION WITH OTHERS",
        "Third Party Vendors",
    )


def test_wrapped_paragraphs_and_items_rejoin(pair):
    text, page = pair
    expected = [(c.kind, c.key) for c in page.body]
    found = {(c.kind, c.key) for c in text.body}
    missing = [key for key in expected if key not in found]
    # One item holds "(a) … (b) …" inline; wrapped so a line opens with "(a)" after a
    # colon, it reads as a new item. Everything else comes back clause for clause.
    assert len(missing) == 1 and missing[0][1].startswith("request restriction of processing")
    assert any(
        c.text
        == "Digi International Inc. and its subsidiaries and affiliates (hereinafter, “Digi,” “we,” “us,” or “our”) provide both cloud based software services (“Cloud Services”) and technology based products (“Technology Products”). Our Technology Products may collect and transmit information to one of our cloud platforms to enable us to deliver the service that you have subscribed to."
        for c in text.body
    )


def test_preamble_without_blank_line_and_numbered_headings():
    raw = (
        f"{NOTE} the a.example privacy policy that was archived on 2007-10-14. Please check "
        "the original snapshot on the Wayback Machine for the most accurate reproduction.\n"
        "1. Introduction\n\nWe collect little.\n\n1.1 Cookies\n\nOne session cookie.\n\n"
        "2. Sharing\n\n- with processors;\n- with courts when compelled.\n"
    ).encode()
    doc = extract(raw)
    assert [(c.kind, c.section, c.text) for c in doc.clauses] == [
        ("heading", ("1. Introduction",), "1. Introduction"),
        ("paragraph", ("1. Introduction",), "We collect little."),
        ("heading", ("1. Introduction", "1.1 Cookies"), "1.1 Cookies"),
        ("paragraph", ("1. Introduction", "1.1 Cookies"), "One session cookie."),
        ("heading", ("2. Sharing",), "2. Sharing"),
        ("list-item", ("2. Sharing",), "with processors;"),
        ("list-item", ("2. Sharing",), "with courts when compelled."),
    ]
