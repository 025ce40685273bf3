"""Contact details: e-mail addresses, phone numbers and postal addresses. Where to write
to a company is not what it does with data, so an edit of them alone is not material
(docs/labelling.md: contact details and addresses)."""

from __future__ import annotations

import re
from functools import lru_cache

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[\s*email\s*(?:&#160;|\s)*protected\s*\]", re.I)
_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.I)
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
_DIGIT = re.compile(r"\d")
# A phone number has at least this many digits ("10.15.7" is a version, not a number).
_PHONE_DIGITS = 7
_STREET_WORDS = (
    r"St|Street|Str|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Way|Lane|Ln|Parkway|Pkwy|"
    r"Place|Pl|Square|Sq|Court|Ct|Plaza|Suite|Ste|Floor|Fl|Terrace|Highway|Hwy|Building|"
    r"Strasse|Straße|Rue|Via|Calle|Gate|Quay|Row|Wharf|Box"
)
# "140 New Montgomery St.", "Suite 175", "P.O. Box 1234", "Parkway, Suite 102-405"
_STREET = re.compile(
    rf"\b\d+[A-Za-z]?(?:\s+[A-Z][\w.'’-]*){{0,4}}\s+(?:{_STREET_WORDS})\b|\b(?:{_STREET_WORDS})\.?\s+\d",
)
# The continental form, street then number then postcode and town: "Am Urnenfeld 35,
# 35396 Gießen", "Dircksenstraße 47, 10178 Berlin", "Keizersgracht 123, 1015 CJ Amsterdam".
_EU_STREET = re.compile(
    r"\b[A-ZÀ-Ý][\w.'’-]*(?:\s+[\w.'’-]+){0,3}\s+\d{1,4}[a-z]?,?\s+"
    r"(?:[A-Z]{1,2}-)?\d{4,5}(?:\s+[A-Z]{2})?\s+[A-ZÀ-Ý][\w'’-]+"
)
# Words an address or a contact line is made of besides names and numbers.
_CONTACT_WORDS = frozenset(
    [
        "street",
        "st",
        "suite",
        "ste",
        "floor",
        "fl",
        "blvd",
        "boulevard",
        "avenue",
        "ave",
        "road",
        "rd",
        "drive",
        "dr",
        "parkway",
        "pkwy",
        "way",
        "lane",
        "ln",
        "box",
        "po",
        "p",
        "o",
        "building",
        "unit",
        "plaza",
        "square",
        "place",
        "court",
        "ct",
        "zip",
        "postal",
        "code",
        "attn",
        "attention",
        "c",
        "email",
        "e",
        "mail",
        "phone",
        "telephone",
        "tel",
        "fax",
        "opens",
        "client",
        "protected",
        "address",
        "mailing",
        "at",
        "or",
        "and",
        "by",
        "to",
        "the",
        "via",
        "us",
        "our",
        "contact",
        "write",
        "n",
        "s",
        "w",
        "north",
        "south",
        "east",
        "west",
    ]
)
# A token starting with a digit is a number ("9th", "94105", "102-405").
_TOKEN = re.compile(r"\d[\w-]*|[^\W\d_][\w'’-]*")


def _phones(text: str) -> list[str]:
    return [m for m in _PHONE_LIKE.findall(text) if sum(ch.isdigit() for ch in m) >= _PHONE_DIGITS]


# Cached per text: a clause is asked on each side of a comparison and again by the rules
# that read its edits, and the e-mail pattern retries at every character of a long text.
@lru_cache(maxsize=8192)
def has_contact(text: str) -> bool:
    """Whether the text holds an e-mail address, a phone number or a street address."""
    # A phone number and both kinds of street address hold a digit; an e-mail address an
    # "@" or the stand-in's "protected" (in any case: no other character folds to one of
    # its letters). Most clauses hold none of these and skip the patterns.
    if "@" not in text and not _DIGIT.search(text) and "protected" not in text.lower():
        return False
    return bool(
        _EMAIL.search(text) or _phones(text) or _STREET.search(text) or _EU_STREET.search(text)
    )


def only_contact(text: str) -> bool:
    """Whether the text is contact details and nothing else: once e-mail addresses, links
    and phone numbers are set aside, only names, numbers and address words are left."""
    rest = _EMAIL.sub(" ", _URL.sub(" ", text))
    for phone in _phones(rest):
        rest = rest.replace(phone, " ")
    return all(
        w[0].isdigit() or w[0].isupper() or w.lower() in _CONTACT_WORDS
        for w in _TOKEN.findall(rest)
    )


def _minor(text: str) -> bool:
    """Numbers, initials and address words only: "9th" -> "10th", ", U.S.A."."""
    return all(
        w[0].isdigit() or len(w) == 1 or w.lower() in _CONTACT_WORDS for w in _TOKEN.findall(text)
    )


# An address swapped for another is read whole only up to this many words a side.
_SPAN_MAX_WORDS = 30


def contact_span(old: str, new: str) -> bool:
    """The words between the common head and tail of the two texts are contact details on
    both sides, one of them an address, e-mail or phone number: an address swapped for
    another, read whole. The word diff may cut a new address into several hunks around a
    word both happen to share ("4052 S 124th Street, Greenfield, WI" -> "255 Executive
    Drive, Suite 400, Plainview, New York"), and the town names between them, read alone,
    are names rather than contact details. Whole, any word that is not a name, a number or
    an address word (a party swapped beside the address: "with Google" -> "with
    Facebook. Write to") makes it more than contact details."""
    a, b = old.split(), new.split()
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    gone, came = a[head : len(a) - tail], b[head : len(b) - tail]
    if not (gone or came) or max(len(gone), len(came)) > _SPAN_MAX_WORDS:
        return False
    x, y = " ".join(gone), " ".join(came)
    return (
        (has_contact(x) or has_contact(y))
        and all(map(_starts_an_address, (x, y)))
        and only_contact(x)
        and only_contact(y)
    )


# A sentence ending inside the span: "Google. Write to us at ..." is two statements.
_SENTENCE_INSIDE = re.compile(r"[.!?;]\s+[A-Z]")


def _starts_an_address(text: str) -> bool:
    """Empty, or one run of contact details that starts with a number or an address word
    ("255 Executive Drive", "Suite 400"): a name first ("Google at 4052 S 124th Street")
    may be a party swapped, which the caller leaves to the other rules."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return True
    first = tokens[0]
    return (first[0].isdigit() or first.lower() in _CONTACT_WORDS) and not _SENTENCE_INSIDE.search(
        text
    )


def contact_edit(hunks: list[tuple[str, str]]) -> bool:
    """Every edit that changes words swaps contact details for other contact details (or
    adds or removes them), the floor number or country beside them included: a new postal
    address, a DPO's e-mail, an obfuscated address."""
    real = [(a, b) for a, b in hunks if _TOKEN.findall(a) or _TOKEN.findall(b)]
    signal = [(a, b) for a, b in real if has_contact(a) or has_contact(b)]
    return bool(signal) and all(
        (only_contact(a) and only_contact(b)) if (a, b) in signal else (_minor(a) and _minor(b))
        for a, b in real
    )
