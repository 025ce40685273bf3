"""Which words a regex match can start with, read from the pattern itself.

The category lexicon is one alternation of dozens of phrases per category, searched in
every judged text; Python's regex engine tries each alternative at every word of the text,
and most categories are absent from most texts. A text none of whose words begins like
any of a category's phrases cannot match that category, and its search is skipped.

``leading_prefixes(pattern)`` gives, for a pattern whose every match starts at the start
of a word, the beginnings one of which that word must have: ``collect\\w*|(?:we|us) log``
-> {"collect", "we", "us"}. A beginning is cut short wherever the pattern stops being
plain word characters (a class, a repeat, a space), so a beginning may say less than the
pattern, never more: skipping on it is exact. Patterns whose start cannot be read this
way get None and are always searched.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

try:  # The regex parser of CPython itself (sre_parse before 3.11).
    # Private modules, so typeshed does not describe them.
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: no prefilter, same results
    _sre = _sre_parse = None

# Enough to tell phrases apart; longer beginnings only make bigger sets.
MAX_PREFIX = 8
# A match that starts with a decimal digit (\d): any word beginning with one.
DIGIT = "\\d"
_WORD_CHAR = re.compile(r"\w")


def leading_prefixes(pattern: str) -> frozenset[str] | None:
    """Beginnings a word must have for a match of ``pattern`` to start at it; None when
    the pattern can match without starting with a word character it names."""
    if _sre_parse is None:
        return None
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # pragma: no cover - a pattern re itself compiled
        return None
    starts = {s for s, _ in _sequence(list(parsed))}
    if "" in starts:
        return None
    return frozenset(starts)


def _sequence(items: list) -> set[tuple[str, bool]]:
    """(beginning, whole) pairs: every match of the items starts with one beginning; whole
    when that beginning is all the items can match (so what follows may extend it)."""
    if not items:
        return {("", True)}
    (op, av), rest = items[0], items[1:]
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        # Zero-width: takes nothing from the text.
        return _sequence(rest)
    if op is _sre.LITERAL:
        ch = chr(av)
        if not _WORD_CHAR.fullmatch(ch):
            return {("", False)}
        head = {(ch, True)}
    elif op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return {("", False)}
        head = _sequence(list(sub))
    elif op is _sre.BRANCH:
        head = set().union(*(_sequence(list(b)) for b in av[1]))
    elif op is _sre.IN and list(av) == [(_sre.CATEGORY, _sre.CATEGORY_DIGIT)]:
        return {(DIGIT, False)}
    elif op is _sre.IN and all(o is _sre.LITERAL and _WORD_CHAR.fullmatch(chr(v)) for o, v in av):
        head = {(chr(v), True) for _, v in av}
    elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, _high, item = av
        once = {(s, False) for s, _ in _sequence(list(item))}
        # Zero repeats: the match may start with what comes after.
        return once | _sequence(rest) if low == 0 else once
    else:
        return {("", False)}
    out: set[tuple[str, bool]] = set()
    for start, whole in head:
        if whole and len(start) < MAX_PREFIX:
            # A digit after letters ("x\d") is not told apart: the letters are the beginning.
            out |= {
                (start, False) if more == DIGIT else (start + more, w)
                for more, w in _sequence(rest)
            }
        else:
            out.add((start, False))
    return out


# -- The first word of a match ---------------------------------------------------------
#
# A match that starts at a word of the text either is that word whole or goes on past it
# (a space, a hyphen, an apostrophe): either way its first run of word characters is the
# word, or begins it when the match is all word characters and does not end where the word
# does. ``first_word(pattern)`` reads from the pattern a regex every such first run
# fullmatches, so a word it does not fullmatch starts no match (the leading beginnings
# tell much less: "your" begins "(?:your |phone )contacts" and "yours" does not).
# The regex may admit more words than can start a match (lookarounds and \b are passed
# over, repeats are unbounded, a class holding any word character reads as \w): a word
# it admits is tried in full, as before; one it refuses is refused exactly.


def first_word(pattern: str) -> re.Pattern[str] | None:
    """A regex every word a match of ``pattern`` can start at fullmatches; None when the
    pattern holds something this does not read (then every word may start one)."""
    if _sre_parse is None:
        return None
    try:
        items = list(_sre_parse.parse(pattern))
        whole, ended = _first_run(items)
    except (_Unread, Exception):
        return None
    # A match of word characters only may end inside the word, and the word go on; not
    # one of at least one character ending in \b (the pattern's last item).
    bounded = bool(items) and items[-1] == (_sre.AT, _sre.AT_BOUNDARY)
    if whole is not None and not (bounded and re.fullmatch(whole, "") is None):
        whole += r"\w*"
    runs = [r for r in (whole, ended) if r is not None]
    return re.compile(_alt(runs)) if runs else None


class _Unread(Exception):
    """A part of a pattern _first_run does not read."""


def _alt(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _either(*parts: str | None) -> str | None:
    found = [p for p in parts if p is not None]
    return _alt(sorted(set(found))) if found else None


def _then(a: str | None, b: str | None) -> str | None:
    return None if a is None or b is None else a + b


def _first_run(items: list) -> tuple[str | None, str | None]:
    """(whole, ended) for a sequence of parsed items: a regex of the word-character runs
    that consume the whole sequence (None: none does), and one of the runs that end
    inside it, where it next consumes a character that is no word character."""
    if not items:
        return "", None
    (op, av), rest = items[0], items[1:]
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        # Zero-width: passed over (the run admitted is then wider, never narrower).
        return _first_run(rest)
    head: tuple[str | None, str | None]
    if op is _sre.LITERAL:
        ch = chr(av)
        head = (re.escape(ch), None) if _WORD_CHAR.fullmatch(ch) else (None, "")
    elif op is _sre.ANY:
        head = (r"\w", "")
    elif op is _sre.IN:
        head = _class_run(av)
    elif op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unread
        head = _first_run(list(sub))
    elif op is _sre.BRANCH:
        runs = [_first_run(list(b)) for b in av[1]]
        head = (_either(*(w for w, _ in runs)), _either(*(e for _, e in runs)))
    elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, _high, item = av
        whole, ended = _first_run(list(item))
        # Whole items, any number of them (a bound is not kept), then maybe one that ends
        # the run; at least one item when the repeat needs one.
        many = "" if not whole else f"(?:{whole})*"
        head = (many if low == 0 else _then(whole, many), _then(many, ended))
    else:
        raise _Unread
    whole, ended = head
    more_whole, more_ended = _first_run(rest)
    return _then(whole, more_whole), _either(ended, _then(whole, more_ended))


def _class_run(av: list) -> tuple[str | None, str | None]:
    """(whole, ended) of a character class: its word characters, and "" when it holds a
    character that is no word character."""
    word: list[str] = []
    other = False
    for o, v in av:
        if o is _sre.LITERAL:
            if _WORD_CHAR.fullmatch(chr(v)):
                word.append(re.escape(chr(v)))
            else:
                other = True
        elif o is _sre.CATEGORY and v is _sre.CATEGORY_WORD:
            word.append(r"\w")
        elif o is _sre.CATEGORY and v is _sre.CATEGORY_DIGIT:
            word.append(r"\d")
        elif o is _sre.CATEGORY and v is _sre.CATEGORY_SPACE:
            other = True
        else:
            # A range, a negated class, another category: any word character, and not.
            word.append(r"\w")
            other = True
    return ("[" + "".join(word) + "]" if word else None), ("" if other else None)


class Starts:
    """A pattern's leading prefixes, ready to test word after word."""

    __slots__ = ("digit", "plain")

    def __init__(self, prefixes: frozenset[str]) -> None:
        plain = {p for p in prefixes if p != DIGIT}
        # "choice" already covers "choices".
        self.plain = tuple(
            sorted(p for p in plain if not any(p != q and p.startswith(q) for q in plain))
        )
        self.digit = DIGIT in prefixes

    def begins(self, word: str) -> bool:
        """Whether a match can start at ``word`` (with DIGIT: \\d is any decimal digit)."""
        return word.startswith(self.plain) or (self.digit and word[:1].isdecimal())


