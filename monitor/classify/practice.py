"""Readable phrases for what a clause says it does with data, taken from its own words.

"We may sell your personal information to data brokers." -> "sale of personal information
to data brokers". Reasons are built from these, so they name the actual data, recipients
and rights rather than a category label.
"""

from __future__ import annotations

import re

from monitor.classify.categories import CATEGORY_LABELS
from monitor.classify.leading import finditer_from
from monitor.classify.verdict import ORDINARY, STRONG, Verdict
from monitor.classify.words import verb_base

# Strongest practice first: when a clause says several things, its reason names this one.
_NOUNS = {
    "sell": "sale of",
    "rent": "renting of",
    "trade": "trading of",
    "share": "sharing of",
    "disclose": "disclosure of",
    "transfer": "transfer of",
    "collect": "collection of",
    "log": "logging of",
    "retain": "retention of",
    "keep": "retention of",
    "store": "storage of",
    "use": "use of",
    "process": "processing of",
    "track": "tracking of",
    "encrypt": "encryption of",
    "delete": "deletion of",
}
_RANK = {v: k for k, v in enumerate(_NOUNS)}
_VERBS = frozenset(_NOUNS)


def _base(word: str) -> str | None:
    """The practice verb a word is a form of ("transferred" -> "transfer"), or None."""
    return verb_base(word, _VERBS)


_PRACTICE = re.compile(
    r"\b(?P<verb>sell|sold|rent|trade|share|disclose|transferr?|collect|retain|keep|kept|store"
    r"|use|process|track|encrypt|delete|log)(?:s|d|ed|ing|ged|ging)?\b(?P<obj>[^.;:!?]*)",
    re.IGNORECASE,
)
# The negation right before a practice verb, looked for only where a verb was found (one
# pattern for both made every word of every text try each negation first).
_NEGATION_BEFORE = re.compile(
    r"\b(?:(?:(?:do|does|will|shall|would|may|must)\s+)?(?:not|never)"
    # "don't", "won’t", "cannot": the same promise, contracted.
    r"|(?:do|does|did|will|would|should|shall|can|could|is|are|was|were|have|has|had)n[’']t"
    r"|won[’']t|shan[’']t|cannot)\s+(?:\w+\s+)?"
    # CCPA wording quotes the verb: we do not “sell” personal information.
    r"[“\"‘']?\Z",
    re.IGNORECASE,
)
_NEGATION_REACH = 40
# "If you use Academia.edu", "when you share a link": what people do, not what is done with
# their data.
_PERSON_SUBJECT = re.compile(
    r"\b(?:you|users?|visitors?|members?|people)\s+(?:(?:can|may|might|could|also|choose to"
    r"|decide to|want to|wish to|need to)\s+)*\Z",
    re.IGNORECASE,
)
# "You have the right to ...", not "we reserve the right to ...".
_RIGHT = re.compile(r"(?<!reserve the )\bright(?:s)? to (?P<what>[^.;:,!?]+)", re.IGNORECASE)
_OPT_OUT = re.compile(r"\b(?P<what>opt(?:[- ])?(?:out|in) (?:of|from|to) [^.;:!?]+)", re.IGNORECASE)
# "of" too: "the processing of your data" is "processing of data", not "processing of of".
# A determiner before "or"/"and" is part of the object: "use of all or part of the services".
_LEADING = re.compile(
    r"^(?:\s*(?:of|your|the|any|all|such|certain|some|this|that|also)\b(?!\s+(?:or|and)\b))+\s*",
    re.I,
)
# "Log in to your account" is signing in, not logging data.
_SIGN_IN = re.compile(r"[\s-]*(?:in|into|on|onto|out|off)\b", re.I)
# "Keep in mind", "keep its use to a minimum", "keep your account secure", "keep you
# informed": no data kept.
_KEEP_IDIOM = re.compile(
    r"\s*(?:in mind|track|a low profile|(?:\S+\s+){0,4}?(?:safe|secure|up[- ]to[- ]date|running"
    r"|functional|informed|updated|free|relevant|accurate|private|to a minimum|in touch))\b",
    re.I,
)
# The verb named no object: it was an adjective or a passive ("processing is necessary",
# "information which we use"), so another match of the text says more.
_NO_OBJECT = re.compile(r"(?:is|are|was|were|be|been|being|which|who|whom|whose)\b", re.I)
# After "collect and use ...": a verb, not an object, follows the pair.
_NEXT_VERB = re.compile(
    r"(?:is|are|was|were|means?|will|may|can|could|would|should|must|depends?|vary|varies)\b", re.I
)
# Two verbs on one object: "collect and use your information".
_VERB_PAIR = re.compile(r"(?P<conj>and|or)\s+[“\"‘']?(?P<verb>\w+)\b[”\"’']?\s*(?P<rest>.*)", re.I)
# "Do Not Track" signals and "Do Not Sell or Share My Personal Information" links are
# names of controls, not promises not to track or sell.
_SIGNAL_NOUN = re.compile(
    r"\s+(?:signals?|settings?|requests?|headers?|preferences?|features?|mechanisms?)\b", re.I
)
_MY = re.compile(r"(?:\s+or\s+share)?\s+my\b", re.I)


