"""Judgment of an edited clause: the flips and quantities that change what it promises,
and a reason phrased from the words that changed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.classify.leading import finditer_from, lowered
from monitor.classify.lexicon import practice_categories, without_names
from monitor.classify.noise import is_name, same_practice, word_opcodes
from monitor.classify.practice import CATEGORY_LABELS, clip, practice_phrase
from monitor.classify.verdict import NONE, ORDINARY, STRONG, Verdict
from monitor.classify.words import MODALS, NEGATIONS, PRACTICE_VERBS, STOPWORDS, word_tuple

_PERMISSIVE = frozenset(["may", "might", "can", "could"])
_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUM = r"(\d+(?:[.,]\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
_DURATION = re.compile(_NUM + r"[\s-]*\(?\d*\)?\s*(hours?|days?|weeks?|months?|years?)\b", re.I)
_AGE = re.compile(
    r"(?:age of|aged?|under|over|older than|younger than|at least)\s+"
    + _NUM
    + r"\b|"
    + _NUM
    + r"\s*(?:years? (?:of age|old)|\+)",
    re.I,
)
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
# Changed content words at which a reworded data-practice clause counts as a new promise.
MIN_CONTENT_WORDS = 4
# A one-word flip ("not" dropped, "may" -> "will") is told as such only inside an edit of
# at most this many words a side: a deleted paragraph that happened to say "no longer"
# is a removed paragraph, not a dropped "no".
FLIP_MAX_WORDS = 6


def _number(s: str) -> float:
    s = s.lower()
    return float(_NUMBER_WORDS[s]) if s in _NUMBER_WORDS else float(s.replace(",", ""))


# Where a match of _DURATION or _AGE can start, in the lower-cased text
# (leading.finditer_from): a digit or a number word anywhere (_NUM has no \b before it),
# or one of the words _AGE's first alternative starts with. Lookaheads: "twone" holds
# "two" and "one".
_NUM_START = r"\d|" + "|".join(_NUMBER_WORDS)
_DURATION_START = re.compile(rf"(?={_NUM_START})")
_AGE_START = re.compile(rf"(?=age|under|over|older|younger|at least|{_NUM_START})")


_UNITS = ("hour", "day", "week", "month", "year")


def _durations(text: str) -> list[tuple[float, str]]:
    # Every match ends in a unit: lower-cased text without one holds none (leading.lowered
    # says when lower case reads as IGNORECASE does).
    low = lowered(text)
    if low is not None and not any(u in low for u in _UNITS):
        return []
    out = []
    for m in finditer_from(_DURATION, _DURATION_START, text):
        unit = m.group(2).lower().rstrip("s")
        out.append((_number(m.group(1)) * _DAYS[unit], m.group(0).strip()))
    return out


def _ages(text: str) -> list[tuple[float, str]]:
    out = []
    for m in finditer_from(_AGE, _AGE_START, text):
        n = m.group(1) or m.group(2)
        out.append((_number(n), n))
    return out


def _now(ops: list[tuple[str, str]], word: str) -> str:
    """The new wording around the edit that touches ``word``, in the policy's own case:
    a few words before, what was inserted, a few words after."""
    at = next(
        (k for k, (op, t) in enumerate(ops) if op != "equal" and word in word_tuple(t)),
        next((k for k, (op, _) in enumerate(ops) if op != "equal"), 0),
    )
    start = at
    while start > 0 and ops[start - 1][0] != "equal":
        start -= 1
    end = at
    while end + 1 < len(ops) and ops[end + 1][0] != "equal":
        end += 1
    before = ops[start - 1][1].split() if start > 0 else []
    after = ops[end + 1][1].split() if end + 1 < len(ops) else []
    inserted = " ".join(t for op, t in ops[start : end + 1] if op == "insert").split()
    lead = "…" if len(before) > 5 else ""
    tail = "…" if len(after) > 7 else ""
    text = " ".join([*before[-5:], *inserted, *after[:7]])
    return f"now “{lead}{text}{tail}”"


# Only an edit that touches a number or a unit can change a quantity; the full-text
# scans below are skipped for all others.
_QUANTITY_WORD = re.compile(
    r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r"|hours?|days?|weeks?|months?|years?|age|aged|old)\b",
    re.I,
)

# Where a match of _QUANTITY_WORD can start, in the lower-cased text (finditer_from).
_QUANTITY_START = re.compile(
    r"\d|\b(?=" + "|".join(_NUMBER_WORDS) + r"|hour|day|week|month|year|age|old)"
)


def _quantity_reason(
    old: str, new: str, categories: list[str], ops: list[tuple[str, str]] | None = None
) -> str | None:
    changed = " ".join(t for op, t in ops if op != "equal") if ops is not None else old + new
    if next(finditer_from(_QUANTITY_WORD, _QUANTITY_START, changed), None) is None:
        return None
    do, dn = _durations(old), _durations(new)
    if [d for d, _ in do] != [d for d, _ in dn]:
        for (a, ta), (b, tb) in zip(do, dn, strict=False):
            if a != b:
                what = "retention" if "data-retention" in categories else "a time limit"
                verb = "extends" if b > a else "shortens"
                return f"{verb} {what} from {ta} to {tb}"
        if dn and not do:
            return f"adds a time limit of {dn[0][1]}"
        if do and not dn:
            return f"removes the time limit of {do[0][1]}"
    ao, an = _ages(old), _ages(new)
    if [a for a, _ in ao] != [a for a, _ in an]:
        for (a, ta), (b, tb) in zip(ao, an, strict=False):
            if a != b:
                verb = "raises" if b > a else "lowers"
                return f"{verb} the age threshold from {ta} to {tb}"
    return None


def _sentence_at(text: str, pos: int) -> str:
    start = max(text.rfind(". ", 0, pos), text.rfind("| ", 0, pos)) + 1
    ends = [e for e in (text.find(". ", pos), text.find(" |", pos)) if e >= 0]
    return text[start : min(ends) if ends else len(text)]


_PROMISE_EDIT_SHARE = 0.8
_RUN_IN_HEADING = re.compile(
    r"^\s*(?:[A-Z][\w'’-]*(?:\s+(?:of|and|the|to|for|a|in|on|or|your|our))*\s+){0,7}[A-Z][\w'’-]*:\s"
)


# Negation words that negate nothing the policy does: "including, but not limited to",
# "without limitation", "not only … but also" say how open a list is.
_IDIOMS = {
    "not": frozenset({"limited", "only", "exhaustive", "exclusive"}),
    "without": frozenset({"limitation", "limiting"}),
}


def _idiom(ws: Sequence[str], k: int) -> bool:
    """Whether the negation word at ``ws[k]`` is part of a list idiom."""
    after = _IDIOMS.get(ws[k])
    return after is not None and k + 1 < len(ws) and ws[k + 1] in after


def _negations(a: str, b: str) -> bool:
    """One negation word swapped for another ("do not track" → "do no track"): the
    promise stays negated."""
    wa, wb = word_tuple(a), word_tuple(b)
    return len(wa) == len(wb) == 1 and wa[0] in NEGATIONS and wb[0] in NEGATIONS


_LINK = re.compile(r"\b(?:at|on|via|see)?\s*(?:https?://\S+|www\.\S+)", re.IGNORECASE)
_LINK_WORDS = frozenset({"here", "this", "link", "page", "click", "website", "site"})


def _link_text(a: str, b: str) -> bool:
    """A link's text swapped for its address ("here" → "at https://…"), or back."""
    for x, y in ((a, b), (b, a)):
        wx = word_tuple(x)
        if wx and set(wx) <= _LINK_WORDS and _LINK.search(y) and not word_tuple(_LINK.sub(" ", y)):
            return True
    return False


