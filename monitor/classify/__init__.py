"""Judgment: categories, noise and materiality of each change, with a readable reason.

Pure: takes the diff's changes and returns them judged; no I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache

from monitor.classify.categories import CATEGORY_SLUGS
from monitor.classify.edits import edit_reason
from monitor.classify.lexicon import (
    categories_of,
    practice_categories,
    speaks_of_data,
)
from monitor.classify.noise import is_date_line, noise_reason, reordered_words
from monitor.classify.practice import clip, describe_clause
from monitor.classify.words import PRACTICE_VERBS, words
from monitor.diff.change import ClauseChange
from monitor.model import SECTION_SEPARATOR, PolicyDocument
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
    r"|\bname change\b|\bis now meta\b"
    r"|\b(?:site|website) uses cookies\b|\bby continuing to (?:browse|use)\b|\bcookie preferences\b",
    re.IGNORECASE,
)
_BANNER_MAX_WORDS = 60
# "Learn more about our contact upload feature here.": points elsewhere, states nothing.
_POINTER = re.compile(
    r"^\W*(?:to )?(?:learn more|read more|find out more|click here|for more (?:information|details)"
    r"|for further (?:information|details)|more information|please (?:see|review|visit|read|refer)"
    r"|see (?:our|the|this|here)|visit (?:our|the))\b",
    re.IGNORECASE,
)
_POINTER_MAX_WORDS = 30


def is_label(text: str) -> bool:
    """A short title-case line that names something rather than saying something."""
    ws = re.findall(r"[A-Za-z][\w'’-]*", text)
    if not ws or len(ws) > MAX_LABEL_WORDS or _SENTENCE_END.search(text.strip()):
        return False
    small = {"of", "and", "the", "to", "for", "a", "an", "in", "on", "with", "or", "your", "our"}
    return all(w[0].isupper() or w.lower() in small for w in ws)


def is_banner(text: str) -> bool:
    return len(text.split()) <= _BANNER_MAX_WORDS and bool(_BANNER.search(text))


def is_pointer(text: str) -> bool:
    """A sentence that sends the reader elsewhere and names no practice verb."""
    if not _POINTER.search(text):
        return False
    ws = words(text)
    return len(ws) <= _POINTER_MAX_WORDS and not any(w in PRACTICE_VERBS for w in ws)


def _section_leaf(path: str | None) -> str:
    return (path or "").rsplit(SECTION_SEPARATOR, 1)[-1]


def _judge_whole_clause(ch: ClauseChange, toc: frozenset[str]) -> tuple[bool, list[str], str]:
    added = ch.kind == "added"
    text = (ch.new if added else ch.old) or ""
    section = (ch.new_section if added else ch.old_section) or ""
    verb = "adds" if added else "removes"
    cats = categories_of(text, section)
    if ch.clause_kind == "heading":
        return False, cats, f"{verb} the heading “{text.strip()}”"
    if comparison_key(text) in toc:
        return False, cats, f"{verb} the table-of-contents entry “{text.strip()}”"
    if is_date_line(text):
        return False, cats, f"{verb} the date line “{text.strip()}”"
    if is_label(text):
        return False, cats, f"{verb} the label “{text.strip()}”"
    if is_banner(text):
        return False, cats, f"{verb} a page banner: “{clip(text.strip(), 12)}”"
    if is_pointer(text):
        return False, cats, f"{verb} a pointer to more information: “{clip(text.strip(), 12)}”"
    n_words = len(words(text))
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
        return (
            False,
            cats,
            f"{verb} text that names no data and no party to a data practice: “{clip(text.strip(), 12)}”",
        )
    material = bool(practice) and n_words >= MIN_STATEMENT_WORDS and (bool(own) or listed)
    reason = describe_clause(text, practice or cats, added)
    if not material:
        reason += "; no data practice"
    return material, cats, reason


def _judge_edit(ch: ClauseChange) -> tuple[bool, list[str], str]:
    old, new = ch.old or "", ch.new or ""
    cats = sorted(
        set(categories_of(old, ch.old_section or "")) | set(categories_of(new, ch.section)),
        key=CATEGORY_SLUGS.index,
    )
    if len(cats) > 1 and "other" in cats:
        cats.remove("other")
    if ch.clause_kind == "heading":
        return False, cats, f"renames the heading “{old.strip()}” to “{new.strip()}”"
    if is_label(old) and is_label(new):
        return False, cats, f"renames the label “{old.strip()}” to “{new.strip()}”"
    if is_banner(old) and is_banner(new):
        return False, cats, "rewords a page banner"
    reordered = reordered_words(old, new)
    if reordered:
        return False, cats, reordered
    noise = noise_reason(old, new, ch.word_ops)
    if noise:
        return False, cats, noise
    section_practice = bool(practice_categories(_section_leaf(ch.section)))
    material, reason = edit_reason(old, new, ch.word_ops, cats, section_practice)
    return material, cats, reason


def classify_change(ch: ClauseChange, toc: frozenset[str] = frozenset()) -> ClauseChange:
    """The change with ``material``, ``categories`` and ``reason`` filled in.

    ``toc`` holds the comparison keys of headings, so a table-of-contents line that
    mirrors a heading is recognised as such.
    """
    if ch.kind == "moved":
        cats = categories_of(ch.new or "", ch.section)
        a, b = _section_leaf(ch.old_section), _section_leaf(ch.new_section)
        where = f"from “{a}” to “{b}”" if a != b else f"within “{b}”" if b else "within the policy"
        return replace(ch, material=False, categories=cats, reason=f"moves the clause {where}")
    if ch.kind in ("added", "removed"):
        material, cats, reason = _judge_whole_clause(ch, toc)
    else:
        material, cats, reason = _judge_edit(ch)
    if material and len(cats) > 1 and "other" in cats:
        cats = [c for c in cats if c != "other"]
    return replace(ch, material=material, categories=cats, reason=reason)


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


class _Pool:
    """Word runs from one side of all changes, searchable as one string."""

    def __init__(self, spans: list[str], doc: PolicyDocument | None = None) -> None:
        self.text = "\x00".join(spans)
        sets = [set(p.split()) for p in spans if len(p.split()) >= _MOVED_SIMILAR_WORDS]
        # By size: two sets this similar differ in size by at most the Jaccard ratio, so
        # only a narrow band of sizes is worth intersecting (a rewrite holds thousands).
        sets.sort(key=len)
        self.sets = sets
        self.sizes = [len(ps) for ps in sets]
        self.doc = doc
        self._doc_words: str | None = None

    def doc_words(self) -> str:
        # Cut only when a long enough span needs them, then kept: hashing the document
        # for _words_of's cache on every span cost more than the lookup.
        if self._doc_words is None:
            self._doc_words = _words_of(self.doc)
        return self._doc_words

    def holds(self, span: str) -> bool:
        if span in self.text:
            return True
        n = len(span.split())
        if self.doc is not None and n >= _REPEATED_MIN_WORDS and f" {span} " in self.doc_words():
            return True
        if n < _MOVED_SIMILAR_WORDS:
            return False
        ws = set(span.split())
        n, p, q = len(ws), _MOVED_JACCARD.numerator, _MOVED_JACCARD.denominator
        # Sizes from ceil(n·p/q) to floor(n·q/p), bounds in integers: comparing Fractions
        # inside the bisection cost more than the intersections it saves.
        lo = bisect_left(self.sizes, -(-n * p // q))
        hi = bisect_right(self.sizes, n * q // p)
        # |A ∩ B| / |A ∪ B| >= p/q, with |A ∪ B| = |A| + |B| - |A ∩ B|, in integers: no
        # union set built per candidate, no float to round.
        return any(
            (p + q) * len(ws & ps) >= p * (n + size)
            for ps, size in zip(self.sets[lo:hi], self.sizes[lo:hi], strict=True)
        )


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
    pool_ins = _Pool([s for ins, _ in spans for s in ins], new)
    pool_del = _Pool([s for _, dels in spans for s in dels], old)
    out = []
    for ch, (ins, dels) in zip(changes, spans, strict=True):
        if ch.material and (ins or dels):
            if all(pool_del.holds(s) for s in ins) and all(pool_ins.holds(s) for s in dels):
                ch = replace(ch, material=False, reason="moves text between clauses; same words")
            elif ch.kind == "modified":
                rest_old, rest_new, moved = _without_moved(ch.word_ops, pool_ins, pool_del)
                if moved:
                    why = noise_reason(rest_old, rest_new) or reordered_words(rest_old, rest_new)
                    if why or comparison_key(rest_old) == comparison_key(rest_new):
                        reason = "moves text to or from another clause"
                        ch = replace(
                            ch, material=False, reason=f"{reason}; {why}" if why else reason
                        )
        out.append(ch)
    return out


def _without_moved(
    ops: list[tuple[str, str]], pool_ins: _Pool, pool_del: _Pool
) -> tuple[str, str, bool]:
    old, new = [], []
    moved = False
    for op, t in ops:
        key = " ".join(words(t))
        if op == "equal":
            old.append(t)
            new.append(t)
        elif len(key.split()) >= _MOVED_MIN_WORDS and (
            pool_ins.holds(key) if op == "delete" else pool_del.holds(key)
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
    if not any(ch.material for ch in judged):
        return judged
    return _moved_text(judged, old, new)


@lru_cache(maxsize=4)
def _words_of(doc: PolicyDocument) -> str:
    # Cached: along a history each version is compared twice, once on each side.
    return " " + " ".join(w for c in doc.clauses for w in words(c.text)) + " "
