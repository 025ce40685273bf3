"""Who holds the data: the company a policy names as "we" or as the controller.

Labelling guide B5: when the legal entity that holds the data changes (another company of
the group, an acquirer) the change is material; when only the entity's name changes (the
same company renamed, "Inc." -> "LLC", a brand renamed across the policy, B4) it is not.
Read from text alone the two look alike; what tells them apart is the brand. A company
renamed drops its old name ("AcuityAds Inc." -> "illumin Holdings Inc."); a change of
holder keeps the brand and names another entity under it ("TP-Link Corporation Pte. Ltd."
-> "TP-Link Systems Inc.", "Paramount and its affiliates" -> "Paramount Skydance
Corporation and its affiliates").
"""

from __future__ import annotations

import re
from functools import lru_cache

from monitor.classify.leading import lowered
from monitor.classify.verdict import STRONG, Verdict
from monitor.model import PolicyDocument

# The entity a clause names as "we": the capitalised run right before the definition of
# "we" ("X (“X”, “we”, “us”)", "X and its affiliates (... “we” ...)"), or before a
# corporate form.
_NAME = r"((?:[A-Z][\w&'’.-]*\s+){0,5}[A-Z][\w&'’.-]*)"
_DEFINES_WE = re.compile(
    _NAME + r"\s*,?\s*(?:\(|and (?:its|their) (?:affiliates|subsidiaries|group companies))"
)
_WE = re.compile(r"[“\"‘']\s*(?:we|us|our)\s*[,”\"’']", re.IGNORECASE)
_CONTROLLER = re.compile(
    r"\b(?:data )?controller\b|\bresponsible for (?:the )?(?:processing|your (?:personal )?(?:data|information))",
    re.IGNORECASE,
)
_CORPORATE = re.compile(
    _NAME + r"\s+(?:Inc|Incorporated|Ltd|Limited|LLC|GmbH|AG|S\.A|SAS|B\.V|N\.V|Pte|Pty|PLC|plc"
    r"|Corp|Corporation|Co|AB|Oy)\b"
)
# Corporate forms and the words around a name that say nothing of who it is.
_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "l.l.c",
        "gmbh",
        "ag",
        "s.a",
        "sa",
        "sas",
        "b.v",
        "bv",
        "n.v",
        "pte",
        "pty",
        "plc",
        "corp",
        "corporation",
        "co",
        "ab",
        "oy",
        "company",
        "the",
        "and",
        "of",
        "group",
    ]
)


# Corporate forms that only one country or region's law provides: a company that takes
# one of them where it had another (or a generic "Limited", "Inc.") was incorporated again
# elsewhere, a different legal entity holding the data ("TP-Link Corporation Limited",
# Hong Kong -> "TP-LINK CORPORATION PTE. LTD.", Singapore). Generic English forms
# ("Inc." -> "LLC", "Ltd" -> "Limited") say nothing of where, and a conversion within
# one law ("GmbH" -> "AG") keeps the place.
_FORM_PLACE = {
    "pte": "singapore",
    "pty": "australia or south africa",
    "gmbh": "german-speaking",
    "ag": "german-speaking",
    "kg": "german-speaking",
    "b.v": "dutch or belgian",
    "bv": "dutch or belgian",
    "n.v": "dutch or belgian",
    "sas": "french",
    "s.a.s": "french",
    "sarl": "french",
    "s.r.l": "italian or romanian",
    "srl": "italian or romanian",
    "spa": "italian",
    "oy": "finnish",
    "ab": "swedish",
    "asa": "norwegian",
    "kk": "japanese",
}


def _form_places(name: str) -> frozenset[str]:
    forms = (w.strip(".") for w in re.findall(r"[\w.]+", name.lower()))
    return frozenset(_FORM_PLACE[w] for w in forms if w in _FORM_PLACE)


def _name_words(name: str) -> frozenset[str]:
    return frozenset(
        w for w in re.findall(r"[\w&'’-]+", name.lower()) if w.strip(".") not in _FORMS
    )


# _WE needs a quote mark; every match of _CONTROLLER holds "controller" or "responsible
# for" in any case, and lower-cased text holds it as such (leading.lowered says when).
_QUOTES = frozenset("“\"‘'")