def link_text_only(hunks_: list[tuple[str, str]]) -> bool:
    """Every edit swaps a link's text for its address, or back: the link is the same."""
    return bool(hunks_) and all(_link_text(a, b) for a, b in hunks_)


def _promise_scope(old: str, new: str, ops: list[tuple[str, str]]) -> str | None:
    """An edit inside a negative promise ("we do not use your input to train our models
    when you use A, B or C") changes what the promise covers, however small the edit."""
    po = pn = 0
    for k, (op, t) in enumerate(ops):
        if op == "equal":
            po, pn = po + len(t), pn + len(t)
            continue
        # One name swapped for another ("off Facebook" -> "off Meta") is a rename.
        pair = ops[k + 1] if k + 1 < len(ops) and ops[k + 1][0] not in ("equal", op) else None
        if pair is None and k and ops[k - 1][0] not in ("equal", op):
            pair = ops[k - 1]
        swap = pair and (
            (is_name(t.strip()) and is_name(pair[1].strip()))
            or _negations(t, pair[1])
            or _link_text(t, pair[1])
        )
        # Punctuation says nothing about what the promise covers.
        if swap or not word_tuple(t):
            if op == "delete":
                po += len(t)
            else:
                pn += len(t)
            continue
        text, pos = (old, po) if op == "delete" else (new, pn)
        # Where the edited words start: a deletion often begins with the space after the
        # previous sentence's period.
        sentence = _sentence_at(text, pos + len(t) - len(t.lstrip()))
        # A run-in heading says nothing: "No Sale of Personal Information: The CCPA ...".
        ws = word_tuple(_RUN_IN_HEADING.sub("", sentence, count=1))
        # An edit inside the promise, not the whole sentence cut or written anew: that is a
        # removed or added passage, judged as such.
        inside = len(word_tuple(t)) < _PROMISE_EDIT_SHARE * len(ws)
        promise = None if inside or not t.strip() else practice_phrase(sentence)
        if promise and promise[1]:
            # A whole promise cut or written: "removes a commitment not to sell ...".
            return f"{'removes' if op == 'delete' else 'adds'} a commitment not to {promise[0]}"
        if (
            t.strip()
            and inside
            and any(w in NEGATIONS for w in ws)
            and any(w in PRACTICE_VERBS for w in ws)
        ):
            verb = "narrows" if op == "delete" else "widens"
            lead = clip(sentence.strip(), 12)
            what = clip(t.strip(), 8)
            return (
                f"{verb} the promise “{lead}”: {'removes' if op == 'delete' else 'adds'} “{what}”"
            )
        if op == "delete":
            po += len(t)
        else:
            pn += len(t)
    return None


