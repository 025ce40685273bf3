"""Items added to or removed from an enumeration of recipients, destinations or places
whose residents have rights: "Our email management vendors are SalesForce, Send in Blue,
Mailchimp, or Acoustic", a row of a subprocessor table, a US state added to the states
whose residents may opt out. Each item widens or narrows the clause, so it is material even
though it is only a name (names alone are otherwise taken as renames)."""

from __future__ import annotations

import re

from monitor.classify.noise import multiset_diff, word_delta
from monitor.classify.practice import clip
from monitor.classify.verdict import ORDINARY, Verdict
from monitor.classify.words import word_tuple

# What a list in a clause enumerates, and the category of a change to it.
_LIST_NOUN = re.compile(
    r"\b(?P<noun>(?:sub-?)?processors?|(?:email |e-mail |)(?:management |service |technology "
    r"|analytics |advertising |marketing |)(?:vendors?|partners?|providers?)|third[- ]parties"
    r"|advertisers|recipients|affiliates|countries|jurisdictions|destinations|(?:us |u\.s\. )?"
    r"states|residents?)\b",
    re.IGNORECASE,
)
_PLACES = ("countries", "jurisdictions", "destinations")
_RIGHTS = ("states", "residents", "resident")
# Separators and connectors around an item as inserted: ", or Acoustic", "the UK, and ".
_EDGES = re.compile(r"^(?:[\s,;:]|\b(?:and|or|the)\b|&)+|(?:[\s,;:]|\b(?:and|or)\b|&)+$")
_CONNECTORS = frozenset({"and", "or", "&"})
# An item is a name of a few words; more is a clause of its own.
_MAX_ITEM_WORDS = 6
_MAX_ROW_WORDS = 12
# A full stop ends a sentence, unless it ends a corporate form ("Inspera USA, Inc.").
_FORM_END = re.compile(r"\b(?:Inc|Ltd|Co|Corp|LLC|L\.L\.C|S\.A|B\.V|N\.V|Pte|Pty)\.$")


def _is_name(item: str) -> bool:
    """A named thing ("Acoustic", "Send in Blue", "Oregon"): every word but a few
    function words is capitalised, and it is no sentence."""
    ws = re.findall(r"[^\W\d_][\w'’.-]*", item)
    small = {"in", "of", "and", "the", "for", "de", "du", "la", "&"}
    return (
        bool(ws)
        and not _FORM_END.sub("", item.rstrip()).endswith((".", "!", "?"))
        and all(w[0].isupper() or w in small for w in ws)
    )


def _category(noun: str) -> str:
    n = noun.lower()
    if n.endswith(_PLACES):
        return "specific-audiences"
    if n.endswith(_RIGHTS):
        return "user-access"
    return "third-party-sharing"


def enumeration_edit(old: str, new: str, ops: list[tuple[str, str]]) -> tuple[Verdict, str] | None:
    """(verdict, category) when the edit only adds or only removes a named item of an
    enumeration of recipients, destinations or states in the clause."""
    # Counted first: most edits both add and remove words, and are no such item.
    delta = word_delta(old, new)
    n_came = sum(n for w, n in delta.came.items() if w not in _CONNECTORS)
    n_gone = sum(n for w, n in delta.gone.items() if w not in _CONNECTORS)
    # Both at once is a swap (a rename, a reworded item), not a longer or shorter list.
    if bool(n_came) == bool(n_gone) or (n_came or n_gone) > _MAX_ITEM_WORDS:
        return None
    wo, wn = word_tuple(old), word_tuple(new)
    came = [w for w in multiset_diff(wn, wo) if w not in _CONNECTORS]
    gone = [w for w in multiset_diff(wo, wn) if w not in _CONNECTORS]
    side, text, item_words = (1, new, came) if came else (0, old, gone)
    pos = {0: 0, 1: 0}
    for op, t in ops:
        if op == "equal":
            pos[0] += len(t)
            pos[1] += len(t)
            continue
        k = 0 if op == "delete" else 1
        if k == side and set(item_words) & set(word_tuple(t)):
            item = _EDGES.sub("", t)
            at = pos[k] + len(t) - len(t.lstrip())
            start = max(text.rfind(". ", 0, at), text.rfind("; ", 0, at)) + 1
            # The list's noun comes first ("vendors are A, B or C", "residents of A, B"),
            # and the item sits between list separators.
            m = _LIST_NOUN.search(text[start:at])
            before = text[:at].rstrip()
            after = text[at + len(t.strip()) :].lstrip()
            separated = (
                t.lstrip().startswith((",", "and ", "or ", "& "))
                or t.rstrip().endswith(",")
                or before.endswith((",", " and", " or", ":"))
                or after.startswith((",", "and ", "or "))
            )
            if m and separated and _is_name(item):
                verb, prep = ("adds", "to") if side else ("removes", "from")
                noun = m.group("noun").lower()
                reason = f"{verb} “{clip(item, 8)}” {prep} the {noun} it names"
                return Verdict(True, reason, "enumeration", ORDINARY, item), _category(noun)
            return None
        pos[k] += len(t)
    return None


def listed_item(text: str, section_leaf: str, kind: str, added: bool) -> tuple[Verdict, str] | None:
    """(verdict, category) for a list item or table row added to (or removed from) a list
    under a heading naming recipients, destinations or states: "LIST OF THIRD-PARTY SERVICE
    PROVIDERS" > "Intercom | Chat | United States", or a heading of its own under such a
    heading ("Third-party service providers" > "Postmark")."""
    if kind not in ("list-item", "table-row", "heading"):
        return None
    m = _LIST_NOUN.search(section_leaf)
    n = len(word_tuple(text))
    if not m or not n or n > _MAX_ROW_WORDS:
        return None
    # Cookie tables are judged by what each cookie is for (classify.cookies), and their
    # header rows name no one.
    if not _is_name(text.replace("|", " ")) or "cookie" in section_leaf.lower():
        return None
    noun = m.group("noun").lower()
    # Under a heading naming places ("Transfer of Personal Data Between Countries") a row is
    # as often a mechanism ("Cross-Border Privacy Rules Program") as a place: rows are
    # taken for recipients only; places count inside an inline list (enumeration_edit).
    if _category(noun) != "third-party-sharing":
        return None
    verb, prep = ("adds", "to") if added else ("removes", "from")
    reason = f"{verb} “{clip(text.strip(), 8)}” {prep} the {noun} listed under “{section_leaf}”"
    return Verdict(True, reason, "enumeration", ORDINARY, text.strip()), _category(noun)
