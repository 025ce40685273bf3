"""Noise: edits that change how a clause reads but not what it says.

Both sides are passed through the same normalizations (links, dates, the company's name
for "we", typos and grammar words); if they meet, the edit is noise and the reason names
what had to be normalized. Punctuation, case, quotes, whitespace and markup are already
gone once text is cut into words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

# difflib's own code compiled (Cython): the same opcodes, about four times faster.
from cydifflib import SequenceMatcher

from monitor.classify.categories import PRACTICE_CATEGORIES
from monitor.classify.leading import sub_from
from monitor.classify.words import (
    DATE_WORDS,
    FILLER,
    FIRST_PERSON,
    MEANING_WORDS,
    STOPWORDS,
    contraction_swap,
    is_number,
    verb_base,
    word_tuple,
)

# Links, email addresses, and Cloudflare's "[email protected]" stand-in for one.
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+|\[?email\s*(?:&#160;)?protected\]?",
    re.IGNORECASE,
)
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


def _links_out(text: str) -> str:
    """The text with links and e-mail addresses (_URL) taken out. Every match holds "://",
    "www.", "@" or "protected" (in any case: no other character folds to one of theirs), so
    most texts skip the scan."""
    if "@" in text or "://" in text:
        return _URL.sub(" ", text)
    low = text.lower()
    if "www." in low or "protected" in low:
        return _URL.sub(" ", text)
    return text


# Every date and year has a digit: text without one skips their regexes.
_DIGIT = re.compile(r"\d")


# Public for other rules that read dates (classify.deadlines).
DATE_PATTERN = _DATE


# Where a match of _DATE can start, in the lower-cased text (leading.sub_from): a word
# that starts with a digit or with a month's first three letters.
_DATE_START = re.compile(r"\b(?=\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")


def _dates_out(text: str) -> tuple[str, bool]:
    if not _DIGIT.search(text):
        return text, False
    out = sub_from(_DATE, _DATE_START, " DATE ", text)
    return out, out != text


# Longer than this, a line is not a date line, whatever it holds.
_DATE_LINE_CHARS = 200


def _is_date_line(text: str) -> bool:
    if len(text) > _DATE_LINE_CHARS:
        return False
    if _DIGIT.search(text):
        text = _YEAR.sub(" DATE ", _DATE.sub(" DATE ", text))
    ws = word_tuple(text)
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
    if is_number(a) or is_number(b):
        return False
    if a in MEANING_WORDS or b in MEANING_WORDS:
        # Two letters of a long meaning word swapped ("without" -> "wihtout", "encrypted"
        # -> "encrytped") make no other word; any other edit of one may ("not" -> "now").
        return _swapped_letters(a, b)
    short, long_ = sorted((a, b), key=len)
    if long_.endswith(short) and long_[: len(long_) - len(short)] in _PREFIX_NEGATIONS:
        return False
    if len(short) < 4:
        return False
    if _stem(a) == _stem(b):
        return True  # "Research" -> "Researching", "function" -> "functions"
    limit = 1 if len(short) < 8 else 2
    return _damerau(a, b) <= limit


# A meaning word this long with two neighbouring letters swapped is a typo of it.
_SWAPPED_MIN_LETTERS = 5


def _swapped_letters(a: str, b: str) -> bool:
    """The two words differ by one swap of neighbouring letters, and are long enough that
    the swap spells no other word a policy uses."""
    if len(a) != len(b) or len(a) < _SWAPPED_MIN_LETTERS:
        return False
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(w: str) -> str:
    for suf in _SUFFIXES:
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def _lemma(w: str) -> str:
    w = _AGREEMENT.get(w, w)
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-2] if w.endswith(("ches", "shes", "sses", "xes")) else w[:-1]
    return w


Opcode = tuple[str, int, int, int, int]


def word_opcodes(a: Sequence[str], b: Sequence[str]) -> tuple[Opcode, ...]:
    """SequenceMatcher(None, a, b, autojunk=False).get_opcodes() of two word lists."""
    return _word_opcodes(tuple(a), tuple(b))


@lru_cache(maxsize=256)
def _word_opcodes(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[Opcode, ...]:
    # Cached: judging one edit aligns the same two word lists up to four times (company
    # aliases, tolerant equality, changed words, the edit's reason), and a long clause's
    # alignment costs more than hashing its words.
    return tuple(SequenceMatcher(None, list(a), list(b), autojunk=False).get_opcodes())


def _company_aliases(old: Sequence[str], new: Sequence[str]) -> set[str]:
    """Words swapped for we/us/our: the company's own name (verbs that merely agree with
    the new subject are not part of the name)."""
    aliases: set[str] = set()
    for tag, i1, i2, j1, j2 in word_opcodes(old, new):
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
            elif not name and {"it", "its"} & set(x):
                aliases.update({"it", "its"} & set(x))  # "that we adhere" -> "that it adheres"
    return aliases


def _as_first_person(ws: Sequence[str], aliases: set[str]) -> list[str]:
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


def _tolerant_equal(a: Sequence[str], b: Sequence[str]) -> tuple[bool, list[tuple[str, str]]]:
    """Equal up to typo fixes and inserted or removed grammar words; returns the fixes."""
    fixes: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in word_opcodes(a, b):
        if tag == "equal":
            continue
        x, y = a[i1:i2], b[j1:j2]
        if tag == "replace" and len(x) == len(y) and all(map(is_typo_fix, x, y)):
            fixes.extend(zip(x, y, strict=True))
        elif tag == "replace" and _alnum("".join(x)) == _alnum("".join(y)):
            fixes.append((" ".join(x), " ".join(y)))  # "opt out" <-> "optout"
        elif all(w in FILLER for w in chain(x, y)):
            fixes.append((" ".join(x) or "∅", " ".join(y) or "∅"))
        else:
            return False, []
    return True, fixes


def _alnum(s: str) -> str:
    return "".join(ch for ch in s if ch.isalnum())


def _quote(ws: list[str] | str) -> str:
    s = ws if isinstance(ws, str) else " ".join(ws)
    return f"“{s}”"


_NAME_TOKEN = re.compile(r"[\w'’.&-]+|[^\w\s]")
_NAME_CONNECTORS = frozenset(["of", "and", "the", "to", "for", "&", "de", "du"])


def is_name(segment: str) -> bool:
    """Only proper names: capitalised words (with "of", "the"... between), no practice term."""
    from monitor.classify.lexicon import practice_categories

    toks = [t for t in _NAME_TOKEN.findall(segment) if t.strip()]
    names = [t for t in toks if t[0].isupper()]
    rest = [t for t in toks if t not in names]
    if not names or any(t.lower() not in _NAME_CONNECTORS and t.isalnum() for t in rest):
        return False
    low = [t.lower().strip(".") for t in names]
    if any(w in MEANING_WORDS or w in FIRST_PERSON or w in FILLER for w in low):
        return False
    # Practice terms are never just names ("Personal Information" -> "Location Data").
    return not set(practice_categories(segment)) & set(PRACTICE_CATEGORIES)


def name_swaps(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replaced spans where both sides are proper names ("Facebook Spaces" -> "Horizon
    Worlds", "Location History" -> "Timeline")."""
    swaps = []
    for k in range(len(ops) - 1):
        (op1, a), (op2, b) = ops[k], ops[k + 1]
        if {op1, op2} == {"delete", "insert"}:
            old_seg, new_seg = (a, b) if op1 == "delete" else (b, a)
            if is_name(old_seg) and is_name(new_seg):
                swaps.append((old_seg.strip(), new_seg.strip()))
    return swaps


