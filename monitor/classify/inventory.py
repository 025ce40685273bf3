"""The practice inventory of a version: which practices it states, whatever the words.

A policy states practices: what data it collects, whom it goes to, for what purposes, how
long it is kept, which rights and choices people have, where it goes, whom the service is
for. Each sentence is read into *elements*:

- a practice term on its own (a kind of data, a recipient, a purpose, a right or choice, a
  place, an audience, a security measure), e.g. ``("term", "location")``;
- an action applied to a term in one sentence, with its polarity, e.g.
  ``("act", "share", "location", False)`` for "we share your location with ..." and
  ``("act", "sell", "data", True)`` for "we do not sell your data";
- an action made to wait on consent, ``("consent", "share")`` for "we share it with your
  consent";
- a quantity: a period in days or an age, ``("days", 90)``, ``("age", 16)``;
- a legal entity named with its corporate form, ``("entity", "tp-link systems inc")``.

A version's inventory is the set of the elements of all its sentences. Rewording that
restates the same practices in other words ("requests your permission" → "asks for your
permission") gains and loses no element; a sentence moved to another section is in the
inventory on both sides. A change that states a new practice gains an element the old
version lacks ("we share your location with advertisers", where location was never shared
before), and a removed disclosure loses one.

Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.classify.leading import Table
from monitor.model import PolicyDocument

Element = tuple

# Canonical term -> the ways texts write it (regex, lower case). A term's spellings are one
# element: "e-mail address" and "email addresses" state the same data type.
_TERMS: dict[str, str] = {
    # Kinds of data.
    "location": r"(?:precise |approximate |geo-?)?location(?: data| information)?|geolocation|gps",
    "contacts": r"contact lists?|address books?|(?:your |phone )contacts",
    "email": r"e-?mail address(?:es)?",
    "phone": r"(?:tele)?phone numbers?|mobile numbers?",
    "postal": r"(?:postal|home|mailing|billing|shipping) address(?:es)?",
    "birth": r"dates? of birth|birth ?dates?|birthdays?",
    "gender": r"gender|sex",
    "photos": r"photos?|photographs?|images?|pictures?",
    "video": r"videos?",
    "voice": r"voice(?: recordings?| data)?|audio(?: recordings?)?|microphone",
    "camera": r"camera",
    "messages": r"messages?|chats?|communications",
    "content": r"(?:user[- ]generated |your )?content",
    "prompts": r"prompts?|inputs?|outputs?",
    "biometric": r"biometric\w*|face ?prints?|fac(?:e|ial) (?:recognition|geometry|features|templates?|scans?)|scan\w* (?:of )?your face|fingerprints?",
    "health": r"health(?: data| information)?|medical",
    "genetic": r"genetic\w*|dna",
    "sensitive": r"sensitive (?:personal )?(?:data|information)|special categor(?:y|ies)",
    "sexual": r"sexual (?:orientation|life)",
    "ethnicity": r"ethnic\w*|racial|race",
    "religion": r"religio\w+",
    "political": r"political",
    "financial": r"financial (?:data|information)|bank(?: account)?s?|credit ?cards?|payment (?:data|information|card|details)|card numbers?",
    "government-id": r"government[- ]issued id\w*|passports?|driver'?s licen[cs]es?|national id\w*|social security|id documents?|identity documents?",
    "device-id": r"device (?:id|identifiers?)|advertising (?:id|identifiers?)|idfa|idfv|android id|imei|mac address",
    "ip": r"ip address(?:es)?",
    "cookies": r"cookies?|pixels?|web beacons?|tracking technolog\w+|sdks?|local storage",
    "browsing": r"browsing (?:history|data|activity)|web history",
    "search": r"search (?:history|queries|terms)",
    # "in order to" states a purpose, not an order.
    "purchase": r"purchase(?:s| history)|transactions?|(?<!\bin )orders?",
    "usage": r"usage (?:data|information)|log (?:data|files?|information)|logs",
    "diagnostics": r"crash (?:reports?|logs?|data)|diagnostic\w*|telemetry|performance data",
    "device": r"device (?:data|information)|device type|operating system|browser type",
    "identifiers": r"(?:unique |persistent |personal |online |customer |user )+(?:id|identifiers?)(?: numbers?)?|user ids?",
    "inferences": r"inferences?|inferred",
    "social": r"social (?:media|network)\w*",
    "employment": r"employment|professional|education\w*",
    "calendar": r"calendar",
    "credentials": r"passwords?|credentials",
    # Recipients.
    "advertisers": r"advertisers?|advertising (?:partners?|networks?|companies)|ad (?:partners?|networks?)",
    "marketing-partners": r"marketing partners?",
    "partners": r"(?:business |trusted |third[- ]party )?partners?",
    "service-providers": r"service providers?|vendors?|(?:sub-?)?processors?|contractors?|suppliers?",
    # OPP-115's "other part of the company/affiliate": the group's other companies, however
    # the group is named ("companies within the HSBC Group", "members of our group").
    # An "affiliate link" or "affiliate program" is affiliate marketing, not the group.
    "affiliates": r"affiliates?(?! (?:links?|marketing|programs?|networks?|commissions?)\b)|subsidiar\w+|parent compan\w+|group compan\w+|family of companies|corporate family"
    r"|compan(?:y|ies) (?:with)?in (?:the |our |its )?(?:[\w&-]+ ){0,2}group|members? of (?:the |our |its )(?:[\w&-]+ ){0,2}group",
    "authorities": r"law enforcement|(?:public |government\w* |tax |regulatory )?authorities|government agenc\w+|courts?|regulators?|police",
    "brokers": r"data brokers?",
    "third-parties": r"third[- ]part(?:y|ies)",
    "analytics-providers": r"analytics (?:providers?|partners?|services?|companies)",
    "payment-processors": r"payment (?:processors?|providers?|service providers?)",
    "acquirer": r"(?:buyers?|acquir\w+|purchasers?|successors?)|merger|acquisition|bankruptcy",
    "researchers": r"researchers?|academic",
    "public": r"publicly|the public",
    "other-parties": r"(?:relying|receiving|external|other) part(?:y|ies)",
    "other-users": r"other users|other members",
    # Purposes.
    "advertising": r"(?:targeted |personali[sz]ed |interest-based |behavio(?:u)?ral )?advertis(?:ing|ements?)|\bads\b",
    "marketing": r"marketing|promotional|newsletters?",
    "analytics": r"analytics|statistic\w*|measurement",
    "research": r"research",
    "referrals": r"referr\w+",
    "fraud": r"fraud\w*|abuse|spam",
    # "train our systems", "training the technology": what is trained is named many ways.
    "training": r"train(?:ing)?(?: our| the| its)? (?:ai|models?|algorithms?|machine learning|systems?|technolog\w+)|machine learning|artificial intelligence|\bai\b|generative",
    "profiling": r"profil(?:ing|es?)|automated decision\w*",
    "personalisation": r"personali[sz]\w+|customi[sz]\w+|recommendations?",
    "legal-basis": r"legitimate interests?|legal bas[ie]s|contractual necessity|performance of (?:a|the) contract",
    # Rights and choices.
    "right-access": r"(?:right (?:of|to) )?access (?:to )?your (?:personal )?(?:data|information)|right (?:of|to) access|right to know",
    "right-delete": r"right to (?:delet\w+|eras\w+)|erasure|delet\w+ (?:your|of your) (?:personal |account|data|information)",
    "right-correct": r"rectif\w+|right to correct\w*|correct (?:inaccurate|your)",
    "right-port": r"portab\w+|download (?:a copy of )?your (?:data|information)",
    "right-object": r"object to|right to object|restrict\w* (?:the )?processing",
    "right-appeal": r"appeal\w*",
    "right-complain": r"(?:lodge|file|make) a complaint|supervisory authorit\w+|data protection authorit\w+",
    "agent": r"authori[sz]ed agents?",
    "opt-out": r"opt[- ]?out\w*",
    "opt-in": r"opt[- ]?in\w*",
    "consent": r"consent\w*|permission\w*",
    "withdraw": r"withdraw\w*|revoke\w*",
    "settings": r"(?:privacy |ad |account )?settings|preferences|controls",
    "do-not-sell": r"do not sell(?: or share)?|opt out of (?:the )?sale",
    "signals": r"do[- ]not[- ]track|\bdnt\b|global privacy control|\bgpc\b|browser signals?|opt-out preference signals?",
    "verification": r"verif\w+",
    "non-discrimination": r"discriminat\w+",
    # Security.
    "encryption": r"encrypt\w*|end-to-end|zero[- ]knowledge",
    "two-factor": r"two-factor|2fa|multi-factor|mfa",
    "breach": r"(?:data |security )?breach\w*",
    # Audiences.
    "children": r"child(?:ren)?|kids|minors?|teens?|teenagers?|under (?:the )?age|parents?|guardians?|parental|coppa",
    # Transfers.
    "transfer-mechanism": r"standard contractual clauses|adequacy decisions?|binding corporate rules|privacy shield(?: frameworks?)?|data privacy frameworks?|dpf",
    "arbitration": r"arbitration",
    # Policy changes.
    "notice-of-changes": r"notify you|(?:material|significant) changes?|continued use",
}

# The kinds of data: the terms _TERMS lists before its first recipient.
DATA_KINDS = frozenset(list(_TERMS)[: list(_TERMS).index("advertisers")])

# Places: residents of them get rights, data goes to them.
_PLACES = (
    "alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|"
    "georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|"
    "massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|ohio|"
    "oklahoma|oregon|pennsylvania|tennessee|texas|utah|vermont|virginia|washington|"
    "wisconsin|wyoming|australia|austria|belgium|brazil|canada|china|denmark|finland|"
    "france|germany|india|ireland|israel|italy|japan|korea|mexico|netherlands|norway|"
    "poland|portugal|russia|singapore|spain|sweden|switzerland|turkey|ukraine|vietnam|"
    "philippines|argentina|chile|colombia|indonesia|malaysia|thailand|zealand|africa"
)
_PLACE_PHRASES = [
    r"new (?:hampshire|jersey|mexico|york)",
    r"north (?:carolina|dakota)",
    r"south (?:carolina|dakota|africa)",
    r"rhode island",
    r"west virginia",
    r"united (?:states|kingdom)",
    r"european (?:union|economic area)",
    r"\beea\b",
    r"\beu\b",
    r"\buk\b",
    r"\busa?\b",
    r"hong kong",
    r"quebec",
]

# Actions and their forms. A sentence's action applies to every term in the sentence.
_ACTIONS: dict[str, str] = {
    "collect": r"collect\w*|gather\w*|obtain\w*|receiv\w*|record\w*|captur\w*|access(?:es|ed|ing)?"
    r"|(?:you|users?) (?:\w+ ){0,3}(?:provid\w+|submit\w*|giv(?:e|es|en))",
    "use": r"us(?:e|es|ed|ing)|process\w*|analy[sz]\w*|combin\w*|infer\w*",
    "share": r"shar(?:e|es|ed|ing)|disclos\w+|transfer\w*|provid(?:e|es|ed|ing) (?:\w+ ){0,3}to|make \w+ available|pass\w* (?:\w+ ){0,3}to",
    "sell": r"sell\w*|sold|sale|rent\w*|trade\w*",
    "retain": r"retain\w*|retention|keep\w*|kept|stor(?:e|es|ed|ing)|hold\w*",
    "delete": r"delet\w+|eras\w+|destroy\w*|anonymi[sz]\w+|de-identif\w+|purg\w+",
    "track": r"track\w*|monitor\w*",
    "protect": r"encrypt\w*|safeguard\w*|secur(?:e|es|ed|ing)\b",
}
_NEGATION = re.compile(
    r"\b(?:not|never|no|nor|neither|without|cannot|can't|don't|doesn't|won't|isn't|aren't)\b"
)
_NEGATION_REACH = 40
# Where a sentence turns: a negation before it does not reach past ("we do not sell it,
# but we share ...").
_TURN = re.compile(r"\bbut\b|\bhowever\b|\binstead\b|\bwhile\b|\bwhereas\b|;")
_CONDITION = re.compile(r"\b(?:unless|except|only if|only when|provided that|subject to)\b")
# An action made to wait on the person's say: "with your consent", "if you agree", "once you
# have opted in". Cutting it turns a choice into a practice done anyway (labelling guide:
# consent and choices), which the words of the sentence alone do not show: "consent" is
# often still written there ("you can withdraw your consent").
_CONSENT_GATE = re.compile(
    r"\b(?:with|without|upon|on the basis of|based on|subject to|after obtaining|requires?)\s+"
    r"(?:(?:your|their|the user's|users'|a user's|(?:verifiable )?parental|such|appropriate)\s+)?"
    r"(?:(?:prior|explicit|express|affirmative|opt-in|separate|specific|informed|freely given)"
    r",?\s+)*(?:consent|permission|authori[sz]ation|agreement)\b"
    r"|\bif you (?:have )?(?:consent|agree|opt(?:ed)?[- ]?in|authori[sz]e|allow|permit)"
    r"|\b(?:where|when|once|after) you (?:have )?(?:consented|given (?:us )?(?:your )?"
    r"(?:consent|permission)|agreed|opted[- ]?in|authori[sz]ed)"
)
# A sentence can name the gate only if it writes one of these (a substring test before the
# pattern: most sentences write none).
_GATE_WORDS = ("consent", "permission", "authori", "agree", "opt")
_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "eighteen": 18, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(_NUM_WORDS) + r")"
_PERIOD = re.compile(_NUM + r"[\s-]*(?:\(\d+\)\s*)?(hours?|days?|weeks?|months?|years?)\b")
_AGE = re.compile(
    r"\b(?:under|over|below|above|younger than|older than|age of|aged?)\s+(?:the age of\s+)?" + _NUM
)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
# Whether a text writes one of the units anywhere (as a substring): one scan, not one a unit.
_ANY_UNIT = re.compile("|".join(_UNIT_DAYS))
# A legal entity: capitalised words ending in a corporate form.
_FORMS = (
    r"Inc|Incorporated|Ltd|Limited|LLC|L\.L\.C|GmbH|AG|S\.A|SA|SAS|"
    r"S\.A\.S|B\.V|BV|N\.V|Pte|Pty|PLC|plc|Corp|Corporation|Co|AB|ASA|AS|Oy|S\.r\.l|SRL|KK"
)
_ENTITY = re.compile(r"\b((?:[A-Z][\w&'’.-]*\s+){1,5}(?:" + _FORMS + r")\b\.?)")
# What every entity holds: its form, right after a space (the last capitalised word's
# \s+) and ending where a word does. Most sentences hold none, and this scan is cheaper
# than trying the runs of capitalised words before it at every character.
_ENTITY_FORM = re.compile(r"\s(?:" + _FORMS + r")\b")
_CHOICE = re.compile(
    r"\byou (?:can|may|could|will be able to|are able to|have the (?:right|option|choice) to)"
    r"(?: also| always| at any time)? (?!be\b|have\b|find\b|see\b|read\b|contact\b|learn\b)(\w+)"
)
_CONTROLLER = re.compile(r"\b(?:data )?controllers?\b|\bresponsible for (?:the )?processing\b")
# A full stop followed by a small letter, a digit or a bracket ends an abbreviation, not a
# sentence ("Art. 6 (1) (a) GDPR", "e.g. credit card"): split there and "GDPR" opens a
# sentence of its own that names nothing.
# A full stop ends a sentence, but not that of a dotted abbreviation ("U.S.", "U.K.",
# "E.U."): "the EU-U.S. Data Privacy Framework" is one sentence.
_SENTENCE = re.compile(r"(?<=[!?;:])\s+|(?<=\.)(?<![A-Z]\.[A-Z]\.)\s+(?![a-z0-9(])|\n+")


_PLACE_RX = re.compile(r"\b(?:" + "|".join([_PLACES, *_PLACE_PHRASES]) + r")\b")


# Every pattern a sentence is read with that can be tried word by word (leading.Table),
# in one table: one pass over a sentence's words finds the matches of all of them. (One
# alternation of a hundred phrases, tried at every character of every sentence, cost 0.4
# ms a clause; searching each pattern over the whole sentence, 60 µs a sentence.)
_TABLE = Table(
    {
        **{("term", n): re.compile(rf"\b(?:{pat})\b") for n, pat in _TERMS.items()},
        **{("act", n): re.compile(rf"\b(?:{pat})\b") for n, pat in _ACTIONS.items()},
        ("place", ""): _PLACE_RX,
        ("condition", ""): _CONDITION,
        ("choice", ""): _CHOICE,
        ("age", ""): _AGE,
        ("controller", ""): _CONTROLLER,
    }
)


# A capitalised word not opening the sentence, and runs of them. The capital is matched
# before the character in front of it is looked at (the lookbehind spans both): a pattern
# that starts with a character set is scanned for it by the engine itself, one that starts
# with a lookbehind is tried in full at every character. Same matches as
# (?<=[\s(“"‘'/,])[A-Z]...: both need that character right before the capital.
_NAME = re.compile(
    r"[A-Z](?<=[\s(“\"‘'/,][A-Z])[\w&'’-]*(?:\s+(?:of|for|and|&|de)?\s*[A-Z][\w&'’-]*)*"
)
_NOT_NAMES = frozenset(["i", "we", "you", "our", "us", "the", "this", "these", "if", "for", "in"])
# A capitalised practice term ("Privacy Shield", "Data Privacy Framework", "Standard
# Contractual Clauses") is the term, already in the inventory as one, not a party's name.
_TERM_NAME = re.compile("|".join(f"(?:{pat})" for pat in _TERMS.values()))


_COMPOUND = re.compile(r"[\w'’]+(?:-[a-z][\w'’]*)+")


# A street of a postal address: after a house number ("9 rue Charlot", "26, rue Vignon",
# "140 New Montgomery"), or ending in a street word ("Briset Street"). An office moving is
# contact details (monitor.classify.contact), not a vendor or product named.
_HOUSE_NUMBER_BEFORE = re.compile(
    r"\b\d{1,5}[a-z]?,?\s+(?:(?:rue|via|calle|avenue|av\.|place|boulevard|bd|chemin|quai|"
    r"piazza|plaza|viale|corso|rua|avenida)(?:\s+(?:de|du|des|la|le|del|della|do|da))?\s+)?$"
)
_STREET_END = re.compile(
    r"\s(?:St|Street|Str|Ave|Avenue|Rd|Road|Blvd|Boulevard|Drive|Lane|Parkway|Square|Plaza|"
    r"Terrace|Quay|Wharf|Strasse|Straße)$"
)


_US = re.compile(r"\bU\.?S\b")
_PLURAL_OR_POSSESSIVE = re.compile(r"['’]s$|s$")
_NON_WORD = re.compile(r"[^\w]+")
_CITATION = re.compile(r"\.?\s*\(?\d")


# The house number and the citation a name is tested for both need a digit.
_DIGIT = re.compile(r"\d")


def _names(sentence: str) -> set[str]:
    out = set()
    sentence = sentence.strip()
    digits = _DIGIT.search(sentence) is not None
    for m in _NAME.finditer(sentence):
        name = _name_of(m.group(0))
        if name is None:
            continue
        # A street of a postal address, after a house number: an office, not a name.
        if digits and (
            _HOUSE_NUMBER_BEFORE.search(sentence[max(0, m.start() - 24) : m.start()])
            # A capitalised word before a number cites a part of a text ("Article 6",
            # "Art. 6 (1) (f)", "Section 7"), and names no one.
            or _CITATION.match(sentence, m.end())
        ):
            continue
        out.add(name)
    return out


# Cached per run of capitalised words: a policy writes the same few thousand names and
# defined terms over and over, and the term test is a search of every practice term.
@lru_cache(maxsize=16384)
def _name_of(written: str) -> str | None:
    """The name a run of capitalised words gives, as far as the run alone tells (what
    stands around it is looked at in _names); None when it is no name."""
    # "NFC-readable", "E-mail", "Opt-in": a compound whose second part is in lower
    # case is a word capitalised, not a name ("TP-Link", "Coca-Cola" are).
    if _COMPOUND.fullmatch(written) or _STREET_END.search(written):
        return None
    low = written.lower()
    name = _PLURAL_OR_POSSESSIVE.sub("", low)
    if name in _NOT_NAMES or _TERM_NAME.fullmatch(low):
        return None
    return name


# Two ways of writing one place.
_SAME_PLACE = {
    "united kingdom": "uk",
    "great britain": "uk",
    "usa": "us",
    "united states": "us",
    "european union": "eu",
    "european economic area": "eea",
}


def place_of(segment: str) -> str | None:
    """The place a segment names, whole ("EEA", "the United Kingdom"), one spelling per
    place; None when it is no place or more than one."""
    low = segment.strip().lower().removeprefix("the ").strip()
    m = _PLACE_RX.fullmatch(low)
    if not m or (low == "us" and not _US.search(segment)):
        return None
    return _SAME_PLACE.get(low, low)


def written_names(text: str) -> frozenset[str]:
    """Every name a text writes, in any sentence (``sentence_elements`` keeps a sentence's
    names only when it states a practice)."""
    return frozenset(n for s in _SENTENCE.split(text) for n in _names(s))


def _number(s: str) -> float:
    return float(_NUM_WORDS[s]) if s in _NUM_WORDS else float(s)


@lru_cache(maxsize=4096)
def sentence_elements(sentence: str) -> frozenset[Element]:
    """The practice elements one sentence states."""
    low = sentence.lower().replace("’", "'")
    # Each pattern's matches, as its finditer over the sentence yields them, sorted by
    # what is kept of them.
    terms: set[str] = set()
    acts: list[tuple[str, int]] = []
    choices: list[str] = []
    ages: list[str] = []
    condition = controls = False
    for (table, name), m in _TABLE.matches(low):
        if table == "term":
            terms.add(name)
        elif table == "act":
            acts.append((name, m.start()))
        elif table == "place":
            # "South Africa" is one place, not also "Africa": matches do not overlap.
            terms.add(f"place:{m.group(0)}")
        elif table == "choice":
            choices.append(m.group(1))
        elif table == "age":
            ages.append(m.group(1))
        elif table == "condition":
            condition = True
        else:
            controls = True
    # "us" is the country only when written "US" ("submitted to us" is the company).
    if "place:us" in terms and not _US.search(sentence):
        terms.discard("place:us")
    out: set[Element] = {("term", t) for t in terms}
    actions: set[str] = set()
    # Each action with the polarities it is written with: the elements are the same for
    # every match of one action with one polarity.
    polar: set[tuple[str, bool]] = set()
    for action, start in acts:
        actions.add(action)
        # The action's polarity: a negation shortly before it ("we do not sell", "we
        # will never share"), not one anywhere in the sentence.
        window = low[max(0, start - _NEGATION_REACH) : start]
        # A negation after the last turn is one in the window: the split is needed
        # only when the window holds a negation at all (most do not).
        negated = bool(_NEGATION.search(window)) and bool(_NEGATION.search(_TURN.split(window)[-1]))
        polar.add((action, negated))
    # "data" stands for personal data in general: a sentence that acts on no named term
    # still states the action ("we never sell your personal information").
    objects = terms or {"data"}
    out.update(("act", action, t, negated) for action, negated in polar for t in objects)
    if actions and condition:
        # "..., unless we decide not to": a promise made conditional.
        out.update(("condition", a) for a in actions)
    if any(w in low for w in _GATE_WORDS) and _CONSENT_GATE.search(low):
        # Which actions wait on consent; a gate in a sentence of its own ("We do this only
        # with your consent.") is tied to its clause's actions by text_elements.
        if actions:
            out.update(("consent", a) for a in actions)
        else:
            out.add(("consent", ""))
    if choices:
        # What people can do: "you can change your server address", "you may opt out".
        denied = bool(_NEGATION.search(low))
        out.update(("choice", c.rstrip("s"), denied) for c in choices)
    # A period names one of the units (the lookup below fails on any other): a sentence
    # naming none skips the scan, which the number words make slow.
    for m in _PERIOD.finditer(low) if _ANY_UNIT.search(low) else ():
        out.add(("days", round(_number(m.group(1)) * _UNIT_DAYS[m.group(2).rstrip("s")], 2)))
    for age in ages:
        out.add(("age", _number(age)))
    if terms or actions:
        # Named things in a sentence about a practice: a product covered, a vendor, a
        # group company ("Le Chat Team", "Khoros", "HSBC Group").
        out.update(("name", n) for n in _names(sentence))
    for m in _ENTITY.finditer(sentence) if _ENTITY_FORM.search(sentence) else ():
        entity = _NON_WORD.sub(" ", m.group(1).lower()).strip()
        out.add(("entity", entity))
        if controls:
            # "The data controller is Hily Corp.": who holds the data, which a company
            # named elsewhere in the policy (as the app's maker, say) does not state.
            out.add(("controller", entity))
    return frozenset(out)


# Cached per clause text: the two versions of a change share most clauses, and along a
# history each version is read twice; 32k clauses hold both sides of a 10,000-clause pair.
@lru_cache(maxsize=32768)
def text_elements(text: str) -> frozenset[Element]:
    """The practice elements of a text of one or more sentences."""
    out: set[Element] = set()
    for s in _SENTENCE.split(text):
        if s.strip():
            out |= sentence_elements(s)
    if ("consent", "") in out:
        # "We use your data for ads. We do this only with your consent.": the gate of a
        # sentence that names no action holds the actions of its clause, so splitting or
        # joining the sentences gains and loses nothing.
        acts = {e[1] for e in out if e[0] == "act"}
        if acts:
            out = (out - {("consent", "")}) | {("consent", a) for a in acts}
    return frozenset(out)


@lru_cache(maxsize=4096)
def _audiences(section: str) -> frozenset[str]:
    """Places and audiences a section path names ("California Residents", "Children")."""
    low = section.lower()
    found = {m.group(0) for m in _PLACE_RX.finditer(low)}
    if re.search(_TERMS["children"], low):
        found.add("children")
    return frozenset(found)


def clause_elements(text: str, section: str | None = None) -> frozenset[Element]:
    """The elements of a clause's text, and each again scoped by the places or audiences
    its section names: "we do not sell ..." under "Nevada Residents" is a promise to Nevada
    residents, and cutting it there loses it even if other states keep theirs."""
    own = text_elements(text)
    scopes = _audiences(section or "")
    if not scopes:
        return own
    return own | frozenset(("scoped", s, e) for s in scopes for e in own)


@lru_cache(maxsize=4)
def names_data(text: str) -> bool:
    """Whether the text names a kind of data ("Your religious beliefs", "IP address")."""
    return any(e[0] == "term" and e[1] in DATA_KINDS for e in text_elements(text))


def inventory(doc: PolicyDocument) -> frozenset[Element]:
    """Every practice element the version states (cached: along a history each version is
    compared twice)."""
    out: set[Element] = set()
    for c in doc.clauses:
        if c.kind != "heading":
            out |= clause_elements(c.text, c.section_path)
    return frozenset(out)


_LOWER_WORD = re.compile(r"(?<![\w-])[a-z][\w'’-]*")


@lru_cache(maxsize=4)
def common_words(doc: PolicyDocument) -> frozenset[str]:
    """Words the version writes in lower case somewhere: a capitalised one of them is a
    defined term or a sentence's first word ("Maintenance", "Processors"), not a name."""
    out: set[str] = set()
    for c in doc.clauses:
        out.update(_lower_words(c.text))
    return frozenset(w.rstrip("s") for w in out) | frozenset(out)


