"""Judgment: categories, noise and materiality of each change, with a readable reason.

Pure: takes the diff's changes and returns them judged; no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from monitor.classify.edits import edit_reason
from monitor.classify.lexicon import CATEGORY_SLUGS, categories_of, practice_categories
from monitor.classify.noise import is_date_line, noise_reason
from monitor.classify.practice import describe_clause
from monitor.classify.words import words
from monitor.diff.change import ClauseChange
from monitor.textnorm import comparison_key

__all__ = ["CATEGORY_SLUGS", "categories_of", "classify_change", "classify_changes"]

# An added or removed clause shorter than this is a label, not a statement of practice.
MIN_STATEMENT_WORDS = 4


def _section_leaf(path: str | None) -> str:
    return (path or "").rsplit(" > ", 1)[-1]


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
    n_words = len(words(text))
    practice = [c for c in cats if c != "other"]
    own = practice_categories(text)
    material = (
        bool(practice)
        and n_words >= MIN_STATEMENT_WORDS
        and (bool(own) or ch.clause_kind in ("list-item", "table-row"))
    )
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
    noise = noise_reason(old, new)
    if noise:
        return False, cats, noise
    material, reason = edit_reason(old, new, ch.word_ops, cats)
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


def classify_changes(
    changes: list[ClauseChange], toc: frozenset[str] = frozenset()
) -> list[ClauseChange]:
    return [classify_change(ch, toc) for ch in changes]
