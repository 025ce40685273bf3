"""Headlines of a clause added or removed that states a practice: a phrase a person would
write ("adds sale of personal information to data brokers"), or the clause quoted when
its words make none (docs/judgment.md, "Reading a reason"). Each sentence is a real one of
tests/data/policy-histories or policy-changes (service/version named beside it); the
verdict (material, rule, strength) is the practice's either way."""

from __future__ import annotations

from monitor.classify.practice import describe_clause
from monitor.classify.verdict import ORDINARY, STRONG

COLLECTION = ["first-party-collection"]


def headline(text: str, added: bool = True) -> str:
    verdict = describe_clause(text, COLLECTION, added)
    # Told or quoted, the practice decided and weighs the clause as before.
    assert verdict.material and verdict.rule == "practice", verdict
    return verdict.reason


def quoted(text: str, added: bool = True) -> str:
    """The quote of a headline that quotes the clause (fails if it tells a phrase)."""
    reason = headline(text, added)
    verb = "adds" if added else "removes"
    prefix = f"{verb} a clause on collection and use of data: “"
    assert reason.startswith(prefix) and reason.endswith("”"), reason
    return reason.removeprefix(prefix).removesuffix("”")


def test_a_table_row_is_quoted_not_told_as_a_practice():
    # tinder/2024-05-31: a header row, not "processing of data | Grounds for processing …"
    row = (
        "Purposes for processing your data | Grounds for processing your data | Categories"
        " of data processed (Those are described in Section 3 of this Policy)"
    )
    assert quoted(row).startswith("Purposes for processing your data |")
    # donkey-republic/2024-02-06: not "logging of used for performance and security …"
    row = (
        "Datadog | Name, email address, Phone number, Location, IP Address | Server logging"
        " used for performance and security monitoring | N/A, since no data is transferred"
        " outside of the EU | Germany"
    )
    assert "Server logging used for performance" in quoted(row)


def test_words_glued_to_the_next_sentence_are_cut_at_the_glue():
    # youtube/2018-05-26: a table of contents run together without spaces.
    text = (
        "Effective May 25, 2018 | Archived versions | Download PDFContentsIntroductionInformation"
        " Google collectsWhy Google collects dataYour privacy controlsSharing your"
        " informationKeeping your information secureExporting &. deleting your information"
    )
    assert headline(text.replace(" | ", " "), added=False) == "removes collection of data"


def test_a_pronoun_or_a_stray_preposition_is_no_object():
    # twitter/2023-04-18: not "removes deletion of it, or change your settings"
    assert quoted("You can access it, delete it, or change your settings.", added=False)
    # christianmingle/2022-01-20: not "removes collection about you"
    text = "The specific pieces of personal information we have collected about you;"
    assert "collected about you" in quoted(text, added=False)
    # thunderbird/2025-05-11: not "adds sharing with us subject to their terms"
    text = (
        "This data collection is carried out by the platform providers and may be shared"
        " with us subject to their terms."
    )
    assert "shared with us subject to their terms" in quoted(text)


def test_a_clause_after_the_verb_is_no_object():
    # youtube/2024-03-29: not "adds collection before the problem started allows us …"
    text = (
        "And if we find something wrong with a specific feature, reviewing activity"
        " information collected before the problem started allows us to fix things more"
        " quickly."
    )
    assert "collected before the problem started" in quoted(text)


def test_an_adverb_or_a_participle_is_no_object():
    # whatsapp/2021-04-29: not "adds use of illegally"
    text = (
        "This could involve verifying the data you have provided when you created an account"
        " to prevent our Services from being used illegally."
    )
    assert quoted(text).endswith("from being used illegally.")
    # telegram/2024-07-15: not "adds storage of separately from the recovery email, …"
    text = (
        "In this case, we will receive an email address which will be stored separately from"
        " the recovery email, and will only be used to send you authentication codes."
    )
    assert "stored separately from the recovery email" in quoted(text)
    # proctorio/2022-03-19: not "removes use of throughout Proctorio’s Privacy Policy"
    text = (
        "Proctorio would like to start by defining two terms you'll see used throughout"
        " Proctorio’s Privacy Policy: data processor and data controller."
    )
    assert "used throughout Proctorio’s Privacy Policy" in quoted(text, added=False)


