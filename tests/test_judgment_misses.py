"""Material changes the judge missed on the dev split (issue 22), fixed as classes, each
beside the noise case near it that must stay not material.

Real pairs are from the dev split of tests/data/policy-changes (Open Terms Archive
contrib-versions, ODC-BY 1.0, "Open Terms Archive contributors"); each real material pair
below was judged not material before its fix.
"""

import json
from pathlib import Path

import pytest
from corpora import policy_change

from monitor.classify.inventory import text_elements
from monitor.compare import compare
from monitor.model import Clause, PolicyDocument

DATA = Path(__file__).parent / "data"
WILD = {
    (p["old"], p["new"]): p
    for p in json.loads((DATA / "judgment" / "wild.json").read_text())["pairs"]
    if p["split"] == "dev"
}


def _dev(old: str, new: str):
    label = WILD[(old, new)]
    return label, compare(policy_change(old), policy_change(new))


def _doc(*clauses: tuple[tuple[str, ...], str, str] | Clause) -> PolicyDocument:
    return PolicyDocument(tuple(c if isinstance(c, Clause) else Clause(*c) for c in clauses))


# --- One party put in another's place is a new recipient, not a rename ---------------------

VENDORS = (
    ("Privacy", "Email"),
    "paragraph",
    "Our email vendors are SalesForce Marketing Cloud, Mailchimp, or Acoustic.",
)
RECEIPTS = "We use {} to email receipts and store records, which are kept for four years."


def test_a_vendor_swapped_for_another_the_policy_names_is_a_new_recipient():
    # mozilla 2021-01-10 -> 2021-03-09: receipts go to Acoustic instead of SalesForce
    # Marketing Cloud; both stay listed among the email vendors.
    label, c = _dev("mozilla/2021-01-10T203951Z.md", "mozilla/2021-03-09T053258Z.md")
    assert label["material"]
    assert c.material, [ch.reason for ch in c.changes]
    (ch,) = c.material_changes
    assert ch.rule == "party" and "third-party-sharing" in ch.categories
    assert "“SalesForce Marketing Cloud” with “Acoustic”" in ch.reason


def test_a_swap_between_names_standing_apart_is_material_in_any_policy():
    donations = (("Privacy", "Donations"), "paragraph")
    old = _doc(VENDORS, (*donations, RECEIPTS.format("SalesForce Marketing Cloud")))
    new = _doc(VENDORS, (*donations, RECEIPTS.format("Acoustic")))
    c = compare(old, new)
    assert c.material and c.material_changes[0].rule == "party"


def test_a_name_renamed_in_one_clause_stays_a_rename():
    # The old name is gone and the new one is new to the policy: a product renamed
    # ("Facebook Spaces" -> "Horizon Worlds"), not another party.
    donations = (("Privacy", "Donations"), "paragraph")
    other = (("Privacy", "Email"), "paragraph", "Our email vendor is Mailchimp.")
    old = _doc(other, (*donations, RECEIPTS.format("Marketing Cloud")))
    new = _doc(other, (*donations, RECEIPTS.format("Engagement Cloud")))
    c = compare(old, new)
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert c.changes[0].reason.startswith("renames")


def test_names_swapped_in_a_line_that_states_no_practice_stay_noise():
    # A price ticker (coindesk) swaps two coins that both stand in the page.
    ticker = (("Markets",), "paragraph", "Bitcoin BTC ADA DOGE prices today")
    old = _doc(ticker, (("Markets",), "paragraph", "Top mover of the day: ADA."))
    new = _doc(ticker, (("Markets",), "paragraph", "Top mover of the day: DOGE."))
    assert not compare(old, new).material


WHO = (("Privacy", "Who we are"), "paragraph")


@pytest.mark.parametrize(
    "intro, old, new",
    [
        # A defined term written in lower case elsewhere ("the service", "our site").
        (
            "You use our service and our site. The Service and the Site are ours.",
            "We collect your IP address when you use the Service.",
            "We collect your IP address when you use the Site.",
        ),
        # The company's own brands (blizzard-entertainment 2022-03-02).
        (
            "Blizzard Entertainment, Inc. (“Blizzard”, “we”) runs Battle.net.",
            "We collect your IP address when you use Blizzard Entertainment games.",
            "We collect your IP address when you use Battle.net games.",
        ),
    ],
)
def test_a_defined_term_or_the_companys_own_brand_swapped_stays_a_rename(intro, old, new):
    c = compare(_doc((*WHO, intro), (*WHO, old)), _doc((*WHO, intro), (*WHO, new)))
    assert not c.material, [ch.reason for ch in c.material_changes]