def _segments(ops: list[tuple[str, str]], op: str) -> list[str]:
    """The inserted (or deleted) runs, those with words first: a reason quotes the first,
    and "removes “*”" names the markup, not the edit."""
    runs = [t.strip() for o, t in ops if o == op and t.strip()]
    return sorted(runs, key=lambda t: not _HAS_WORD.search(t))


_HAS_WORD = re.compile(r"\w")


def hunks(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(deleted, inserted) text of each run of edits between equal stretches."""
    out: list[tuple[str, str]] = []
    gone: list[str] = []
    came: list[str] = []
    for op, t in [*ops, ("equal", "")]:
        if op == "equal":
            if "".join(gone + came).strip():
                out.append(("".join(gone).strip(), "".join(came).strip()))
            gone, came = [], []
        else:
            (gone if op == "delete" else came).append(t)
    return out


def _cosmetic_hunk(gone: str, came: str) -> bool:
    """Case, quotes, markup, punctuation or word order only: "Grindr’s" -> "Grindr's"."""
    return sorted(word_tuple(gone)) == sorted(word_tuple(came))


def _headline(hunks: list[tuple[str, str]]) -> tuple[str, str]:
    """The edit a reason quotes: the first that changes words, one naming a data practice
    before any other; never a cosmetic one while a real one exists."""
    real = [h for h in hunks if not _cosmetic_hunk(*h)]
    if not real:
        return hunks[0] if hunks else ("", "")
    practice = [h for h in real if practice_categories(without_names(" ".join(h)))]
    gone, came = (practice or real)[0]
    # A side with no words (a lone quote mark) is not quoted: "adds “…”", not "replaces “’”".
    return (gone if _HAS_WORD.search(gone) else ""), (came if _HAS_WORD.search(came) else "")


def _states_practice(old: str, new: str) -> bool:
    """Whether the clause states a practice at all, judged without the names in it."""
    # Asked last, only when the verdict hangs on it: it scans both sides with every
    # category's lexicon.
    return bool(practice_categories(without_names(f"{old} {new}")))


def edit_reason(
    old: str,
    new: str,
    ops: list[tuple[str, str]],
    categories: list[str],
    section_practice: bool = False,
) -> Verdict:
    """The verdict on an edit that is not noise."""
    wo, wn = word_tuple(old), word_tuple(new)
    removed: list[str] = []
    added: list[str] = []
    flips: list[tuple[str, str, str]] = []  # (reason, rule, evidence)
    for tag, i1, i2, j1, j2 in word_opcodes(wo, wn):
        if tag == "equal":
            continue
        x, y = wo[i1:i2], wn[j1:j2]
        removed += x
        added += y
        if max(len(x), len(y)) > FLIP_MAX_WORDS:
            continue
        gone = [
            w for k, w in enumerate(x, i1) if w in NEGATIONS and w not in y and not _idiom(wo, k)
        ]
        came = [
            w for k, w in enumerate(y, j1) if w in NEGATIONS and w not in x and not _idiom(wn, k)
        ]
        if gone and came and _negations(" ".join(x), " ".join(y)):
            gone = came = []
        if gone:
            flips.append((f"drops “{gone[0]}”: {_now(ops, gone[0])}", "negation", gone[0]))
        if came:
            flips.append((f"adds “{came[0]}”: {_now(ops, came[0])}", "negation", came[0]))
        mx = [w for w in x if w in MODALS]
        my = [w for w in y if w in MODALS]
        if mx and my and (mx[0] in _PERMISSIVE) != (my[0] in _PERMISSIVE):
            flips.append(
                (
                    f"changes “{mx[0]}” to “{my[0]}”: {_now(ops, my[0])}",
                    "modal",
                    f"{mx[0]} → {my[0]}",
                )
            )
        vx = [w for w in x if w in PRACTICE_VERBS]
        vy = [w for w in y if w in PRACTICE_VERBS]
        if vx and vy and vx[0][:4] != vy[0][:4] and not same_practice(vx[0], vy[0]):
            flips.append(
                (
                    f"changes “{vx[0]}” to “{vy[0]}”: {_now(ops, vy[0])}",
                    "practice-verb",
                    f"{vx[0]} → {vy[0]}",
                )
            )
    quantity = _quantity_reason(old, new, categories, ops)
    strength = STRONG
    if quantity:
        flips.insert(0, (quantity, "quantity", ""))
    elif not flips:
        scope = _promise_scope(old, new, ops)
        if scope:
            flips.append((scope, "promise", ""))
            # Cutting or writing a whole commitment turns the clause around; an edit
            # inside one narrows or widens it.
            strength = STRONG if "commitment not" in scope else ORDINARY
    practice = [c for c in categories if c != "other"]
    if flips:
        reason = "; ".join(text for text, _, _ in flips[:2])
        return Verdict(True, reason, flips[0][1], strength, flips[0][2])
    content = [w for w in removed + added if w not in STOPWORDS]
    ins, dels = _segments(ops, "insert"), _segments(ops, "delete")
    changed_practice = practice_categories(without_names(" ".join(ins + dels)))
    hunks_ = hunks(ops)
    gone_text, came_text = _headline(hunks_)
    if gone_text and came_text:
        action = f"replaces “{clip(gone_text)}” with “{clip(came_text)}”"
    elif came_text:
        action = f"adds “{clip(came_text)}”"
    elif gone_text:
        action = f"removes “{clip(gone_text)}”"
    else:
        action = "rewords the clause"
    extra = len(hunks_) - 1
    if extra > 0:
        action += f" (and {extra} more edit{'s' if extra > 1 else ''})"
    evidence = " … ".join(t for t in (gone_text, came_text) if t)
    if (
        practice
        and (changed_practice or len(content) >= MIN_CONTENT_WORDS)
        and (section_practice or _states_practice(old, new))
    ):
        reason = f"{action} in a clause on {CATEGORY_LABELS[practice[0]]}"
        return Verdict(True, reason, "edit", ORDINARY, evidence)
    if changed_practice:
        reason = f"{action}, bringing in {CATEGORY_LABELS[changed_practice[0]]}"
        return Verdict(True, reason, "edit", ORDINARY, evidence)
    return Verdict(False, f"{action}; no data practice changes", "no-practice", NONE, evidence)


def heading_quantity(
    old: str, new: str, categories: list[str], ops: list[tuple[str, str]]
) -> Verdict | None:
    """A heading whose period or age threshold changed ("Children under 13" -> "Children
    under 16"): the heading states the threshold its section applies, so the edit is no
    mere rename, even when the text below still says the old number."""
    quantity = _quantity_reason(old, new, categories, ops)
    if not quantity:
        return None
    reason = f"{quantity} in the heading “{new.strip()}”"
    return Verdict(True, reason, "quantity", ORDINARY, "")
