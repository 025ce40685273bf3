"""How the judgment holds under edits whose verdict the labelling guide fixes in advance:
each service's latest version against a copy with one edit made to it, per split of
services, beside SimHash > 3 measured on the same pairs.

    .venv/bin/python bench/robustness.py [--split dev|test] [--verbose] [--both-ways]

A metamorphic test of compare() on real text: no labeller decides these pairs, the edit
does (docs/labelling.md). Edits the guide calls noise (docs/labelling.md, "not material"):
a section moved elsewhere, two paragraphs swapped, headings renumbered, the date line
changed, typos in words that name no practice, the brand renamed across the policy, a
contact address changed, emphasis added, a list laid out as one line. Edits it calls
material: a sale of personal information added, "do not sell" turned into "do sell", a
retention period lengthened, a paragraph granting a right removed. An edit that finds
nothing to work on in a version (no date line, no list...) is not made there.

Services are split as the labelled sets split them (docs/judgment.md): dev (the devset and
wild dev services) and test (wild test services). The transforms are seeded per service,
so a rerun makes the same edits. Tune on dev only: --verbose prints the pairs judged
against the guide for dev services, never for test ones (their figures are only reported).

Figures per split: the share of noise edits that clausewatch alerts on (false alerts) and
the share of material edits it misses; SimHash > 3 (bench/judgment.py's baseline) on the
same pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# bench/ is on the path as the script's folder (or, imported by a test, for the import
# only: tests/benches.py); judgment puts the repository on it for the monitor package.
from judgment import DEVSET, FOLDERS, SIMHASH_MAX_DISTANCE, WILD, load_labels, simhash, text_of
from report import figure, sample

from monitor.compare import compare
from monitor.extract import extract

Edit = Callable[[str, random.Random, str], str | None]

_HEADING = re.compile(r"^#{1,6} ")
_BLOCK_BREAK = re.compile(r"\n\s*\n")


def _blocks(md: str) -> list[str]:
    return [b for b in _BLOCK_BREAK.split(md) if b.strip()]


def _joined(blocks: list[str]) -> str:
    return "\n\n".join(blocks) + "\n"


def _level(block: str) -> int:
    return len(block) - len(block.lstrip("#"))


_SETEXT_RULE = re.compile(r"\n[ \t]*(?:-+|=+)[ \t]*$")


def _prose(block: str, min_words: int = 12) -> bool:
    """A paragraph of running text: no heading (either markup), list, table or quote."""
    if _HEADING.match(block) or _SETEXT_RULE.search(block):
        return False
    return (
        not block.lstrip().startswith(("-", "*", "|", ">", "1")) and len(block.split()) >= min_words
    )


# --- edits the guide calls noise ---------------------------------------------------------


def move_section(md: str, rnd: random.Random, slug: str) -> str | None:
    """A section (its heading and everything under it) moved before another of its rank."""
    bs = _blocks(md)
    heads = [i for i, b in enumerate(bs) if _HEADING.match(b)]
    if len(heads) < 3:
        return None
    i = heads[rnd.randrange(1, len(heads) - 1)]
    end = next((h for h in heads if h > i and _level(bs[h]) <= _level(bs[i])), len(bs))
    section, rest = bs[i:end], bs[:i] + bs[end:]
    places = [k for k, b in enumerate(rest) if _HEADING.match(b) and _level(b) == _level(bs[i])]
    places = [k for k in places if k != i]
    if not places:
        return None
    at = rnd.choice(places)
    return _joined(rest[:at] + section + rest[at:])


def swap_paragraphs(md: str, rnd: random.Random, slug: str) -> str | None:
    """Two neighbouring paragraphs of running text swapped."""
    bs = _blocks(md)
    pairs = [i for i in range(len(bs) - 1) if _prose(bs[i]) and _prose(bs[i + 1])]
    if not pairs:
        return None
    i = rnd.choice(pairs)
    bs[i], bs[i + 1] = bs[i + 1], bs[i]
    return _joined(bs)


_NUMBERED_HEADING = re.compile(r"^(#{1,6} )(\d+)(\\?\.)", re.MULTILINE)


def renumber_headings(md: str, rnd: random.Random, slug: str) -> str | None:
    """Every numbered heading numbered one more ("3. Sharing" -> "4. Sharing")."""
    if len(_NUMBERED_HEADING.findall(md)) < 3:
        return None
    return _NUMBERED_HEADING.sub(lambda m: f"{m[1]}{int(m[2]) + 1}{m[3]}", md)


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:{_MONTHS}) \d{{1,2}}, \d{{4}}\b")
_DATE_LINE_MAX_WORDS = 8


def change_date_line(md: str, rnd: random.Random, slug: str) -> str | None:
    """The "last updated" line dated otherwise (only a short line: a date inside a
    sentence may be a deadline, which the guide calls material)."""
    bs = _blocks(md)
    lines = [
        i for i, b in enumerate(bs) if _DATE.search(b) and len(b.split()) <= _DATE_LINE_MAX_WORDS
    ]
    if not lines:
        return None
    i = rnd.choice(lines)
    bs[i] = _DATE.sub(f"March {rnd.randrange(1, 29)}, {rnd.randrange(2027, 2031)}", bs[i])
    return _joined(bs)


_LONG_WORD = re.compile(r"\b[a-z]{7,}\b")
# Words a typo must not touch: a misspelt practice verb is another edit in the judge's eyes
# and, without a dictionary, in a reader's too ("collect" -> "clolect").
_PRACTICE_STEMS = ("collect", "disclos", "shar", "sell", "sold", "retain", "retention", "process")


def typos(md: str, rnd: random.Random, slug: str) -> str | None:
    """Two neighbouring letters swapped in one word of each of three paragraphs."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b)]
    if len(ok) < 3:
        return None
    for i in rnd.sample(ok, 3):
        found = [m for m in _LONG_WORD.finditer(bs[i]) if not m[0].startswith(_PRACTICE_STEMS)]
        if not found:
            return None
        m = rnd.choice(found)
        w = m[0]
        # Two different letters: swapping "dd" in "address" would change nothing.
        places = [k for k in range(1, len(w) - 2) if w[k] != w[k + 1]]
        if not places:
            return None
        k = rnd.choice(places)
        bs[i] = bs[i][: m.start()] + w[:k] + w[k + 1] + w[k] + w[k + 2 :] + bs[i][m.end() :]
    return _joined(bs)


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]{2,}\b")
_BRAND_MIN_MENTIONS = 3


