"""A brand renamed across the policy ("Facebook" -> "Meta", "AcuityAds" -> "illumin"): the
same words swapped for the same words in many clauses is one rename, not many edits. Each
clause is judged again with the rename undone; what is left decides."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from itertools import accumulate

from monitor.classify.controller import own_name_words
from monitor.classify.edits import hunks
from monitor.classify.inventory import (
    is_proper_name,
    place_of,
    prose_words,
    sentence_elements,
    text_elements,
)
from monitor.classify.lexicon import practice_categories
from monitor.classify.noise import name_swaps
from monitor.classify.words import word_tuple
from monitor.model import PolicyDocument

# A swap counts as a rename of the whole policy when made in at least this many clauses.
MIN_CLAUSES = 3
# Names are short: a swap of more words is a rewording.
MAX_NAME_WORDS = 3
_MAX_STAND_IN_WORDS = 4


def _name_key(text: str) -> tuple[str, ...]:
    ws = word_tuple(text)
    # "AcuityAds’" and "illumin’s" are the names with a possessive.
    if ws and ws[-1] in ("s",):
        ws = ws[:-1]
    return tuple(w.removesuffix("'s").removesuffix("’s") for w in ws)


def _swaps(ops: list[tuple[str, str]]) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    out = set()
    for gone, came in hunks(ops):
        a, b = _name_key(gone), _name_key(came)
        short = len(a) <= MAX_NAME_WORDS and len(b) <= MAX_NAME_WORDS
        # A brand is written with a capital on at least one side.
        if a and b and a != b and short and any(ch.isupper() for ch in gone + came):
            out.add((a, b))
    return out


def policy_renames(
    changes_ops: list[list[tuple[str, str]]], old: PolicyDocument | None = None
) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Swaps made in at least MIN_CLAUSES clauses of one comparison that rename a brand:
    the old name is written with a capital wherever it stands in the old version (a name,
    not a common word: "Data" -> "Information" is a change of terms), and the new name is
    new to it (found in at most one clause: the one announcing the rename)."""
    seen: Counter = Counter()
    for ops in changes_ops:
        seen.update(_swaps(ops))
    found = {swap for swap, n in seen.items() if n >= MIN_CLAUSES}
    if not found or old is None:
        return set()
    return {(a, b) for a, b in found if _brand(a, old) and _new_name(b, old)}


# Cached: a swap made in many clauses ("Twitter" -> "X") has its names looked for in the
# same versions once per clause, and each look reads the whole version. Per version, and
# at most as many versions as the other document-keyed caches: a cache keyed on (name,
# version) pairs kept up to 64 versions alive in a long-running monitor.
@lru_cache(maxsize=4)
def _mentions_in(doc: PolicyDocument) -> dict[tuple[str, ...], tuple[tuple[int, str], ...]]:
    return {}


@lru_cache(maxsize=4)
def _text_of(doc: PolicyDocument) -> tuple[str, list[int]]:
    """The version's clauses joined by line breaks, and where each one starts."""
    starts = list(accumulate((len(c.text) + 1 for c in doc.clauses), initial=0))[:-1]
    return "\n".join(c.text for c in doc.clauses), starts


def _mentions(name: tuple[str, ...], doc: PolicyDocument) -> tuple[tuple[int, str], ...]:
    """(clause index, text) of every place the version writes the name, in order."""
    found = _mentions_in(doc)
    if name not in found:
        rx = name_pattern(name)
        found[name] = tuple(
            (k, m.group(0))
            for k in _clauses_matching(rx, doc)
            for m in rx.finditer(doc.clauses[k].text)
        )
    return found[name]


def _clauses_matching(rx: re.Pattern[str], doc: PolicyDocument) -> list[int]:
    """The clauses ``rx`` may match in, in order: each clause where the whole text joined
    by line breaks holds a match starting. A match inside one clause is one in the joined
    text too (a line break is no word character, as the edge of a string is not), so no
    clause holding one is left out; the joined text is searched once through, not each
    clause in a Python loop (a version of 10,000 clauses, once per name asked)."""
    text, starts = _text_of(doc)
    out: list[int] = []
    at = 0
    while (m := rx.search(text, at)) is not None:
        k = bisect_right(starts, m.start()) - 1
        out.append(k)
        if k + 1 >= len(starts):
            break
        at = starts[k + 1]
    return out