# --- A list whose items are headings is still a list --------------------------------------

PROVIDERS = ("Privacy Policy", "Third-party service providers")


def _providers(*names: str, under: tuple[str, ...] = PROVIDERS) -> PolicyDocument:
    clauses: list[tuple[tuple[str, ...], str, str]] = [
        (under[:-1], "heading", under[-1]),
        (under, "paragraph", "We share personal information with these providers:"),
    ]
    for name in names:
        clauses.append(((*under, name), "heading", name))
        clauses.append(((*under, name), "paragraph", "Location: USA"))
    return _doc(*clauses)


def test_a_subprocessor_added_as_a_heading_is_a_new_recipient():
    # proctorio 2023-10-30 -> 2023-12-30: "#### Postmark" and "#### Google, Inc.
    # (Workspace)" added under "Third-party service providers", "Inspera USA, Inc." gone.
    label, c = _dev("proctorio/2023-10-30T075027Z.md", "proctorio/2023-12-30T003942Z.md")
    assert label["material"]
    found = {ch.evidence for ch in c.material_changes if ch.rule == "enumeration"}
    assert found == {"Postmark", "Google, Inc. (Workspace)", "Inspera USA, Inc."}


def test_a_heading_added_to_a_list_of_providers_is_material():
    c = compare(_providers("Olark", "Twilio"), _providers("Olark", "Postmark", "Twilio"))
    (ch,) = c.material_changes
    assert ch.rule == "enumeration" and ch.categories == ["third-party-sharing"]
    assert ch.reason == (
        "adds “Postmark” to the service providers listed under “Third-party service providers”"
    )


def test_a_heading_added_under_a_section_naming_no_recipients_stays_cosmetic():
    under = ("Privacy Policy", "How we use your information")
    c = compare(_providers("Support", under=under), _providers("Support", "Billing", under=under))
    assert not c.material, [ch.reason for ch in c.material_changes]


@pytest.mark.parametrize(
    "old, new",
    [
        # proctorio 2022-12-12 -> 2023-09-23: "#### AWS" -> "#### Amazon Web Services".
        (_providers("AWS", "Olark"), _providers("Amazon Web Services", "Olark")),
        # A provider the old version names in a sentence, now given a heading of its own.
        (
            _doc(*_providers("Olark").clauses, (PROVIDERS, "paragraph", "We use Twilio for SMS.")),
            _doc(
                *_providers("Olark", "Twilio").clauses,
                (PROVIDERS, "paragraph", "We use Twilio for SMS."),
            ),
        ),
    ],
)
def test_a_provider_heading_respelt_or_relaid_is_no_new_recipient(old, new):
    c = compare(old, new)
    assert not c.material, [ch.reason for ch in c.material_changes]


# --- Sharing within the group: an affiliate, however the group is named -------------------


def test_sharing_with_the_groups_other_companies_is_sharing_with_affiliates():
    # hsbc 2021-04-01 -> 2021-05-28: "We may need to share your information with other
    # companies within the HSBC Group to provide you with information you have requested."
    label, c = _dev("hsbc/2021-04-01T123136Z.md", "hsbc/2021-05-28T163241Z.md")
    assert label["material"]
    assert any("HSBC Group" in ch.reason for ch in c.material_changes), [
        ch.reason for ch in c.changes
    ]


def test_the_group_named_another_way_restates_the_same_sharing():
    sec = ("Privacy", "Sharing")
    old = _doc((sec, "paragraph", "We may share your information with other HSBC Group companies."))
    new = _doc(
        (
            sec,
            "paragraph",
            "We may share your information with other companies within the HSBC Group.",
        )
    )
    assert not compare(old, new).material


# --- Noise in the practice inventory: citations, abbreviations, the pronoun "us" -----------