def rename_brand(md: str, rnd: random.Random, slug: str) -> str | None:
    """The service's brand (the capitalised word its slug spells) renamed wherever it is
    written as a word; its web and mail addresses are left as they were."""
    caps = _CAPITALISED.findall(md)
    key = slug.replace("-", "").lower()
    names = {c for c in caps if c.lower() == key or (len(c) > 3 and key.startswith(c.lower()))}
    if not names:
        return None
    brand = max(sorted(names), key=caps.count)
    if caps.count(brand) < _BRAND_MIN_MENTIONS:
        return None
    return re.sub(rf"(?<![\w./@-]){brand}\b(?![./@]\w)", "Zephyrex", md)


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")


def change_contact(md: str, rnd: random.Random, slug: str) -> str | None:
    """Every mail address replaced by another."""
    if not _EMAIL.search(md):
        return None
    return _EMAIL.sub("dataprotection@zephyrex-mail.example", md)


def add_emphasis(md: str, rnd: random.Random, slug: str) -> str | None:
    """One word set in bold in each of three paragraphs."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b)]
    if len(ok) < 3:
        return None
    for i in rnd.sample(ok, 3):
        ws = bs[i].split(" ")
        plain = [k for k in range(1, len(ws) - 1) if re.fullmatch(r"[A-Za-z]+", ws[k])]
        if not plain:
            return None
        k = rnd.choice(plain)
        ws[k] = f"**{ws[k]}**"
        bs[i] = " ".join(ws)
    return _joined(bs)


_LIST = re.compile(r"((?:^[ \t]*[-*] .+\n?){3,})", re.MULTILINE)
_LIST_ITEM_MAX_WORDS = 12


def list_as_line(md: str, rnd: random.Random, slug: str) -> str | None:
    """A list of short items laid out as one line, the items between semicolons."""
    lists = [
        m
        for m in _LIST.finditer(md)
        if all(len(line.split()) <= _LIST_ITEM_MAX_WORDS for line in m[1].splitlines())
    ]
    if not lists:
        return None
    m = rnd.choice(lists)
    items = [re.sub(r"^[ \t]*[-*] ", "", line).strip().rstrip(".;,") for line in m[1].splitlines()]
    return md[: m.start()] + "\n" + "; ".join(i for i in items if i) + ".\n\n" + md[m.end() :]


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])")


def _sentences(block: str) -> list[str]:
    return [x for x in _SENTENCE_END.split(" ".join(block.split())) if x]


def split_paragraph(md: str, rnd: random.Random, slug: str) -> str | None:
    """A paragraph of several sentences cut in two between sentences."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b, 30) and len(_sentences(b)) >= 3]
    if not ok:
        return None
    i = rnd.choice(ok)
    ss = _sentences(bs[i])
    cut = rnd.randrange(1, len(ss))
    bs[i : i + 1] = [" ".join(ss[:cut]), " ".join(ss[cut:])]
    return _joined(bs)


