"""Extraction reads what a person reads: hidden, assistive-only, consent and furniture go.

Each pattern comes from real captures (issue 21): per-request values hidden in the page made
every capture a new version, consent dialogs and footers were judged material changes, and
screen-reader hints were glued into sentences. The traps at the end are the other side:
policy text that carries a chrome-like name and must stay.
"""

import pytest

from monitor.extract import extract
from monitor.model import ExtractionError

POLICY = (
    "<h1>Privacy Policy</h1>"
    "<p>We collect your email address to run the service.</p>"
    "<h2>Sharing</h2><p>We share data with processors under contract.</p>"
)
POLICY_TEXT = [
    "Privacy Policy",
    "We collect your email address to run the service.",
    "Sharing",
    "We share data with processors under contract.",
]


def page(body: str, lang: str = "en") -> bytes:
    return (
        f"<html lang='{lang}'><head><title>Policy</title></head><body>{body}</body></html>".encode()
    )


def texts(body: str, lang: str = "en") -> list[str]:
    return [c.text for c in extract(page(body, lang)).clauses]


# -- hidden ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden",
    [
        "<div hidden>Trace Id: 0f6c1e6a-9b1d-4c7e</div>",
        "<span hidden=''>Request 7f3a9</span>",
        "<div aria-hidden='true'>Decorative duplicate text</div>",
        "<span style='display:none'>Trace Id: 0f6c1e6a</span>",
        "<div style='color: red; DISPLAY : none !important'>build 2024.11.3-a</div>",
        "<p style='visibility: hidden'>Rendered at 12:04:33</p>",
        '<div style=\'display:none\'><p>var ptr = {"owner_id":134,"owner_country":"FR"}</p></div>',
    ],
)
def test_hidden_content_is_not_read(hidden):
    assert texts(POLICY + hidden) == POLICY_TEXT


def test_hidden_text_inside_a_sentence_is_not_glued_in():
    got = texts(
        "<h1>P</h1><p>We keep logs<span style='display:none'>nonce=83ab</span> for 30 days.</p>"
    )
    assert got == ["P", "We keep logs for 30 days."]


def test_collapsed_panel_that_a_control_opens_is_read():
    """An accordion's closed panel is policy a reader opens: the toggle names it."""
    body = (
        "<h1>Privacy</h1><h2><button aria-expanded='false' aria-controls='p1'>Retention</button></h2>"
        "<div id='p1' hidden><p>We keep account data for two years after you leave.</p></div>"
        "<h2>Cookies</h2><div id='p2' style='display:none'><p>We set one session cookie.</p></div>"
        "<a href='#p2' aria-expanded='false' aria-controls='p2'>Show</a>"
    )
    got = texts(body)
    assert "We keep account data for two years after you leave." in got
    assert "We set one session cookie." in got


def test_page_made_inert_behind_an_open_modal_is_still_read():
    """A modal open in a browser capture marks the page behind it aria-hidden."""
    body = (
        f"<div id='app' aria-hidden='true'><main>{POLICY}</main></div>"
        "<div role='dialog' aria-modal='true'><p>We use cookies.</p><button>Accept</button></div>"
    )
    assert texts(body) == POLICY_TEXT


def test_page_hidden_until_scripts_run_is_still_read():
    """Anti-flicker snippets hide the whole page until scripts run; it is still the page."""
    assert texts(f"<div id='root' style='visibility:hidden'>{POLICY}</div>") == POLICY_TEXT


# -- assistive-only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls",
    [
        "sr-only",
        "visually-hidden",
        "screen-reader-text",
        "visuallyhidden",
        "u-sr-only x",
        "a11y-hidden",
    ],
)
def test_screen_reader_only_text_is_not_glued_into_sentences(cls):
    got = texts(
        "<h1>Partners</h1><p>Visit our partners' pages<span class='"
        + cls
        + "'> (opens in a new window)</span> to opt out.</p>"
    )
    assert got == ["Partners", "Visit our partners' pages to opt out."]