def test_a_cited_article_is_no_name_and_an_abbreviation_ends_no_sentence():
    elements = text_elements(
        "We therefore process your data on the basis of Art. 6 (1) (f) GDPR in order to "
        "send you offers."
    )
    assert ("name", "gdpr") in elements
    assert not {e for e in elements if e[0] == "name" and e[1] in ("art", "article")}
    assert ("name", "article") not in text_elements("We rely on Article 6 GDPR to process data.")


def test_us_is_a_place_only_when_written_as_the_country():
    assert ("term", "place:us") in text_elements("We may transfer your data to the US.")
    assert not any(
        "place:us" in str(e)
        for e in text_elements("You may request the data you have submitted to us.")
    )


def test_a_citation_respelt_restates_the_same_practice():
    # deutsche-bahn 2023-06-13 -> 2023-09-05: "on the basis of Article 6(1)(f) GDPR" ->
    # "Art. 6 (1) (f) GDPR" was material ("Art" gained, "Article" lost as names).
    label, c = _dev("deutsche-bahn/2023-06-13T123310Z.md", "deutsche-bahn/2023-09-05T001514Z.md")
    assert not label["material"]
    (ch,) = [ch for ch in c.changes if "“Article” with “Art.”" in ch.reason]
    assert not ch.material and ch.rule == "restated"


# --- An example added to an open-ended list inside a sentence (labelling guide B1) ---------

PAYMENT = (
    "MANGOPAY will collect the payment information required according to the payment "
    "method selected (e.g. {}). Payment will then be made via MANGOPAY."
)


def test_a_product_added_after_eg_is_an_example():
    # vinted 2021-06-10 -> 2021-08-03: "(e.g. credit card, PayPal)" -> "(e.g. credit card,
    # PayPal, Google Pay)", the same payment data flow.
    label, c = _dev("vinted/2021-06-10T144043Z.md", "vinted/2021-08-03T123731Z.md")
    assert not label["material"]
    assert not c.material, [ch.reason for ch in c.material_changes]
    sec = (("Privacy", "Payments"), "paragraph")
    old = _doc((*sec, PAYMENT.format("credit card, PayPal")))
    new = _doc((*sec, PAYMENT.format("credit card, PayPal, Google Pay")))
    assert not compare(old, new).material


def test_a_party_named_outside_an_example_list_stays_material():
    sec = (("Privacy", "Payments"), "paragraph")
    old = _doc((*sec, PAYMENT.format("credit card, PayPal")))
    new = _doc(
        (
            *sec,
            PAYMENT.format("credit card, PayPal") + " We share your payment history with Klarna.",
        )
    )
    assert compare(old, new).material


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "We collect information such as your name and your email address when you sign up.",
            "We collect information such as your name, your email address and your precise "
            "location when you sign up.",
        ),
        (
            "We share your data with partners such as Google and Meta.",
            "We share your data with partners such as Google, Meta and data brokers.",
        ),
    ],
)
def test_a_kind_of_data_or_party_added_after_such_as_stays_material(old, new):
    # Only names are examples; a kind of data or of recipient is a term of the inventory.
    sec = (("Privacy", "What we collect"), "paragraph")
    assert compare(_doc((*sec, old)), _doc((*sec, new))).material


def test_an_affiliate_link_is_affiliate_marketing_not_the_group():
    # the-new-york-times 2020-12-08 -> 2020-12-10: "link vendors" -> "affiliate link
    # vendors", an example of the vendors already named.
    label, c = _dev(
        "the-new-york-times/2020-12-08T161859Z.md", "the-new-york-times/2020-12-10T213800Z.md"
    )
    assert not label["material"]
    assert not c.material, [ch.reason for ch in c.material_changes]
    assert ("term", "affiliates") not in text_elements("We work with affiliate link vendors.")
    assert ("term", "affiliates") in text_elements("We share data with our affiliates.")


# --- A place swapped for another place is another region, not a rename --------------------

NEWSLETTER = (
    "Members who join from the {} are not subscribed automatically, and will have to "
    "consent explicitly to receive our newsletter."
)