def merge_paragraphs(md: str, rnd: random.Random, slug: str) -> str | None:
    """Two neighbouring paragraphs of running text made one."""
    bs = _blocks(md)
    pairs = [i for i in range(len(bs) - 1) if _prose(bs[i]) and _prose(bs[i + 1])]
    if not pairs:
        return None
    i = rnd.choice(pairs)
    bs[i : i + 2] = [" ".join(bs[i].split()) + " " + " ".join(bs[i + 1].split())]
    return _joined(bs)


def sentences_as_list(md: str, rnd: random.Random, slug: str) -> str | None:
    """A paragraph of several sentences laid out as a list, one sentence an item."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b, 30) and len(_sentences(b)) >= 3]
    if not ok:
        return None
    i = rnd.choice(ok)
    bs[i] = "\n".join(f"- {x}" for x in _sentences(bs[i]))
    return _joined(bs)


def move_sentence(md: str, rnd: random.Random, slug: str) -> str | None:
    """The last sentence of a paragraph moved to the end of the next paragraph."""
    bs = _blocks(md)
    pairs = [
        i
        for i in range(len(bs) - 1)
        if _prose(bs[i], 30) and len(_sentences(bs[i])) >= 3 and _prose(bs[i + 1])
    ]
    if not pairs:
        return None
    i = rnd.choice(pairs)
    ss = _sentences(bs[i])
    bs[i] = " ".join(ss[:-1])
    bs[i + 1] = " ".join(bs[i + 1].split()) + " " + ss[-1]
    return _joined(bs)


_SUMMARY_SENTENCES = 3
# Headings that scope what follows to an audience or a place: a sentence written there is
# that audience's own, and repeated in a summary for everyone it would widen (the guide's
# B3), so the summary takes no sentence from under such a heading.
_AUDIENCE = re.compile(
    r"\b(?:residents?|children|child|minors?|teens?|california|nevada|virginia|colorado|"
    r"connecticut|utah|texas|oregon|eea|eu|european|uk|united kingdom|switzerland|brazil|"
    r"canada|australia|japan|korea|china|india|states?|regions?|countr(?:y|ies)|jurisdictions?)\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[\[\]*_`|<>#]")


def _unscoped_sentences(md: str) -> list[str]:
    """Whole sentences of one-line paragraphs without markup, under no heading that names
    an audience or a place."""
    out: list[str] = []
    headings: list[tuple[int, str]] = []
    for b in _blocks(md):
        if _HEADING.match(b):
            headings = [h for h in headings if h[0] < _level(b)] + [(_level(b), b)]
            continue
        if "\n" in b.strip() or _MARKUP.search(b) or not _prose(b):
            continue
        if any(_AUDIENCE.search(h) for _, h in headings):
            continue
        out += [
            x
            for x in _sentences(b)
            if len(x.split()) >= 8 and x[0].isupper() and x.endswith((".", "!", "?"))
        ]
    return out


def add_summary(md: str, rnd: random.Random, slug: str) -> str | None:
    """A summary section put first, made of sentences the policy states further on, word
    for word, under headings that scope them to no particular audience (a new introduction
    that changes no practice: the guide's B6)."""
    said = _unscoped_sentences(md)
    if len(said) < _SUMMARY_SENTENCES:
        return None
    bs = _blocks(md)
    first = next((k for k, b in enumerate(bs) if _HEADING.match(b)), 0)
    summary = ["## Summary", " ".join(rnd.sample(said, _SUMMARY_SENTENCES))]
    return _joined(bs[: first + 1] + summary + bs[first + 1 :])


def heading_levels(md: str, rnd: random.Random, slug: str) -> str | None:
    """Every heading below the top level set one level deeper ("## A" -> "### A")."""
    if not re.search(r"^#{2,5} ", md, re.MULTILINE):
        return None
    return re.sub(r"^(#{2,5}) ", r"\1# ", md, flags=re.MULTILINE)


# Rewordings a careful editor makes that keep the meaning (the guide's "rewording with
# the same meaning"): contractions, a plainer connective, a synonym of the same practice.
_REWORDINGS = (
    (r"\bpersonal information\b", "personal data"),
    (r"\bpersonal data\b", "personal information"),
    (r"\bdo not\b", "don't"),
    (r"\bdoes not\b", "doesn't"),
    (r"\bwill not\b", "won't"),
    (r"\bcannot\b", "can't"),
    (r"\bin order to\b", "to"),
    (r"\bprior to\b", "before"),
    (r"\bin the event that\b", "if"),
    (r"\bin accordance with\b", "under"),
    (r"\bwith respect to\b", "regarding"),
    (r"\bas well as\b", "and"),
    (r"\bis able to\b", "can"),
    (r"\bare able to\b", "can"),
    (r"\bFor example,", "For instance,"),
    (r"\bIn addition,", "Also,"),
    (r"\be-mail\b", "email"),
    (r"\bwe may\b", "we might"),
    (r"\bat any time\b", "anytime"),
    (r"\bsuch as\b", "including"),
    (r"\band/or\b", "or"),
    (r"\bwe will\b", "we'll"),
    (r"\byou are\b", "you're"),
    (r"\bhelp us to\b", "help us"),
    (r"\bso as to\b", "to"),
    (r"\bupon\b", "on"),
    (r"\bmake sure\b", "ensure"),
    (r"\ba variety of\b", "various"),
    (r"\bwhether or not\b", "whether"),
    (r"\bin connection with\b", "in relation to"),
    (r"\bcertain\b", "some"),
    (r"\bobtain\b", "get"),
    (r"\bprovide you with\b", "give you"),
)
_REWORDED_PARAGRAPHS = 3


def reword(md: str, rnd: random.Random, slug: str) -> str | None:
    """One rewording with the same meaning in each of up to three paragraphs."""
    bs = _blocks(md)
    ok = [
        (i, rx, to)
        for i, b in enumerate(bs)
        if _prose(b)
        for rx, to in _REWORDINGS
        if re.search(rx, b)
    ]
    if not ok:
        return None
    done: set[int] = set()
    for i, rx, to in rnd.sample(ok, len(ok)):
        if i in done:
            continue
        bs[i] = re.sub(rx, to, bs[i], count=1)
        done.add(i)
        if len(done) == _REWORDED_PARAGRAPHS:
            break
    return _joined(bs)


def reorder_list(md: str, rnd: random.Random, slug: str) -> str | None:
    """The items of one list put in another order."""
    lists = [m for m in _LIST.finditer(md) if len(set(m[1].splitlines())) >= 3]
    if not lists:
        return None
    m = rnd.choice(lists)
    items = m[1].rstrip("\n").split("\n")
    shuffled = items[:]
    while shuffled == items:
        rnd.shuffle(shuffled)
    return md[: m.start()] + "\n".join(shuffled) + "\n" + md[m.end() :]


def swap_sentences(md: str, rnd: random.Random, slug: str) -> str | None:
    """Two neighbouring sentences of a paragraph swapped."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b, 30) and len(_sentences(b)) >= 3]
    if not ok:
        return None
    i = rnd.choice(ok)
    ss = _sentences(bs[i])
    k = rnd.randrange(len(ss) - 1)
    ss[k], ss[k + 1] = ss[k + 1], ss[k]
    bs[i] = " ".join(ss)
    return _joined(bs)


_TABLE = re.compile(r"((?:^[ \t]*\|.*\|[ \t]*\n?){3,})", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[\s|:-]+$")


def table_as_list(md: str, rnd: random.Random, slug: str) -> str | None:
    """A table re-laid as a list with the same entries, one row an item, its cells named by
    the header ("Cookie: _ga; Purpose: analytics"): the guide's re-laid table."""
    tables = list(_TABLE.finditer(md))
    if not tables:
        return None
    m = rnd.choice(tables)
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in m[1].splitlines()
        if line.strip() and not _TABLE_RULE.match(line)
    ]
    header, body = rows[0], rows[1:]
    if not body or any(len(r) != len(header) for r in body) or not all(header):
        return None
    items = [
        "- " + "; ".join(f"{h}: {c}" for h, c in zip(header, r, strict=True) if c) for r in body
    ]
    return md[: m.start()] + "\n".join(items) + "\n" + md[m.end() :]