def _may_name_holder(text: str) -> bool:
    """False only when neither _WE nor _CONTROLLER can match: both are IGNORECASE
    patterns tried at every character, and most clauses name no holder."""
    if not _QUOTES.isdisjoint(text):
        return True
    low = lowered(text)
    return low is None or "controller" in low or "responsible for" in low


def _holders(text: str) -> list[str]:
    """Names the clause gives to whoever holds the data, in order."""
    if not (_may_name_holder(text) and (_WE.search(text) or _CONTROLLER.search(text))):
        return []
    found = [m.group(1) for m in _DEFINES_WE.finditer(text)]
    found += [m.group(0) for m in _CORPORATE.finditer(text)]
    # The first word of a sentence is capitalised whatever it is: "You may interact
    # with Paramount" names Paramount, not "You".
    return [n for n in (_strip_opening(n) for n in found) if n]


_OPENING = re.compile(r"^(?:You|We|Our|The|This|These|If|For|In|Please)\s+")


@lru_cache(maxsize=4)
def own_name_words(doc: PolicyDocument) -> frozenset[str]:
    """The words of the names a version gives the company that holds the data
    ("Blizzard Entertainment, Inc. (“Blizzard”, “we”)" -> blizzard, entertainment)."""
    out: set[str] = set()
    for c in doc.clauses:
        names = _holders(c.text)
        if names:
            # "Blizzard Entertainment, Inc. (“Blizzard”, “we”)": the name before the
            # comma and the short names quoted beside "we".
            names += [m.group(1) for m in _COMMA_CORPORATE.finditer(c.text)]
            names += [m.group(1) for m in _QUOTED_NAME.finditer(c.text)]
        for name in names:
            out |= _name_words(name)
    return frozenset(out)


_COMMA_CORPORATE = re.compile(
    _NAME + r",\s+(?:Inc|Ltd|LLC|Limited|Corp|GmbH|AG|S\.A|B\.V|plc|PLC)\b"
)
_QUOTED_NAME = re.compile(r"[“\"]([A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3})[”\"]")


def _strip_opening(name: str) -> str:
    return _OPENING.sub("", name.strip())


def holder_change(old: str, new: str) -> Verdict | None:
    """A material verdict when the clause names another entity as holding the data while
    keeping the brand: the new name keeps every word of the old one and adds one the old
    clause never had ("Grindr LLC" -> "Grindr Canada Inc."), or the other way round, the
    new name lost the word that set the company apart ("TP-Link Systems Inc." -> "TP-LINK
    CORPORATION PTE. LTD."): another company as much as a name that gains one. Or the same
    name as a company of another country."""
    before = _holders(old)
    if not before:
        return None
    after = _holders(new)
    if not after:
        return None
    if found := _another_holder(before, after, old):
        was, name, abroad = found
    elif found := _another_holder(after, before, new):
        name, was, abroad = found
    else:
        return None
    reason = f"changes who holds the data: “{was}” → “{name}”"
    if abroad:
        reason += ", a company of another country"
    return Verdict(True, reason, "controller", STRONG, name)


def _another_holder(before: list[str], after: list[str], old: str) -> tuple[str, str, bool] | None:
    """(name in ``before``, name in ``after``, whether only the country changed) for a name
    of ``after`` that keeps every word of one of ``before`` and adds one ``old`` never had,
    or that has the same words as a company of another country."""
    old_words = frozenset().union(*map(_name_words, before))
    old_text = old.lower()
    for name in after:
        words = _name_words(name)
        gained = {w for w in words if w not in old_text}
        if name in before or not words & old_words:
            continue
        moved = [
            b for b in before if _name_words(b) == words and _form_places(b) != _form_places(name)
        ]
        if moved and not any(_form_places(b) == _form_places(name) for b in before):
            return moved[0], name, True
        if not gained:
            continue
        was = next(b for b in before if _name_words(b) & words)
        # A word of the name swapped for another ("Financial ID-Teknik" -> "Finansiell
        # ID-Teknik") is the same company's name respelt, not another company.
        if not _name_words(was) - words:
            return was, name, False
    return None