def test_a_region_swapped_for_a_wider_one_is_material():
    # librarything 2022-02-28 -> 2025-04-17: the newsletter opt-in default for members
    # from the EU now holds for the EEA (Norway, Iceland, Liechtenstein too).
    label, c = _dev("librarything/2022-02-28T183537Z.md", "librarything/2025-04-17T181011Z.md")
    assert label["material"]
    (ch,) = c.material_changes
    assert ch.rule == "party" and "specific-audiences" in ch.categories
    assert ch.reason.startswith("replaces the place “EU” with “EEA”")


@pytest.mark.parametrize(
    "old, new", [("United Kingdom", "UK"), ("EU", "European Union"), ("United States", "USA")]
)
def test_one_place_written_another_way_stays_a_rename(old, new):
    sec = (("Privacy", "Newsletter"), "paragraph")
    c = compare(_doc((*sec, NEWSLETTER.format(old))), _doc((*sec, NEWSLETTER.format(new))))
    assert not c.material, [ch.reason for ch in c.material_changes]


def test_another_place_in_any_policy_is_material():
    sec = (("Privacy", "Newsletter"), "paragraph")
    c = compare(_doc((*sec, NEWSLETTER.format("EU"))), _doc((*sec, NEWSLETTER.format("EEA"))))
    assert c.material and c.material_changes[0].rule == "party"


# --- A section titled as a document of its own, moved out of the page (guide B14) ----------


def _with_cookie_notice(pointer: str, notice: bool) -> PolicyDocument:
    policy = ("Privacy Policy",)
    body = [
        Clause(policy, "paragraph", f"We collect your email address to run your account. {k}.")
        for k in range(12)
    ]
    body.append(Clause(policy, "paragraph", f"We use cookies as described {pointer}."))
    if notice:
        body += [
            Clause(("Cookie Notice",), "heading", "COOKIE NOTICE"),
            Clause(
                ("Cookie Notice",),
                "paragraph",
                "We and our advertising partners use cookies to collect your browsing history.",
            ),
            Clause(("Cookie Notice", "Your choices"), "heading", "Your choices"),
            Clause(
                ("Cookie Notice", "Your choices"),
                "paragraph",
                "You can opt out of interest-based advertising in your browser settings.",
            ),
        ]
    return PolicyDocument(tuple(body))


def test_a_cookie_notice_moved_out_to_a_page_the_policy_points_to_is_not_material():
    # christianmingle 2022-01-20 -> 2023-09-09: the appended Cookie Notice is dropped, the
    # policy points to "our Cookie Policy".
    label, c = _dev(
        "christianmingle/2022-01-20T143325Z.md", "christianmingle/2023-09-09T003209Z.md"
    )
    assert not label["material"]
    notice = [ch for ch in c.changes if ch.kind == "removed" and 96 <= (ch.old_index or 0) < 142]
    assert notice and not any(ch.material for ch in notice)
    assert {ch.rule for ch in notice} >= {"moved-out"}
    old = _with_cookie_notice("in our Cookie Policy", notice=True)
    new = _with_cookie_notice("in our Cookie Policy", notice=False)
    assert not compare(old, new).material


def test_a_cookie_notice_removed_without_a_pointer_stays_material():
    old = _with_cookie_notice("below", notice=True)
    new = _with_cookie_notice("below", notice=False)
    assert compare(old, new).material


# --- A vendor named for the first time in a clause about recipients -----------------------

THIRD_PARTY_COOKIES = (
    "We use selected cookies from third-party providers. These cookies display "
    "personalized advertising{} or prevent fraud."
)


def test_a_vendor_named_for_the_first_time_among_recipients_is_material():
    # swiss-post 2022-05-27 -> 2022-06-01: "display personalized advertising (Google Ad
    # Manager)"; the vendor was never named before.
    label, c = _dev("swiss-post/2022-05-27T123954Z.md", "swiss-post/2022-06-01T064400Z.md")
    assert label["material"]
    assert [ch.evidence for ch in c.material_changes if ch.rule == "party"] == ["Google Ad Manager"]
    sec = (("Privacy", "Cookies"), "paragraph")
    old = _doc((*sec, THIRD_PARTY_COOKIES.format("")))
    new = _doc((*sec, THIRD_PARTY_COOKIES.format(" (Google Ad Manager)")))
    (ch,) = compare(old, new).material_changes
    assert ch.rule == "party" and "third-party-sharing" in ch.categories