_SECTION_REFERENCE = re.compile(r"\b(Section|section) (\d+)\b")


def renumber_references(md: str, rnd: random.Random, slug: str) -> str | None:
    """Every "Section N" a cross-reference names numbered one more."""
    if not _SECTION_REFERENCE.search(md):
        return None
    return _SECTION_REFERENCE.sub(lambda m: f"{m[1]} {int(m[2]) + 1}", md)


def add_heading(md: str, rnd: random.Random, slug: str) -> str | None:
    """A heading put above a paragraph inside a section (a long section cut in two)."""
    bs = _blocks(md)
    ok = [i for i in range(1, len(bs)) if _prose(bs[i]) and _prose(bs[i - 1])]
    if not ok:
        return None
    i = rnd.choice(ok)
    level = max((_level(b) for b in bs[:i] if _HEADING.match(b)), default=1)
    bs.insert(i, "#" * min(6, level + 1) + " More about this")
    return _joined(bs)


def page_furniture(md: str, rnd: random.Random, slug: str) -> str | None:
    """Lines a site's template puts around the policy: an ISO "effective" date with a
    version number under the title, a copyright line at the end (the guide's extraction
    noise: footers)."""
    bs = _blocks(md)
    first = next((k for k, b in enumerate(bs) if _HEADING.match(b)), 0)
    stamp = f"Effective 2027-0{rnd.randrange(1, 10)}-1{rnd.randrange(10)} · Version {rnd.randrange(2, 9)}.{rnd.randrange(10)}"
    owner = slug.replace("-", " ").title()
    footer = f"© {rnd.randrange(2027, 2031)} {owner}. All rights reserved."
    return _joined([*bs[: first + 1], stamp, *bs[first + 1 :], footer])


