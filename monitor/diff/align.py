"""Clause alignment: which clauses of two versions are the same, moved, edited, regrouped,
added or removed. Pure; compares comparison keys, never whole documents.

Order of the passes matters: exact matches in order first (they anchor everything), then
exact matches out of order (moves), then paragraphs split or merged (detected by shared
sentences, so they are not mistaken for an edit plus an addition), then similar clauses
paired into edits; what remains was added or removed.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from itertools import chain, pairwise

from monitor.diff.change import ChangeKind, ClauseChange, ClauseDiff, Regroup
from monitor.diff.sentences import sentence_key, sentence_keys, split_sentences
from monitor.diff.words import word_ops
from monitor.model import Clause
from monitor.textnorm import comparison_key

_WORD = re.compile(r"\w+")
# Pairing thresholds over word sets: an edit keeps at least half of the words, or the
# shorter clause is almost entirely inside the longer one (a clause that grew).
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.8
MIN_CONTAINMENT_JACCARD = 0.3
MIN_CONTAINMENT_WORDS = 6
# A version is a rewrite when at least this share of its body is new text and little of
# the old body survives as it was.
REWRITE_NEW_SHARE = 0.6
REWRITE_KEPT_SHARE = 0.3
REWRITE_MIN_CLAUSES = 8
# Above this many candidate pairs, only clauses sharing a rare word are compared.
_FULL_PAIRING_LIMIT = 2500
# Then each old clause is compared with at most this many new ones, those sharing the most
# rare words with it.
_MAX_CANDIDATES = 24
# and a word in more leftover clauses than this is not rare, however many are left.
_MAX_POSTINGS = 40


# Numbers and month names pair as equals: "Updated June 30, 2025" and "Updated December 31,
# 2025" are one date line edited, "30 days" -> "5 years" one clause edited.
_DIGITS = re.compile(r"\d+")
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


@lru_cache(maxsize=16384)
def _words(key: str) -> frozenset[str]:
    # Cached: along a history each version is diffed twice, and its leftover clauses are
    # the same both times. Months are whole words of the key (it is casefolded).
    if _DIGITS.search(key):
        key = _DIGITS.sub("0", key)
    return frozenset("0" if w in _MONTHS else w for w in _WORD.findall(key))


def _is_heading(c: Clause) -> bool:
    return c.kind == "heading"


def _change(
    kind: ChangeKind,
    old: Sequence[Clause],
    new: Sequence[Clause],
    i: int | None = None,
    j: int | None = None,
) -> ClauseChange:
    oc = old[i] if i is not None else None
    nc = new[j] if j is not None else None
    osec = oc.section_path if oc else None
    nsec = nc.section_path if nc else None
    # Every change has a side: an old clause, a new one, or both.
    either = nc or oc
    assert either is not None
    ch = ClauseChange(
        kind=kind,
        section=either.section_path,
        old=oc.text if oc else None,
        new=nc.text if nc else None,
        old_section=osec,
        new_section=nsec,
        old_index=i,
        new_index=j,
        clause_kind=either.kind,
    )
    if oc is not None and nc is not None and kind == "modified":
        ch.word_ops = word_ops(oc.text, nc.text)
    return ch


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard of two word sets if they are similar enough to be one clause edited, else 0."""
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    small, big = min(la, lb), max(la, lb)
    if small / big < MIN_CONTAINMENT_JACCARD:
        return 0.0
    inter = len(a & b)
    jac = inter / (la + lb - inter)
    if jac >= MIN_JACCARD:
        return jac
    if (
        jac >= MIN_CONTAINMENT_JACCARD
        and small >= MIN_CONTAINMENT_WORDS
        and inter / small >= MIN_CONTAINMENT
    ):
        return jac
    return 0.0


def _size_band(sets: dict[int, frozenset[str]]) -> tuple[list[int], list[int]]:
    """The keys of ``sets`` ordered by set size, and those sizes, for _within_band."""
    keys = sorted(sets, key=lambda k: len(sets[k]))
    return keys, [len(sets[k]) for k in keys]


def _within_band(keys: list[int], sizes: list[int], words: frozenset[str]) -> list[int]:
    """Keys whose sets are close enough in size to ``words`` that _similarity can be more
    than 0: a set under MIN_CONTAINMENT_JACCARD of the other's size never is. A short
    sentence against a long one fails on size alone; a bisection skips it without a call."""
    n = len(words)
    # One size of slack each way, so float rounding can never drop a candidate.
    lo = bisect_left(sizes, n * MIN_CONTAINMENT_JACCARD - 1)
    hi = bisect_right(sizes, n / MIN_CONTAINMENT_JACCARD + 1)
    return keys[lo:hi]