def noise_reason(old: str, new: str, ops: list[tuple[str, str]] | None = None) -> str | None:
    """Why an edit of a clause from ``old`` to ``new`` is not material, or None if it may be."""
    reason = _noise_reason(old, new)
    if reason or not ops:
        return reason
    # A date line run into the clause's text ("Effective Date: July 1, 2024 This privacy
    # policy outlines..."): an extraction that glued the line above to the paragraph.
    edited = [(op, t.strip()) for op, t in ops if op != "equal" and word_tuple(t)]
    if edited and all(_DIGIT.search(t) and _is_date_line(t) for _, t in edited):
        verb = {"insert": "adds", "delete": "removes"}
        shown = "; ".join(f"{verb[op]} the date line {_quote(t)}" for op, t in edited[:2])
        return shown
    swaps = name_swaps(ops)
    if not swaps:
        return None
    # Put the old names in the new text; what is left must be noise too.
    renamed = []
    for op, t in ops:
        if op == "equal" or (op == "delete" and any(t.strip() == a for a, _ in swaps)):
            renamed.append(t)
        elif op == "insert" and any(t.strip() == b for _, b in swaps):
            continue
        elif op == "insert":
            renamed.append(t)
    rest = "".join(renamed)
    shown = ", ".join(f"{_quote(a)} → {_quote(b)}" for a, b in swaps[:3])
    if word_tuple(rest) == word_tuple(old):
        return f"renames {shown}"
    more = _noise_reason(old, rest)
    return f"renames {shown}; {more}" if more else None


