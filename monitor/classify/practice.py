"""Readable phrases for what a clause says it does with data, taken from its own words.

"We may sell your personal information to data brokers." -> "sale of personal information
to data brokers". Reasons are built from these, so they name the actual data, recipients
and rights rather than a category label.
"""

from __future__ import annotations

import re

from monitor.classify.categories import CATEGORY_LABELS
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


def practice_phrase(text: str) -> tuple[str, bool] | None:
    """(phrase, negated) for the strongest practice the text states, e.g.
    ("sale of personal information to data brokers", False); None if it states none."""
    best = None
    for m in _PRACTICE.finditer(text):
        verb = _base(m.group("verb"))
        if verb is None:  # the pattern's verbs are all practice verbs: never, in fact
            continue
        if verb == "log" and _SIGN_IN.match(m.group("obj")):
            continue
        if verb == "keep" and _KEEP_IDIOM.match(m.group("obj")):
            continue
        neg = _negation(text, m)
        if _names_a_control(text, m, neg):
            continue
        start = neg.start() if neg else m.start()
        if _PERSON_SUBJECT.search(text, max(0, start - _NEGATION_REACH), start):
            continue
        obj = _object(m.group("obj"))
        # A table cell after the verb ("Deleted | 2,298,607 |") names nothing.
        if not obj or not obj[0].isalnum() or _NO_OBJECT.match(obj):
            continue
        key = (_RANK[verb], start)
        if best is None or key < best[0]:
            best = (key, verb, obj, neg is not None)
    if best is None:
        return None
    _, verb, obj, negated = best
    if negated:
        return f"{verb} {obj}", True
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
        return f"{bare} {pair.group('conj').lower()} {second}", False
    if _PREPOSITION.match(obj):
        return f"{bare} {obj}", False
    return f"{_NOUNS[verb]} {obj}", False


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
    practice = practice_phrase(text)
    if practice and practice[1]:
        return Verdict(True, f"{verb} a commitment not to {practice[0]}", "promise", STRONG)
    if right and (not practice or not {"third-party-sharing"} & set(categories)):
        # A right or an option withdrawn weighs more than one granted.
        return Verdict(True, f"{verb} {right}", "right", ORDINARY if added else STRONG)
    if practice:
        # Selling personal data weighs most of all practices.
        strength = STRONG if "sale" in practice[0].split() else ORDINARY
        return Verdict(True, f"{verb} {practice[0]}", "practice", strength, practice[0])
    label = CATEGORY_LABELS[categories[0]] if categories else CATEGORY_LABELS["other"]
    return Verdict(
        True, f"{verb} a clause on {label}: “{clip(text.strip(), 12)}”", "clause", ORDINARY
    )