# Words of a lower-cased text as a pattern's leading \b sees them: a match of a pattern
# with leading prefixes starts at the first character of one of these.
_TEXT_WORD = re.compile(r"\w+")
# Words whose matching patterns are remembered (a policy's vocabulary is a few thousand).
_BEGUN_CACHE = 65536


def words_at(low: str) -> list[tuple[int, str]]:
    """(offset, word) of every word of the text, in order."""
    return [(m.start(), m.group()) for m in _TEXT_WORD.finditer(low)]


def starts_at_word(pattern: str) -> bool:
    """Whether every match of the pattern starts where ``\\b`` holds: with leading
    prefixes, at the first character of a word of the text (words_at)."""
    if _sre_parse is None:
        return False
    try:
        return _at_boundary(list(_sre_parse.parse(pattern)))
    except Exception:  # pragma: no cover - a pattern re itself compiled
        return False


def _at_boundary(items: list) -> bool:
    if not items:
        return False
    op, av = items[0]
    if op is _sre.AT:
        return bool(av is _sre.AT_BOUNDARY)
    if op is _sre.SUBPATTERN:
        return _at_boundary(list(av[3]))
    if op is _sre.BRANCH:
        return all(_at_boundary(list(b)) for b in av[1])
    return False


K = TypeVar("K", bound=Hashable)


