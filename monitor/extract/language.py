"""A document's language: what the page declares, else the language of its commonest words.

Counting a few dozen stopwords per language is enough to tell apart the languages policies
are commonly written in, costs microseconds, and needs no model.
"""

from __future__ import annotations

import re
from collections import Counter

_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to you your we our is are that for with this by or be not will may",
        "de": "der die das und zu sie ihre wir unsere ist sind nicht mit von den dem für auf ein eine",
        "fr": "le la les et de des vous votre nous nos est sont pour avec ce cette par ou une dans",
        "es": "el la los las y de que usted su nosotros es son para con por una en del se",
        "it": "il lo la gli le e di che tu tuoi noi è sono per con una dei delle nel non",
        "nl": "de het een en van je uw wij onze is zijn niet met voor op dat deze bij",
        "pt": "o os as e de que você seu nós é são para com por uma em do da não",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE_CHARS = 8_000


def declared_language(value: str | None) -> str | None:
    """``en`` from a declared tag such as ``en-US`` or ``EN_gb``; None when absent."""
    if not value:
        return None
    primary = re.split(r"[-_\s]", value.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def guess_language(text: str) -> str | None:
    """The language whose stopwords cover most words of ``text``, if the evidence is clear."""
    words = Counter(_WORD.findall(text[:_SAMPLE_CHARS].casefold()))
    total = sum(words.values())
    if total < 5:
        return None
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    # Too few stopwords means a list of names or numbers, not prose we can judge.
    return best if scores[best] >= max(2, total // 20) else None