def _written_as_words(name: tuple[str, ...], doc: PolicyDocument) -> list[tuple[int, str]]:
    """(clause index, text) of every place the version writes the name as words, not as
    part of a web or mail address ("privacy@zoom.us", "help.netflix.com"): an address is
    written in lower case whatever the name is, and stays when the brand is renamed."""
    rx = re.compile(
        r"(?<![\w./@-])" + r"\W+".join(map(re.escape, name)) + r"(?![\w-]|[./@]\w)",
        re.IGNORECASE,
    )
    hits = _mentions(name, doc)
    return [(k, m.group(0)) for k in dict(hits) for m in rx.finditer(doc.clauses[k].text)]


def _brand(name: tuple[str, ...], doc: PolicyDocument) -> bool:
    written = _written_as_words(name, doc)
    return bool(written) and all(w[0].isupper() for _, w in written)


def _new_name(name: tuple[str, ...], doc: PolicyDocument) -> bool:
    return len({k for k, _ in _written_as_words(name, doc)}) <= 1


def named_back(
    text: str,
    renames: set[tuple[tuple[str, ...], tuple[str, ...]]],
    spelt: dict[tuple[str, ...], str] | None = None,
) -> str:
    """The text with every new name of a policy-wide rename written as the old one: in
    lower case, or as ``spelt`` gives it (written_forms)."""
    for a, b in renames:
        rx = name_pattern(b)
        # Escaped: the name is put in as written, whatever it holds.
        old = (spelt or {}).get(a) or " ".join(a)
        text = rx.sub(old.replace("\\", "\\\\"), text)
    return text


@lru_cache(maxsize=256)
def name_pattern(name: tuple[str, ...]) -> re.Pattern[str]:
    """The name's words in any case, anything but a word character between them."""
    return re.compile(r"\b" + r"\W+".join(map(re.escape, name)) + r"\b", re.IGNORECASE)


def written_forms(
    old: PolicyDocument, renames: set[tuple[tuple[str, ...], tuple[str, ...]]]
) -> dict[tuple[str, ...], str]:
    """Each old name as the old version first writes it ("IMDb", not "imdb"): a name put
    back reads as a name again (capitalised) to the judges that look for names."""
    return {a: hits[0][1] for a, _ in renames if (hits := _mentions(a, old))}


def undo_renames(
    ops: list[tuple[str, str]], renames: set[tuple[tuple[str, ...], tuple[str, ...]]]
) -> tuple[str, list[str]]:
    """The new text with every policy-wide rename put back to the old name, and the renames
    found in this clause (as "“A” → “B”")."""
    out: list[str] = []
    gone: list[str] = []
    came: list[str] = []
    found: list[str] = []

    sources = {a for a, _ in renames}

    def flush() -> None:
        g, c = "".join(gone), "".join(came)
        key = _name_key(g)
        if key[:1] in (("a",), ("an",), ("the",)):
            key = key[1:]
        # Once "Facebook" is renamed across the policy, "off Facebook" -> "off of our
        # Products" and "a Facebook account" -> "an account" are the same company named
        # another way, as long as the words put in its place name no data practice.
        if (
            (_name_key(g), _name_key(c)) in renames
            or _compounds_renamed(g, c, renames)
            or (
                key in sources
                and len(word_tuple(c)) <= _MAX_STAND_IN_WORDS
                and not practice_categories(c)
            )
        ):
            out.append(g)
            found.append(f"“{g.strip()}” → “{c.strip()}”")
        else:
            out.append(c)
        gone.clear()
        came.clear()

    for op, t in ops:
        if op == "equal":
            flush()
            out.append(t)
        else:
            (gone if op == "delete" else came).append(t)
    flush()
    return "".join(out), found


def _compounds_renamed(
    gone: str, came: str, renames: set[tuple[tuple[str, ...], tuple[str, ...]]]
) -> bool:
    """Words compounded with a one-word name renamed across the policy, written with the
    new one ("non-Netflix" -> "non-Meta", "Zoom-hosted" -> "Acme-hosted"): the rename, not
    an edit of its own."""
    wg, wc = word_tuple(gone), word_tuple(came)
    if not wg or len(wg) != len(wc) or wg == wc:
        return False
    for (a,), (b,) in (r for r in renames if len(r[0]) == len(r[1]) == 1):
        if all(
            "-".join(b if p == a else p for p in x.split("-")) == y
            for x, y in zip(wg, wc, strict=True)
        ):
            return True
    return False


_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