def test_an_adverb_before_an_adjective_stays_in_the_phrase():
    # mozilla-like wording of many policies: "strictly necessary cookies" is an object.
    text = "We only use strictly necessary cookies to provide, secure, and improve our Website."
    assert headline(text) == (
        "adds use of strictly necessary cookies to provide, secure, and improve our Website"
    )


def test_a_practice_word_inside_a_section_title_is_quoted():
    # coursera/2025-12-17: not "adds use of AI” section above"
    text = (
        "For more information in relation to your rights with respect to automated"
        " decision-making please refer to the “How we use AI” section above."
    )
    assert quoted(text).endswith("the “How we use AI” section above.")
    # whatsapp/2021-04-29: not "adds retention of Information\" section"
    text = (
        "You can access tools to rectify, update, and erase your information directly in-app"
        ' as described in the "Managing and Retaining Your Information" section.'
    )
    assert '"Managing and Retaining Your Information" section' in quoted(text)


def test_an_object_that_is_the_subject_of_a_verb_of_its_own_is_quoted():
    # github/2022-05-18: not "removes processing of User Personal Information is subject to …"
    text = (
        "To the extent that our processing of your User Personal Information is subject to"
        " certain international laws, GitHub is required to notify you about the legal basis."
    )
    assert quoted(text, added=False).startswith("To the extent that our processing")
    # we-heart-it/2022-11-05: not "removes transfer or sale of We Heart It’s assets will
    # have the right…"; a sale, so it weighs as one.
    text = (
        "Any third party to which We Heart It transfers or sells We Heart It’s assets will"
        " have the right to continue to use the Personal Information."
    )
    assert "to which We Heart It transfers or sells We" in quoted(text, added=False)
    assert describe_clause(text, COLLECTION, False).strength == STRONG


def test_a_practice_word_that_modifies_a_noun_is_quoted():
    # the-trade-desk/2023-04-08: not "adds processing of activities may be considered …"
    text = (
        "To opt out of data processing activities may be considered “sales” or “sharing” of"
        " your personal information under the law that applies to you, please visit the site."
    )
    assert "data processing activities may be considered" in quoted(text)
    # dune/2026-05-18: not "adds transfer of mechanisms, including EU Standard …"
    text = (
        "For all sub-processors located outside the EEA, we rely on appropriate transfer"
        " mechanisms, including EU Standard Contractual Clauses."
    )
    assert "transfer mechanisms" in quoted(text)


def test_a_new_clause_after_the_object_is_cut_off():
    # duckduckgo/2026-06-04: not "adds use of browser storage too, but we never store …"
    text = (
        "Related, the anonymous experiments described in the section above sometimes require"
        " us to use browser storage too, but we never store any information that could"
        " identify you."
    )
    assert headline(text) == "adds use of browser storage"


def test_a_pair_whose_second_word_is_no_practice_is_quoted():
    # adroll/2026-06-17: not "adds tracking and disable Allow Apps to Request to Track"
    text = (
        "For third-party apps, go to Settings > Privacy & Security > Tracking and disable"
        " Allow Apps to Request to Track."
    )
    assert "Tracking and disable Allow Apps" in quoted(text)
    # christianmingle/2022-01-20: not "removes sale and the categories of third parties …";
    # still a sale, so it weighs as one.
    text = (
        "The categories of personal information we have sold and the categories of third"
        " parties to whom the information was sold; and"
    )
    assert quoted(text, added=False).startswith("The categories of personal information")
    assert describe_clause(text, COLLECTION, False).strength == STRONG
    # we-heart-it/2023-06-14: not "adds use and machine-readable format please contact us"
    text = (
        "Request to receive your Personal Information in a structured, commonly used and"
        " machine-readable format please contact us as described in Section XIII."
    )
    assert "commonly used and machine-readable format" in quoted(text)


def test_a_pair_of_practices_named_as_nouns_reads():
    text = "Limit the use and disclosure of sensitive personal information where required by law."
    assert headline(text) == (
        "adds use and disclosure of sensitive personal information where required by law"
    )


def test_the_following_keeps_its_article():
    # vinted/2021-10-11: not "adds sale of following categories of personal information"
    text = (
        "We may have sold the following categories of personal information about you to"
        " third parties in the prior twelve (12) months: Internet activity information."
    )
    assert headline(text) == (
        "adds sale of the following categories of personal information about you to third parties…"
    )