# A word of a web or e-mail address ("google.com", "privacy@hily.com") is written in lower
# case by convention, not as a common word.
_PROSE_WORD = re.compile(r"(?<![\w./@-])[a-z][\w'’-]*\b(?!\.\w|@|/)")


@lru_cache(maxsize=4)
def prose_words(doc: PolicyDocument) -> frozenset[str]:
    """``common_words`` without the words of web and e-mail addresses: "Google" is a name
    even in a policy that links to policies.google.com."""
    out: set[str] = set()
    for c in doc.clauses:
        out.update(_PROSE_WORD.findall(c.text))
    return frozenset(w.rstrip("s") for w in out) | frozenset(out)


# Cached per clause text: the two versions of a change share most of their clauses.
@lru_cache(maxsize=32768)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(_LOWER_WORD.findall(text))


def is_proper_name(name: str, common: frozenset[str]) -> bool:
    """Whether a name names something (a vendor, a product): one of its words is never
    written in lower case in either version."""
    return any(w not in common for w in re.findall(r"[\w'’-]+", name) if len(w) > 2)


def states_practice(element: Element, common: frozenset[str]) -> bool:
    """Whether gaining or losing the element changes what the policy states: every
    element does, but a capitalised word only when it is a proper name (``common``:
    the words the two versions write in lower case)."""
    if element[0] == "scoped":
        element = element[2]
    return element[0] != "name" or is_proper_name(element[1], common)


def is_general(element: Element) -> bool:
    """Whether the element is an action on personal data in general (no kind of data named:
    "the information we collect"), which most sentences of a policy state."""
    if element[0] == "scoped":
        element = element[2]
    return bool(element[0] == "act" and element[2] == "data")
