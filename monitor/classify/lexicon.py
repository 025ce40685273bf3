"""Categories of a clause: a phrase lexicon per category slug of DESIGN.md (after OPP-115).

Applied to the clause text and to its section path, since "We keep it for 30 days" under
"Data Retention" says more than the sentence alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.classify.leading import Table

# International transfers sit with specific audiences, as OPP-115's "International and
# Specific Audiences" category does.
_LEXICON: dict[str, list[str]] = {
    "first-party-collection": [
        r"collect\w*",
        r"gather\w*",
        r"obtain\w*",
        r"(?:we|us) (?:may )?(?:also )?(?:receive|record|log|infer|process|use|analy[sz]e|derive)\w*",
        r"information (?:you|that you) (?:provide|give|submit)",
        r"(?:usage|device|location|contact|payment|biometric|health|financial) (?:data|information)",
        r"cookies?",
        r"pixels?|web beacons?|tracking technolog\w+|sdks?",
        r"ip address\w*|ips",
        # "It logs some information ... connecting IPs": logging is collection.
        r"logs? (?:some |certain |the |your )?(?:information|data)",
        r"(?:device|advertising) identifiers?|idfa|idfv|android id",
        r"geolocation|precise location",
        r"(?:to|we) (?:personali[sz]e|train|improve|target)",
        r"profiling",
        # Kinds of data: adding one to a list under "What we collect" is new collection.
        r"(?:e-?mail|postal|home|billing|shipping) address(?:es)?|phone numbers?|date of birth|birthdays?",
        r"(?:first|last|full|user) ?names?|your name|gender|photos?|videos?|voice|audio recordings?",
        r"contact lists?|address book|(?:content of |your )messages|chats?|prompts?|search (?:history|queries|terms)",
        r"biometric\w*|face(?:print)?s?|fingerprints?|health|sexual orientation|ethnicity|religio\w+",
        r"genetic\w*|dna",
        r"credit card|bank account|tax (?:id|identification)\w*|social security",
        r"browsing history|purchase history|transactions?|precise location|gps",
    ],
    "third-party-sharing": [
        r"shar(?:e|es|ed|ing)",
        r"sell\w*|sold|sale",
        r"disclos\w+",
        r"third[- ]part(?:y|ies)",
        r"(?:advertising |ad |marketing |business )?partners?",
        r"advertisers?",
        r"data brokers?",
        r"affiliates?|subsidiar\w+|parent company|group companies",
        r"service providers?|vendors?|processors?|contractors?",
        r"law enforcement|government (?:authorities|requests)|subpoena\w*|court order",
        r"(?:merger|acquisition|bankruptcy)",
        r"transfer\w* (?:your |personal |this )?(?:data|information) to",
    ],
    "user-choice": [
        r"opt[- ]?(?:out|in)\w*",
        r"consent\w*",
        r"withdraw\w*",
        r"unsubscrib\w+",
        r"(?:your )?choices?",
        r"(?:privacy |ad |account )?settings?",
        r"preferences?",
        r"object to",
        r"(?:right|rights) to object\w*",
        r"do not sell or share|do not sell",
        r"limit the use",
    ],
    "user-access": [
        r"(?:right|rights) (?:to|of) (?:access|know|delet|eras|correct|rectif|portab|request)\w*",
        r"access (?:to )?(?:your|the) (?:personal )?(?:data|information)",
        r"(?:correct|rectify|update|edit|amend) (?:your|inaccurate|the)",
        r"delet\w+ (?:your|the|of your) (?:account|data|information|personal)",
        r"eras\w+",
        r"portab\w+|download (?:a copy of )?your (?:data|information)",
        r"request (?:a copy|access|deletion)",
        r"(?:data subject|privacy) (?:rights|requests?)",
        r"your rights",
        r"appeal\w*",
        r"verify your (?:identity|request)",
    ],
    "data-retention": [
        r"retain\w*|retention",
        r"(?:keep|kept|store|stored|hold) (?:\w+ ){0,4}(?:for|until|as long)",
        r"as long as (?:necessary|needed|required|your account)",
        r"(?:\d+|one|two|three|six|twelve) (?:days?|weeks?|months?|years?)",
        r"purg\w+",
        r"(?:deleted|anonymi[sz]ed|de-identified) (?:after|within|once|when)",
    ],
    "data-security": [
        r"secur\w+",
        r"encrypt\w*",
        r"safeguards?",
        r"protect\w* (?:your|the|personal|against)",
        r"(?:data|security) breach\w*|breach\w* of (?:security|data|your|personal)",
        r"unauthori[sz]ed access",
        r"\bssl\b|\btls\b|two-factor|2fa|multi-factor",
    ],
    "policy-change": [
        r"(?:changes?|updates?|revisions?|modif\w+) (?:to|of) (?:this|our) (?:privacy )?(?:policy|notice|statement)",
        r"(?:change|update|revise|modify|amend) (?:this|our) (?:privacy )?(?:policy|notice|statement)",
        r"notify you",
        r"(?:material|significant) changes?",
        r"continued use",
    ],
    "do-not-track": [
        r"do[- ]not[- ]track|\bdnt\b",
        r"global privacy control|\bgpc\b",
        r"browser signals?",
    ],
    "specific-audiences": [
        r"child(?:ren)?(?:'s)?",
        r"minors?",
        r"teens?|teenagers?",
        r"under (?:the age of )?(?:\d+|thirteen|sixteen|eighteen)",
        r"(?:age|aged) (?:of )?\d+",
        r"parents?|guardians?|parental",
        r"coppa",
        r"(?:international|cross-border) (?:data )?transfers?",
        r"transfer\w* (?:\w+ ){0,6}(?:outside|to other countries|to the united states|abroad)",
        r"standard contractual clauses|adequacy decision",
    ],
}

# Words that place a clause in a category without stating a practice themselves: a region,
# a law, "purposes". They categorise, but an edit touching only them is not new practice.
_CONTEXT: dict[str, list[str]] = {
    "first-party-collection": [
        r"artificial intelligence|\bai\b|machine learning|generative",
        r"purposes?|legal bas[ie]s|legitimate interests?",
        r"profiles?",
    ],
    "specific-audiences": [
        r"(?:california|colorado|virginia|connecticut|utah|texas|nevada) (?:residents?|consumers?|law|privacy)",
        r"ccpa|cpra|gdpr|lgpd|pipeda",
        r"eea|european economic area|european union|\beu\b|united kingdom|\buk\b|switzerland|brazil",
        r"data privacy framework|privacy shield",
    ],
}

# Patterns are written in lower case and run on lower-cased text (faster than IGNORECASE).
_COMPILED: dict[str, re.Pattern[str]] = {
    slug: re.compile(r"\b(?:" + "|".join(pats) + r")\b") for slug, pats in _LEXICON.items()
}


_CONTEXT_COMPILED: dict[str, re.Pattern[str]] = {
    slug: re.compile(r"\b(?:" + "|".join(pats) + r")\b") for slug, pats in _CONTEXT.items()
}


# Every pattern of both tables, each tried only at the words its matches can start at
# (monitor.classify.leading): the lexicon is one alternation of dozens of phrases per
# category, and most categories are absent from most texts.
_TABLE = Table(
    {("lexicon", s): rx for s, rx in _COMPILED.items()}
    | {("context", s): rx for s, rx in _CONTEXT_COMPILED.items()}
)


@lru_cache(maxsize=8192)
def _matching(low: str) -> frozenset[tuple[str, str]]:
    """(table, slug) of every pattern that matches the lower-cased text."""
    return frozenset(_TABLE.found(low))


def categories_of(text: str, section: str = "") -> list[str]:
    return list(_categories_of(text, section))


@lru_cache(maxsize=8192)
def _categories_of(text: str, section: str) -> tuple[str, ...]:
    """Category slugs the text (with its section path) speaks to, in DESIGN.md order.

    Never empty: text about none of the practices is ``other``.
    """
    # Built from per-text and per-section parts, each cached on its own: a section path
    # is shared by many clauses, and judgment asks for a text's practice categories too.
    found = set(_practice_categories(text)) | set(_spoken_categories(section))
    found.update(_context_categories(text, found))
    return tuple(slug for slug in _COMPILED if slug in found) or ("other",)


def _context_categories(text: str, found: set[str]) -> list[str]:
    """Slugs not yet found that the text speaks to by context words alone."""
    able = _matching(text.lower())
    return [slug for slug in _CONTEXT_COMPILED if slug not in found and ("context", slug) in able]


@lru_cache(maxsize=1024)
def _spoken_categories(text: str) -> tuple[str, ...]:
    """Slugs of the lexicon or the context words in the text (a section path)."""
    if not text:
        return ()
    own = set(_practice_categories(text))
    return (*own, *_context_categories(text, own))


def practice_categories(text: str) -> list[str]:
    """Categories the text itself carries, without help from its section; [] if none."""
    return list(_practice_categories(text))


@lru_cache(maxsize=8192)
def _practice_categories(text: str) -> tuple[str, ...]:
    able = _matching(text.lower())
    return tuple(slug for slug in _COMPILED if ("lexicon", slug) in able)


# Whom or what a data practice concerns: the company itself, personal data of some kind, or
# the parties data goes to. A text with a practice verb and none of these ("set up your keys
# and sell, and large, cryptocurrency..." injected into a page) states no data practice.
_DATA_TOPIC = re.compile(
    r"\b(?:we|us|our|ours|information|info|data|details|personal|content|account\w*|profiles?"
    r"|records?|identif\w+|location|recipients?|third[- ]part(?:y|ies)|(?:service )?providers?"
    r"|partners?|advertis\w+|affiliates?|companies|authorities|brokers?|law enforcement"
    r"|government\w*)\b"
)


def speaks_of_data(text: str) -> bool:
    """Whether the text names a party to a data practice or data of some kind."""
    low = text.lower()
    return bool(_DATA_TOPIC.search(low)) or "first-party-collection" in _practice_categories(low)


_NAME_RUN = re.compile(
    r"(?<![.!?]\s)\b[A-Z][\w'’&-]*(?:\s+(?:of|for|and|the|to|&)?\s*[A-Z][\w'’&-]*)+"
)


def without_names(text: str) -> str:
    """The text with runs of two or more capitalised words (names, defined terms such as
    "Privacy Recognition for Processors") taken out, so a name cannot pass for a practice."""
    return _NAME_RUN.sub(" ", text)