def _negation(text: str, m: re.Match[str]) -> re.Match[str] | None:
    return _NEGATION_BEFORE.search(text, max(0, m.start() - _NEGATION_REACH), m.start())


def _names_a_control(text: str, m: re.Match[str], neg: re.Match[str] | None) -> bool:
    if neg is None:
        return False
    quoted = text[neg.start() - 1 : neg.start()] in ("“", '"', "‘", "'")
    obj = m.group("obj")
    return (
        quoted
        or bool(_MY.match(obj))
        or (m.group("verb").lower() == "track" and bool(_SIGNAL_NOUN.match(obj)))
    )


# The object came before the verb ("information we collect as you use our services", "data
# stored in data centers"): the practice is told with what follows, without "of".
_PREPOSITION = re.compile(
    r"(?:in|as|by|on|to|from|with|within|for|through|via|at|about|under|into|across|outside"
    r"|after|before|during|when|where|if|unless|because|until|upon|over|and|or)\b",
    re.I,
)
_MAX_WORDS = 10


def clip(text: str, max_words: int = _MAX_WORDS) -> str:
    """At most ``max_words`` words of text, with an ellipsis when cut."""
    ws = text.split()
    out = " ".join(ws[:max_words]).rstrip(",;:")
    return out + ("…" if len(ws) > max_words else "")


def _object(obj: str) -> str:
    obj = re.sub(r"\s+", " ", obj).strip(" ,").lstrip("”\"’' ")
    obj = re.split(r",\s*(?:which|including|such as|so that|unless|and we)\b|\(", obj)[0]
    return clip(_LEADING.sub("", obj))


# Where a match of _PRACTICE can start, in the lower-cased text (leading.finditer_from):
# a word that begins with one of its verbs ("transfer" covers "transferr").
_VERB_START = re.compile(
    r"\b(?:sell|sold|rent|trade|share|disclose|transfer|collect|retain|keep|kept|store|use"
    r"|process|track|encrypt|delete|log)"
)


def _strongest(text: str) -> tuple[str, str, re.Match[str], bool] | None:
    """(verb, object, match, negated) of the strongest practice the text states."""
    best = None
    for m in finditer_from(_PRACTICE, _VERB_START, text):
        verb = _base(m.group("verb"))
        if verb is None:  # the pattern's verbs are all practice verbs: never, in fact
            continue
        # A match that cannot outrank the best so far is not looked at further: the tests
        # below can only set it aside (a long clause names "use" or "share" many times).
        # A weaker verb is out at once; one as strong, once its start is known.
        if best is not None and _RANK[verb] > best[0][0]:
            continue
        if verb == "log" and _SIGN_IN.match(m.group("obj")):
            continue
        if verb == "keep" and _KEEP_IDIOM.match(m.group("obj")):
            continue
        neg = _negation(text, m)
        start = neg.start() if neg else m.start()
        key = (_RANK[verb], start)
        if best is not None and key >= best[0]:
            continue
        if _names_a_control(text, m, neg):
            continue
        if _PERSON_SUBJECT.search(text, max(0, start - _NEGATION_REACH), start):
            continue
        obj = _object(m.group("obj"))
        # A table cell after the verb ("Deleted | 2,298,607 |") names nothing.
        if not obj or not obj[0].isalnum() or _NO_OBJECT.match(obj):
            continue
        best = (key, verb, obj, m, neg is not None)
    if best is None:
        return None
    _, verb, obj, m, negated = best
    return verb, obj, m, negated