def _noise_reason(old: str, new: str) -> str | None:
    wo, wn = word_tuple(old), word_tuple(new)
    if wo == wn:
        swap = contraction_swap(old, new)
        if swap:
            return f"writes {_quote(swap[0])} as {_quote(swap[1])}: the same words"
        return "changes punctuation, capitalization or formatting only"
    steps: list[str] = []
    old_u, new_u = _links_out(old), _links_out(new)
    if (old_u, new_u) != (old, new):
        wo2, wn2 = word_tuple(old_u), word_tuple(new_u)
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
        wo2, wn2 = word_tuple(old_d), word_tuple(new_d)
        if wo2 == wn2:
            olds = _DATE.findall(old_u)
            news = _DATE.findall(new_u)
            return f"changes a date ({', '.join(olds) or '—'} → {', '.join(news) or '—'})"
    aliases = _company_aliases(wo, wn)
    if aliases:
        fo, fn = _as_first_person(wo, aliases), _as_first_person(wn, aliases)
        name = " ".join(sorted(aliases))
        if fo == fn:
            return f"renames {_quote(name)} to “we/us/our” without changing what is said"
        ok, fixes = _tolerant_equal(fo, fn)
        if ok:
            return f"renames {_quote(name)} to “we/us/our” and fixes wording"
    ok, fixes = _tolerant_equal(wo, wn)
    if ok and fixes:
        shown = ", ".join(f"{_quote(a)} → {_quote(b)}" for a, b in fixes[:3])
        return f"fixes spelling or grammar ({shown})"
    return _synonym_reason(wo, wn)


# Verbs that name the same practice: a policy rewording "share" as "disclose" throughout
# (Spotify, 2024) or "use" as "process" says what it said.
_SYNONYMS = (
    ("share", "disclose"),
    ("use", "process"),
    ("retain", "keep"),
    ("delete", "erase"),
    ("collect", "gather", "obtain", "get"),
)


_PRACTICE_OF = {verb: group[0] for group in _SYNONYMS for verb in group}
_SYNONYM_VERBS = frozenset(_PRACTICE_OF)


@lru_cache(maxsize=16384)
def _practice_of(word: str) -> str | None:
    # Cached by the word alone: _synonym_reason asks for every word of both sides, and
    # verb_base's own cache keys on (word, bases) and sits one call further down.
    verb = verb_base(word, _SYNONYM_VERBS)
    return _PRACTICE_OF[verb] if verb else None


def same_practice(a: str, b: str) -> bool:
    """Whether two practice verbs (any form) name the same practice."""
    group = _practice_of(a)
    return group is not None and group == _practice_of(b)


def _synonym_reason(wo: Sequence[str], wn: Sequence[str]) -> str | None:
    """The edit only swaps a practice verb for one naming the same practice."""
    # No word reads as another verb of its practice: each distinct word asked once, and
    # the sides are not rewritten (most edits hold no such verb).
    if all(_practice_of(w) in (None, w) for w in {*wo, *wn}):
        return None
    so = [_practice_of(w) or w for w in wo]
    sn = [_practice_of(w) or w for w in wn]
    # "share with partners" is "disclose to partners".
    so = ["to" if w == "with" else w for w in so]
    sn = ["to" if w == "with" else w for w in sn]
    ok, _ = (True, []) if so == sn else _tolerant_equal(so, sn)
    if not ok:
        return None
    swaps = sorted(
        {
            (a, b)
            for a, b in _changed_pairs(wo, wn)
            # Two verbs of one practice, not one verb in two forms ("legal process" ->
            # "legal processing").
            if same_practice(a, b) and verb_base(a, _SYNONYM_VERBS) != verb_base(b, _SYNONYM_VERBS)
        }
    )
    if not swaps:
        return None
    shown = ", ".join(f"{_quote(a)} → {_quote(b)}" for a, b in swaps[:3])
    return f"rewords {shown}, the same practice"