def _pair_similar(
    old: Sequence[Clause],
    new: Sequence[Clause],
    old_left: list[int],
    new_left: list[int],
) -> list[tuple[int, int]]:
    """Greedy best-first pairing of leftover clauses into edits."""
    ow = {i: _words(old[i].key) for i in old_left}
    nw = {j: _words(new[j].key) for j in new_left}
    if len(old_left) * len(new_left) <= _FULL_PAIRING_LIMIT:
        keys, sizes = _size_band(nw)
        candidates = {i: _within_band(keys, sizes, ow[i]) for i in old_left}
    else:
        # Words found in many clauses say nothing about which clause is which. (Counted
        # and filtered by set operations, in C: the common words are most of the words.)
        df = Counter(chain.from_iterable(nw[j] for j in new_left))
        limit = max(3, min(len(new_left) // 10, _MAX_POSTINGS))
        rare = frozenset(w for w, n in df.items() if n <= limit)
        postings: dict[str, list[int]] = defaultdict(list)
        for j in new_left:
            for w in nw[j] & rare:
                postings[w].append(j)
        candidates = {}
        for i in old_left:
            shared = Counter(chain.from_iterable(postings[w] for w in ow[i] & rare))
            # The clause an old one became shares the most of its rare words; a bound on
            # candidates keeps a heavily edited 10,000-clause document from being compared
            # all against all (ties go to the earlier clause, so the choice is stable).
            candidates[i] = _most_shared(shared)
    no, nn = max(len(old), 1), max(len(new), 1)
    heading_n = {j: _is_heading(new[j]) for j in new_left}
    scored = []
    for i in old_left:
        words_i, heading_i = ow[i], _is_heading(old[i])
        for j in candidates[i]:
            if heading_i != heading_n[j]:
                continue
            s = _similarity(words_i, nw[j])
            if s:
                scored.append((-s, abs(i / no - j / nn), i, j))
    scored.sort()
    used_o: set[int] = set()
    used_n: set[int] = set()
    pairs = []
    for _, _, i, j in scored:
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((i, j))
    return pairs


def _most_shared(shared: Counter[int]) -> list[int]:
    """The _MAX_CANDIDATES clauses sharing the most rare words, ties to the earlier clause,
    in order. Cut at the count the last one shares rather than by a heap of (count, index)
    pairs: counts are small integers, sorted in C, and thousands of old clauses ask."""
    if len(shared) <= _MAX_CANDIDATES:
        return sorted(shared)
    cut = sorted(shared.values(), reverse=True)[_MAX_CANDIDATES - 1]
    above = [j for j, n in shared.items() if n > cut]
    tied = sorted(j for j, n in shared.items() if n == cut)
    return sorted(above + tied[: _MAX_CANDIDATES - len(above)])


# Sentences held by more leftover paragraphs than this (on one side) link none of them.
_SENTENCE_POSTINGS = 64


def _find_regroups(
    old: Sequence[Clause], new: Sequence[Clause], old_left: list[int], new_left: list[int]
) -> list[Regroup]:
    """Paragraphs split, merged or reflowed: linked by exactly shared sentences, or by a
    clause that sits whole inside a much longer one on the other side (a page captured as
    one line, later as paragraphs)."""
    # Headings are never split or merged themselves (they pair with headings); they only
    # join a group when a whole page was captured as one line.
    heads_o = {i for i in old_left if _is_heading(old[i])}
    heads_n = {j for j in new_left if _is_heading(new[j])}
    old_sent = {i: sentence_keys(old[i].text) for i in old_left if i not in heads_o}
    new_sent = {j: sentence_keys(new[j].text) for j in new_left if j not in heads_n}
    where_new: dict[str, set[int]] = defaultdict(set)
    for j, keys in new_sent.items():
        for k in keys:
            where_new[k].add(j)
    where_old: dict[str, set[int]] = defaultdict(set)
    for i, keys in old_sent.items():
        for k in keys:
            where_old[k].add(i)
    # A sentence that many paragraphs repeat ("Learn more in our help centre.") says
    # nothing about where a paragraph's text went, and linking through it would walk every
    # holder once per holder (quadratic) and chain the whole page into one group.
    for where in (where_new, where_old):
        for k in [k for k, at in where.items() if len(at) > _SENTENCE_POSTINGS]:
            del where[k]
    links: list[tuple[int, int]] = []
    # A paragraph is regrouped when its sentences now live in two or more paragraphs, or
    # when one paragraph holds only some of its sentences and nothing else (the rest moved
    # to a neighbour, perhaps edited on the way).
    for i, keys in old_sent.items():
        targets = _linked(keys, where_new)
        if len(targets) >= 2 or (
            len(targets) == 1 and _strict_part(new_sent[next(iter(targets))], keys)
        ):
            links.extend((i, j) for j in targets)
    for j, keys in new_sent.items():
        sources = _linked(keys, where_old)
        if len(sources) >= 2 or (
            len(sources) == 1 and _strict_part(old_sent[next(iter(sources))], keys)
        ):
            links.extend((i, j) for i in sources)
    body_o = [i for i in old_left if i not in heads_o]
    body_n = [j for j in new_left if j not in heads_n]
    links.extend(_contained(old, new, body_o, body_n))
    links.extend((i, j) for j, i in _contained(new, old, body_n, body_o))
    if not links:
        return []
    # Connected components of the old<->new links.
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in links:
        parent[find(("o", i))] = find(("n", j))
    groups: dict[tuple[str, int], Regroup] = {}
    for node in list(parent):
        g = groups.setdefault(find(node), Regroup([], []))
        (g.old_indices if node[0] == "o" else g.new_indices).append(node[1])
    taken_o = {i for g in groups.values() for i in g.old_indices}
    taken_n = {j for g in groups.values() for j in g.new_indices}
    left_o, left_n = set(old_left) - taken_o, set(new_left) - taken_n
    # Once, not per group: hundreds of groups each copying thousands of leftover indices
    # was quadratic. (Neither set changes below; what a group takes goes into taken_*.)
    body_left_o, body_left_n = left_o - heads_o, left_n - heads_n
    # The same in order, for filling a group's span without walking every index of it.
    sorted_n = {True: _Free(sorted(left_n)), False: _Free(sorted(body_left_n))}
    sorted_o = {True: _Free(sorted(left_o)), False: _Free(sorted(body_left_o))}
    out = []
    for g in list(groups.values()):
        blob = any(len(old[i].key) >= _BLOB_CHARS for i in g.old_indices) or any(
            len(new[j].key) >= _BLOB_CHARS for j in g.new_indices
        )
        free_n = left_n if blob else body_left_n
        free_o = left_o if blob else body_left_o
        # Clauses between members of a group belong to it (a reflowed page keeps its order).
        sorted_n[blob].fill(g.new_indices, taken_n)
        sorted_o[blob].fill(g.old_indices, taken_o)
        # The part of a split paragraph that was edited shares no exact sentence; it is the
        # unmatched neighbour right after (or before) the group.
        _extend(g.new_indices, free_n, taken_n)
        _extend(g.old_indices, free_o, taken_o)
        if blob:
            # Page furniture around a blob (navigation items) is part of the same text
            # when its words are in it.
            inside = _InsideGroup(old, new, g)
            _extend_while(g.new_indices, free_n, taken_n, partial(inside, new))
            _extend_while(g.old_indices, free_o, taken_o, partial(inside, old))
        g.old_indices.sort()
        g.new_indices.sort()
        if _same_text(old, new, g):
            out.append(g)
    return out


def _linked(keys: Sequence[str], where: dict[str, set[int]]) -> set[int]:
    """The clauses on the other side holding any of these sentences."""
    return {j for k in keys for j in where.get(k, ())}


# A regroup must hold much the same words on both sides (a reflow, not a rewrite), and be
# small enough for one exact word-level diff.
_REGROUP_MIN_OVERLAP = 0.6
_REGROUP_MAX_CHARS = 60_000


def _same_text(old: Sequence[Clause], new: Sequence[Clause], g: Regroup) -> bool:
    chars = sum(len(old[i].key) for i in g.old_indices) + sum(
        len(new[j].key) for j in g.new_indices
    )
    # Size first: a group that swallowed the leftovers between two far-apart members
    # (thousands of clauses, a megabyte of text in a heavily edited 10,000-clause pair) is
    # refused without counting its words.
    if chars > _REGROUP_MAX_CHARS:
        return False
    a = Counter(w for i in g.old_indices for w in _WORD.findall(old[i].key))
    b = Counter(w for j in g.new_indices for w in _WORD.findall(new[j].key))
    size = max(sum(a.values()), sum(b.values()), 1)
    return sum((a & b).values()) / size >= _REGROUP_MIN_OVERLAP


def _members(old: Sequence[Clause], new: Sequence[Clause], g: Regroup) -> list[Clause]:
    return [old[i] for i in g.old_indices] + [new[j] for j in g.new_indices]


def _inside(c: Clause, vocabulary: frozenset[str]) -> bool:
    ws = _words(c.key)
    return bool(ws) and len(ws & vocabulary) >= 0.8 * len(ws)


class _InsideGroup:
    """Whether a clause's words are inside a group's, the group's words gathered at the
    first question: most groups have no free neighbour to ask about, and a group that
    swallowed thousands of leftovers would gather a megabyte of text for nothing. The
    words are those of the group as it stood before it grew (asked first before any
    neighbour joins). Each member's words, not one string of all their keys: the same set
    (no word spans the space between two keys), and no megabyte key in _words's cache."""

    def __init__(self, old: Sequence[Clause], new: Sequence[Clause], g: Regroup) -> None:
        self.members = _members(old, new, g)
        self.words: frozenset[str] | None = None

    def __call__(self, side: Sequence[Clause], k: int) -> bool:
        if self.words is None:
            self.words = frozenset().union(*(_words(c.key) for c in self.members))
        return _inside(side[k], self.words)


def _extend_while(
    indices: list[int], left: set[int], taken: set[int], ok: Callable[[int], bool]
) -> None:
    for step in (1, -1):
        k = (max(indices) if step == 1 else min(indices)) + step
        while k in left and k not in taken and ok(k):
            indices.append(k)
            taken.add(k)
            k += step


class _Free:
    """Sorted leftover indices, for filling groups' spans: each index is walked past once
    in all, not once per group whose span holds it. Spans nest (paragraphs of the middle
    of a page regrouped with paragraphs far apart), and walking every span whole was
    quadratic: 16,000 clauses, 0.6 s in this alone. ``skip`` points past indices known to
    be taken (path-halved, as in union-find); an index once taken stays taken."""

    def __init__(self, left: list[int]) -> None:
        self.left = left
        self.skip = list(range(len(left) + 1))

    def next(self, p: int) -> int:
        """The first position from ``p`` on not yet walked past."""
        skip = self.skip
        while skip[p] != p:
            skip[p] = skip[skip[p]]
            p = skip[p]
        return p

    def fill(self, indices: list[int], taken: set[int]) -> None:
        """Adds the untaken indices between the group's first and last, in order."""
        left = self.left
        end = bisect_right(left, max(indices))
        p = self.next(bisect_left(left, min(indices)))
        while p < end:
            k = left[p]
            if k not in taken:
                indices.append(k)
                taken.add(k)
            # Taken now, by this group or an earlier one: no later span walks it again.
            self.skip[p] = p + 1
            p = self.next(p + 1)


# A "blob" is a clause long enough to hide others whole: only these are searched.
_BLOB_CHARS = 400
_CONTAINMENT_CHECKS = 40_000


def _contained(
    big: Sequence[Clause], small: Sequence[Clause], big_left: list[int], small_left: list[int]
) -> list[tuple[int, int]]:
    """(i, j) where small clause j sits whole inside the much longer big clause i."""
    blobs = [i for i in big_left if len(big[i].key) >= _BLOB_CHARS]
    if not blobs or len(blobs) * len(small_left) > _CONTAINMENT_CHECKS:
        return []
    # One substring search over all blobs first: most clauses are in none of them.
    every_blob = "\x00".join(big[i].key for i in blobs)
    out = []
    for j in small_left:
        key = small[j].key
        if not key or ("\x00" not in key and key not in every_blob):
            continue
        for i in blobs:
            if len(big[i].key) >= 3 * len(key) and key in big[i].key:
                out.append((i, j))
                break
    return out


def _strict_part(part: Sequence[str], whole: Sequence[str]) -> bool:
    """Every sentence of ``part`` is in ``whole``, which has more."""
    return bool(part) and len(whole) > len(part) and set(part) <= set(whole)


def _extend(indices: list[int], left: set[int], taken: set[int]) -> bool:
    for nxt in (max(indices) + 1, min(indices) - 1):
        if nxt in left and nxt not in taken:
            indices.append(nxt)
            taken.add(nxt)
            return True
    return False


# Markup and punctuation aside: "_Mathematica_ &." and "Mathematica &" are the same words.
_FLAT = re.compile(r"[^\W_]+")
# Text that sentence splitting cannot cut (a page's navigation run together with its first
# sentence) counts as found when nearly all its word pairs are on the other side.
_LONG_SENTENCE_WORDS = 60
_LONG_SENTENCE_COVERAGE = 0.95


def _flat(key: str) -> str:
    return " ".join(_FLAT.findall(key.replace("_", "")))


def _bigrams(flat: str) -> set[tuple[str, str]]:
    ws = flat.split()
    return set(pairwise(ws))


def _found_in(flat: str, other: str, other_bigrams: set[tuple[str, str]]) -> bool:
    if not flat or flat in other:
        return True
    ws = flat.split()
    if len(ws) < _LONG_SENTENCE_WORDS:
        return False
    pairs = list(pairwise(ws))
    return sum(p in other_bigrams for p in pairs) >= _LONG_SENTENCE_COVERAGE * len(pairs)


def _regroup_changes(
    old: Sequence[Clause], new: Sequence[Clause], g: Regroup
) -> list[tuple[float, ClauseChange]]:
    """Sentence-level edits inside a regrouped run of paragraphs.

    A sentence found on the other side (exactly, or inside text that was one line before)
    is unchanged; the rest pair by similarity into edited sentences, or were added or
    removed. A pure reflow reports nothing.
    """
    old_flat = _flat(" ".join(old[i].key for i in g.old_indices))
    new_flat = _flat(" ".join(new[j].key for j in g.new_indices))
    if old_flat == new_flat:
        return []
    os_ = [(s, old[i], i) for i in g.old_indices for s in split_sentences(old[i].text)]
    ns_ = [(s, new[j], j) for j in g.new_indices for s in split_sentences(new[j].text)]
    ok = [sentence_key(s) for s, _, _ in os_]
    nk = [sentence_key(s) for s, _, _ in ns_]
    old_bigrams = _bigrams(old_flat)
    new_bigrams = _bigrams(new_flat)
    left_o = [a for a, k in enumerate(ok) if not _found_in(_flat(k), new_flat, new_bigrams)]
    left_n = [b for b, k in enumerate(nk) if not _found_in(_flat(k), old_flat, old_bigrams)]
    ow = {a: _words(ok[a]) for a in left_o}
    nw = {b: _words(nk[b]) for b in left_n}
    keys, sizes = _size_band(nw)
    scored = sorted(
        (-sim, a, b)
        for a in left_o
        for b in _within_band(keys, sizes, ow[a])
        if (sim := _similarity(ow[a], nw[b]))
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    out: list[tuple[float, ClauseChange]] = []
    for _, a, b in scored:
        if a in used_a or b in used_b:
            continue
        used_a.add(a)
        used_b.add(b)
        (ot, oc, _), (nt, nc, j) = os_[a], ns_[b]
        out.append(
            (
                j,
                ClauseChange(
                    kind="modified",
                    section=nc.section_path,
                    old=ot,
                    new=nt,
                    old_section=oc.section_path,
                    new_section=nc.section_path,
                    clause_kind=nc.kind,
                    word_ops=word_ops(ot, nt),
                ),
            )
        )
    for b in left_n:
        if b not in used_b:
            nt, nc, j = ns_[b]
            whole = comparison_key(nt) == nc.key
            out.append(
                (
                    j,
                    ClauseChange(
                        kind="added",
                        section=nc.section_path,
                        old=None,
                        new=nt,
                        new_section=nc.section_path,
                        new_index=j if whole else None,
                        clause_kind=nc.kind,
                    ),
                )
            )
    last = g.new_indices[-1] + 0.5
    for a in left_o:
        if a not in used_a:
            ot, oc, _ = os_[a]
            out.append(
                (
                    last,
                    ClauseChange(
                        kind="removed",
                        section=oc.section_path,
                        old=ot,
                        new=None,
                        old_section=oc.section_path,
                        clause_kind=oc.kind,
                    ),
                )
            )
    return out


# Past this many matching (old, new) positions per clause, the LCS leaves out the most
# repeated keys (see longest_common_subsequence).
_MATCHES_PER_CLAUSE = 8


def longest_common_subsequence(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of two key lists.

    A true LCS (not difflib's longest-block heuristic), so that the number of clauses
    kept in place, and therefore of moves, is the same in both directions. Computed as a
    longest increasing subsequence over matching positions (Hunt-Szymanski): clause keys
    are nearly all distinct, so this is about n log n.
    """
    where: dict[str, list[int]] = defaultdict(list)
    for j, key in enumerate(b):
        where[key].append(j)
    # A key k times on each side makes k² matches: a huge page repeating "Yes" in every
    # table row would be quadratic. Past a bound, the keys making the most matches anchor
    # nothing (the moves pass still pairs them in order); below it the LCS is exact.
    count_a = Counter(a)
    matches_by_key = sorted(
        ((count_a[key] * len(js), key) for key, js in where.items() if key in count_a),
        reverse=True,
    )
    total = sum(m for m, _ in matches_by_key)
    limit = _MATCHES_PER_CLAUSE * (len(a) + len(b))
    for m, key in matches_by_key:
        if total <= limit:
            break
        del where[key]
        total -= m
    tails: list[int] = []  # smallest new index ending an increasing run of each length
    tail_at: list[int] = []  # which match that tail is
    matches: list[tuple[int, int, int]] = []  # (i, j, previous match or -1)
    for i, key in enumerate(a):
        # Descending j within one i, so one old clause never pairs twice.
        for j in reversed(where.get(key, ())):
            k = bisect_left(tails, j)
            prev = tail_at[k - 1] if k else -1
            matches.append((i, j, prev))
            if k == len(tails):
                tails.append(j)
                tail_at.append(len(matches) - 1)
            else:
                tails[k] = j
                tail_at[k] = len(matches) - 1
    out = []
    m = tail_at[-1] if tail_at else -1
    while m >= 0:
        i, j, m = matches[m]
        out.append((i, j))
    return out[::-1]


def diff_clauses(old: Sequence[Clause], new: Sequence[Clause]) -> ClauseDiff:
    """Align two clause lists and report what differs, in the new version's reading order."""
    ok = [c.key for c in old]
    nk = [c.key for c in new]
    old_left: list[int] = []
    new_left: list[int] = []
    # Where each old clause sits in the new version's order, so removals read in place.
    anchor: dict[int, float] = {}
    unchanged = 0
    pairs = longest_common_subsequence(ok, nk)
    unchanged = len(pairs)
    pi = pj = 0
    for i, j in [*pairs, (len(ok), len(nk))]:
        old_left.extend(range(pi, i))
        new_left.extend(range(pj, j))
        anchor.update((k, j - 0.5) for k in range(pi, i))
        anchor[i] = j
        pi, pj = i + 1, j + 1

    changes: list[tuple[float, ClauseChange]] = []

    # Moves: the same key on both sides but out of order.
    # Queues: a key the LCS left out for being repeated thousands of times is taken
    # in order from the front without shifting the rest each time.
    by_key: dict[str, deque[int]] = defaultdict(deque)
    for i in old_left:
        by_key[ok[i]].append(i)
    moved_o: set[int] = set()
    moved_n: set[int] = set()
    for j in new_left:
        if by_key.get(nk[j]):
            i = by_key[nk[j]].popleft()
            moved_o.add(i)
            moved_n.add(j)
            changes.append((j, _change("moved", old, new, i, j)))
    old_left = [i for i in old_left if i not in moved_o]
    new_left = [j for j in new_left if j not in moved_n]

    regroups = _find_regroups(old, new, old_left, new_left)
    for g in regroups:
        changes.extend(_regroup_changes(old, new, g))
    grouped_o = {i for g in regroups for i in g.old_indices}
    grouped_n = {j for g in regroups for j in g.new_indices}
    old_left = [i for i in old_left if i not in grouped_o]
    new_left = [j for j in new_left if j not in grouped_n]

    pairs = _pair_similar(old, new, old_left, new_left)
    paired_o = {i for i, _ in pairs}
    paired_n = {j for _, j in pairs}
    changes.extend((j, _change("modified", old, new, i, j)) for i, j in pairs)
    changes.extend(
        (anchor[i], _change("removed", old, new, i=i)) for i in old_left if i not in paired_o
    )
    changes.extend((j, _change("added", old, new, j=j)) for j in new_left if j not in paired_n)
    changes.sort(key=lambda pc: pc[0])

    new_body = sum(1 for c in new if not _is_heading(c))
    fresh = sum(1 for j in new_left if j not in paired_n and not _is_heading(new[j]))
    edited = sum(1 for _, j in pairs if not _is_heading(new[j]))
    kept = new_body - fresh - edited
    rewrite = (
        new_body >= REWRITE_MIN_CLAUSES
        and fresh >= REWRITE_NEW_SHARE * new_body
        and kept <= REWRITE_KEPT_SHARE * new_body
    )
    return ClauseDiff(
        changes=[c for _, c in changes],
        regroups=regroups,
        unchanged=unchanged,
        old_count=len(old),
        new_count=len(new),
        rewrite=rewrite,
    )
