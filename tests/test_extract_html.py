"""HTML extraction: the Digi seed by hand, chrome versus policy, and the block structure."""

from datetime import date
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from monitor.extract import extract
from monitor.model import ExtractionError

SEEDS = Path(__file__).parent / "data" / "seeds"

# Read off the page: the <h1>, the eleven <h6> sections and the <p><strong> sub-headings.
DIGI_HEADINGS = [
    (1, "Digi International Inc. Privacy Policy"),
    (2, "YOUR CONSENT"),
    (2, "INFORMATION WE COLLECT"),
    (3, "Types of Personal Information We Collect"),
    (3, "How We Use Your Personal Information"),
    (2, "YOUR CHOICES"),
    (3, "In General"),
    (3, "Communication Preferences"),
    (3, "Do Not Track mechanisms"),
    (3, "Previously Expressed Preferences"),
    (2, "HOW WE SHARE YOUR PERSONAL INFORMATION WITH OTHERS"),
    (3, "Third Party Vendors"),
    (3, "Corporate Affiliates and Corporate Business Transactions"),
    (3, "Compliance with laws and protection of our rights and the rights of others"),
    (2, "HOW TO ACCESS, UPDATE OR CORRECT YOUR PERSONAL INFORMATION"),
    (2, "THIRD PARTY WEBSITES AND SERVICES"),
    (2, "SAFEGUARDING YOUR INFORMATION"),
    (3, "Steps We Take to Safeguard your Personal Information"),
    (3, "Retaining your Personal Information"),
    (2, "PRIVACY OBLIGATIONS FOR MINORS"),
    (2, "CHANGES TO THIS PRIVACY POLICY"),
    (2, "ADDITIONAL INFORMATION FOR USERS IN THE EUROPEAN ECONOMIC AREA ONLY"),
    (3, "How and Why We Use Personal Information Collected"),
    (3, "Change of purpose"),
    (3, "Your Rights"),
    (3, "Data Transfers outside the European Economic Area"),
    (3, "Opt in and Opt out"),
    (2, "CONTACT US"),
]


@pytest.fixture(scope="module")
def digi_raw():
    return (SEEDS / "digi-privacy.html").read_bytes()


@pytest.fixture(scope="module")
def digi(digi_raw):
    return extract(digi_raw, "text/html", "https://www.digi.com/legal/privacy")


