"""Is a pair of versions the same page captured in another language or locale?

The labelling guide (docs/labelling.md, B13) calls the same policy captured in another
language a capture artefact, not a policy change: a reader of the English text was not
told anything new when the archive caught the Spanish one. Two kinds are recognised:

- the two documents are in different languages (``PolicyDocument.language``, declared by
  the page or guessed from its stopwords), about the same size and with the same names, as
  a translation is;
- the same English text switches between its British and American variants
  ("personalisation" → "personalization", "programme" → "program") in many places and
  one direction: a different locale's copy of the page, whose small rewordings are the
  locale's, not a new practice.

Pure; one pass over the word edits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from monitor.diff import ClauseChange
from monitor.model import PolicyDocument

# British → American spellings, as (pattern on the British word, replacement).
_UK_TO_US = (
    (re.compile(r"is(e|ed|es|ing|er|ers|ation|ations|able)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"our(s|ed|ing|ite|ites|able|ably)?$"), r"or\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"(cent|met|theat|lit)re(s|d)?$"), r"\1er\2"),
    (re.compile(r"^programme(s|d)?$"), r"program\1"),
    (re.compile(r"^(fulfil|enrol|instal)(s|ment|ments)?$"), r"\1l\2"),
    (re.compile(r"(el)l(ed|ing|er|ers)$"), r"\1\2"),
    (re.compile(r"^licence(s|d)?$"), r"license\1"),
    (re.compile(r"^defence(s)?$"), r"defense\1"),
)
_WORD = re.compile(r"[A-Za-z]+")
# A locale switch shows many variant spellings, all turned the same way: a policy that fixes
# one "recognise" is not a switched copy.
MIN_VARIANTS = 5
# ...and a copy in another locale differs mainly by its spellings: at least this many swapped
# spellings per edit judged material. A policy rewritten while the archive's copy changed
# locale has far more material edits than spellings swapped (a page with 184 material
# edits and 6 "authorise"s is a new policy that happens to be spelt the British way).
VARIANTS_PER_MATERIAL = 2


def _american(word: str) -> str:
    for pattern, repl in _UK_TO_US:
        us = pattern.sub(repl, word)
        if us != word:
            return us
    return word


def _variant_direction(a: str, b: str) -> int:
    """+1 when ``b`` is the American spelling of British ``a``, -1 the other way, else 0."""
    a, b = a.casefold(), b.casefold()
    if a == b:
        return 0
    if _american(a) == b:
        return 1
    if _american(b) == a:
        return -1
    return 0


def locale_variants(changes: Iterable[ClauseChange]) -> tuple[int, int]:
    """How many word swaps turn British spelling American, and how many the other way."""
    to_us = to_uk = 0
    for ch in changes:
        ops = ch.word_ops or []
        for (op1, t1), (op2, t2) in pairwise(ops):
            if op1 != "delete" or op2 != "insert":
                continue
            wa, wb = _WORD.findall(t1), _WORD.findall(t2)
            if len(wa) != len(wb):
                continue
            for a, b in zip(wa, wb, strict=True):
                d = _variant_direction(a, b)
                to_us += d > 0
                to_uk += d < 0
    return to_us, to_uk


# A translation keeps the page's structure: about as many clauses on each side. A short
# bilingual notice replaced by a full policy in one language is a new text, not a translation.
_SAME_SIZE = 0.8
# ...and its names: brand-like words (letters with digits or inner capitals: "LOVESCOUT24",
# "FriendScout24", "CyberTipline") are not translated. Another company's policy in another
# language (a group's template for LoveScout24 in German, for Meetic in French) loses them.
_NAME = re.compile(r"\b(?=\w*[^\W\d_])(?=\w*(?:\d|[a-z][A-Z]))\w+\b")
_NAME_MIN_COUNT = 2


def _names(doc: PolicyDocument) -> Counter[str]:
    return Counter(n for c in doc.clauses for n in _NAME.findall(c.text))


def language_switch(old: PolicyDocument, new: PolicyDocument) -> bool:
    """Both languages known and different, on pages of about the same size that carry the
    same names: one page translated."""
    if not (old.language and new.language and old.language != new.language):
        return False
    a, b = len(old.clauses), len(new.clauses)
    if min(a, b) < _SAME_SIZE * max(a, b):
        return False
    na, nb = _names(old), _names(new)
    return all(
        name in other
        for mine, other in ((na, nb), (nb, na))
        for name, n in mine.items()
        if n >= _NAME_MIN_COUNT
    )


def locale_switch(changes: list[ClauseChange]) -> str | None:
    """ "British → American" (or back) when the edits are one English copy switching to the
    other locale's, else None."""
    to_us, to_uk = locale_variants(changes)
    if max(to_us, to_uk) < VARIANTS_PER_MATERIAL * sum(c.material for c in changes):
        return None
    if to_us >= MIN_VARIANTS and not to_uk:
        return "British → American English"
    if to_uk >= MIN_VARIANTS and not to_us:
        return "American → British English"
    return None