def practice_phrase(text: str) -> tuple[str, bool] | None:
    """(phrase, negated) for the strongest practice the text states, e.g.
    ("sale of personal information to data brokers", False); None if it states none.

    The phrase is the text's words as read, whether or not they make a headline
    (``headline_phrase`` says that); a sale among them weighs the clause."""
    return _phrase_of(_strongest(text))


def _phrase_of(best: tuple[str, str, re.Match[str], bool] | None) -> tuple[str, bool] | None:
    if best is None:
        return None
    verb, obj, _, negated = best
    if negated:
        return f"{verb} {obj}", True
    return _told(verb, obj), False


def _told(verb: str, obj: str) -> str:
    bare = _NOUNS[verb].removesuffix(" of")
    pair = _VERB_PAIR.match(obj)
    if pair and (second_verb := _base(pair.group("verb"))):
        # "collect and use your information": "collection and use of information".
        second = _NOUNS[second_verb]
        rest = _LEADING.sub("", pair.group("rest"))
        # "collection or disclosure, as well as ...", "processing or sharing will depend ...":
        # the pair has no object of its own either.
        if not rest or not rest[0].isalnum() or _PREPOSITION.match(rest) or _NEXT_VERB.match(rest):
            second = second.removesuffix(" of")
        sep = " " if rest[:1].isalnum() else ""
        second = f"{second}{sep}{rest}".rstrip()
        return f"{bare} {pair.group('conj').lower()} {second}"
    if _PREPOSITION.match(obj):
        return f"{bare} {obj}"
    return f"{_NOUNS[verb]} {obj}"


# -- headlines: a practice phrase a person would write (docs/judgment.md, "Reading a reason")
#
# The words after a practice verb make a headline only when they name what is handled.
# Often they do not: the verb is a modifier ("processing activities may be considered
# sales"), a passive with no object ("being used illegally"), a person's own action ("your
# use of our website"), or the sentence runs on into a clause of its own. Such a clause
# is quoted instead.