_SEVERAL = 3
_MANY = 6


def _noise_edits_at_once(md: str, rnd: random.Random, slug: str, n: int) -> str | None:
    """``n`` of the single noise edits, one after the other, each on what the one before
    left."""
    edits = list(SINGLE_NOISE)
    out = md
    made = 0
    for edit in rnd.sample(edits, len(edits)):
        edited = edit(out, rnd, slug)
        if edited is not None and edited != out:
            out, made = edited, made + 1
            if made == n:
                return out
    return None


def several(md: str, rnd: random.Random, slug: str) -> str | None:
    """Three of the other noise edits at once (a pair far apart in time holds many edits,
    and each is one more chance for a rule to misfire)."""
    return _noise_edits_at_once(md, rnd, slug, _SEVERAL)


def many(md: str, rnd: random.Random, slug: str) -> str | None:
    """Six of the other noise edits at once: where edits meet (a sentence moved out of a
    paragraph then cut in two, a section moved then its headings shifted), the clause diff
    pairs what it can, and what it cannot pair is judged as text added and removed."""
    return _noise_edits_at_once(md, rnd, slug, _MANY)


def renamed_and_reworked(md: str, rnd: random.Random, slug: str) -> str | None:
    """The brand renamed, then three of the other noise edits: a company that renames
    itself often reworks the policy in the same version (a section moved, a list laid out
    as a line), and the text moved then names the new brand."""
    renamed = rename_brand(md, rnd, slug)
    if renamed is None or renamed == md:
        return None
    return _noise_edits_at_once(renamed, rnd, slug, _SEVERAL)


