"""Readable phrases for what a clause says it does with data, taken from its own words.

"We may sell your personal information to data brokers." -> "sale of personal information
to data brokers". Reasons are built from these, so they name the actual data, recipients
and rights rather than a category label.
"""

from __future__ import annotations

import re

CATEGORY_LABELS = {
    "first-party-collection": "collection and use of data",
    "third-party-sharing": "sharing with third parties",
    "user-choice": "choices people have",
    "user-access": "access, correction and deletion rights",
    "data-retention": "how long data is kept",
    "data-security": "security",
    "policy-change": "how policy changes are announced",
    "do-not-track": "Do Not Track signals",
    "specific-audiences": "children, regional audiences and international transfers",
    "other": "general matters",
}

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
_PRACTICE = re.compile(
    r"\b(?P<neg>(?:(?:do|does|will|shall|would|may|must)\s+)?(?:not|never)\s+(?:\w+\s+)?)?"
    # CCPA wording quotes the verb: we do not “sell” personal information.
    r"[“\"‘']?(?P<verb>sell|rent|trade|share|disclose|transfer|collect|retain|keep|store|use|process|"
    r"track|encrypt|delete|log)(?:s|d|ed|ing|ged|ging)?\b(?P<obj>[^.;:!?]*)",
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
# The object came before the verb ("information we collect as you use our services", "data
# stored in data centers"): the practice is told with what follows, without "of".
_VERB_PAIR = re.compile(r"(?P<conj>and|or)\s+[“\"‘']?(?P<verb>\w+)\b[”\"’']?\s*(?P<rest>.*)", re.I)
# "Do Not Track" signals and "Do Not Sell or Share My Personal Information" links are
# names of controls, not promises not to track or sell.
_SIGNAL_NOUN = re.compile(
    r"\s+(?:signals?|settings?|requests?|headers?|preferences?|features?|mechanisms?)\b", re.I
)
_MY = re.compile(r"(?:\s+or\s+share)?\s+my\b", re.I)


def _names_a_control(text: str, m: re.Match[str]) -> bool:
    if not m.group("neg"):
        return False
    quoted = text[m.start() - 1 : m.start()] in ("“", '"', "‘", "'")
    obj = m.group("obj")
    return (
        quoted
        or bool(_MY.match(obj))
        or (m.group("verb").lower() == "track" and bool(_SIGNAL_NOUN.match(obj)))
    )


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
        verb = m.group("verb").lower()
        if verb == "log" and _SIGN_IN.match(m.group("obj")):
            continue
        if verb == "keep" and _KEEP_IDIOM.match(m.group("obj")):
            continue
        if _names_a_control(text, m):
            continue
        obj = _object(m.group("obj"))
        # A table cell after the verb ("Deleted | 2,298,607 |") names nothing.
        if not obj or not obj[0].isalnum() or _NO_OBJECT.match(obj):
            continue
        key = (_RANK[verb], m.start())
        if best is None or key < best[0]:
            best = (key, verb, obj, bool(m.group("neg")))
    if best is None:
        return None
    _, verb, obj, negated = best
    if negated:
        return f"{verb} {obj}", True
    bare = _NOUNS[verb].removesuffix(" of")
    pair = _VERB_PAIR.match(obj)
    if pair and pair.group("verb").lower() in _NOUNS:
        # "collect and use your information": "collection and use of information".
        second = _NOUNS[pair.group("verb").lower()]
        rest = _LEADING.sub("", pair.group("rest"))
        second = f"{second} {rest}" if rest else second.removesuffix(" of")
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


def describe_clause(text: str, categories: list[str], added: bool) -> str:
    """The reason for a whole clause that appeared (``added``) or disappeared."""
    verb = "adds" if added else "removes"
    right = right_phrase(text) if {"user-choice", "user-access"} & set(categories) else None
    practice = practice_phrase(text)
    if practice and practice[1]:
        return f"{verb} a commitment not to {practice[0]}"
    if right and (not practice or not {"third-party-sharing"} & set(categories)):
        return f"{verb} {right}"
    if practice:
        return f"{verb} {practice[0]}"
    label = CATEGORY_LABELS[categories[0]] if categories else CATEGORY_LABELS["other"]
    return f"{verb} a clause on {label}: “{clip(text.strip(), 12)}”"
