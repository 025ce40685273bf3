"""The word-level vocabulary judgment works with: which words carry meaning, which are
grammar, which name the company itself."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from monitor.textnorm import comparison_key

_WORD = re.compile(r"[\w’']+(?:[-.][\w’']+)*")


# Same meaning, different grammar: "will be able to" is "can", "will be" is "is". Each
# with a substring that any match contains, so most texts skip the regex scan.
_PHRASES = [
    ("able to", re.compile(r"\b(?:will|shall) be able to\b|\b(?:is|are) able to\b"), "can"),
    ("ll be", re.compile(r"\b(?:will|shall) be\b"), "is"),
    ("", re.compile(r"\b(?:are|was|were)\b"), "is"),
    # "whether or not" says what "whether" says: its "not" negates nothing.
    ("or not", re.compile(r"\bwhether or not\b"), "whether"),
    ("anytime", re.compile(r"\banytime\b"), "at any time"),
]


# A contraction says what its words spelt out say ("don't" is "do not"): spelt out before
# any comparison, so a policy rewritten in plainer style drops no "not".
_CONTRACTIONS = {
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "haven't": "have not",
    "hasn't": "has not",
    "hadn't": "had not",
    "wouldn't": "would not",
    "shouldn't": "should not",
    "couldn't": "could not",
    "mustn't": "must not",
    "shan't": "shall not",
    "we'll": "we will",
    "you'll": "you will",
    "they'll": "they will",
    "we're": "we are",
    "you're": "you are",
    "they're": "they are",
    "we've": "we have",
    "you've": "you have",
    "they've": "they have",
    "that's": "that is",
    "there's": "there is",
}
_CONTRACTION = re.compile(r"\b(?:" + "|".join(map(re.escape, _CONTRACTIONS)) + r")\b")


def contraction_swap(old: str, new: str) -> tuple[str, str] | None:
    """The first contraction one text writes where the other spells it out, as (old
    spelling, new spelling): ("do not", "don't")."""
    o = Counter(_CONTRACTION.findall(comparison_key(old)))
    n = Counter(_CONTRACTION.findall(comparison_key(new)))
    if o == n:
        return None
    gone, came = o - n, n - o
    if came:
        c = next(iter(came))
        return _CONTRACTIONS[c], c
    c = next(iter(gone))
    return c, _CONTRACTIONS[c]


def words(text: str) -> list[str]:
    """Words of a text, in order, compared the way keys compare (case, quotes, markup,
    ``_emphasis_``) and with tense and "able to" flattened."""
    return list(word_tuple(text))


@lru_cache(maxsize=8192)
def word_tuple(text: str) -> tuple[str, ...]:
    """words(text) as the cached tuple itself: judging one change looks at the same texts
    several times (a clause's words are asked for some forty times over the rules), and
    cuts them once. For callers that only read the words: words() copies them into a list
    for those that compare them with lists or keep them."""
    return key_words(text_key(text))


@lru_cache(maxsize=8192)
def text_key(text: str) -> str:
    """comparison_key(text), cached: a clause added or removed is looked up in the table of
    contents by its key, and then cut into words from the same key."""
    return comparison_key(text)


@lru_cache(maxsize=32768)
def key_words(text: str) -> tuple[str, ...]:
    """words() of a text already made a comparison key (a clause's ``key``).

    Cached apart from words(), and larger: the two versions of a change share most clauses,
    and a whole version is cut into words when moved text is looked for in it."""
    if "'" in text or "cannot" in text:
        text = _CONTRACTION.sub(lambda m: _CONTRACTIONS[m[0]], text)
    for needed, rx, repl in _PHRASES:
        if needed in text:
            text = rx.sub(repl, text)
    found = _WORD.findall(text)
    # comparison_key has already made every quote a plain one; without a quote or an
    # underscore in the text there is nothing to strip (most clauses).
    if "'" not in text and "_" not in text:
        return tuple(found)
    return tuple(s for w in found if (s := w.strip("'_")))


# Past forms the suffix rules of verb_base cannot undo ("transferr" is "transferred" cut).
_IRREGULAR_VERBS = {"sold": "sell", "kept": "keep", "transferr": "transfer"}
_VERB_SUFFIXES = ("s", "es", "d", "ed", "ing", "ged", "ging")


@lru_cache(maxsize=16384)
def verb_base(word: str, bases: frozenset[str]) -> str | None:
    """Which of ``bases`` the word is a form of ("transferred" -> "transfer", "sharing" ->
    "share", "kept" -> "keep"), or None."""
    word = word.lower()
    stems = [word] + [word[: -len(cut)] for cut in _VERB_SUFFIXES if word.endswith(cut)]
    stems += [stem + "e" for stem in stems[1:]]  # sharing -> share, used -> use
    for stem in stems:
        stem = _IRREGULAR_VERBS.get(stem, stem)
        if stem in bases:
            return stem
    return None


# Words whose addition, removal or swap flips what a clause promises.
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nor",
        "neither",
        "without",
        "don't",
        "doesn't",
        "won't",
        "cannot",
        "can't",
        "isn't",
        "aren't",
        "wouldn't",
        "shouldn't",
        "didn't",
        "unless",
        "except",
    ]
)
MODALS = frozenset(["may", "might", "can", "could", "will", "would", "shall", "should", "must"])
QUANTIFIERS = frozenset(["all", "any", "some", "only", "every", "each", "always", "sometimes"])
PRACTICE_VERBS = frozenset(
    [
        "collect",
        "collects",
        "collected",
        "collecting",
        "share",
        "shares",
        "shared",
        "sharing",
        "sell",
        "sells",
        "sold",
        "selling",
        "sale",
        "disclose",
        "discloses",
        "disclosed",
        "disclosing",
        "use",
        "uses",
        "used",
        "using",
        "retain",
        "retains",
        "retained",
        "keep",
        "keeps",
        "kept",
        "store",
        "stores",
        "stored",
        "transfer",
        "transfers",
        "transferred",
        "process",
        "processes",
        "processed",
        "delete",
        "deletes",
        "deleted",
        "encrypt",
        "encrypts",
        "encrypted",
        "track",
        "tracks",
        "tracked",
        "rent",
        "rents",
        "trade",
        "trades",
    ]
)
MEANING_WORDS = NEGATIONS | MODALS | QUANTIFIERS | PRACTICE_VERBS

# Grammar words whose insertion or removal alone does not change a practice
# ("for as long necessary" -> "for as long as necessary").
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "as",
        "that",
        "which",
        "this",
        "these",
        "those",
        "its",
        "it's",
        "it",
        "their",
        "there",
        "is",
        "are",
        "be",
        "been",
        "and",
        "of",
        "inc",
        "llc",
        "ltd",
        "limited",
        "corp",
        "gmbh",
        "also",
        "then",
        "so",
        "such",
        "just",
        "please",
        "hereby",
        "herein",
        "thereof",
    ]
)
# Words that only appear around a date in "Last updated ..." lines.
DATE_WORDS = frozenset(
    [
        "effective",
        "updated",
        "update",
        "last",
        "revised",
        "revision",
        "modified",
        "date",
        "dated",
        "as",
        "of",
        "on",
        "from",
        "since",
        "version",
        "published",
        "posted",
        "and",
        "this",
        "policy",
        "privacy",
        "notice",
        "statement",
        "was",
        "is",
        "takes",
        "take",
        "in",
        "applies",
        "apply",
        "will",
        "be",
        "until",
        "st",
        "nd",
        "rd",
        "th",
    ]
)
FIRST_PERSON = frozenset(["we", "us", "our", "ours", "ourselves"])
STOPWORDS = FILLER | frozenset(
    [
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "you",
        "your",
        "yours",
        "we",
        "us",
        "our",
        "ours",
        "i",
        "me",
        "my",
        "it",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "what",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "if",
        "than",
        "into",
        "about",
    ]
)


def is_number(word: str) -> bool:
    return any(ch.isdigit() for ch in word)