# A table row: its cells run into one another ("Purpose | Grounds for processing | ...").
_TABLE = "|"
# A sentence glued to the next without a space ("legitimate interestTo register", "How we
# collect dataYour privacy controls"): a whole lowercase word, then a capitalised one.
# Brand names ("WhatsApp", "iPhone", "macOS") start with a capital or are shorter.
_GLUED = re.compile(r"\b[a-z]{3,}(?=[A-Z][a-z])")
# A new clause with its own subject: "use of data or we reserve the right ...", "use of
# browser storage too, but we never store ...", "and, if so, to provide ...".
_NEW_CLAUSE = re.compile(
    r"(?:,\s*(?:(?:and|or|but|so)\s*,?\s*)?|\s+(?:and|or|but|so)\s*,?\s*)(?:we|you|they|if)\b",
    re.I,
)
# What a cut leaves dangling: "… too", "… and", "e" of "e.g.", "Merchants that you".
_TRAILING = re.compile(
    r"(?:,?\s+(?:too|as well|also|and|or|but|e|i|to|of|for|with"
    r"|(?:that|which|who|whom|where|when)(?:\s+(?:you|we|they))?))+\W*$",
    re.I,
)
# Words that start no object: pronouns, question words, a lone "please", "including".
_STRAY = re.compile(
    r"you|us|it|them|me|we|they|he|she|him|her|whether|how|what|who|whom|which|please|"
    r"here|there|too|not|so|then|including|throughout|otherwise|will|may|can|could|would|"
    r"should|shall|must|might|does|do|did|has|have|had|"
    # A verb of the sentence, the practice word its subject: "transfer complies with".
    r"complies|applies|refers|relates|belongs|means|includes|involves|requires|depends|"
    r"helps|allows|enables|occurs|happens"
)
_NOT_ADVERBS = re.compile(
    r"family|supply|apply|reply|early|daily|weekly|monthly|yearly|quarterly|hourly|"
    r"friendly|italy|july|ally|assembly|anomaly"
)
# An adverb before an adjective ("strictly necessary cookies", "publicly available
# information"), not before a preposition ("retained only for", "stored locally on") or a
# verb ("automatically redacts").
_ADJECTIVE = re.compile(
    r"\S+\s+(?!(?:in|on|to|from|with|within|for|through|via|at|under|into|across|outside"
    r"|during|over|after|by|as|about)\b)\w+(?<!s)\b",
    re.I,
)
# "logging used for performance monitoring": a participle, not an object.
_PARTICIPLE = re.compile(
    r"\w+ed\s+(?:for|by|to|in|on|with|as|from|at|under|through|via|within)\b", re.I
)
# Prepositions after which the phrase says where, to whom, when or how long ("storage in
# data centers", "sharing with advertisers"); the others start a clause ("collection
# before the problem started", "use as criteria") or name no data ("collection about you").
_PLACE = re.compile(
    r"in|on|to|from|with|within|for|through|via|at|under|into|across|outside|during|over|"
    r"after"
)
_PERIOD = re.compile(
    r"(?:(?:a|an|the|as|up to|at least|no more than)\s+)?(?:\w+\s+){0,2}?"
    r"(?:period|time|long|years?|months?|weeks?|days?|hours?|\d)",
    re.I,
)
_PURPOSE = re.compile(r"in (?:order to|connection with|relation to)\b", re.I)
_POINTER = re.compile(r"in (?:this|our) (?:policy|notice|section|statement|privacy)\b", re.I)
# The user hands data to the company: "may share information with us".
_TO_US = re.compile(r"(?:\S+\s+){0,2}(?:with|to) us\b", re.I)
# A verb of its own after the object: the object is the subject of another clause
# ("processing of User Personal Information is subject to ...").
_AUX = re.compile(
    r"is|are|was|were|will|may|might|can|could|would|should|shall|must|does|do|did|has|"
    r"have|had"
)
_SUBORDINATE = re.compile(r"when|if|unless|where|while|because|until|although|whether")
_VERB_OF_ITS_OWN = re.compile(r"includes|relies|applies|means|requires|involves|refers")
# Words that may stand right before such a verb in a relative clause ("data that we have",
# "information your browser may send").
_SUBJECTS = re.compile(
    r"that|which|who|whom|whose|we|you|they|it|there|he|she|i|your|their|his|her|our|its|"
    r"where|when|if|what|how|whether"
)
# The practice verb as a modifier of the noun after it ("data transfer mechanisms",
# "processing activities", "sharing settings"): no determiner between them.
_MODIFIED = re.compile(
    r"\s*(?:activit(?:y|ies)|mechanisms?|operations?|purposes?|agreements?|addend(?:um|a)"
    r"|settings?|periods?|limitations?|obligations?|requirements?|restrictions?|practices?"
    r"|polic(?:y|ies)|terms|cases?|preferences?|controls?|options?|permissions?|bas(?:is|es)"
    r"|grounds)\b",
    re.I,
)
# A person's own action, not the company's: "your use of our website", "you're using",
# "where you've chosen to use a voice feature", "when you buy or sell an application",
# "residents may use an authorized agent" (no "we" or "us" between: "you ask us to
# delete" is the company's deletion).
_OWN_ACTION = re.compile(
    r"(?:\b(?:your|their|his|her)"
    r"|\byou(?:['’]re|\s+are|\s+were)"
    r"|\b(?:you|users?|children|kids|minors|teens|residents|consumers|customers|individuals"
    r"|members|people|buyers|visitors)\b(?:(?!\b(?:we|us|our)\b)[^.;:!?])*?"
    r"\b(?:can|may|must|to|or|and)(?:\s+\w+)?)\s+\Z",
    re.I,
)
_LOOKBACK = 60
# The practices as nouns: "use and disclosure of ..." pairs a verb's noun with one of them.
_PRACTICE_NOUNS = frozenset(v.split()[0] for v in _NOUNS.values())
# A practice word capitalised after a word or a menu arrow is part of a name: "the App
# Store, Apple News", "New Ways To Use WhatsApp", "Settings > Privacy > Tracking".
_NAME_BEFORE = re.compile(r"[\w,&>’']\s*\Z")
# "keep our Services and all of the Facebook Company Products free of harmful content":
# kept free of something, no data kept (the idiom past the reach of _KEEP_IDIOM).
_KEEP_FREE = re.compile(r"\b(?:(?:free|safe|secure|clean)\s+(?:of|from)|up[- ]to[- ]date)\b", re.I)
# "how their personal information is collected, use, and shared", "it collects,
# processes, sells or shares": a list of verbs, no object.
_VERB_LIST = re.compile(r"[\s,]*(?P<verb>\w+)\s*,", re.I)


