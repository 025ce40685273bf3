"""Whether a run of words stands anywhere in many runs of words, character for character,
without scanning all of them for each run asked.

The moved-text pass asks, for every span a change inserts or deletes, whether it stands in
the text of every other change (the runs joined by "\\x00"): ``span in text``. That scan is
as long as the text, which grows with the number of changes, and it is made once per span:
quadratic in the size of the comparison. ``Substrings`` answers the same question from an
index of the runs' words.

The test is a character-level one, and stays one: "data" stands in "metadata", and "ads
data" in "uploads database". With the words of a span w1 … wk (k ≥ 2) and those of a run
u1 … um, every space of the span falls on a space of the run, so the span stands in the run
exactly where, for some i, u(i) ends with w1, u(i+1) … u(i+k-2) are w2 … w(k-1), and
u(i+k-1) starts with wk; a single word stands in the run where it is part of one of its
words.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

# Follows each run's words: no word equals it, ends with it or starts with it.
_END = "\x00"


def _prefixed(ordered: list[str], prefix: str) -> list[str]:
    """The strings of a sorted list that start with ``prefix``: they stand together, from
    the first one not below it up to the first one not below ``prefix`` with its last
    character one higher."""
    lo = bisect_left(ordered, prefix)
    last = ord(prefix[-1])
    hi = bisect_left(ordered, prefix[:-1] + chr(last + 1), lo) if last < 0x10FFFF else len(ordered)
    return [s for s in ordered[lo:hi] if s.startswith(prefix)]


def wordlike(text: str) -> bool:
    """Whether ``text`` is words joined by single spaces (what the index holds and
    answers for): no empty word, no "\\x00"."""
    return _END not in text and "" not in text.split(" ")


class Substrings:
    """``has(s)`` is ``s in "\\x00".join(runs)`` for runs and ``s`` made of words joined by
    single spaces (``wordlike``)."""

    def __init__(self, runs: Iterable[str]) -> None:
        self.words: list[str] = []
        for run in dict.fromkeys(runs):
            # An empty run holds no word: only the empty string stands in it.
            if run:
                self.words.extend(run.split(" "))
                self.words.append(_END)
        self.at: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.words):
            self.at[w].append(i)
        self.at.pop(_END, None)
        self._sorted: list[str] | None = None
        self._reversed: list[str] | None = None
        self._suffixes: list[str] | None = None
        # The same span is asked about from several changes.
        self._answers: dict[str, bool] = {}

    def has(self, s: str) -> bool:
        if not s:
            return True
        if s not in self._answers:
            self._answers[s] = self._has(s.split(" "))
        return self._answers[s]

    def _has(self, ws: list[str]) -> bool:
        if len(ws) == 1:
            return ws[0] in self.at or bool(_prefixed(self.suffixes(), ws[0]))
        first, inner, last = ws[0], ws[1:-1], ws[-1]
        words, k = self.words, len(ws)
        if inner:
            # Anchored on the inner word written fewest times: the span can stand only
            # where it does.
            if any(w not in self.at for w in inner):
                return False
            t = min(range(len(inner)), key=lambda j: len(self.at[inner[j]]))
            return any(
                words[i + 1 : i + k - 1] == inner
                and words[i].endswith(first)
                and words[i + k - 1].startswith(last)
                for q in self.at[inner[t]]
                if (i := q - 1 - t) >= 0
            )
        # Two words: a word ending with the first one, right before one starting with the
        # second. From whichever side has fewer such words.
        ends = [w[::-1] for w in _prefixed(self.by_end(), first[::-1])]
        starts = _prefixed(self.by_start(), last)
        if len(ends) <= len(starts):
            return any(words[i + 1].startswith(last) for w in ends for i in self.at[w])
        return any(i and words[i - 1].endswith(first) for w in starts for i in self.at[w])

    # Built at the first question that needs them.
    def by_start(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.at)
        return self._sorted

    def by_end(self) -> list[str]:
        # Each word written backwards: the words ending alike stand together.
        if self._reversed is None:
            self._reversed = sorted(w[::-1] for w in self.at)
        return self._reversed

    def suffixes(self) -> list[str]:
        """Every suffix of every word, sorted: a string is part of a word exactly when it
        starts one of them."""
        if self._suffixes is None:
            self._suffixes = sorted({w[k:] for w in self.at for k in range(len(w))})
        return self._suffixes
