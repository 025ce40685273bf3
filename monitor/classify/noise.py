"""Noise: edits that change how a clause reads but not what it says.

Both sides are passed through the same normalizations (links, dates, the company's name
for "we", typos and grammar words); if they meet, the edit is noise and the reason names
what had to be normalized. Punctuation, case, quotes, whitespace and markup are already
gone once text is cut into words.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from monitor.classify.words import (
    DATE_WORDS,
    FILLER,
    FIRST_PERSON,
    MEANING_WORDS,
    is_number,
    words,
)

_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A date line is short: "Last updated: January 31, 2025" or "Effective as of ...".
_DATE_LINE_WORDS = 16
_AGREEMENT = {"is": "be", "are": "be", "was": "be", "were": "be", "has": "have", "does": "do"}
_PREFIX_NEGATIONS = ("un", "in", "im", "ir", "il", "non", "dis", "non-")


def _dates_out(text: str) -> tuple[str, bool]:
    out = _DATE.sub(" DATE ", text)
    return out, out != text


def _is_date_line(text: str) -> bool:
    ws = words(_YEAR.sub(" DATE ", _DATE.sub(" DATE ", text)))
    rest = [w for w in ws if w != "date" and w not in DATE_WORDS]
    return "date" in ws and len(ws) <= _DATE_LINE_WORDS and len(rest) <= 3


def is_date_line(text: str) -> bool:
    """A line that only says when the policy was updated or takes effect."""
    return _is_date_line(text)


def _damerau(a: str, b: str) -> int:
    """Optimal string alignment distance; words are short."""
    if abs(len(a) - len(b)) > 2:
        return 3
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def is_typo_fix(a: str, b: str) -> bool:
    """Two spellings of one word: a small edit that touches no meaning-bearing word."""
    if a == b:
        return True
    if a in MEANING_WORDS or b in MEANING_WORDS or is_number(a) or is_number(b):
        return False
    short, long_ = sorted((a, b), key=len)
    if long_.endswith(short) and long_[: len(long_) - len(short)] in _PREFIX_NEGATIONS:
        return False
    if len(short) < 4:
        return False
    limit = 1 if len(short) < 8 else 2
    return _damerau(a, b) <= limit


def _lemma(w: str) -> str:
    w = _AGREEMENT.get(w, w)
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-2] if w.endswith(("ches", "shes", "sses", "xes")) else w[:-1]
    return w


def _company_aliases(old: list[str], new: list[str]) -> set[str]:
    """Words swapped for we/us/our: the company's own name (verbs that merely agree with
    the new subject are not part of the name)."""
    aliases: set[str] = set()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "replace":
            continue
        a, b = old[i1:i2], new[j1:j2]
        for x, y in ((a, b), (b, a)):
            if not any(w in FIRST_PERSON for w in y):
                continue
            other = {_lemma(w) for w in y}
            name = [
                w.removesuffix("'s").rstrip(".")
                for w in x
                if w not in FILLER and w not in FIRST_PERSON and _lemma(w) not in other
            ]
            if 1 <= len(name) <= 3 and not any(w in MEANING_WORDS for w in name):
                aliases.update(name)
    return aliases


def _as_first_person(ws: list[str], aliases: set[str]) -> list[str]:
    """Company name -> "we", with the verb agreement it drags along ("Acme collects")."""
    out: list[str] = []
    for w in ws:
        base = w.removesuffix("'s").rstrip(".")
        if base in aliases or w in FIRST_PERSON:
            if out and out[-1] == "we":
                continue  # a two-word name collapses into one "we"
            out.append("we")
        else:
            out.append(w)
    # Agreement reaches past the next word ("Acme collects ... and has"), so once a name
    # stands for "we", number is ignored everywhere, on both sides alike.
    out = [_lemma(w) for w in out]
    # Leftover articles: "the Company" -> "we" leaves "the" behind.
    return [
        w for k, w in enumerate(out) if not (w == "the" and k + 1 < len(out) and out[k + 1] == "we")
    ]


def _tolerant_equal(a: list[str], b: list[str]) -> tuple[bool, list[tuple[str, str]]]:
    """Equal up to typo fixes and inserted or removed grammar words; returns the fixes."""
    fixes: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        x, y = a[i1:i2], b[j1:j2]
        if tag == "replace" and len(x) == len(y) and all(map(is_typo_fix, x, y)):
            fixes.extend(zip(x, y, strict=True))
        elif tag == "replace" and "".join(x).replace("-", "") == "".join(y).replace("-", ""):
            fixes.append((" ".join(x), " ".join(y)))  # "opt out" <-> "optout"
        elif all(w in FILLER for w in x + y):
            fixes.append((" ".join(x) or "∅", " ".join(y) or "∅"))
        else:
            return False, []
    return True, fixes


def _quote(ws: list[str] | str) -> str:
    s = ws if isinstance(ws, str) else " ".join(ws)
    return f"“{s}”"


def noise_reason(old: str, new: str) -> str | None:
    """Why an edit of a clause from ``old`` to ``new`` is not material, or None if it may be."""
    wo, wn = words(old), words(new)
    if wo == wn:
        return "changes punctuation, capitalization or formatting only"
    steps: list[str] = []
    old_u, new_u = _URL.sub(" ", old), _URL.sub(" ", new)
    if (old_u, new_u) != (old, new):
        wo2, wn2 = words(old_u), words(new_u)
        if (wo2, wn2) != (wo, wn):
            wo, wn = wo2, wn2
            if wo == wn:
                return "changes a link target or address only"
            steps.append("link targets")
    if _is_date_line(old) and _is_date_line(new):
        return f"changes the date line from {_quote(old.strip())} to {_quote(new.strip())}"
    old_d, changed_o = _dates_out(old_u)
    new_d, changed_n = _dates_out(new_u)
    if changed_o or changed_n:
        wo2, wn2 = words(old_d), words(new_d)
        if wo2 == wn2:
            olds = _DATE.findall(old_u)
            news = _DATE.findall(new_u)
            return f"changes a date ({', '.join(olds) or '—'} → {', '.join(news) or '—'})"
    aliases = _company_aliases(wo, wn)
    if aliases:
        wo2, wn2 = _as_first_person(wo, aliases), _as_first_person(wn, aliases)
        name = " ".join(sorted(aliases))
        if wo2 == wn2:
            return f"renames {_quote(name)} to “we/us/our” without changing what is said"
        ok, fixes = _tolerant_equal(wo2, wn2)
        if ok:
            return f"renames {_quote(name)} to “we/us/our” and fixes wording"
    ok, fixes = _tolerant_equal(wo, wn)
    if ok and fixes:
        shown = ", ".join(f"{_quote(a)} → {_quote(b)}" for a, b in fixes[:3])
        return f"fixes spelling or grammar ({shown})"
    return None