class Table(Generic[K]):
    """Named patterns over lower-cased text, each tried only at the words its matches can
    start at: ``rx.match(low, offset)`` at those words finds
    exactly what ``rx.search(low)`` / ``rx.finditer(low)`` would, since every match starts
    at such a word (leading_prefixes), and a search would try the pattern at every
    character of the text (a search of an alternation of dozens of phrases costs
    microseconds a pattern even when it finds nothing). Patterns whose beginnings cannot
    be read, or that do not start with ``\\b`` (a match might start inside a word), are
    searched over the whole text."""

    def __init__(self, patterns: dict[K, re.Pattern[str]]) -> None:
        self.rx = patterns
        self._order = {name: k for k, name in enumerate(patterns)}
        self.always: tuple[K, ...] = ()
        # Each beginning -> the patterns it starts; a word is looked up by its own first
        # characters, one length per distinct beginning length.
        self._by_prefix: dict[str, list[K]] = {}
        digit = []
        for name, rx in patterns.items():
            prefixes = leading_prefixes(rx.pattern)
            if prefixes is None or rx.flags & re.IGNORECASE or not starts_at_word(rx.pattern):
                self.always += (name,)
                continue
            starts = Starts(prefixes)
            for p in starts.plain:
                self._by_prefix.setdefault(p, []).append(name)
            if starts.digit:
                digit.append(name)
        # What a word must be for each pattern to start a match at it (first_word).
        self._first = {name: first_word(rx.pattern) for name, rx in patterns.items()}
        self._lengths = sorted({len(p) for p in self._by_prefix})
        self._digit = tuple(digit)
        self._begun: dict[str, tuple[K, ...]] = {}
        # The words some pattern can start at, found in one scan: a word's start, then
        # one of the beginnings (as a trie, so each word is read once), then the rest of
        # the word. Most words of a text begin no pattern; listing every word and looking
        # each one up cost more than trying the patterns.
        branches = [_trie(sorted(self._by_prefix))] if self._by_prefix else []
        if self._digit:
            branches.append(r"\d")
        self._starts = (
            re.compile(r"(?<!\w)(?:" + "|".join(branches) + r")\w*") if branches else None
        )

    def begun_by(self, word: str) -> tuple[K, ...]:
        """The patterns a match of which can start at this word, in table order."""
        found = self._begun.get(word)
        if found is None:
            names: set[K] = set()
            for n in self._lengths:
                if n > len(word):
                    break
                names.update(self._by_prefix.get(word[:n], ()))
            if self._digit and word[:1].isdecimal():
                names.update(self._digit)
            # A word that begins like a pattern's match may still be no first word of one
            # ("yours", "the", "user"): it is not tried there.
            found = tuple(
                sorted(
                    (n for n in names if (fw := self._first[n]) is None or fw.fullmatch(word)),
                    key=self._order.__getitem__,
                )
            )
            if len(self._begun) < _BEGUN_CACHE:
                self._begun[word] = found
        return found

    def starts(self, low: str) -> list[tuple[int, str]]:
        """(offset, word) of the words of ``low`` that begin like some pattern's match
        (those of words_at(low) with one of the leading beginnings), in order."""
        if self._starts is None:
            return []
        return [(m.start(), m.group()) for m in self._starts.finditer(low)]

    def found(self, low: str, at: list[tuple[int, str]] | None = None) -> set[K]:
        """Names of the patterns that match somewhere in ``low`` (``at``: words_at(low),
        or any list of its words holding those that begin a pattern; by default starts)."""
        out = {name for name in self.always if self.rx[name].search(low)}
        if at is None:
            # The scan's matches read directly: most texts are read once, and a list of
            # (offset, word) pairs first would cost a tuple a word.
            if self._starts is not None:
                begun = self._begun
                for w in self._starts.finditer(low):
                    # The remembered patterns first, saving a call a word.
                    word = w.group()
                    names = begun.get(word)
                    for name in self.begun_by(word) if names is None else names:
                        if name not in out and self.rx[name].match(low, w.start()):
                            out.add(name)
            return out
        for start, word in at:
            for name in self.begun_by(word):
                if name not in out and self.rx[name].match(low, start):
                    out.add(name)
        return out

    def matches(
        self, low: str, at: list[tuple[int, str]] | None = None
    ) -> list[tuple[K, re.Match[str]]]:
        """(name, match) of every match rx.finditer(low) yields for each pattern (``at``
        as for found)."""
        out = [(name, m) for name in self.always for m in self.rx[name].finditer(low)]
        # finditer goes on from where a match ends: no match of the same pattern starts
        # inside another.
        end: dict[K, int] = {}
        if at is None:
            if self._starts is not None:
                begun = self._begun
                for w in self._starts.finditer(low):
                    start, word = w.start(), w.group()
                    names = begun.get(word)
                    for name in self.begun_by(word) if names is None else names:
                        if start >= end.get(name, 0) and (m := self.rx[name].match(low, start)):
                            out.append((name, m))
                            end[name] = m.end()
            return out
        for start, word in at:
            for name in self.begun_by(word):
                if start >= end.get(name, 0) and (m := self.rx[name].match(low, start)):
                    out.append((name, m))
                    end[name] = m.end()
        return out