# --- edits the guide calls material -------------------------------------------------------


def add_sale(md: str, rnd: random.Random, slug: str) -> str | None:
    """A sentence selling personal information to data brokers, added to a paragraph."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b, 20)]
    if not ok:
        return None
    i = rnd.choice(ok)
    bs[i] = bs[i].rstrip() + (
        " We also sell your personal information, including your precise location, to data brokers."
    )
    return _joined(bs)


_DO_NOT = re.compile(r"\b(do|does|will) not (sell|share|rent)\b")


def _in_first_prose(
    md: str, rx: re.Pattern[str], put: Callable[[re.Match[str]], str]
) -> str | None:
    """The first match of ``rx`` in a paragraph of running text replaced by put(match)."""
    bs = _blocks(md)
    for i, b in enumerate(bs):
        m = rx.search(b)
        if m and _prose(b, 6):
            bs[i] = b[: m.start()] + put(m) + b[m.end() :]
            return _joined(bs)
    return None


def drop_not(md: str, rnd: random.Random, slug: str) -> str | None:
    """The first "do not sell / share / rent" of running text made "do sell ..."."""
    return _in_first_prose(md, _DO_NOT, lambda m: f"{m[1]} {m[2]}")


_PERIOD = re.compile(r"\b(\d+) (days|months)\b")


def lengthen_retention(md: str, rnd: random.Random, slug: str) -> str | None:
    """The first period in days or months of running text made twelve times as many years."""
    return _in_first_prose(md, _PERIOD, lambda m: f"{int(m[1]) * 12} years")


_GRANTS_RIGHT = re.compile(
    r"\b(?:you (?:have|may exercise|can exercise) )?(?:the )?right to (?:delete|deletion|erasure|"
    r"access|object|opt[- ]out|rectif|correct|portab|restrict)",
    re.IGNORECASE,
)


def remove_right(md: str, rnd: random.Random, slug: str) -> str | None:
    """A paragraph of running text granting a right to access, delete, object... removed."""
    bs = _blocks(md)
    ok = [i for i, b in enumerate(bs) if _prose(b) and _GRANTS_RIGHT.search(b)]
    if not ok:
        return None
    del bs[rnd.choice(ok)]
    return _joined(bs)


# The sentence before a list of kinds of data: it collects (or receives) information and
# ends by opening the list.
_COLLECTS = re.compile(
    r"\b(?:collect|receive|obtain)\w*\b.*\b(?:information|data)\b[^.]*:\s*$", re.IGNORECASE
)


# Kinds of data, each with a word that names it: the first the version never writes is
# the one added, so the item is new to it (B6), not a repeat.
_NEW_KINDS = (
    ("genetic", "Your genetic data, such as the results of DNA tests you take"),
    ("biometric", "Your biometric data, such as a scan of your face"),
    ("religio", "Your religious beliefs"),
    ("health", "Your health records, such as your diagnoses"),
)


def add_list_item(md: str, rnd: random.Random, slug: str) -> str | None:
    """A kind of data the version never names added to a list that follows a sentence on
    what is collected or shared (a closed list grows: the guide's B1)."""
    found = []
    for m in _LIST.finditer(md):
        before = md[: m.start()].rstrip().rsplit("\n\n", 1)[-1]
        if _COLLECTS.search(before) and not re.search(
            r"such as|including|e\.g\.|for example", before
        ):
            found.append(m)
    if not found:
        return None
    low = md.lower()
    new_kind = next((item for word, item in _NEW_KINDS if word not in low), None)
    if new_kind is None:
        return None
    m = rnd.choice(found)
    bullet = re.match(r"[ \t]*[-*] ", m[1])
    assert bullet is not None
    item = f"{bullet[0]}{new_kind}\n"
    return md[: m.end()].rstrip("\n") + "\n" + item + md[m.end() :]


_AGE = re.compile(r"\b(under|younger than|below) (?:the age of )?(13|16)\b")


def raise_age(md: str, rnd: random.Random, slug: str) -> str | None:
    """The age below which the service does not knowingly collect data raised by three."""
    m = _AGE.search(md)
    if not m:
        return None
    return md[: m.start(2)] + str(int(m[2]) + 3) + md[m.end(2) :]


_CONSENT = re.compile(r",? (?:only )?with your (?:prior |explicit )?consent\b")


def drop_consent(md: str, rnd: random.Random, slug: str) -> str | None:
    """The words "with your consent" cut from the first paragraph of running text that
    has them."""
    return _in_first_prose(md, _CONSENT, lambda m: "")


_NOTIFY = re.compile(r"\bwe will (notify|inform|tell|email) you\b", re.IGNORECASE)


def weaken_notice(md: str, rnd: random.Random, slug: str) -> str | None:
    """ "we will notify you" of changes made "we may notify you"."""
    m = _NOTIFY.search(md)
    if not m:
        return None
    return md[: m.start()] + f"we may {m[1]} you" + md[m.end() :]


NOISE: tuple[Edit, ...] = (
    move_section,
    swap_paragraphs,
    renumber_headings,
    change_date_line,
    typos,
    rename_brand,
    change_contact,
    add_emphasis,
    list_as_line,
    split_paragraph,
    merge_paragraphs,
    sentences_as_list,
    move_sentence,
    add_summary,
    heading_levels,
    reword,
    reorder_list,
    swap_sentences,
    table_as_list,
    renumber_references,
    add_heading,
    page_furniture,
    several,
    many,
    renamed_and_reworked,
)
# The edits the composite ones draw from. Not the brand renamed: it applies to almost every
# version, so it would be in most composites, while a company renames itself once in
# years (it has its own edits: alone, and met by three others).
SINGLE_NOISE = tuple(
    e for e in NOISE if e not in (several, many, renamed_and_reworked, rename_brand)
)
MATERIAL: tuple[Edit, ...] = (
    add_sale,
    drop_not,
    lengthen_retention,
    remove_right,
    add_list_item,
    raise_age,
    drop_consent,
    weaken_notice,
)


def service_splits() -> dict[str, str]:
    """Each labelled service's split: dev (devset and wild dev) or test (wild test)."""
    out = {row["old"].split("/")[0]: "dev" for row in load_labels(DEVSET)}
    if WILD.exists():
        for row in json.loads(WILD.read_text(encoding="utf-8"))["pairs"]:
            out.setdefault(row["old"].split("/")[0], row["split"])
    return out


def latest_version(slug: str) -> Path | None:
    for folder in dict.fromkeys(FOLDERS["devset"] + FOLDERS["wild"]):
        versions = sorted((folder / slug).glob("*.md"))
        if versions:
            return versions[-1]
    return None


@dataclass
class Tally:
    made: int = 0
    ours_wrong: int = 0
    simhash_wrong: int = 0
    wrong_pairs: list[str] = field(default_factory=list)


def run(
    split_of: dict[str, str], splits: list[str], verbose: bool, both_ways: bool = False
) -> dict[str, dict[str, Tally]]:
    """Per split, per edit: how many versions it was made in, and how many of those
    clausewatch and SimHash judged against the guide. ``both_ways``: each pair is judged
    edited -> original too (the guide is symmetric: an edit undone is what the edit is),
    counted as one more pair."""
    tallies: dict[str, dict[str, Tally]] = {s: {} for s in splits}
    for slug in sample(sorted(s for s, split in split_of.items() if split in splits)):
        path = latest_version(slug)
        if path is None:
            continue
        md = path.read_text(encoding="utf-8")
        base = extract(md.encode(), "text/markdown", path.name)
        base_hash = simhash(text_of(base))
        for edit in NOISE + MATERIAL:
            edited = edit(md, random.Random(f"{slug}:{edit.__name__}"), slug)
            if edited is None or edited == md:
                continue
            material = edit in MATERIAL
            doc = extract(edited.encode(), "text/markdown", path.name)
            far = bin(base_hash ^ simhash(text_of(doc))).count("1") > SIMHASH_MAX_DISTANCE
            t = tallies[split_of[slug]].setdefault(edit.__name__, Tally())
            for way, (a, b) in enumerate([(base, doc), (doc, base)][: 2 if both_ways else 1]):
                c = compare(a, b)
                t.made += 1
                t.simhash_wrong += far != material
                if c.material != material:
                    t.ours_wrong += 1
                    if verbose and split_of[slug] == "dev":
                        shown = [ch.reason for ch in c.changes if ch.material != material][:2]
                        back = " (undone)" if way else ""
                        t.wrong_pairs.append(f"{slug}{back}: {shown or c.summary}")
    return tallies


def report(split: str, tally: dict[str, Tally]) -> None:
    print(f"\nservices of split {split}")
    print(
        f"  {'edit':22} {'guide':>9} {'made':>5} {'clausewatch wrong':>18} {'SimHash > 3 wrong':>18}"
    )
    for kind, edits in (("noise", NOISE), ("material", MATERIAL)):
        for edit in edits:
            t = tally.get(edit.__name__, Tally())
            print(
                f"  {edit.__name__:22} {kind:>9} {t.made:5} {t.ours_wrong:18} {t.simhash_wrong:18}"
            )
            for line in t.wrong_pairs:
                print(f"      {line[:300]}")
    for edits, what in (
        (NOISE, "false alerts on edits the guide calls noise"),
        (MATERIAL, "misses of edits the guide calls material"),
    ):
        ts = [tally[e.__name__] for e in edits if e.__name__ in tally]
        made = sum(t.made for t in ts)
        if not made:
            continue
        ours = sum(t.ours_wrong for t in ts) / made
        sim = sum(t.simhash_wrong for t in ts) / made
        print(f"  {what}: clausewatch {ours:.1%}, SimHash > 3 {sim:.1%} ({made} edited versions)")
        figure(
            f"robustness, {split} services: {what}",
            100 * ours,
            "%",
            baseline="SimHash > 3",
            baseline_value=100 * sim,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), help="only the services of this split")
    ap.add_argument(
        "--verbose", "-v", action="store_true", help="list the dev pairs judged against the guide"
    )
    ap.add_argument(
        "--both-ways",
        action="store_true",
        help="also judge each pair edited -> original (the edit undone), as one more pair",
    )
    args = ap.parse_args()
    splits = [args.split] if args.split else ["dev", "test"]
    tallies = run(service_splits(), splits, args.verbose, args.both_ways)
    for split in splits:
        report(split, tallies[split])


if __name__ == "__main__":
    main()