def test_screen_reader_class_on_prose_is_not_enough_to_drop_it():
    """A class token alone never drops a block of policy prose."""
    prose = (
        "We retain personal data only as long as needed for the purposes set out in this "
        "policy, and we delete or anonymise it afterwards unless the law requires otherwise."
    )
    assert prose in texts(f"<h1>Retention</h1><div class='visually-hidden-xs'><p>{prose}</p></div>")


# -- consent --------------------------------------------------------------------------------

CONSENT = {
    "en": "We use cookies to improve your experience. Accept all or manage your choices.",
    "fr": "Nous utilisons des cookies pour améliorer votre expérience. Tout accepter ?",
    "de": "Wir verwenden Cookies, um Ihr Erlebnis zu verbessern. Alle akzeptieren?",
}


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
@pytest.mark.parametrize(
    "dialog",
    [
        "<div role='dialog' aria-label='x'><p>{t}</p><button>OK</button><button>No</button></div>",
        "<div role='alertdialog'><h2>Cookies</h2><p>{t}</p><a href='#' role='button'>OK</a></div>",
        "<dialog open><p>{t}</p><form method='dialog'><button>OK</button></form></dialog>",
        "<div aria-modal='true'><p>{t}</p><button>OK</button></div>",
    ],
)
def test_consent_dialogs_are_not_policy_text(lang, dialog):
    assert texts(POLICY + dialog.format(t=CONSENT[lang]), lang) == POLICY_TEXT


@pytest.mark.parametrize(
    "container",
    [
        "<div id='onetrust-consent-sdk'><div id='onetrust-pc-sdk'><h2>Privacy Preference Center</h2>"
        "<p>{t}</p></div></div>",
        "<div id='ot-sdk-cookie-policy'><p>{t}</p></div>",
        "<div id='CybotCookiebotDialog'><h2>This website uses cookies</h2><p>{t}</p></div>",
        "<div id='didomi-host'><div class='didomi-popup'><p>{t}</p></div></div>",
        "<div class='didomi-notice'><p>{t}</p></div>",
        "<div id='usercentrics-root'><p>{t}</p></div>",
        "<aside id='usercentrics-cmp-ui'><p>{t}</p></aside>",
        "<div id='truste-consent-track'><p>{t}</p></div>",
        "<div id='consent_blackbar'><div id='truste-consent-content'><p>{t}</p></div></div>",
        "<div class='qc-cmp2-container'><p>{t}</p></div>",
        "<div id='qc-cmp2-ui'><p>{t}</p></div>",
        "<div class='cky-consent-container'><p>{t}</p></div>",
        "<aside id='moove_gdpr_cookie_info_bar'><p>{t}</p></aside>",
    ],
)
def test_consent_manager_containers_are_not_policy_text(container):
    assert texts(POLICY + container.format(t=CONSENT["en"])) == POLICY_TEXT


def test_a_dialog_holding_the_whole_page_is_the_page():
    """A strong signal still needs a second one: a dialog with all the text is the document."""
    assert texts(f"<div role='dialog'>{POLICY}<button>Close</button></div>") == POLICY_TEXT


# -- furniture ------------------------------------------------------------------------------


def test_page_footer_and_its_link_lists_are_not_policy_text():
    body = (
        f"<main>{POLICY}</main>"
        "<div class='site-footer'><ul><li><a href='/about'>About</a></li><li><a href='/ads'>About our ads"
        "</a></li><li><a href='/tm'>Trademarks</a></li></ul><p>© 2025 Example Inc.</p></div>"
        "<footer><p>Example Inc., 1 Main Street</p></footer>"
    )
    assert texts(body) == POLICY_TEXT


