"""From a format's blocks to a PolicyDocument: the part every format shares.

Each format reader only finds blocks (headings with a level, paragraphs, list items, table
rows) in reading order. Here their text is repaired, date lines become metadata, headings
build the section path, and the title and language are settled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from monitor.extract.dates import stated_date
from monitor.extract.headings import heading_level
from monitor.extract.language import declared_language, guess_language
from monitor.extract.repair import clean_text
from monitor.model import Clause, ExtractionError, PolicyDocument
from monitor.textnorm import comparison_key

# A bold-only paragraph ("<p><strong>Cookies</strong></p>", "**Cookies**") is a heading
# one level below whatever real heading is open.
SUBHEADING = 7
_MAX_SUBHEADING = 200
# "© 2022 Acme | All Rights Reserved", "Copyright (c) 2010-2024 Acme Inc."
_COPYRIGHT = re.compile(r"^(?:copyright\s*(?:©|\(c\))?|©)\s*\d{4}\b.{0,120}$", re.I)
_SUBHEADING_SENTENCE_WORDS = 8
_DAY_FIRST_LANGUAGES = frozenset({"de", "fr", "es", "it", "nl", "pt"})


def looks_like_subheading(text: str) -> bool:
    """Could a bold-only paragraph be a sub-heading, not a bold sentence of policy text?"""
    text = text.strip()
    if not text or len(text) > _MAX_SUBHEADING:
        return False
    return not (text.endswith((".", "!")) and len(text.split()) > _SUBHEADING_SENTENCE_WORDS)


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # heading | paragraph | list-item | table-row
    text: str
    level: int = 0  # headings only: 1-6, or SUBHEADING


def headings_by_look(blocks: list[Block]) -> list[Block]:
    """``blocks`` with heading-looking paragraphs made headings, if no heading is marked up.

    Captures converted from plain text carry their headings as ordinary lines; this reads
    them the way plain text is read. Nothing changes when that would leave no body text.
    """
    if any(b.kind == "heading" and b.text.strip() for b in blocks):
        return blocks
    out = [
        Block("heading", b.text, level)
        if b.kind == "paragraph" and (level := heading_level(" ".join(b.text.split())))
        else b
        for b in blocks
    ]
    return out if any(b.kind != "heading" for b in out) else blocks


def assemble(
    blocks: Iterable[Block],
    *,
    format: str,
    title: str | None = None,
    language: str | None = None,
    fallback_date: date | None = None,
) -> PolicyDocument:
    """The document made of ``blocks``; ExtractionError when no policy text is left.

    ``title`` and ``language`` are what the capture declares (HTML <title>, WordPress
    title, <html lang>); the first leading heading and the stopword guess stand in for them.
    ``fallback_date`` (WordPress ``modified``) counts only when the text states no date.
    """
    cleaned = [(b, clean_text(b.text)) for b in blocks]
    cleaned = [(b, text) for b, text in cleaned if text]
    lang = declared_language(language) or guess_language(
        " ".join(text for b, text in cleaned[:200] if b.kind != "heading")
    )
    day_first = lang in _DAY_FIRST_LANGUAGES

    stated: date | None = None
    stack: list[tuple[int, str]] = []
    clauses: list[Clause] = []
    first_heading: str | None = None
    body_seen = False
    for block, text in cleaned:
        if _COPYRIGHT.match(text):
            continue  # a page's copyright line is site furniture, not a term of the policy
        found = stated_date(text, day_first=day_first)
        if found is not None:
            stated = stated or found
            continue
        if block.kind == "heading":
            level = block.level or 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            if first_heading is None and not body_seen:
                first_heading = text
        else:
            body_seen = True
        section = tuple(t for _, t in stack)
        # clean_text collapsed the spaces: the key need not do it again (a third of its time).
        key = comparison_key(text, collapsed=True)
        clauses.append(Clause(section, block.kind, text, key))  # type: ignore[arg-type]

    if not any(c.kind != "heading" for c in clauses):
        raise ExtractionError("no policy text found")
    return PolicyDocument(
        clauses=tuple(clauses),
        title=clean_text(title) if title and clean_text(title) else first_heading,
        effective_date=stated or fallback_date,
        language=lang,
        format=format,
    )