def _changed_pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in word_opcodes(a, b):
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs.extend((x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True) if x != y)
    return pairs


def reordered_words(old: str, new: str) -> str | None:
    """Same words in another order ("Pages, accounts and groups" -> "accounts, groups and
    Pages"), give or take grammar words and names: not a change of practice."""
    wo, wn = word_tuple(old), word_tuple(new)
    if wo == wn:
        return None
    if sorted(wo) == sorted(wn):
        return "reorders words within the clause"
    # The same words, as a set: a restructured sentence may say a name or a term once
    # more or less. Not a number or a practice term, though: a sentence that keeps
    # "consent" once and drops the other "with your consent" does not say the same.
    # The sets first, from each distinct word once (STOPWORDS holds FILLER): most edits
    # change some content word, and then the counts are never asked.
    if {_lemma(w) for w in set(wo) - STOPWORDS} == {_lemma(w) for w in set(wn) - STOPWORDS}:
        from monitor.classify.lexicon import practice_categories

        content_o = Counter(_lemma(w) for w in wo if w not in STOPWORDS)
        content_n = Counter(_lemma(w) for w in wn if w not in STOPWORDS)
        recounted = (content_o - content_n) + (content_n - content_o)
        if not any(is_number(w) or w in MEANING_WORDS or practice_categories(w) for w in recounted):
            if not any(w in MEANING_WORDS for w in _changed_words(wo, wn)):
                return "restructures the sentence with the same words"
            return None
    # Counted before the words are listed: most edits change many more than two words, and
    # then nothing below is asked.
    if len(wo) <= 8 or not 0 < word_delta(old, new).count(FILLER) <= 2:
        return None
    extra = [w for w in multiset_diff(wn, wo) + multiset_diff(wo, wn) if w not in FILLER]
    names = {w.lower() for seg in _NAME_RUN_OR_WORD.findall(new + " " + old) for w in seg.split()}
    if all(w in names for w in extra):
        moved = [w for w in set(wo) & set(wn) if wo.index(w) != wn.index(w)]
        if moved:
            return f"reorders words and adds the name {_quote(' '.join(extra))}"
    return None


_NAME_RUN_OR_WORD = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’&-]*")


def _changed_words(a: Sequence[str], b: Sequence[str]) -> list[str]:
    out: list[str] = []
    for tag, i1, i2, j1, j2 in word_opcodes(a, b):
        if tag != "equal":
            out += a[i1:i2]
            out += b[j1:j2]
    return out


def multiset_diff(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """Words of ``a``, in order, left over once each word of ``b`` has cancelled one."""
    # Counted, not removed from a list: that was quadratic in long clauses. dict.get, not
    # Counter's [] (a Python-level __missing__ for every word b lacks).
    rest = Counter(b)
    get = rest.get
    out = []
    for w in a:
        n = get(w)
        if n:
            rest[w] = n - 1
        else:
            out.append(w)
    return out


class WordDelta:
    """How many times each word is in one side of an edit more than in the other: the
    multiset_diff of the two sides' words, counted but not listed in order."""

    __slots__ = ("came", "gone")

    def __init__(self, came: dict[str, int], gone: dict[str, int]) -> None:
        self.came = came  # word -> how many more times the new side has it
        self.gone = gone  # word -> how many more times the old side has it

    def count(self, ignored: frozenset[str] = frozenset()) -> int:
        """len(multiset_diff(new, old) + multiset_diff(old, new)) without ``ignored``."""
        return sum(n for w, n in self.came.items() if w not in ignored) + sum(
            n for w, n in self.gone.items() if w not in ignored
        )


@lru_cache(maxsize=256)
def word_delta(old: str, new: str) -> WordDelta:
    """The WordDelta of words(old) and words(new). Cached: the rules that ask (lists
    that gain a name, reordered words) judge the same edit one after the other, and
    most edits change too many words for either to read the words in order."""
    co, cn = Counter(word_tuple(old)), Counter(word_tuple(new))
    came = {w: n - co.get(w, 0) for w, n in cn.items() if n > co.get(w, 0)}
    gone = {w: n - cn.get(w, 0) for w, n in co.items() if n > cn.get(w, 0)}
    return WordDelta(came, gone)