def test_a_persons_own_use_is_not_the_companys_practice():
    # wolfram/2018-05-11: not "adds use of our website by enabling enhanced … features"
    text = (
        "Functional Cookies: These cookies support and facilitate your use of our website by"
        " enabling enhanced and personalized features."
    )
    assert "your use of our website" in quoted(text)
    # github/2022-05-18: not "removes sale of an application listed on our Marketplace or,
    # when you send…"
    text = (
        "When you buy or sell an application listed on our Marketplace or, when you send or"
        " receive funds through the GitHub Sponsors Program, we process Payment Information."
    )
    assert quoted(text, added=False).startswith("When you buy or sell an application")


def test_a_capitalised_practice_word_in_a_name_is_quoted():
    # apple/2025-02-01: the App Store stores nothing.
    text = (
        "Ads that are delivered by Apple’s advertising platform may appear on the App Store,"
        " Apple News, Stocks, and Apple TV app depending on your location."
    )
    assert "the App Store, Apple News" in quoted(text)


def test_a_list_of_verbs_is_no_object():
    # adroll/2026-06-17: not "adds collection of processes, sells or shares the …"
    text = (
        "NextRoll does not have actual knowledge that it collects, processes, sells or shares"
        " the personal information of minors."
    )
    assert "it collects, processes, sells or" in quoted(text)


def test_a_readable_practice_is_still_told_in_its_own_words():
    text = "We may sell your personal information to data brokers."
    assert headline(text) == "adds sale of personal information to data brokers"
    assert describe_clause(text, COLLECTION, True).strength == STRONG
    text = "Your data is stored in data centers in EU countries."
    assert headline(text) == "adds storage in data centers in EU countries"
    assert describe_clause(text, COLLECTION, True).strength == ORDINARY


def test_an_abbreviation_that_stopped_the_words_is_no_object():
    # acdelco/2015-05-16: the words stop at the full stop of "U.S.": not "sharing with GM U"
    text = (
        "In addition, anonymized and aggregated data from OnStar Europe Ltd. is shared with"
        " GM U.S. to evaluate or research the safety, quality, usage, and functionality of"
        " vehicles and services."
    )
    assert "is shared with GM U.S. to evaluate" in quoted(text)


def test_a_preposition_left_dangling_is_dropped():
    # financial-times/2025-12-10: not "adds use of AI to"
    assert headline("For example, we may use AI to:") == "adds use of AI"


def test_the_following_keeps_its_article_after_a_pair_of_practices():
    # vinted/2021-08-16: not "adds collection and use of following data"
    text = "For this purpose, we will collect and use the following data:"
    assert headline(text) == "adds collection and use of the following data"


def test_a_purpose_or_context_after_the_verb_is_not_where_or_how_long():
    # parler/2022-04-15: not "adds collection in order to verify minimum age and …"
    text = (
        "Age is the only of these required at registration, collected in order to verify"
        " minimum age and learn about the demographic makeup of our user base."
    )
    assert "collected in order to verify minimum age" in quoted(text)
    # github/2022-05-18: not "adds processing in connection with Community Features"
    text = (
        "You can adjust the settings on your Account regarding the display of Personal Data"
        " processed in connection with Community Features through profile settings."
    )
    assert "processed in connection with Community Features" in quoted(text)
    # samsung/2022-05-19: not "removes processing for that particular feature or purpose"
    text = (
        "In which case your TV viewing history will cease to be processed for that particular"
        " feature or purpose."
    )
    assert "processed for that particular feature" in quoted(text, added=False)
    # … while a period says how long.
    text = "Some data is retained for a shorter period of time, except when the law requires more."
    assert headline(text).startswith("adds retention for a shorter period of time, except when")


def test_the_sentences_own_verb_ends_a_phrase_told_without_of():
    # The object came before the verb; "includes" is the sentence's verb, not the sale's.
    text = "Information we sell to data brokers includes your email."
    assert headline(text) == "adds sale to data brokers"
    # gitlab/2024-03-13: not "adds transfer of GitLab relies on the Japan … adequacy…"
    text = (
        "To make this transfer, GitLab relies on the Japan Personal Information Protection"
        " Commision’s adequacy decisions."
    )
    assert "this transfer, GitLab relies on" in quoted(text)