@pytest.mark.parametrize(
    "old, new",
    [
        # Named before, elsewhere in the policy.
        (
            THIRD_PARTY_COOKIES.format("") + " Google Ad Manager sets some of them.",
            THIRD_PARTY_COOKIES.format(" (Google Ad Manager)")
            + " Google Ad Manager sets some of them.",
        ),
        # A clause that names no recipient.
        (
            "Our app shows your saved routes on your phone.",
            "Our app shows your saved routes on your phone (Route Planner).",
        ),
        # An example (B1).
        (
            "Third-party providers process payments (e.g. PayPal).",
            "Third-party providers process payments (e.g. PayPal, Google Pay).",
        ),
    ],
)
def test_a_name_known_already_or_outside_recipients_or_an_example_is_not_a_new_party(old, new):
    sec = (("Privacy", "Cookies"), "paragraph")
    c = compare(_doc((*sec, old)), _doc((*sec, new)))
    assert not c.material, [ch.reason for ch in c.material_changes]
    # nor, taken out, one party fewer
    c = compare(_doc((*sec, new)), _doc((*sec, old)))
    assert not c.material, [ch.reason for ch in c.material_changes]


def test_a_vendor_no_longer_named_among_recipients_is_material():
    # The swiss-post pair reversed (found by judging dev pairs both ways): the vendor taken
    # out of the clause, named nowhere else, was no change at all.
    c = compare(
        policy_change("swiss-post/2022-06-01T064400Z.md"),
        policy_change("swiss-post/2022-05-27T123954Z.md"),
    )
    (ch,) = [ch for ch in c.material_changes if ch.rule == "party"]
    assert ch.evidence == "Google Ad Manager" and "no longer names" in ch.reason
    sec = (("Privacy", "Cookies"), "paragraph")
    old = _doc((*sec, THIRD_PARTY_COOKIES.format(" (Google Ad Manager)")))
    new = _doc((*sec, THIRD_PARTY_COOKIES.format("")))
    (ch,) = compare(old, new).material_changes
    assert ch.rule == "party" and "third-party-sharing" in ch.categories


# --- A kind of data added to a list whose introduction states the practice ------------------

# Proctorio's payments section (dev service; robustness bench, add_list_item): the title
# names no practice and each item alone states none.
_PAYMENTS = ("Privacy Policy", "Test-taker payments")
_PAYMENTS_INTRO = (
    "Proctorio uses a third-party processor to process test-taker assessment payments. "
    "The information collected may include:"
)
_PAYMENTS_ITEMS = ["Credit card number", "IP address", "User agent"]


def _payments(*extra: str) -> PolicyDocument:
    return _doc(
        (("Privacy Policy",), "heading", "Privacy Policy"),
        (_PAYMENTS, "heading", "Test-taker payments"),
        (_PAYMENTS, "paragraph", _PAYMENTS_INTRO),
        *((_PAYMENTS, "list-item", item) for item in [*_PAYMENTS_ITEMS, *extra]),
    )


def test_a_kind_of_data_added_to_a_list_of_data_collected_is_material():
    c = compare(_payments(), _payments("Your religious beliefs"))
    assert c.material, [ch.reason for ch in c.changes]
    [ch] = c.material_changes
    assert ch.reason == (
        "adds “Your religious beliefs” to the list after “The information collected may include”"
    )
    # Dropped, it narrows the list: material both ways (the guide is symmetric).
    assert compare(_payments("Your religious beliefs"), _payments()).material


def test_an_item_that_names_no_data_or_a_list_that_states_no_practice_is_not_material():
    assert not compare(_payments(), _payments("Payment confirmation page")).material
    intro = "Test takers can pay with the following:"
    plain = _payments().clauses
    clauses = [
        Clause(c.section, c.kind, intro if c.text == _PAYMENTS_INTRO else c.text) for c in plain
    ]
    before = PolicyDocument(tuple(clauses))
    after = PolicyDocument((*clauses, Clause(_PAYMENTS, "list-item", "Your religious beliefs")))
    assert not compare(before, after).material