@pytest.mark.parametrize(
    "languages",
    [
        "<ul><li><a href='/en/privacy' hreflang='en'>English</a></li>"
        "<li><a href='/fr/privacy' hreflang='fr'>Français</a></li>"
        "<li><a href='/de/privacy' hreflang='de'>Deutsch</a></li></ul>",
        "<div><a href='/en/privacy' lang='en'>EN</a> | <a href='/fr/privacy' lang='fr'>FR</a>"
        " | <a href='/de/privacy' lang='de'>DE</a></div>",
        "<ul><li lang='en'>English</li><li lang='fr'>Français</li><li lang='de'>Deutsch</li>"
        "<li lang='it'>Italiano</li></ul>",
    ],
)
def test_language_lists_are_not_policy_text(languages):
    assert texts(POLICY + languages) == POLICY_TEXT


def test_a_title_element_inside_the_body_is_not_policy_text():
    doc = extract(page("<title>Example – Privacy (v2, built 1733561)</title>" + POLICY))
    assert [c.text for c in doc.clauses] == POLICY_TEXT
    assert doc.title == "Policy"


@pytest.mark.parametrize(
    "value",
    [
        "true",
        "False",
        "null",
        "0f6c1e6a-9b1d-4c7e-8a2b-3c4d5e6f7a8b",
        "9f86d081884c7d659a2feaa0c55ad015",
        "eyJhbGciOi2JIUzI1NiJ9x",
        '{"owner_id":134}',
    ],
)
def test_json_like_values_standing_alone_are_not_policy_text(value):
    assert texts(POLICY + f"<div>{value}</div><span>{value}</span>") == POLICY_TEXT


def test_short_answers_and_addresses_standing_alone_stay():
    kept = [
        "privacy@example.com",
        "Yes",
        "75001",
        "https://example.com/privacy/0f6c1e6a9b1d4c7e",
        "DE89370400440532013000",
        "Datenschutzgrundverordnung",
        "[1]",
    ]
    body = "<h1>Contact</h1>" + "".join(f"<p>{k}</p>" for k in kept)
    assert texts(body) == ["Contact", *kept]


def test_only_furniture_is_no_policy():
    with pytest.raises(ExtractionError):
        extract(
            page(
                "<div hidden><p>Secret</p></div><div role='dialog'><p>Cookies?</p><button>OK</button></div>"
            )
        )


# -- weak signals alone keep the text -------------------------------------------------------


def test_layout_class_token_containing_toc_is_not_a_table_of_contents():
    cls = "toc-visible:@md:col-start-2 col-span-8"
    body = (
        f"<h1>Privacy</h1><div class='{cls}'><p>We do not sell your data.</p></div>"
        f"<div class='{cls}'><p>See our <a href='/cookies'>cookie policy</a>.</p></div>"
        f"<div class='{cls}'><h2>Rights</h2><p>You may object.</p></div>"
    )
    assert texts(body) == [
        "Privacy",
        "We do not sell your data.",
        "See our cookie policy.",
        "Rights",
        "You may object.",
    ]


def test_a_real_table_of_contents_still_goes():
    body = (
        "<h1>Privacy</h1><div class='toc'><a href='#a'>Collection</a> <a href='#b'>Sharing</a>"
        " <a href='#c'>Rights</a></div><h2 id='a'>Collection</h2><p>We collect email.</p>"
    )
    assert texts(body) == ["Privacy", "Collection", "We collect email."]


@pytest.mark.parametrize(
    "heading",
    [
        "<h2 id='how-we-share'>How we share</h2>",
        "<p id='share'><strong>When we share</strong></p>",
        "<div class='share-title'><strong>When we share</strong></div>",
        "<h3 class='sharing'>Sharing with partners</h3>",
    ],
)
def test_policy_heading_whose_id_says_share_is_not_a_share_widget(heading):
    got = texts(
        "<h1>Privacy</h1>" + heading + "<p>We share data with processors under contract.</p>"
    )
    assert len(got) == 3 and got[2] == "We share data with processors under contract."
    assert "shar" in got[1].lower()