def _first_word(text: str) -> str:
    return text.split(maxsplit=1)[0].strip("“”\"‘’',").lower() if text.split() else ""


def _reads_as_object(obj: str) -> bool:
    """Whether ``obj`` (shown as is) is a noun phrase naming what is handled."""
    first = _first_word(obj)
    if not first or not first[0].isalnum() or _STRAY.fullmatch(first):
        return False
    if _PREPOSITION.match(obj):  # "by our payment providers": told without "of", or not
        return False
    if first == "only":  # "collection of only limited information"
        return _reads_as_object(obj.split(maxsplit=1)[1] if " " in obj else "")
    if first.endswith("ly") and not _NOT_ADVERBS.fullmatch(first) and not _ADJECTIVE.match(obj):
        return False
    if _PARTICIPLE.match(obj) or _TO_US.match(obj):
        return False
    # A closing quote before any opening one: the verb sat in a quoted title
    # ("the “Use of AI” section above").
    quotes = re.search(r"[“”]|(?<=\w)\"|\"(?=\w)", obj)
    if quotes and (quotes.group() == "”" or obj[quotes.start() - 1 : quotes.start()].isalnum()):
        return False
    return _own_verb(obj) is None


def _own_verb(obj: str) -> int | None:
    """The index of the first word of ``obj`` that is a verb of its own (not in a relative
    clause: "data that we have"), among the words shown; None if there is none."""
    ws = [w.strip(",“”\"‘’'").lower() for w in obj.split()[: _MAX_WORDS + 1]]
    for k, w in enumerate(ws):
        # A clause of its own began before ("except when the law requires"): its verbs
        # are not the object's.
        if _SUBORDINATE.fullmatch(w):
            return None
        if (_AUX.fullmatch(w) or _VERB_OF_ITS_OWN.fullmatch(w)) and not any(
            _SUBJECTS.fullmatch(s) for s in ws[max(0, k - 2) : k]
        ):
            return k
    return None


def _reads_after_preposition(obj: str) -> bool:
    """Whether ``obj``, a phrase told without "of" ("in data centers in EU countries"),
    says where, to whom, when or how long."""
    first, _, rest = obj.partition(" ")
    # "for a shorter period of time" says how long; "for that particular feature",
    # "in order to verify", "in connection with Community Features" say why or about what.
    if first.lower() == "for" and not _PERIOD.match(rest):
        return False
    if _PURPOSE.match(obj):
        return False
    if not _PLACE.fullmatch(first.lower()) or _POINTER.match(obj):
        return False
    return _reads_as_object(rest)


def _article(obj: str) -> str:
    """ "following ..." with the article _LEADING took: "sale of the following categories"."""
    return f"the {obj}" if obj.lower().startswith("following ") else obj


def _headline(text: str, verb: str, m: re.Match[str]) -> str | None:
    """The practice phrase of a stated (not promised-away) practice when it reads as a
    headline (docs/judgment.md), else None: the clause is then quoted."""
    raw = m.group("obj")
    if _TABLE in raw or _OWN_ACTION.search(text, max(0, m.start() - _LOOKBACK), m.start()):
        return None
    if _MODIFIED.match(raw) or (verb == "keep" and _KEEP_FREE.search(raw)):
        return None
    if m.group("verb")[0].isupper() and _NAME_BEFORE.search(
        text, max(0, m.start() - _LOOKBACK), m.start()
    ):
        return None
    listed = _VERB_LIST.match(raw)
    if listed and _base(listed.group("verb")):
        return None
    glued = _GLUED.search(raw)
    raw = raw[: glued.end()] if glued else raw
    cut = _NEW_CLAUSE.search(raw)
    raw = raw[: cut.start()] if cut else raw
    raw = _TRAILING.sub("", raw)
    obj = _object(raw)
    # The practice's words stop at a full stop: "with GM U.S. LLC" ends "with GM U".
    if re.search(r"\b[A-Z]$", obj):
        return None
    obj = _article(obj)
    bare = _NOUNS[verb].removesuffix(" of")
    pair = _VERB_PAIR.match(obj)
    if pair:
        second_verb = _base(pair.group("verb"))
        conj = pair.group("conj").lower()
        if second_verb is None:
            # "use and disclosure of sensitive information", "processing and matching
            # payment transactions" read; "tracking and disable Allow Apps to Request to
            # Track", "sale and the categories of ..." do not.
            second_word = pair.group("verb")
            if second_word.lower() in _PRACTICE_NOUNS:
                rest = _article(_LEADING.sub("", pair.group("rest")))
                return f"{bare} {conj} {second_word} of {rest}" if _reads_as_object(rest) else None
            ok = second_word.lower().endswith("ing") and _reads_as_object(pair["rest"])
            return f"{bare} {conj} {second_word} {pair['rest']}".rstrip() if ok else None
        rest = _article(_LEADING.sub("", pair.group("rest")))
        second = _NOUNS[second_verb]
        if _reads_as_object(rest):
            return f"{bare} {conj} {second} {rest}"
        if _reads_after_preposition(rest):
            return f"{bare} {conj} {second.removesuffix(' of')} {rest}"
        return None
    if _PREPOSITION.match(obj):
        # The object came before the verb ("Information we sell to data brokers includes
        # your email"): the sentence's own verb ends the phrase.
        k = _own_verb(obj)
        if k:
            obj = " ".join(obj.split()[:k]).rstrip(",")
        return f"{bare} {obj}" if _reads_after_preposition(obj) else None
    return f"{_NOUNS[verb]} {obj}" if _reads_as_object(obj) else None