def html(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>".encode()


def test_digi_every_heading_in_order(digi):
    assert [(len(h.section), h.text) for h in digi.headings] == DIGI_HEADINGS


def test_digi_metadata(digi):
    assert digi.title == "Privacy Policy | Digi International"
    assert digi.effective_date == date(2018, 5, 9)  # "Last Modified: May 9, 2018"
    assert digi.language == "en"
    assert digi.format == "html"
    assert not any("Last Modified" in c.text for c in digi.clauses)


def test_digi_counts(digi):
    kinds = [c.kind for c in digi.clauses]
    assert kinds.count("list-item") == 39
    assert kinds.count("paragraph") == 40  # 41 <p> of text, less the "Last Modified" line


def test_digi_keeps_the_section_whose_id_says_share(digi):
    share = [
        c
        for c in digi.body
        if c.section[1:2] == ("HOW WE SHARE YOUR PERSONAL INFORMATION WITH OTHERS",)
    ]
    assert len(share) == 4
    assert share[0].text.startswith("We provide certain Personal Information to strategic partners")
    assert (
        share[-1].section[-1]
        == "Compliance with laws and protection of our rights and the rights of others"
    )


def test_digi_no_navigation_text(digi, digi_raw):
    tree = LexborHTMLParser(digi_raw)
    chrome = {
        a.text(deep=True).strip().casefold()
        for a in tree.css("nav a, footer a, .cookietrail a, select option")
    } - {""}
    contents = {a.text(deep=True).strip() for a in tree.css(".column-leftnav a")} - {""}
    assert len(chrome) > 100 and len(contents) == 12
    assert not [c.text for c in digi.body if c.text.casefold() in chrome]
    assert not [c.text for c in digi.body if c.text in contents]
    joined = "\n".join(c.text for c in digi.clauses)
    for crumb in ("Menu", "Customer Stories", "Partner Login", "Home/Legal", "All rights reserved"):
        assert crumb not in joined


def test_digi_list_item_keeps_its_run_in_label(digi):
    item = next(c for c in digi.clauses if c.text.startswith("Your location:"))
    assert item.kind == "list-item"
    assert item.section == (
        "Digi International Inc. Privacy Policy",
        "INFORMATION WE COLLECT",
        "Types of Personal Information We Collect",
    )


POLICY_IN_CHROME_NAMES = """
<nav class="top"><a href="/">Home</a><a href="/products">Products</a></nav>
<div class="breadcrumbs"><a href="/">Home</a> / <a href="/legal">Legal</a></div>
<div id="onetrust-consent-sdk"><h2>Manage consent preferences</h2>
  <p>We and our partners use cookies for many purposes described at length here.</p></div>
<div class="cookie-banner"><p>This site uses cookies. By continuing you agree.</p>
  <button>Accept all</button></div>
<div id="gdpr-notice"><p>We and our 312 partners store and access information on your device,
  such as cookies, and process personal data such as unique identifiers for personalised
  ads and content, ad and content measurement, audience research and services development.</p>
  <button>Agree</button><button>Manage options</button></div>
<ul class="social-share"><li><a href="https://fb.example">Facebook</a></li>
  <li><a href="https://tw.example">Twitter</a></li></ul>
<main>
  <h1>Privacy Policy</h1>
  <ul><li><a href="#sharing">How we share</a></li><li><a href="#cookies">Cookies</a></li></ul>
  <div id="sharing-information"><h2>How we share</h2>
    <p>We share data with processors under contract and never sell it.</p></div>
  <section class="cookie-policy" id="cookies"><h2>Cookies</h2>
    <p>We set a session cookie and, with your consent, an analytics cookie.</p>
    <p>You can withdraw consent at any time in the settings.</p></section>
  <div class="menu-section"><h2>Menu data</h2><p>Our restaurant partners see your menu choices.</p></div>
  <aside class="sidebar"><a href="/a">Related</a><a href="/b">Articles</a></aside>
  <div class="sidebar-content"><h2>Contact</h2><p>Write to privacy@example.com with any question.</p></div>
</main>
<footer><a href="/terms">Terms</a> © Example</footer>
"""


def test_policy_containers_named_like_chrome_are_kept_and_chrome_goes():
    doc = extract(html(POLICY_IN_CHROME_NAMES, "<title>Example privacy</title>"))
    assert [h.text for h in doc.headings] == [
        "Privacy Policy",
        "How we share",
        "Cookies",
        "Menu data",
        "Contact",
    ]
    assert [c.text for c in doc.body] == [
        "We share data with processors under contract and never sell it.",
        "We set a session cookie and, with your consent, an analytics cookie.",
        "You can withdraw consent at any time in the settings.",
        "Our restaurant partners see your menu choices.",
        "Write to privacy@example.com with any question.",
    ]
    assert doc.title == "Example privacy"


def test_breaks_run_in_bold_and_inline_spacing():
    doc = extract(
        html(
            "<h2>Rights</h2><p><strong>Access</strong><br>You may ask for a copy of your <em>data</em>.</p>"
            "<p>First para.<br><br>Second para, same&nbsp;tag.</p>"
            "<p>Acme Inc.<br>1 Main Street<br>Springfield</p>"
            "<div>Loose <b>text</b> in a div<div>and a nested block</div></div>"
        )
    )
    assert [(c.kind, c.text) for c in doc.clauses] == [
        ("heading", "Rights"),
        ("heading", "Access"),
        ("paragraph", "You may ask for a copy of your data."),
        ("paragraph", "First para."),
        ("paragraph", "Second para, same tag."),
        ("paragraph", "Acme Inc. 1 Main Street Springfield"),
        ("paragraph", "Loose text in a div"),
        ("paragraph", "and a nested block"),
    ]
    assert doc.clauses[2].section == ("Rights", "Access")


def test_lists_nested_and_sections_laid_out_as_items():
    doc = extract(
        html(
            "<h1>P</h1><ul><li>One<ul><li>One.a</li></ul></li><li><p>Two</p><p>more</p></li></ul>"
            "<ol><li><h2>Section A</h2><p>Text A.</p></li><li><h2>Section B</h2><p>Text B.</p></li></ol>"
        )
    )
    assert [(c.kind, c.text, c.section) for c in doc.clauses] == [
        ("heading", "P", ("P",)),
        ("list-item", "One", ("P",)),
        ("list-item", "One.a", ("P",)),
        ("list-item", "Two more", ("P",)),
        ("heading", "Section A", ("P", "Section A")),
        ("paragraph", "Text A.", ("P", "Section A")),
        ("heading", "Section B", ("P", "Section B")),
        ("paragraph", "Text B.", ("P", "Section B")),
    ]


def test_data_tables_become_rows_and_layout_tables_containers():
    doc = extract(
        html(
            "<h2>Data</h2><table><tr><th>Category</th><th>Examples</th><th></th></tr>"
            "<tr><td>Identifiers</td><td><ul><li>name</li><li>email</li></ul></td><td>Yes</td></tr></table>"
            "<table><tr><td><a href='/'>Home</a></td><td><h2>Policy</h2><p>We keep logs.</p></td></tr></table>"
        )
    )
    assert [(c.kind, c.text) for c in doc.clauses] == [
        ("heading", "Data"),
        ("table-row", "Category | Examples"),
        ("table-row", "Identifiers | name email | Yes"),
        ("paragraph", "Home"),
        ("heading", "Policy"),
        ("paragraph", "We keep logs."),
    ]


def test_article_header_is_kept_page_header_is_not():
    doc = extract(
        html(
            "<header><a href='/'>Logo</a><p>Site slogan</p></header>"
            "<article><header><h1>Our Privacy Notice</h1></header><p>Body text here.</p>"
            "<a href='#main' class='x'>Skip to content</a></article>"
        )
    )
    assert [c.text for c in doc.clauses] == ["Our Privacy Notice", "Body text here."]
    assert doc.title == "Our Privacy Notice"


def test_accordion_buttons_become_headings_other_buttons_go():
    doc = extract(
        html(
            "<h3><button aria-expanded='false'>What we collect</button></h3><div><p>Your email.</p>"
            "<button>Print</button></div>"
        )
    )
    assert [(c.kind, c.text) for c in doc.clauses] == [
        ("heading", "What we collect"),
        ("paragraph", "Your email."),
    ]


def test_page_of_chrome_only_has_no_policy_text():
    with pytest.raises(ExtractionError, match="no policy text"):
        extract(html("<nav><a href='/'>Home</a></nav><script>var x = 1;</script>"))


def test_mojibake_entities_and_declared_charset():
    doc = extract(html("<p>Digi International Â® &amp; friends&#8217; caf&eacute;\u00ad.</p>"))
    assert doc.body[0].text == "Digi International ® & friends’ café."
    latin = "<html><head><meta charset='windows-1252'></head><body><p>Caf\xe9 \u201cquotes\u201d</p></body></html>"
    assert extract(latin.encode("cp1252")).body[0].text == "Café “quotes”"


def test_bold_address_block_is_text_not_headings():
    doc = extract(
        html(
            "<h2>Contact</h2><p><strong>Acme Ltd<br>Attn: Data Protection Officer<br>"
            "1 Main Street</strong></p><p><b>Cookies</b>.</p><p>We set one.</p>"
        )
    )
    assert [(c.kind, c.text) for c in doc.clauses] == [
        ("heading", "Contact"),
        ("paragraph", "Acme Ltd Attn: Data Protection Officer 1 Main Street"),
        ("heading", "Cookies."),
        ("paragraph", "We set one."),
    ]


def test_paragraphs_typed_with_bullet_characters_are_list_items():
    doc = extract(
        html("<h2>Contact</h2><p>•&nbsp;Call us; or</p><p>· Write to us.</p><p>•not a bullet</p>")
    )
    assert [(c.kind, c.text) for c in doc.body] == [
        ("list-item", "Call us; or"),
        ("list-item", "Write to us."),
        ("paragraph", "•not a bullet"),
    ]


LINK_BLOCKS = """
<div class="x1"><div><a href="/blog">Blog</a></div><div><a href="https://www.example.com/careers">Careers</a></div>
  <div><a href="../help">Help</a></div></div>
<h1>Privacy</h1>
<p>Our partners offer their own opt-outs:</p>
<div><a href="https://adssettings.google.com">Google</a> <a href="https://facebook.com/ads">Meta</a>
  <a href="https://optout.aboutads.info">DAA</a></div>
<p>See also <a href="/cookies">Cookies</a>, <a href="/terms">Terms</a> and <a href="/faq">our FAQ</a> for
  how we answer requests.</p>
<p>© 2024 Example Inc. All rights reserved.</p>
"""


@pytest.mark.parametrize(
    ("head", "url"),
    [
        ("", "https://example.com/privacy"),
        ("<link rel='canonical' href='https://example.com/privacy'>", None),
    ],
)
def test_blocks_of_site_links_go_links_out_and_prose_stay(head, url):
    doc = extract(html(LINK_BLOCKS, head), "text/html", url)
    assert [c.text for c in doc.clauses] == [
        "Privacy",
        "Our partners offer their own opt-outs:",
        "Google Meta DAA",
        "See also Cookies, Terms and our FAQ for how we answer requests.",
    ]


def test_without_knowing_the_site_absolute_links_count_as_links_out():
    doc = extract(html(LINK_BLOCKS), "text/html")
    assert [c.text for c in doc.clauses[:3]] == ["Blog", "Careers", "Help"]


@pytest.mark.parametrize("tag", ["div", "span", "ul><li", "table><tr><td"])
def test_hostile_nesting_is_read_not_a_crash(tag):
    opening = f"<{tag}>" * 3000
    closing = "".join(f"</{t}>" for t in reversed(tag.split("><"))) * 3000
    doc = extract(html(f"{opening}<p>We keep data.</p><p>More text.</p>{closing}"))
    assert " ".join(c.text for c in doc.clauses) == "We keep data. More text."


def test_wayback_toolbar_of_a_replayed_capture_is_not_policy_text():
    toolbar = (
        "<div id='wm-ipp-base'><div id='wm-ipp'><p>The Wayback Machine - 47 captures "
        "12 Mar 2009 - 20 Aug 2024. About this capture: collected by Archive Team.</p>"
        "<h2>COLLECTED BY</h2></div></div><div id='wm-ipp-print'>The Wayback Machine</div>"
    )
    doc = extract(html(toolbar + "<h1>Privacy</h1><p>We keep logs for 30 days.</p>"))
    assert [c.text for c in doc.clauses] == ["Privacy", "We keep logs for 30 days."]
