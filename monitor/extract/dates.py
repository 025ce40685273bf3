"""Stated dates: "Last updated: April 1, 2020" is metadata about a version, not a clause.

A policy's own date line changes with every edit, so keeping it as a clause would make
every version differ; it becomes the document's ``effective_date`` instead.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Month names (lowercase, accents stripped) in en/de/fr/es/it/nl/pt -> month number.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan januar janvier enero janeiro gennaio januari janv ene gen jänner jaenner",
        "february feb februar fevrier febrero fevereiro febbraio februari fevr fev",
        "march mar marz mars marzo marco maart",
        "april apr avril abril aprile abr",
        "may mai mayo maio maggio mei mag",
        "june jun juni juin junio junho giugno",
        "july jul juli juillet julio julho luglio juil lug",
        "august aug agosto aout augustus ago",
        "september sep sept septembre septiembre setembro settembre set",
        "october oct oktober octobre octubre outubro ottobre okt out ott",
        "november nov novembre noviembre novembro",
        "december dec dezember decembre diciembre dezembro dicembre dez dic",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = r"(?P<month>[a-z]{3,10})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|º|°|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = [
    re.compile(rf"\b{_YEAR}-(?P<mnum>\d{{1,2}})-(?P<day>\d{{1,2}})\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),  # April 1, 2020
    re.compile(rf"\b{_DAY}\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+)?{_YEAR}\b"),  # 1 April 2020
    re.compile(rf"\b(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR}\b"),  # 01/04/2020
    re.compile(rf"\b{_MONTH},?\s+(?:de\s+)?{_YEAR}\b"),  # April 2020
]

# Labels that introduce a policy's own date, in the languages we detect.
_LABEL = re.compile(
    r"^\W*(?:this\s+(?:privacy\s+)?(?:policy|notice|statement)\s+(?:was\s+|is\s+)?)?"
    r"(?:(?:last|latest)\s+(?:updated|modified|revised|amended|changed|reviewed)"
    r"|(?:date\s+of\s+)?last\s+(?:update|revision|modification)"
    r"|updated(?:\s+on)?|revised(?:\s+on)?|modified(?:\s+on)?|effective|valid\s+from|in\s+force"
    r"|date\s+of\s+(?:last\s+)?(?:update|revision)|version|published"
    r"|stand|zuletzt\s+(?:aktualisiert|geandert)|gultig\s+ab|letzte\s+(?:aktualisierung|anderung)"
    r"|derniere\s+(?:mise\s+a\s+jour|modification)|mis\s+a\s+jour|en\s+vigueur"
    r"|ultima\s+(?:actualizacion|modificacion|atualizacao)|actualizado|atualizado|vigente"
    r"|ultimo\s+aggiornamento|aggiornat[oa]|laatst\s+(?:bijgewerkt|gewijzigd)|bijgewerkt)\b",
)
# A date line is short: the label, the date and a few words at most.
_MAX_DATE_LINE = 120
_DIGIT = re.compile(r"\d")


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose, no accent to drop
        return text.casefold()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_date(text: str, *, day_first: bool = False) -> date | None:
    """The first date written in ``text`` in a common format, or None."""
    folded = _fold(text)
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(folded):
            parts = m.groupdict()
            year = int(parts["year"])
            if parts.get("mnum"):
                month = int(parts["mnum"])
            elif parts.get("a"):
                a, b = int(parts["a"]), int(parts["b"])
                # 13/04/2020 can only be day first; otherwise follow the language.
                month, day = (b, a) if day_first or a > 12 else (a, b)
                found = _valid(year, month, day)
                if found:
                    return found
                continue
            else:
                month = _MONTHS.get(parts["month"], 0)
                if not month:
                    continue
            found = _valid(year, month, int(parts.get("day") or 1))
            if found:
                return found
    return None


def stated_date(text: str, *, day_first: bool = False) -> date | None:
    """The date if ``text`` is a policy's date line ("Effective: May 25, 2018"), else None."""
    if len(text) > _MAX_DATE_LINE or not _DIGIT.search(text):
        return None
    if not _LABEL.search(_fold(text)):
        return None
    return find_date(text, day_first=day_first)


def parse_iso(value: str | None) -> date | None:
    """A date from an ISO 8601 date or timestamp such as WordPress's ``modified``."""
    if not value:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    return _valid(int(m[1]), int(m[2]), int(m[3])) if m else None
