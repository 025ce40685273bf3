"""Judgment: categories, noise and materiality of each change, with a readable reason.

Pure: takes the diff's changes and returns them judged; no I/O.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache
from itertools import accumulate, chain, islice, takewhile

from monitor.classify.categories import CATEGORY_SLUGS
from monitor.classify.contact import contact_edit, contact_span, has_contact, only_contact
from monitor.classify.controller import holder_change
from monitor.classify.cookies import cookie_row
from monitor.classify.deadlines import deadline_change
from monitor.classify.edits import edit_reason, heading_quantity, hunks, link_text_only
from monitor.classify.enumeration import enumeration_edit, listed_item
from monitor.classify.inventory import (
    clause_elements,
    common_words,
    inventory,
    is_general,
    names_data,
    states_practice,
    written_names,
)
from monitor.classify.lexicon import (
    categories_of,
    practice_categories,
    speaks_of_data,
)
from monitor.classify.noise import is_date_line, noise_reason, reordered_words
from monitor.classify.practice import clip, describe_clause
from monitor.classify.renames import (
    name_pattern,
    named_back,
    parties_named,
    party_swaps,
    policy_renames,
    undo_renames,
    written_forms,
)
from monitor.classify.substrings import Substrings, wordlike
from monitor.classify.verdict import ORDINARY, Verdict
from monitor.classify.words import PRACTICE_VERBS, key_words, text_key, word_tuple, words
from monitor.diff.change import ClauseChange
from monitor.diff.sentences import split_sentences
from monitor.diff.words import word_ops
from monitor.model import SECTION_SEPARATOR, Clause, PolicyDocument
from monitor.textnorm import comparison_key

__all__ = ["CATEGORY_SLUGS", "categories_of", "classify_change", "classify_changes"]

# An added or removed clause shorter than this is a label, not a statement of practice.
MIN_STATEMENT_WORDS = 4
# Title-case lines up to this long are labels (navigation, link lists, headings in disguise).
MAX_LABEL_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?;]\s*$")
# Page furniture that comes and goes with a capture: update banners and cookie notices.
_BANNER = re.compile(
    r"\bwe(?:'ve|’ve| have| are|'re|’re)? (?:updated|updating|changed|changing|made changes|added|clarified|revised)\b"
    r"|\b(?:policy|notice|statement) (?:has been |was |is )?(?:updated|changing|revised)\b"
    r"|\bname change\b|\bis now meta\b|\b(?:has |have )?chang(?:ed|es|ing) (?:its|our|their) name\b"
    r"|\b(?:site|website) uses cookies\b|\bby continuing to (?:browse|use)\b|\bcookie preferences\b",
    re.IGNORECASE,
)
_BANNER_MAX_WORDS = 60
# Every match of _BANNER holds one of these, in lower case: the verbs of its first two
# phrases (updat-, chang-, added, clar-, rev-), "now meta", "cook" (both cookie phrases),
# "by cont". None holds an "i" or an "s": IGNORECASE matches those to "ı", "İ" and "ſ",
# which str.lower() leaves as they are; every other character it matches to an ASCII
# letter lowers to that letter. So a text without any of them cannot match, and most
# short clauses skip the pattern (a dozen alternatives tried at every character).
_BANNER_LITERALS = ("updat", "chang", "added", "clar", "rev", "now meta", "cook", "by cont")
# "Learn more about our contact upload feature here.": points elsewhere, states nothing.
_POINTER = re.compile(
    r"^\W*(?:to )?(?:learn more|read more|find out more|click here|for more (?:information|details)"
    r"|for further (?:information|details)|more information|please (?:see|review|visit|read|refer)"
    r"|see (?:our|the|this|here)|visit (?:our|the))\b",
    re.IGNORECASE,
)
_POINTER_MAX_WORDS = 30


_LABEL_WORD = re.compile(r"[A-Za-z][\w'’-]*")


# Up to this long, a text is cut into all its words at once (cheaper than stopping early).
_FIRST_WORDS_WHOLE = 160


def _first_words(rx: re.Pattern[str], text: str, n: int) -> list[str]:
    """rx.findall(text) when it finds at most n words, else at least its first n + 1: enough
    to tell that a long text has too many, without listing all of them."""
    if len(text) <= _FIRST_WORDS_WHOLE:
        return rx.findall(text)
    return [m.group() for m in islice(rx.finditer(text), n + 1)]


def is_label(text: str) -> bool:
    """A short title-case line that names something rather than saying something."""
    ws = _first_words(_LABEL_WORD, text, MAX_LABEL_WORDS)
    if not ws or len(ws) > MAX_LABEL_WORDS or _SENTENCE_END.search(text.strip()):
        return False
    small = {"of", "and", "the", "to", "for", "a", "an", "in", "on", "with", "or", "your", "our"}
    return all(w[0].isupper() or w.lower() in small for w in ws)


# A line of links: "Home — Wordfeud Dictionaries — Terms of Service — Report a security
# vulnerability — Company info (Norwegian)"; or menu entries run together in capitals,
# "PRIVACY NOTICE YOUR CALIFORNIA PRIVACY RIGHTS TERMS OF USE".
_LINK_SEPARATOR = re.compile(r"\s+[—|•·»]\s+")
_LINK_LIST_MIN_ITEMS = 3
_LINK_MAX_WORDS = 5
_CAPS_LINE_MAX_WORDS = 12
# A footer's copyright line, often glued to its links: "Copyright © 2020 X, Inc. All rights
# reserved."
_COPYRIGHT = re.compile(
    r"\s*(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?[^|]*?"
    r"(?:all rights reserved\.?)?\s*$",
    re.IGNORECASE,
)
# A long menu may have a few items glued together by the extraction ("Blog Site Map"): at
# least this many items, and this share of them link titles.
_MENU_MIN_ITEMS = 8
_MENU_SHARE = Fraction(3, 4)
# A sentence in capitals says something: "WE DO NOT SELL YOUR DATA".
_SAYS = frozenset({"we", "us", "you", "i", "not", "no", "never", "will", "may", "can", "do"})


def is_link_line(text: str) -> bool:
    """Page navigation caught in the text: a line of short capitalised link titles."""
    text = text.strip()
    items = _LINK_SEPARATOR.split(text)
    if len(items) >= _MENU_MIN_ITEMS:
        # A footer menu, its copyright line glued to the last item.
        items[-1] = _COPYRIGHT.sub("", items[-1]) or items[-1]
        titles = sum(map(_link_title, items))
        if titles >= _MENU_SHARE * len(items):
            return True
    if not text or _SENTENCE_END.search(text):
        return False
    if len(items) >= _LINK_LIST_MIN_ITEMS:
        return all(map(_link_title, items))
    ws = _first_words(_LINK_WORD, text, _CAPS_LINE_MAX_WORDS)
    return (
        0 < len(ws) <= _CAPS_LINE_MAX_WORDS
        and all(w.isupper() for w in ws)
        and not any(w.lower() in _SAYS for w in ws)
    )


_LINK_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _link_title(item: str) -> bool:
    ws = _first_words(_LINK_WORD, item, _LINK_MAX_WORDS)
    return 0 < len(ws) <= _LINK_MAX_WORDS and ws[0][0].isupper()


def _at_most_words(text: str, n: int) -> bool:
    """len(text.split()) <= n, without cutting a long text into all its words: split stops
    after n cuts, so it returns more than n parts exactly when there are more than n words."""
    return len(text.split(maxsplit=n)) <= n


def is_banner(text: str) -> bool:
    if not _at_most_words(text, _BANNER_MAX_WORDS):
        return False
    low = text.lower()
    return any(s in low for s in _BANNER_LITERALS) and bool(_BANNER.search(text))


# "The Facebook company is now Meta. ... this name change does not affect how we use or
# share data": a notice of the company's new name, longer than a banner.
_RENAME_NOTICE = re.compile(
    r"\bname change\b|\bchang(?:ed|es|ing) (?:its|our|their) (?:company |legal )?name\b",
    re.IGNORECASE,
)
_RENAME_NOTICE_MAX_WORDS = 120


def is_rename_notice(text: str) -> bool:
    return _at_most_words(text, _RENAME_NOTICE_MAX_WORDS) and bool(_RENAME_NOTICE.search(text))


def is_pointer(text: str) -> bool:
    """A sentence that sends the reader elsewhere and names no practice verb."""
    if not _POINTER.search(text):
        return False
    ws = word_tuple(text)
    return len(ws) <= _POINTER_MAX_WORDS and not any(w in PRACTICE_VERBS for w in ws)


def _section_leaf(path: str | None) -> str:
    return (path or "").rsplit(SECTION_SEPARATOR, 1)[-1]


def _parent_leaf(path: str, heading: str) -> str:
    """The title of the section a heading stands in (a heading's path ends with itself)."""
    parts = path.split(SECTION_SEPARATOR)
    if parts and parts[-1].strip() == heading.strip():
        parts = parts[:-1]
    return parts[-1] if parts else ""


# A table of contents numbers its entries ("1 What Information Do We Gather About You?",
# "2. Sharing Your Data"): the entry names its section without the number. The number is
# taken off only before at least two more words, so "1 year" stays as written.
_ENTRY_NUMBER = re.compile(r"^\s*(?:\d{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,5})[.)]?\s+(?=\S+\s+\S)")
# A section title written as a plain paragraph: a question standing alone.
_QUESTION_TITLE_MAX_WORDS = 14


def toc_keys(doc: PolicyDocument) -> frozenset[str]:
    """The comparison keys of what a table of contents of the version can list: its
    headings, and its section titles written as plain paragraphs. Pages that style titles
    without heading markup ("What Information Do We Gather About You?" above its section)
    still list them in a table of contents of links; only a question standing alone is
    read as such a title, since a short statement may be a list item anywhere."""
    titles = (
        c.key
        for c in doc.clauses
        if c.kind == "paragraph"
        and c.text.rstrip().endswith("?")
        and len(c.text.split()) <= _QUESTION_TITLE_MAX_WORDS
    )
    return frozenset(c.key for c in doc.headings) | frozenset(titles)


def _in_toc(text: str, toc: frozenset[str]) -> bool:
    """The text, or the text without its entry number, is a table-of-contents key."""
    if text_key(text) in toc:
        return True
    entry = _ENTRY_NUMBER.sub("", text, count=1)
    # Most texts have no entry number: the same text has the same key, just looked up.
    return entry != text and text_key(entry) in toc


# A table of contents run into one line: its entries between separators.
_TOC_SEPARATOR = re.compile(r"\s*[;|•·»]\s*|\s+[—–]\s+")
_TOC_SEPARATOR_CHARS = ";|•·»—–"
_TOC_LINE_MIN_ENTRIES = 3


def _is_toc_line(text: str, toc: frozenset[str]) -> bool:
    """A line whose every part between separators is an entry of the table of contents
    ("Intro; About Us; Sources of Data; ..."): the contents laid out as one line, as a page
    or its extraction may lay out a list of links, not a statement of the policy."""
    # Each match of _TOC_SEPARATOR holds one of its characters, and three entries need two
    # matches: most clauses hold fewer and are not split (the split tries the separator
    # at every character).
    if sum(map(text.count, _TOC_SEPARATOR_CHARS)) < _TOC_LINE_MIN_ENTRIES - 1:
        return False
    parts = [p for p in _TOC_SEPARATOR.split(text.strip().rstrip(".")) if p.strip()]
    return len(parts) >= _TOC_LINE_MIN_ENTRIES and all(_in_toc(p.strip(), toc) for p in parts)


def _judge_whole_clause(ch: ClauseChange, toc: frozenset[str]) -> tuple[Verdict, list[str]]:
    added = ch.kind == "added"
    text = (ch.new if added else ch.old) or ""
    section = (ch.new_section if added else ch.old_section) or ""
    verb = "adds" if added else "removes"
    cats = categories_of(text, section)
    if ch.clause_kind == "heading":
        # A list whose items are headings is still a list: "Third-party service providers"
        # > "Postmark" (with its purpose and location below) names one more recipient.
        item = listed_item(text, _parent_leaf(section, text), ch.clause_kind, added)
        if item:
            return item[0], _with(cats, item[1])
        return Verdict.cosmetic(f"{verb} the heading “{text.strip()}”", "heading"), cats
    if toc and _in_toc(text, toc):
        return Verdict.cosmetic(f"{verb} the table-of-contents entry “{text.strip()}”", "toc"), cats
    if toc and _is_toc_line(text, toc):
        reason = f"{verb} the table of contents as one line: “{clip(text.strip(), 12)}”"
        return Verdict.cosmetic(reason, "toc"), cats
    if is_date_line(text):
        return Verdict.cosmetic(f"{verb} the date line “{text.strip()}”", "date"), cats
    # Before the label test: a cookie row or a row naming a subprocessor looks like a
    # label, and is not one.
    row = cookie_row(text, section, ch.clause_kind, added)
    if row:
        return row[0], _with(cats, row[1]) if row[0].material else cats
    item = listed_item(text, _section_leaf(section), ch.clause_kind, added)
    if item:
        return item[0], _with(cats, item[1])
    if is_label(text):
        return Verdict.cosmetic(f"{verb} the label “{text.strip()}”", "label"), cats
    if ch.clause_kind != "table-row" and is_link_line(text):
        return Verdict.cosmetic(f"{verb} a line of links “{clip(text.strip(), 12)}”", "label"), cats
    if is_banner(text):
        return Verdict.cosmetic(f"{verb} a page banner: “{clip(text.strip(), 12)}”", "banner"), cats
    if is_pointer(text):
        reason = f"{verb} a pointer to more information: “{clip(text.strip(), 12)}”"
        return Verdict.cosmetic(reason, "pointer"), cats
    if has_contact(text) and only_contact(text):
        return Verdict.cosmetic(
            f"{verb} contact details: “{clip(text.strip(), 12)}”", "contact"
        ), cats
    n_words = len(word_tuple(text))
    practice = [c for c in cats if c != "other"]
    own = practice_categories(text)
    # A list item under "What we collect" names collected data without saying "collect".
    listed = ch.clause_kind in ("list-item", "table-row") and bool(
        practice_categories(_section_leaf(section))
    )
    # Sharing is the one category a lone verb can set ("sell", "share"): text that names
    # no data and no party to a practice (spam injected into a page: "set up your keys and
    # sell, and large, cryptocurrency...") says nothing about personal data.
    off_topic = not listed and own == ["third-party-sharing"] and not speaks_of_data(text)
    if off_topic and n_words >= MIN_STATEMENT_WORDS:
        reason = f"{verb} text that names no data and no party to a data practice: “{clip(text.strip(), 12)}”"
        return Verdict.cosmetic(reason, "off-topic"), cats
    material = bool(practice) and n_words >= MIN_STATEMENT_WORDS and (bool(own) or listed)
    verdict = describe_clause(text, practice or cats, added)
    if not material:
        verdict = Verdict.cosmetic(f"{verdict.reason}; no data practice", "no-practice")
    return verdict, cats


def _judge_edit(ch: ClauseChange) -> tuple[Verdict, list[str]]:
    old, new = ch.old or "", ch.new or ""
    cats = sorted(
        set(categories_of(old, ch.old_section or "")) | set(categories_of(new, ch.section)),
        key=CATEGORY_SLUGS.index,
    )
    if len(cats) > 1 and "other" in cats:
        cats.remove("other")
    if ch.clause_kind == "heading":
        quantity = heading_quantity(old, new, cats, ch.word_ops)
        if quantity:
            return quantity, cats
        return Verdict.cosmetic(
            f"renames the heading “{old.strip()}” to “{new.strip()}”", "heading"
        ), cats
    if is_label(old) and is_label(new):
        return Verdict.cosmetic(
            f"renames the label “{old.strip()}” to “{new.strip()}”", "label"
        ), cats
    if is_banner(old) and is_banner(new):
        return Verdict.cosmetic("rewords a page banner", "banner"), cats
    if is_rename_notice(old) and is_rename_notice(new):
        return Verdict.cosmetic("rewords the notice of the company's new name", "rename"), cats
    # Before contact details: the company that holds the data is named with its address.
    holder = holder_change(old, new)
    if holder:
        return holder, sorted({*cats, "other"}, key=CATEGORY_SLUGS.index)
    hunks_ = hunks(ch.word_ops)
    if contact_edit(hunks_) or contact_span(old, new):
        return Verdict.cosmetic("changes contact details only", "contact"), cats
    if link_text_only(hunks_):
        return Verdict.cosmetic("spells out a link's address in place of its text", "link"), cats
    # Before word order and names: one more vendor in a list reads as "adds the name".
    item = enumeration_edit(old, new, ch.word_ops)
    if item:
        return item[0], _with(cats, item[1])
    reordered = reordered_words(old, new)
    if reordered:
        return Verdict.cosmetic(reordered, "reordered"), cats
    # Before dates are set aside as noise: a date that ends a choice is no "last updated".
    deadline = deadline_change(old, new)
    if deadline:
        return deadline, _with(cats, "user-choice")
    noise = noise_reason(old, new, ch.word_ops)
    if noise:
        return Verdict.cosmetic(noise), cats
    section_practice = bool(practice_categories(_section_leaf(ch.section)))
    return edit_reason(old, new, ch.word_ops, cats, section_practice), cats


def _with(cats: list[str], cat: str) -> list[str]:
    return sorted({*cats, cat} - {"other"}, key=CATEGORY_SLUGS.index)


def _judged(ch: ClauseChange, verdict: Verdict, cats: list[str]) -> ClauseChange:
    # "other" stands for "none of the above", except for who holds the data (DESIGN.md).
    if verdict.material and len(cats) > 1 and "other" in cats and verdict.rule != "controller":
        cats = [c for c in cats if c != "other"]
    return replace(
        ch,
        material=verdict.material,
        categories=cats,
        reason=verdict.reason,
        rule=verdict.rule,
        strength=verdict.strength if verdict.material else 0.0,
        evidence=verdict.evidence,
    )


def classify_change(ch: ClauseChange, toc: frozenset[str] = frozenset()) -> ClauseChange:
    """The change with ``material``, ``categories`` and ``reason`` filled in, and the
    verdict behind them (``rule``, ``strength``, ``evidence``).

    ``toc`` holds the comparison keys of headings, so a table-of-contents line that
    mirrors a heading is recognised as such.
    """
    if ch.kind == "moved":
        cats = categories_of(ch.new or "", ch.section)
        a, b = _section_leaf(ch.old_section), _section_leaf(ch.new_section)
        where = f"from “{a}” to “{b}”" if a != b else f"within “{b}”" if b else "within the policy"
        return _judged(ch, Verdict.cosmetic(f"moves the clause {where}", "moved"), cats)
    if ch.kind in ("added", "removed"):
        verdict, cats = _judge_whole_clause(ch, toc)
    else:
        verdict, cats = _judge_edit(ch)
    return _judged(ch, verdict, cats)


def _spans(ch: ClauseChange) -> tuple[list[str], list[str]]:
    """(inserted, deleted) word runs of a change, as normalised strings."""
    if ch.kind == "added":
        return [" ".join(words(ch.new or ""))], []
    if ch.kind == "removed":
        return [], [" ".join(words(ch.old or ""))]
    ins = [" ".join(words(t)) for op, t in ch.word_ops if op == "insert"]
    dels = [" ".join(words(t)) for op, t in ch.word_ops if op == "delete"]
    return [s for s in ins if s], [s for s in dels if s]


# A span of at least this many words counts as moved when the other side holds a span
# sharing this share of its words (moved, lightly edited on the way).
_MOVED_MIN_WORDS = 3
_MOVED_SIMILAR_WORDS = 8
_MOVED_JACCARD = Fraction(3, 5)
# A run of at least this many words that the other version already holds is not new.
_REPEATED_MIN_WORDS = 4
# Copies of a run up to this long (a sentence or two) are counted on both sides.
_COUNTED_MAX_WORDS = 80
# A version up to this many words is searched as one string, a longer one through an index.
_SCAN_MAX_WORDS = 50_000
# The changes' spans up to this many characters are searched as one string, more through
# an index of their words (monitor.classify.substrings): a span is looked for once per
# change, and the text grows with the changes.
_POOL_SCAN_MAX_CHARS = 50_000


class _Pool:
    """Word runs from one side of all changes, searchable as one string."""

    def __init__(
        self,
        spans: list[str],
        doc: PolicyDocument | None = None,
        other: PolicyDocument | None = None,
    ) -> None:
        self.text = "\x00".join(spans)
        self.index = (
            Substrings(spans)
            if len(self.text) > _POOL_SCAN_MAX_CHARS and all(map(wordlike, spans))
            else None
        )
        self.spans = spans
        self._similar: _Similar | None = None
        self._held: dict[tuple[str, str | None], bool] = {}
        self.doc = doc
        self.other = other
        self._doc_runs: _Runs | None = None
        self._other_runs: _Runs | None = None

    def doc_runs(self) -> _Runs:
        # Indexed only when a long enough span needs it, then kept.
        if self._doc_runs is None:
            self._doc_runs = _runs_of(self.doc)
        return self._doc_runs

    def other_runs(self) -> _Runs:
        # Kept too: _runs_of's cache hashes the whole version at every lookup (10,000
        # clauses: milliseconds), and a comparison asks once per span it counts.
        if self._other_runs is None:
            assert self.other is not None
            self._other_runs = _runs_of(self.other)
        return self._other_runs

    def _kept(self, run: list[str], section: str | None) -> bool:
        """The run is in this version as many times as in the other: a sentence repeated
        in three sections and cut from one is in the other version twice, and that is a
        removal, not text moved (copies are counted, not merely looked for). A copy left
        in the same section is a duplicated section dropped (or doubled), not a removal."""
        here = self.doc_runs().where(run)
        if not here:
            return False
        # A long passage found elsewhere is a copy of a block (a page holding the policy
        # twice, old and updated, keeps one); only sentences have their copies counted.
        if self.other is None or len(run) > _COUNTED_MAX_WORDS:
            return True
        if len(here) >= self.other_runs().count(run):
            return True
        return section is not None and section in here

    def _in_text(self, span: str) -> bool:
        """``span in self.text``, from the index when there is one."""
        if self.index is not None and wordlike(span):
            return self.index.has(span)
        return span in self.text

    def holds(self, span: str, section: str | None = None) -> bool:
        # Asked twice for most spans of an edit that is not all moved text: once for the
        # whole edit, again for each run when what is left of it is judged.
        if (span, section) not in self._held:
            self._held[(span, section)] = self._holds(span, section)
        return self._held[(span, section)]

    def _holds(self, span: str, section: str | None) -> bool:
        if self._in_text(span):
            return True
        run = span.split()
        n = len(run)
        if self.doc is not None and n >= _REPEATED_MIN_WORDS and self._kept(run, section):
            return True
        if n < _MOVED_SIMILAR_WORDS:
            return False
        # The spans' word sets are indexed at the first span that needs them: in most
        # comparisons every span asked about is found word for word first.
        if self._similar is None:
            self._similar = _Similar(self.spans)
        return self._similar.holds(set(run))


class _Similar:
    """The word sets of a pool's spans of at least _MOVED_SIMILAR_WORDS words, for finding
    one within _MOVED_JACCARD of a span's."""

    def __init__(self, spans: list[str]) -> None:
        # Smallest first: each word's list of holders (below) is then in order of set size
        # too, so the sets of a size that can reach the Jaccard are one slice of it.
        self.sets = sorted(
            (set(p.split()) for p in spans if len(p.split()) >= _MOVED_SIMILAR_WORDS), key=len
        )
        self.sizes = [len(s) for s in self.sets]
        # Which sets hold each word: a span is compared only with sets sharing a word of
        # its prefix (below), not with every set of a like size (a rewrite holds thousands).
        self.holding: dict[str, list[int]] = defaultdict(list)
        for k, ps in enumerate(self.sets):
            for w in ps:
                self.holding[w].append(k)

    def holds(self, ws: set[str]) -> bool:
        n, p, q = len(ws), _MOVED_JACCARD.numerator, _MOVED_JACCARD.denominator
        # |A ∩ B| / |A ∪ B| >= p/q needs |A ∩ B| >= ceil(n·p/q), so any n - that + 1 words
        # of the span include one the set shares (prefix filtering): only sets holding one
        # of those words can match. The rarest words are taken, to look at fewest sets.
        prefix = sorted(ws, key=lambda w: (len(self.holding.get(w, ())), w))
        prefix = prefix[: n - -(-n * p // q) + 1]
        # |A ∩ B| <= min(|A|, |B|), so (p + q)·min(n, |B|) >= p·(n + |B|) is needed too: |B|
        # from ceil(n·p/q) to floor(n·q/p). Only the sets of those sizes (a range of indices,
        # the sets being in order of size) are looked at: most sets sharing a rare word of a
        # long span are far shorter or longer, and the intersection is the cost.
        first = bisect_left(self.sizes, -(-n * p // q))
        end = bisect_right(self.sizes, n * q // p)
        seen = {
            k
            for w in prefix
            if (at := self.holding.get(w))
            for k in at[bisect_left(at, first) : bisect_left(at, end)]
        }
        # |A ∩ B| / |A ∪ B| >= p/q, with |A ∪ B| = |A| + |B| - |A ∩ B|, in integers: no
        # union set built per candidate, no float to round.
        return any((p + q) * len(ws & self.sets[k]) >= p * (n + len(self.sets[k])) for k in seen)


def _positions() -> array[int]:
    return array("q")


class _Runs:
    """The words of a version, searchable for a run of them in a row (across clause
    boundaries, as the text reads). A version of ordinary size is searched as one string
    (a scan in C is cheaper than building an index); past _SCAN_MAX_WORDS the words are
    indexed, so that a 10,000-clause version (half a million words) is not scanned once per
    run."""

    def __init__(self, doc: PolicyDocument) -> None:
        keyed = [key_words(c.key) for c in doc.clauses]
        self.words = list(chain.from_iterable(keyed))
        # Where each clause's words start (word index), and its section path.
        self.starts = list(accumulate(map(len, keyed), initial=0))[:-1]
        self.sections = [c.section_path for c in doc.clauses]
        self.text: str | None = None
        self.char_starts: list[int] = []
        # Where each word stands, in arrays of integers rather than lists: an array holds
        # its numbers unboxed, so a full collection has no references in it to follow,
        # where ten thousand lists (a 10,000-clause version's distinct words), held while
        # the version is cached, had every position's int walked. (Arrays are still
        # tracked objects: gc.is_tracked(array("q")) is True in 3.11.)
        self.at: defaultdict[str, array[int]] = defaultdict(_positions)
        if len(self.words) <= _SCAN_MAX_WORDS:
            self.text = " " + " ".join(self.words) + " "
            # Where each clause's words start in the string: after the leading space, and
            # the words of the clauses before it, each with the space after it (summed
            # clause by clause, not word by word).
            lengths = (sum(map(len, ws)) + len(ws) for ws in keyed)
            self.char_starts = list(accumulate(lengths, initial=1))[:-1]
        else:
            at = self.at
            for i, w in enumerate(self.words):
                at[w].append(i)

    def where(self, run: list[str]) -> list[str]:
        """The section path of each place the run starts, word for word."""
        if self.text is not None:
            needle = " " + " ".join(run) + " "
            out = []
            i = self.text.find(needle)
            while i >= 0:
                out.append(self.sections[bisect_right(self.char_starts, i + 1) - 1])
                i = self.text.find(needle, i + 1)
            return out
        # Anchored on the run's rarest word: only where it occurs can the run start.
        offset = min(range(len(run)), key=lambda k: len(self.at.get(run[k], ())))
        n = len(run)
        return [
            self.sections[bisect_right(self.starts, i - offset) - 1]
            for i in self.at.get(run[offset], ())
            if i >= offset and self.words[i - offset : i - offset + n] == run
        ]

    def count(self, run: list[str]) -> int:
        """How many times the run stands in the version, word for word."""
        return len(self.where(run))

    def holds(self, run: list[str]) -> bool:
        if self.text is not None:
            return " " + " ".join(run) + " " in self.text
        return self.count(run) > 0


def _moved_text(
    changes: list[ClauseChange],
    old: PolicyDocument | None = None,
    new: PolicyDocument | None = None,
) -> list[ClauseChange]:
    """Text cut from one clause and pasted into another (a table re-laid out, a sentence
    moved to the next paragraph) is not new. A material verdict is withdrawn when, once
    the moved text is set aside, what is left of the edit is noise."""
    spans = [_spans(ch) for ch in changes]
    # Besides text moved by other changes, text that the other version already holds
    # word for word (a table cell now repeated in a row, a heading folded into a row).
    pool_ins = _Pool([s for ins, _ in spans for s in ins], new, old)
    pool_del = _Pool([s for _, dels in spans for s in dels], old, new)
    out = []
    for ch, (ins, dels) in zip(changes, spans, strict=True):
        if ch.material and (ins or dels):
            if all(pool_del.holds(s, ch.new_section) for s in ins) and all(
                pool_ins.holds(s, ch.old_section) for s in dels
            ):
                ch = _judged(
                    ch,
                    Verdict.cosmetic("moves text between clauses; same words", "moved"),
                    ch.categories,
                )
            elif ch.kind == "modified":
                rest_old, rest_new, moved = _without_moved(ch, pool_ins, pool_del)
                if moved:
                    why = noise_reason(rest_old, rest_new) or reordered_words(rest_old, rest_new)
                    if why or comparison_key(rest_old) == comparison_key(rest_new):
                        reason = "moves text to or from another clause"
                        reason = f"{reason}; {why}" if why else reason
                        ch = _judged(ch, Verdict.cosmetic(reason, "moved"), ch.categories)
        out.append(ch)
    return out


def _without_moved(ch: ClauseChange, pool_ins: _Pool, pool_del: _Pool) -> tuple[str, str, bool]:
    old, new = [], []
    moved = False
    for op, t in ch.word_ops:
        if op == "equal":
            old.append(t)
            new.append(t)
            continue
        # Only an edited run is looked for: the equal runs (most of a long clause) are
        # never cut into words.
        key = " ".join(words(t))
        if len(key.split()) >= _MOVED_MIN_WORDS and (
            pool_ins.holds(key, ch.old_section)
            if op == "delete"
            else pool_del.holds(key, ch.new_section)
        ):
            moved = True
        elif op == "delete":
            old.append(t)
        else:
            new.append(t)
    return "".join(old), "".join(new), moved


def classify_changes(
    changes: list[ClauseChange],
    toc: frozenset[str] = frozenset(),
    old: PolicyDocument | None = None,
    new: PolicyDocument | None = None,
) -> list[ClauseChange]:
    """Judge every change. With the two versions at hand, text merely moved or repeated
    from elsewhere in them is recognised as such."""
    judged = [classify_change(ch, toc) for ch in changes]
    if old is not None and new is not None:
        judged = _parties_swapped(_named_before(judged, old, new), old, new)
        judged = _listed_data(judged, old, new)
    if not any(ch.material for ch in judged):
        return judged
    renames = policy_renames([ch.word_ops for ch in judged if ch.kind == "modified"], old)
    judged = _renamed_across(judged, renames)
    if not any(ch.material for ch in judged):
        return judged
    plain = _moves_and_repeats(judged, old, new)
    if not renames or old is None or new is None or not any(ch.material for ch in plain):
        return plain
    # A policy renamed and also reworked (a section moved, a list laid out as a line): the
    # text moved or repeated is found once the new name is written back as the old one,
    # on the new side. What that reading finds moved or restated is so; what it still
    # finds material keeps the verdict read on the texts as written.
    # Only a change still material that names one of the names is read again (the others
    # still lend their text to the search): a rewrite that swaps one vendor for another in
    # a few clauses is not read twice whole.
    names = [(name_pattern(a), name_pattern(b)) for a, b in renames]
    again = [
        p.material
        and any(
            (p.old is not None and was.search(p.old)) or (p.new is not None and now.search(p.new))
            for was, now in names
        )
        for p in plain
    ]
    if not any(again):
        return plain
    back_new, back = _named_back_side(judged, new, renames, old)
    back = [
        ch if read else replace(ch, material=False) for ch, read in zip(back, again, strict=True)
    ]
    backed = _moves_and_repeats(back, old, back_new)
    return [
        replace(b, old=p.old, new=p.new, word_ops=p.word_ops) if read and not b.material else p
        for p, b, read in zip(plain, backed, again, strict=True)
    ]


def _moves_and_repeats(
    judged: list[ClauseChange], old: PolicyDocument | None, new: PolicyDocument | None
) -> list[ClauseChange]:
    """The passes that read the two versions: text moved, sections moved out to documents
    of their own, practices restated, tables re-laid, clauses said elsewhere."""
    judged = _moved_text(judged, old, new)
    if old is None or new is None or not any(ch.material for ch in judged):
        return judged
    judged = _sections_moved_out(judged, old, new)
    if not any(ch.material for ch in judged):
        return judged
    judged = _restated(_open_list_examples(judged, old, new), old, new)
    return _said_elsewhere(_relaid_rows(judged, old, new), old, new)


def _named_back_side(
    changes: list[ClauseChange], new: PolicyDocument, renames: set, old: PolicyDocument
) -> tuple[PolicyDocument, list[ClauseChange]]:
    """The new version and the changes with every new name of a policy-wide rename written
    as the old version writes the old one."""
    spelt = written_forms(old, renames)

    def back(text: str) -> str:
        return named_back(text, renames, spelt)

    def clause(c: Clause) -> Clause:
        # A clause that names none of the new names stays the same object (its key is
        # not computed again).
        section, text = tuple(map(back, c.section)), back(c.text)
        return c if text == c.text and section == c.section else Clause(section, c.kind, text)

    out = []
    for ch in changes:
        text = back(ch.new) if ch.new is not None else None
        if text != ch.new:
            ops = word_ops(ch.old or "", text or "") if ch.kind == "modified" else ch.word_ops
            ch = replace(ch, new=text, word_ops=ops)
        out.append(ch)
    return replace(new, clauses=tuple(map(clause, new.clauses))), out


# The sentence introducing a list says the list is open-ended (labelling guide B1).
# The sentence introducing a list ends by saying the list is open-ended (labelling guide
# B1): "... may include, but are not limited to;", "... such as:". A cue earlier in the
# sentence qualifies something else ("Data, including as described below, we collect:").
_OPEN_ENDED = re.compile(
    r"\b(?:such as|including|includes?,? but (?:are |is )?not limited to|including,? but not"
    r" limited to|for example|for instance|e\.g\.|among others)\s*[:;,.]?\s*$",
    re.IGNORECASE,
)
_EXAMPLE_RULES = frozenset({"clause", "practice"})


_NOT_ONLY_DATA = re.compile(r"\b(?:purposes?|not(?! limited)|never|except|unless)\b", re.IGNORECASE)


def _lists_kinds_of_data(intro: str) -> bool:
    """The list names kinds of data collected ("The personal data we may collect may
    include, but are not limited to:"), not purposes (a new purpose is a new use) nor the
    exceptions to a promise ("We do not share ..., except ..., such as:")."""
    return practice_categories(intro) == ["first-party-collection"] and not _NOT_ONLY_DATA.search(
        intro
    )


def _list_intros(doc: PolicyDocument) -> list[int]:
    """For each clause, the index of the clause introducing the list it is an item of, or
    -1 (not a list item, or a list at the very top). Once per version: walking back from
    each item added to a list of thousands was quadratic."""
    out: list[int] = []
    for i, c in enumerate(doc.clauses):
        if c.kind != "list-item":
            out.append(-1)
        elif i and doc.clauses[i - 1].kind == "list-item":
            out.append(out[i - 1])
        else:
            out.append(i - 1)
    return out


# An item this short names a kind of data; a longer one says more (a purpose, a source).
_LISTED_MAX_WORDS = 8


def _listed_data(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """A short list item that names a kind of data ("Your religious beliefs"), added to or
    dropped from a list whose introduction states a practice ("The information collected
    may include:"), widens or narrows that practice (issue 22: "a data category added to
    a list"), though the item alone states none and the section's title may name none
    ("Test-taker payments"). Judged by wording (rule ``clause``): the inventory and the
    open-ended-list passes that follow still read it."""
    intros: dict[bool, list[int]] = {}
    out = []
    for ch in changes:
        if (
            not ch.material
            and ch.rule == "no-practice"
            and ch.clause_kind == "list-item"
            and ch.kind in ("added", "removed")
        ):
            added = ch.kind == "added"
            doc, index = (new, ch.new_index) if added else (old, ch.old_index)
            text = ((ch.new if added else ch.old) or "").strip()
            if index is not None and len(words(text)) <= _LISTED_MAX_WORDS and names_data(text):
                if added not in intros:
                    intros[added] = _list_intros(doc)
                at = intros[added][index]
                sentences = split_sentences(doc.clauses[at].text) if at >= 0 else []
                lead = sentences[-1] if sentences else ""
                states = practice_categories(lead)
                if states and not _NOT_ONLY_DATA.search(lead):
                    verb, where = ("adds", "to") if added else ("removes", "from")
                    reason = f"{verb} “{clip(text, 12)}” {where} the list after “{clip(lead, 12)}”"
                    verdict = Verdict(True, reason, "clause", ORDINARY, text)
                    ch = _judged(ch, verdict, _with(ch.categories, states[0]))
        out.append(ch)
    return out


def _open_list_examples(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """An item added to or dropped from a list that its introduction leaves open ("may
    include, but are not limited to:", "such as:") is an example, not a practice the list
    now covers or no longer covers (labelling guide B1). Only lists of kinds of data the
    version had before and after are read so; a closed list ("We collect the following:"),
    a list of purposes or of exceptions to a promise, recipients, cookie rows, rights and
    promises are not touched."""
    # Each version's lists and keys are read once, when first asked: a doc-keyed cache
    # hashes the whole version at every lookup, and a list of thousands of items added
    # asked once per item (clauses x items).
    intros: dict[bool, list[int]] = {}
    keys: dict[bool, frozenset[str]] = {}
    out = []
    for ch in changes:
        if ch.material and ch.rule in _EXAMPLE_RULES and ch.kind in ("added", "removed"):
            added = ch.kind == "added"
            doc, index = (new, ch.new_index) if added else (old, ch.old_index)
            if added not in intros:
                intros[added] = _list_intros(doc)
            at = -1 if index is None else intros[added][index]
            intro = doc.clauses[at].text if at >= 0 else None
            # The list was there before and after, open-ended both times: a whole new
            # list (a new section of categories) is not an example added.
            other = old if doc is new else new
            if intro and _OPEN_ENDED.search(intro) and _lists_kinds_of_data(intro):
                if added not in keys:
                    keys[added] = _keys(other)
                if comparison_key(intro) in keys[added]:
                    verb = "adds" if ch.kind == "added" else "removes"
                    item = clip((ch.new or ch.old or "").strip(), 12)
                    reason = f"{verb} the example “{item}” in an open-ended list"
                    ch = _judged(ch, Verdict.cosmetic(reason, "example"), ch.categories)
        out.append(ch)
    return out


# Rules that judge wording rather than a specific turn of meaning: a clause that states a
# practice added or removed, an edit of words in such a clause, an edited promise. Each
# may be the same practice said again in other words. The rules that read a specific turn
# (a negation, a modal, a period or age, a list item, a cookie row, a deadline, a right
# withdrawn, a rewrite) are not gated.
_RESTATABLE = frozenset({"edit", "clause", "practice", "promise"})


def _restated(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """A change judged material on its wording stays material only if it changes the
    policy's practice inventory (monitor.classify.inventory): the new text states an
    element (a kind of data, a party, a purpose, a period, a right, a place, an action on
    one of them with its polarity, a named vendor or product) that the old version states
    nowhere, or the old text states one that the new version lost. An edited clause is
    held to the text that changed rather than the whole version (see below). Rewording
    that restates practices is not a change of practice."""
    if not any(ch.material and ch.rule in _RESTATABLE for ch in changes):
        return changes
    # What the changed text states on each side: the clauses that went away or were
    # edited, and the clauses that came or were edited. An edited clause restates only
    # what the changed text stated before: a company, party or purpose an edit brings in
    # ("Factual Inc. provides" -> "Foursquare Labs, Inc. and its affiliates provide", "to
    # detect and combat abuse") is not restated because an unchanged clause elsewhere
    # happens to name it.
    sides = [
        (
            clause_elements(ch.old or "", ch.old_section or ch.section),
            clause_elements(ch.new or "", ch.new_section or ch.section),
        )
        for ch in changes
    ]
    changed_before = frozenset().union(*(o for o, _ in sides))
    changed_after = frozenset().union(*(n for _, n in sides))
    whole_before, whole_after = inventory(old), inventory(new)
    common: list[frozenset[str]] = []
    out = []
    for ch, (was, now) in zip(changes, sides, strict=True):
        if ch.material and ch.rule in _RESTATABLE:
            if ch.kind == "modified":
                # An edited clause restates only what the changed text stated before; an
                # action on data in general ("the information we collect") is stated by
                # any policy that does it, so the whole version is its evidence.
                gained = {
                    e for e in now - changed_before if not (is_general(e) and e in whole_before)
                }
                lost = {e for e in was - changed_after if not (is_general(e) and e in whole_after)}
                # A name the other side still writes in this clause is neither gained nor
                # lost: its sentence merely dropped or took the verb that made it a
                # practice sentence ("DB Vertrieb ... share joint responsibility" ->
                # "Joint responsibility exists between DB Vertrieb ...").
                gained = _unwritten(gained, ch.old or "")
                lost = _unwritten(lost, ch.new or "")
                gained = _not_examples(gained, ch.new or "")
                lost = _not_examples(lost, ch.old or "")
            else:
                gained, lost = set(now - whole_before), set(was - whole_after)
            if not _states_a_practice(gained | lost, common, old, new):
                reason = (
                    f"{ch.reason}; restates practices the policy states before and after "
                    "(no data, party, purpose, period or right gained or lost)"
                )
                ch = _judged(ch, Verdict.cosmetic(reason, "restated"), ch.categories)
        out.append(ch)
    return out


def _states_a_practice(
    elements: set, common: list[frozenset[str]], old: PolicyDocument, new: PolicyDocument
) -> bool:
    """any(states_practice(e, words written in lower case in either version) for e in
    elements). Those words (``common``, filled at the first need and kept for the next
    change) are read only for a name: any other element states a practice whatever they
    are, and gathering them reads every clause of both versions."""
    if any(_named(e) is None for e in elements):
        return True
    if not elements:
        return False
    if not common:
        common.append(common_words(old) | common_words(new))
    return any(states_practice(e, common[0]) for e in elements)


@lru_cache(maxsize=4)
def _table_starts(doc: PolicyDocument) -> tuple[int, ...]:
    """For each clause, the index of the first row of its table (its own index when it is
    no table row). Once per version: walking back from each edited row of a long table
    would cost its length per row."""
    starts: list[int] = []
    for k, c in enumerate(doc.clauses):
        row_before = k > 0 and c.kind == "table-row" and doc.clauses[k - 1].kind == "table-row"
        starts.append(starts[-1] if row_before else k)
    return tuple(starts)


def _table_header(doc: PolicyDocument, index: int | None) -> str | None:
    """The first row of the table the clause at ``index`` is a row of, when that is
    another row: the header that names its cells."""
    if index is None or doc.clauses[index].kind != "table-row":
        return None
    first = _table_starts(doc)[index]
    return doc.clauses[first].text if first != index else None


def _cells_named(row: str, item: str, header: str) -> bool:
    """The item says the row's cells, each at most named by the header's words ("Adyen |
    Name, email" -> "Party name: Adyen; Personal data disclosed: Name, email")."""
    have, said = Counter(words(row)), Counter(words(item))
    return not have - said and not said - have - Counter(words(header))


def _header_gone(doc: PolicyDocument, other: PolicyDocument, index: int) -> bool:
    """The clause at ``index`` is the header row of a table the other version no longer
    lays out as a table (neither its header nor its first row is a row there), and every
    name of a column is written in the other version (the items that name their cells)."""
    rows = doc.clauses
    if (
        rows[index].kind != "table-row"
        or (index > 0 and rows[index - 1].kind == "table-row")
        or index + 1 >= len(rows)
        or rows[index + 1].kind != "table-row"
    ):
        return False
    table = {rows[index].key, rows[index + 1].key}
    if any(c.kind == "table-row" and c.key in table for c in other.clauses):
        return False
    names = [words(c) for c in rows[index].text.split(" | ") if words(c)]
    runs = _runs_of(other)
    return bool(names) and all(runs.holds(n) for n in names)


def _header_made_item(
    doc: PolicyDocument, other: PolicyDocument, index: int | None, item: str
) -> bool:
    """The clause at ``index`` is a header row the other version no longer lays out as a
    table, and ``item`` says one of the rows under it, its cells named by the header (the
    alignment pairs the header with whichever item its words are nearest)."""
    if index is None or not _header_gone(doc, other, index):
        return False
    header = doc.clauses[index].text
    rows = takewhile(lambda c: c.kind == "table-row", doc.clauses[index + 1 :])
    return any(_cells_named(row.text, item, header) for row in rows)


def _relaid_rows(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """A table re-laid as a list with the same entries (labelling guide: re-laid tables):
    each row now an item that names its cells by the header's words, and the header row
    gone, its names kept in the items. Or the other way round, a list made a table."""
    # The texts added and removed, read only if a row added or removed needs them; and
    # whether each table's header is gone, asked once per table, not once per row (each
    # asking walks the other version).
    whole: dict[bool, list[str]] = {}
    gone: dict[tuple[bool, int], bool] = {}
    out = []
    for ch in changes:
        relaid = False
        if ch.material and ch.kind == "modified":
            header = _table_header(old, ch.old_index)
            if header and ch.clause_kind != "table-row":
                relaid = _cells_named(ch.old or "", ch.new or "", header)
            header = _table_header(new, ch.new_index)
            if header and not relaid and " | " not in (ch.old or ""):
                relaid = _cells_named(ch.new or "", ch.old or "", header)
            # The header row gone and a row's item put in its place: the alignment pairs
            # the two as one clause edited ("Party name | Purpose" -> "Party name:
            # Typeform; Purpose: Research survey tool").
            relaid = relaid or _header_made_item(old, new, ch.old_index, ch.new or "")
            relaid = relaid or _header_made_item(new, old, ch.new_index, ch.old or "")
        elif ch.material and ch.kind in ("added", "removed"):
            added = ch.kind == "added"
            index = ch.new_index if added else ch.old_index
            if index is not None:
                doc, other = (new, old) if added else (old, new)
                # The clause's own table's first row (itself when it is no row): whether
                # that header is gone decides a header row, and lets a row below it be
                # read against the items.
                start = _table_starts(doc)[index]
                if (added, start) not in gone:
                    gone[(added, start)] = _header_gone(doc, other, start)
                relaid = gone[(added, start)] and start == index
                if start != index and gone[(added, start)]:
                    header = doc.clauses[start].text
                    # A row of a table the other version lays out as a list, said there by
                    # an item that names its cells ("Amplitude | Device ID" -> "Party name:
                    # Amplitude; Personal data disclosed: Device ID").
                    # (Its item may be the one the alignment paired with the header.)
                    if not whole:
                        whole[True] = [c.new or "" for c in changes if c.kind != "removed"]
                        whole[False] = [c.old or "" for c in changes if c.kind != "added"]
                    text = (ch.new if added else ch.old) or ""
                    relaid = any(_cells_named(text, item, header) for item in whole[not added])
        if relaid:
            reason = f"{ch.reason}; re-lays a table as a list with the same entries (or back)"
            ch = _judged(ch, Verdict.cosmetic(reason, "relaid"), ch.categories)
        out.append(ch)
    return out


def _said_elsewhere(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """A clause added or removed whose every sentence the other version states word for
    word, in a section that speaks to no particular audience, changes no practice: a
    summary put first that repeats sentences of the body, or such a copy dropped (labelling
    guide B6: a practice already stated, now written in another section too, is not new).
    A copy under an audience's heading ("Nevada Residents") is that audience's own: cutting
    the promise there is a removal even when the other states keep it."""
    out = []
    for ch in changes:
        if ch.material and ch.kind in ("added", "removed"):
            added = ch.kind == "added"
            text = ch.new if added else ch.old
            # Every sentence, short ones too ("We sell data."): only a clause the other
            # version states whole is a repeat.
            runs = [r for s in split_sentences(text or "") if (r := words(s))]
            other = _runs_of(old if added else new)
            if any(len(r) >= _REPEATED_MIN_WORDS for r in runs) and all(
                any(not _speaks_to_an_audience(where) for where in other.where(r)) for r in runs
            ):
                reason = (
                    f"{'repeats' if added else 'drops a copy of'} what the policy states "
                    "word for word elsewhere, before and after"
                )
                ch = _judged(
                    ch, Verdict.cosmetic(f"{ch.reason}; {reason}", "repeated"), ch.categories
                )
        out.append(ch)
    return out


def _speaks_to_an_audience(section: str | None) -> bool:
    return "specific-audiences" in categories_of("", section or "")


def _unwritten(elements: set, other_text: str) -> set:
    """The elements but the names ``other_text`` writes."""
    if not any(_named(e) for e in elements):
        return elements
    names = written_names(other_text)
    return {e for e in elements if not (_named(e) and _named(e) in names)}


# An open-ended example list inside a sentence: the cue, then items between commas, "and",
# "or" (labelling guide B1: "(e.g. credit card, PayPal, Google Pay)").
_INLINE_CUE = re.compile(
    r"(?:\be\.g\.|\bsuch as|\bincluding|\bfor (?:example|instance)|\blike)\s*,?\s*$|"
    r"(?:\be\.g\.|\bsuch as|\bincluding|\bfor (?:example|instance)|\blike)[,:]?\s+"
    r"(?:[^\s,;.()]+(?:\s+[^\s,;.()]+){0,3}\s*(?:,\s*|\s+(?:and|or)\s+|,\s*(?:and|or)\s+))+$",
    re.IGNORECASE,
)


# Where a list written in a sentence can begin: a bracket, a semicolon, a sentence's end
# (the full stops of "e.g." and "i.e." end none).
_LIST_START = re.compile(r"[(;]|(?<!e\.g)(?<!i\.e)\.\s")


def _not_examples(elements: set, text: str) -> set:
    """The elements but the names that ``text`` writes only as an item of an open-ended
    example list: a payment method or product added after "e.g." is an example (B1), not
    a party the policy now names. Kinds of data, parties and purposes added there are
    still terms of the inventory and stay."""
    return {e for e in elements if not (_named(e) and _only_as_example(_named(e) or "", text))}


def _only_as_example(name: str, text: str) -> bool:
    spots = [m.start() for m in re.finditer(re.escape(name), text, re.IGNORECASE)]
    for at in spots:
        before = text[:at]
        start = max((m.end() for m in _LIST_START.finditer(before)), default=0)
        if not _INLINE_CUE.search(before[start:]):
            return False
    return bool(spots)


def _named(element: tuple) -> str | None:
    if element[0] == "scoped":
        element = element[2]
    return element[1] if element[0] == "name" else None


def _renamed_across(changes: list[ClauseChange], renames: set) -> list[ClauseChange]:
    """A name swapped for another in many clauses (``renames``: policy_renames) is one
    rename of the policy: each material edit is judged again with the rename undone, and
    stays material only if what is left of it is; a clause added that is a clause removed
    once the rename is undone is that clause renamed."""
    if not renames:
        return changes
    # A short clause (a label, a table cell) with the name swapped differs in too large a
    # share of its words to be paired as one clause edited: it comes as one clause removed
    # and one added, the same once the rename is undone.
    removed = {comparison_key(ch.old or "") for ch in changes if ch.kind == "removed"}
    # Each added clause's text with the old names put back, once.
    backs = [named_back(ch.new or "", renames) if ch.kind == "added" else "" for ch in changes]
    added = {comparison_key(b) for ch, b in zip(changes, backs, strict=True) if ch.kind == "added"}
    out = []
    for ch, back in zip(changes, backs, strict=True):
        if ch.material and ch.kind in ("added", "removed"):
            if ch.kind == "added":
                paired = back != ch.new and comparison_key(back) in removed
            else:
                paired = comparison_key(ch.old or "") in added
            if paired:
                reason = (
                    f"{ch.reason}; the same clause once the name renamed across the policy "
                    "is put back"
                )
                ch = _judged(ch, Verdict.cosmetic(reason, "rename"), ch.categories)
        if ch.material and ch.kind == "modified":
            rest, found = undo_renames(ch.word_ops, renames)
            if found:
                again = classify_change(
                    replace(ch, new=rest, word_ops=word_ops(ch.old or "", rest))
                )
                if not again.material:
                    reason = f"renames {', '.join(found[:3])} across the policy"
                    if words(rest) != words(ch.old or ""):
                        reason += f"; the rest {again.reason}"
                    ch = _judged(ch, Verdict.cosmetic(reason, "rename"), ch.categories)
        out.append(ch)
    return out


# A heading that titles a document of its own: "COOKIE NOTICE", "California Supplement".
_DOCUMENT_TITLE = re.compile(
    r"^\W*(?:the\s+)?((?:[\w&'’-]+\s+){1,3}?)(?:notice|policy|statement|supplement|addendum)\W*$",
    re.IGNORECASE,
)
_MIN_KEPT = 10
_DOCUMENT_KIND = r"\s+(?:notice|policy|statement|supplement|addendum)\b"


def _ends_section(title: Clause, clause: Clause) -> bool:
    """Whether the clause is a heading of the title's rank or above: shallower, or as deep
    and written in the same case ("COOKIE NOTICE" ... "Scope of Notice" ... "CALIFORNIA
    RESIDENTS": bold lines as headings all stand at one depth)."""
    if clause.kind != "heading":
        return False
    depth, own = len(clause.section), len(title.section)
    return depth < own or (depth == own and clause.text.isupper() == title.text.isupper())


def _sections_moved_out(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """Labelling guide B14: a section titled as a document of its own ("COOKIE NOTICE")
    removed whole, from its heading through every clause after it up to the first one the
    new version keeps or the next heading of its rank, while the new version points to that document by name ("our Cookie
    Policy"): the practices are written elsewhere now, not dropped."""
    removed = {
        ch.old_index: ch for ch in changes if ch.kind == "removed" and ch.old_index is not None
    }
    out_of_page: dict[int, str] = {}
    text: str | None = None
    for index, ch in sorted(removed.items()):
        m = _DOCUMENT_TITLE.match(ch.old or "")
        if ch.clause_kind != "heading" or not m or index in out_of_page:
            continue
        subject = m.group(1).strip()
        pointer = re.compile(r"\b" + re.escape(subject) + _DOCUMENT_KIND, re.IGNORECASE)
        if "privacy" in subject.lower().split():
            continue
        # Looked up once: _text_of's cache hashes the whole version at every lookup.
        if text is None:
            text = _text_of(new)
        if not pointer.search(text):
            continue
        k = index + 1
        while k in removed and not _ends_section(old.clauses[index], old.clauses[k]):
            k += 1
        # The policy around it stays. Other sections removed with it are judged on their
        # own: only the titled section is cleared.
        if len(old.clauses) - len(removed) < _MIN_KEPT:
            continue
        out_of_page.update({j: (ch.old or "").strip() for j in range(index, k)})
    if not out_of_page:
        return changes
    out = []
    for ch in changes:
        at = ch.old_index if ch.kind == "removed" else None
        title = out_of_page.get(at) if at is not None else None
        if ch.material and title:
            reason = f"{ch.reason}; the section “{title}” moved out of the page, which points to it"
            ch = _judged(ch, Verdict.cosmetic(reason, "moved-out"), ch.categories)
        out.append(ch)
    return out


def _named_before(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """A recipient heading added (or removed) that the other version names already, in
    full or by its initials ("AWS" -> "Amazon Web Services"), is the same recipient
    re-laid or respelt, not one more or one fewer."""
    # Each version's names are read once, when first asked, not once per heading.
    names: dict[bool, _Names] = {}
    out = []
    for ch in changes:
        if ch.material and ch.rule == "enumeration" and ch.clause_kind == "heading":
            added = ch.kind == "added"
            if added not in names:
                names[added] = _Names(old if added else new)
            if names[added].has(ch.evidence):
                verb = "adds" if ch.kind == "added" else "removes"
                reason = (
                    f"{verb} the heading “{ch.evidence}”, a recipient the other version "
                    "names already"
                )
                ch = _judged(ch, Verdict.cosmetic(reason, "heading"), ch.categories)
        out.append(ch)
    return out


_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w&-]*(?:[ \t]+[A-Z][\w&-]*){1,4}")


class _Names:
    """Whether a version names a recipient, in full or by its initials."""

    def __init__(self, doc: PolicyDocument) -> None:
        self.text = _text_of(doc)
        self._initials: set[str] | None = None

    def initials(self) -> set[str]:
        # The initials of every capitalised run, gathered once for all the headings asked
        # about (each asking scanned the whole version).
        if self._initials is None:
            self._initials = {
                "".join(w[0] for w in m.group(0).split()).lower()
                for m in _CAPITALISED_RUN.finditer(self.text)
            }
        return self._initials

    def has(self, name: str) -> bool:
        core = re.sub(r"\s*\(.*?\)|,?\s+(?:Inc|Ltd|LLC|Corp)\.?$", "", name).strip()
        if not core:
            return False
        text = self.text
        if re.search(r"\b" + re.escape(core) + r"\b", text, re.IGNORECASE):
            return True
        initials = "".join(w[0] for w in core.split()).lower()
        if len(core.split()) > 1:
            return bool(re.search(r"\b" + re.escape(initials) + r"\b", text, re.IGNORECASE))
        return core.lower() in self.initials()


@lru_cache(maxsize=4)
def _text_of(doc: PolicyDocument) -> str:
    return "\n".join(c.text for c in doc.clauses)


def _parties_swapped(
    changes: list[ClauseChange], old: PolicyDocument, new: PolicyDocument
) -> list[ClauseChange]:
    """A name swapped for another in one clause was set aside as a rename (noise); when
    both names stand apart in the versions (monitor.classify.renames.party_swaps), one
    party took the other's place in a practice: a new recipient. A place swapped for
    another place is another region or destination."""
    out = []
    for ch in changes:
        if ch.kind == "modified" and ch.rule == "no-practice":
            reason = ""
            if named := _recipients_named(ch.word_ops, ch.new or "", old, new):
                reason = f"names “{named[0]}” among the recipients: a party the policy did not name"
            # The other way round: a recipient's name taken out of the clause, which the
            # new version writes nowhere, is one party fewer.
            elif named := _recipients_named(_reversed(ch.word_ops), ch.old or "", new, old):
                reason = (
                    f"no longer names “{named[0]}” among the recipients: a party the policy"
                    " named nowhere else"
                )
            if reason:
                verdict = Verdict(True, reason, "party", ORDINARY, named[0])
                ch = _judged(ch, verdict, _with(ch.categories, "third-party-sharing"))
        if ch.kind == "modified" and ch.rule == "noise" and not ch.material:
            swaps = party_swaps(ch.word_ops, ch.new or "", old, new)
            if swaps:
                a, b, place = swaps[0]
                if place:
                    reason = f"replaces the place “{a}” with “{b}”: another region or destination"
                    cat = "specific-audiences"
                else:
                    reason = (
                        f"replaces “{a}” with “{b}”, another party the policy names apart: "
                        "the data goes to someone else"
                    )
                    cat = "third-party-sharing"
                verdict = Verdict(True, reason, "party", ORDINARY, f"{a} → {b}")
                ch = _judged(ch, verdict, _with(ch.categories, cat))
        out.append(ch)
    return out


def _recipients_named(
    ops: list[tuple[str, str]], text: str, old: PolicyDocument, new: PolicyDocument
) -> list[str]:
    """The recipients ``ops`` names in ``text`` that ``old`` never wrote, but those written
    only as an example (B1)."""
    return [n for n in parties_named(ops, text, old, new) if not _only_as_example(n, text)]


_OPPOSITE = {"insert": "delete", "delete": "insert"}


def _reversed(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The word operations that turn the new text back into the old one."""
    return [(_OPPOSITE.get(op, op), text) for op, text in ops]


@lru_cache(maxsize=4)
def _keys(doc: PolicyDocument) -> frozenset[str]:
    return frozenset(c.key for c in doc.clauses)


@lru_cache(maxsize=4)
def _runs_of(doc: PolicyDocument) -> _Runs:
    # Cached: along a history each version is compared twice, once on each side.
    return _Runs(doc)