def test_a_real_share_widget_still_goes():
    body = (
        POLICY + "<div class='share-buttons'><a href='https://x.com/share'>X</a>"
        "<a href='https://facebook.com/sharer'>Facebook</a></div>"
    )
    assert texts(body) == POLICY_TEXT


def test_text_directly_inside_a_list_without_items_is_kept():
    got = texts(
        "<h1>Privacy</h1><ol>You can object to processing, see <a href='/rights'>your rights</a>"
        " for how.<li>By email.</li><li>By post.</li></ol><ul>Text of a list with no items.</ul>"
    )
    assert got == [
        "Privacy",
        "You can object to processing, see your rights for how.",
        "By email.",
        "By post.",
        "Text of a list with no items.",
    ]


def test_consent_prompts_named_so_with_their_controls_are_not_policy_text():
    """Seen on adopteunmec (a cookie modal) and finya (a banner answered by onclick links)."""
    modal = (
        "<div id='cookies-modal' class='modal modal-cookies'><h1>Paramétrage des cookies</h1>"
        "<p>Nos partenaires et nous-mêmes utilisons des traceurs pour mesurer l'audience.</p>"
        "<h2>Cookies publicitaires</h2><p>Ils mesurent l'impact de nos campagnes.</p>"
        "<label for='c1'>Activer</label><input id='c1' type='checkbox'><button>Valider</button></div>"
    )
    banner = (
        "<div class='cookie-consent-banner'><div class='cookie-consent-banner__text'>Wir "
        "verwenden optionale Statistik-Cookies. Dafür benötigen wir Ihre Einwilligung.</div>"
        "<div><a class='cookie-consent-banner__buttons__button' href='' onclick='accept()'>"
        "Annehmen</a><a href='javascript:void(0)' onclick='decline()'>Alle ablehnen</a></div></div>"
    )
    assert texts(POLICY + modal, "fr") == POLICY_TEXT
    assert texts(POLICY + banner, "de") == POLICY_TEXT


def test_cookie_policy_section_with_a_settings_button_is_policy():
    """A cookie policy often carries the consent manager's "Cookie settings" button."""
    section = (
        "<section class='cookie-policy'><h2>Cookies</h2><p>We set a session cookie.</p>"
        "<button class='ot-sdk-show-settings'>Cookie settings</button></section>"
    )
    assert texts(POLICY + section) == [*POLICY_TEXT, "Cookies", "We set a session cookie."]


def test_contents_list_reads_the_same_with_or_without_links():
    """LoveScout24's contents list lost its links from one capture to the next (2026-01)."""
    sections = "".join(
        f"<h2>{n}. {t}</h2><p>Text of {t.lower()}.</p>"
        for n, t in enumerate(
            ["Who we are", "Data we collect", "Sharing", "Your rights", "Contact"], 1
        )
    )
    # One entry worded apart from its heading ("Contact us" over "5. Contact").
    entries = ["Who we are", "Data we collect", "Sharing", "Your rights", "Contact us"]
    plain = "<ol>" + "".join(f"<li>{e}</li>" for e in entries) + "</ol>"
    linked = (
        "<ol>"
        + "".join(f"<li><a href='#c{i}'>{e}</a></li>" for i, e in enumerate(entries))
        + "</ol>"
    )
    with_plain = texts("<h1>Privacy</h1>" + plain + sections)
    assert with_plain == texts("<h1>Privacy</h1>" + linked + sections)
    assert "Who we are" not in with_plain


def test_a_list_that_does_not_name_the_headings_below_stays():
    body = (
        "<h1>Privacy</h1><ul><li>Name</li><li>Email</li><li>Your rights</li></ul>"
        "<h2>Your rights</h2><p>You may object.</p>"
    )
    assert texts(body) == [
        "Privacy",
        "Name",
        "Email",
        "Your rights",
        "Your rights",
        "You may object.",
    ]