# A sentence's end: a full stop after two lowercase letters or digits (not "U.S." or
# "e.g."), then a capital; or a line break.
_SENTENCE_END = re.compile(r"(?<=[a-z\d)”\"][a-z\d)”\"][.!?])\s+(?=[A-Z“\"‘])|\n")
_SENTENCE_REACH = 600


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding position ``at`` starts (looked for in the few hundred
    characters before it: a clause can be a whole page)."""
    start = max(0, at - _SENTENCE_REACH)
    ends = [e.end() for e in _SENTENCE_END.finditer(text, start, at)]
    return ends[-1] if ends else start


# The quote shows the practice: from its sentence's start, or a few words before it.
_QUOTE_LEAD = 4


def _quote_start(text: str, at: int) -> int:
    start = _sentence_start(text, at)
    before = [w.start() for w in re.finditer(r"\S+", text[start:at])]
    return start + before[-_QUOTE_LEAD] if len(before) > 2 * _QUOTE_LEAD else start


def right_phrase(text: str) -> str | None:
    m = _RIGHT.search(text)
    if m:
        return f"the right to {clip(m.group('what').strip())}"
    m = _OPT_OUT.search(text)
    if m:
        return f"the option to {clip(m.group('what').strip())}"
    return None


def describe_clause(text: str, categories: list[str], added: bool) -> Verdict:
    """The verdict on a whole clause that appeared (``added``) or disappeared, taken as
    material (the caller decides whether it is)."""
    verb = "adds" if added else "removes"
    right = right_phrase(text) if {"user-choice", "user-access"} & set(categories) else None
    best = _strongest(text)
    practice = _phrase_of(best)
    if practice and practice[1]:
        return Verdict(True, f"{verb} a commitment not to {practice[0]}", "promise", STRONG)
    if right and (not practice or not {"third-party-sharing"} & set(categories)):
        # A right or an option withdrawn weighs more than one granted.
        return Verdict(True, f"{verb} {right}", "right", ORDINARY if added else STRONG)
    label = CATEGORY_LABELS[categories[0]] if categories else CATEGORY_LABELS["other"]
    quoted = f"{verb} a clause on {label}: “{clip(text.strip(), 12)}”"
    if practice and best:
        # Selling personal data weighs most of all practices.
        strength = STRONG if "sale" in practice[0].split() else ORDINARY
        headline = _headline(text, best[0], best[2])
        if headline is None:
            # The practice weighs the clause all the same; only its words make no
            # headline, so the sentence that states it is quoted (the rule stays: it
            # decided).
            at = _quote_start(text, best[2].start())
            lead = "…" if text[:at].strip() else ""
            sentence = f"{lead}{clip(text[at:].strip(), 12)}"
            return Verdict(True, f"{verb} a clause on {label}: “{sentence}”", "practice", strength)
        return Verdict(True, f"{verb} {headline}", "practice", strength, headline)
    return Verdict(True, quoted, "clause", ORDINARY)