def party_swaps(
    ops: list[tuple[str, str]], new_text: str, old: PolicyDocument, new: PolicyDocument
) -> list[tuple[str, str, bool]]:
    """Names swapped in one clause that are two parties, not one party renamed: the new
    name was already named in the old version and the old name is still named in the new
    one ("We use SalesForce Marketing Cloud to email receipts" -> "We use Acoustic ...",
    while both stay listed among the email vendors). A renamed company or product drops its
    old name, or comes in new ("Facebook" -> "Meta", "GraphCMS" -> "Hygraph"); two names
    that stand side by side in both versions are two parties, and the one a practice
    sentence names is the one that gets the data (unless it is a defined term or one of the
    company's own names). Two places are never one renamed (the
    third item says the swap is of places). Only a sentence that states a practice (an
    action on data) counts: a ticker or menu swapping names says nothing of anyone's
    data."""
    out = []
    for a, b in name_swaps(ops):
        pa, pb = place_of(a), place_of(b)
        if pa and pb:
            # A place is no brand to rename: another place is another region whose
            # residents get the terms, or another destination ("EU" -> "EEA").
            if pa != pb and _states_practice(new_text, b):
                out.append((a, b, True))
            continue
        ka, kb = _name_key(a), _name_key(b)
        if not ka or not kb or ka == kb or not _mentions(kb, old) or not _mentions(ka, new):
            continue
        # Defined terms ("Service" -> "Site", "Policy" -> "Notice") are words the versions
        # also write in lower case; the company's own names ("Blizzard Entertainment" ->
        # "Battle.net") are its brands, not parties it gives data to.
        common, own = _common_and_own(old, new)
        if not (is_proper_name(a.lower(), common) and is_proper_name(b.lower(), common)):
            continue
        if own & (set(ka) | set(kb)) or own & (set(_words_of(a)) | set(_words_of(b))):
            continue
        if _states_practice(new_text, b):
            out.append((a, b, False))
    return out


# Per comparison, not per clause asked: each union copies both versions' vocabularies, and
# a comparison with thousands of names swapped or inserted asked once per name.
@lru_cache(maxsize=4)
def _common_and_own(
    old: PolicyDocument, new: PolicyDocument
) -> tuple[frozenset[str], frozenset[str]]:
    """The words either version writes in prose (lower case), and the words of the
    company's own names in either."""
    return prose_words(old) | prose_words(new), own_name_words(old) | own_name_words(new)


def _words_of(name: str) -> list[str]:
    return re.findall(r"[\w&'’-]+", name.lower())


def _states_practice(text: str, name: str) -> bool:
    """Whether a sentence of the text that writes the name states a practice."""
    said = [s for s in _SENTENCE.split(text) if name in s]
    return any(e[0] == "act" for s in said for e in sentence_elements(s))


# Recipients a sentence can name: a vendor named in it is one of them.
_RECIPIENTS = frozenset(
    [
        "third-parties",
        "partners",
        "advertisers",
        "marketing-partners",
        "service-providers",
        "analytics-providers",
        "payment-processors",
        "brokers",
        "other-parties",
    ]
)
_BRACKETS = re.compile(r"^[\s,;:(]+|[\s,;:).]+$")


def parties_named(
    ops: list[tuple[str, str]], new_text: str, old: PolicyDocument, new: PolicyDocument
) -> list[str]:
    """Proper names an edit only inserts (deleting nothing) into a clause about recipients ("We use selected
    cookies from third-party providers ... display personalized advertising (Google Ad
    Manager)"), that the old version never wrote: a party now named as one of them."""
    from monitor.classify.noise import is_name

    # Inserted inside a sentence: a capitalised word that opens a sentence or a line
    # ("Ensuring ...", "3. Nevada Residents") is no name put among others.
    inserted, written = [], ""
    # A name put in place of another is a swap (party_swaps), not one more.
    if any(op == "delete" and word_tuple(t) for op, t in ops):
        return []
    for op, t in ops:
        if (
            op == "insert"
            and written.strip()
            and not written.rstrip().endswith((".", ":", "!", "?"))
        ):
            inserted.append(_BRACKETS.sub("", t))
        if op != "delete":
            written += t
    names = [n for n in inserted if n and is_name(n) and not any(ch.isdigit() for ch in n)]
    if not names or not _RECIPIENTS & {e[1] for e in text_elements(new_text) if e[0] == "term"}:
        return []
    common, own = _common_and_own(old, new)
    return [
        n
        for n in names
        if is_proper_name(n.lower(), common)
        and not own & set(_words_of(n))
        and not _mentions(_name_key(n), old)
    ]