def _trie(words: list[str]) -> str:
    """A regex matching any of ``words`` at the start of a text, branching one character
    at a time (a word that has another of them as its beginning adds nothing: the shorter
    one already matches where it would)."""
    heads: dict[str, list[str]] = {}
    for w in words:
        heads.setdefault(w[0], []).append(w[1:])
    out = []
    for ch, rests in heads.items():
        if "" in rests:
            out.append(re.escape(ch))
        else:
            out.append(re.escape(ch) + _trie(rests))
    return out[0] if len(out) == 1 else "(?:" + "|".join(out) + ")"


# -- IGNORECASE patterns tried only where a match can start ------------------------------
#
# An IGNORECASE search tries every alternative at every character of the text. In the
# lower-cased text a pattern without IGNORECASE finds where a match can start much faster,
# and the IGNORECASE pattern is then tried there only. That is exact when lowering turns
# each character into one (the offsets agree) and no character is one that IGNORECASE
# matches to an ASCII letter without str.lower() turning it into that letter: "ı" and
# "İ" ("i"), "ſ" ("s"); every other one lowers to its letter (checked over all of
# Unicode), and lowering one character into one keeps it a word character or not, so
# \b holds at the same offsets. Texts holding one of these are searched as before.
FOLDED_APART = re.compile("[ıİſ]")


def lowered(text: str) -> str | None:
    """text.lower() when it reads as the text does under IGNORECASE (above), else None."""
    low = text.lower()
    if len(low) != len(text) or FOLDED_APART.search(text):
        return None
    return low


def finditer_from(
    rx: re.Pattern[str], starts: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """rx.finditer(text), rx an IGNORECASE pattern that cannot match empty, tried only at
    the offsets where ``starts`` (no IGNORECASE, zero-width or not) matches the lower-cased
    text. ``starts`` must match at every offset where a match of rx can begin (a
    lookahead finds overlapping beginnings: "twone" holds "two" and "one")."""
    low = lowered(text)
    if low is None:
        yield from rx.finditer(text)
        return
    end = 0
    for start in starts.finditer(low):
        at = start.start()
        # finditer goes on from where a match ends: nothing inside a match is tried.
        if at < end:
            continue
        m = rx.match(text, at)
        if m:
            yield m
            end = m.end()


def sub_from(rx: re.Pattern[str], starts: re.Pattern[str], repl: str, text: str) -> str:
    """rx.sub(repl, text) with a plain ``repl`` (no group references), found as
    finditer_from finds: sub replaces what finditer yields."""
    parts: list[str] = []
    end = 0
    for m in finditer_from(rx, starts, text):
        parts += (text[end : m.start()], repl)
        end = m.end()
    if not parts:
        return text
    parts.append(text[end:])
    return "".join(parts)
