"""Extraction fidelity: how much of a reference text an extraction holds, and what else.

The reference is Open Terms Archive's own extraction of a page (Markdown made with selectors
written by hand for that site). Both texts are read into clauses and compared in comparison
form (``monitor.textnorm.comparison_key``), as words and as sentences:

- word recall: share of the reference's words (counted with repeats) found in ours;
- word leakage: share of our words (with repeats) that the reference does not have;
- sentence recall: share of the reference's sentences that occur, word for word, in our
  text read as one stream (so a paragraph split differently still counts);
- sentence leakage: share of our sentences that do not occur in the reference's stream.

A word glued into a sentence ("… our partners (opens in a new window) and …") leaves both
the sentence recall and the sentence leakage short, which word counts alone would hide.

Used by ``tests/test_extract_fidelity.py`` (thresholds over the capture histories) and by
``bench/extract_fidelity.py`` (the figures, beside trafilatura's).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from monitor.extract import extract
from monitor.model import ExtractionError
from monitor.textnorm import comparison_key

DATA = Path(__file__).parent / "data"
HISTORIES = DATA / "capture-histories"
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A sentence of fewer words proves nothing when found ("Yes.", "Contact us.").
_MIN_SENTENCE_WORDS = 3
LANGUAGES = {
    "adopteunmec": "fr",
    "meetic": "fr",
    "mektoube": "fr",
    "parship": "fr",
    "finya": "de",
    "lovescout24": "de",
}
# Where the measure departs from OTA's reference, case by case (each one read by hand; see
# tests/data/capture-histories/NOTES.md). Both figures are printed: "raw" takes every page
# and every reference as they are, "adjusted" applies what follows.
#
# Captures that are not the policy page at all (the site answered the policy URL with its
# home page or an error page). Left out of both figures: they measure version identity
# (issue 21 part 3), not extraction, and no reference text exists for them.
NOT_THE_POLICY = {
    "meetic/2024-05-01T003301Z.html": "Meetic's home page served at the policy URL",
    "meetic/2024-05-01T183305Z.html": "Meetic's home page served at the policy URL",
    "lovescout24/2024-05-01T003256Z.html": "LoveScout24's home page served at the policy URL",
    "mektoube/2025-11-18T123342Z.html": 'an error page ("Cette page n\'existe pas")',
    "mektoube/2025-11-19T003345Z.html": 'an error page ("Cette page n\'existe pas")',
}
# Captures whose policy text differs from every OTA version in the window: the text really
# changed where truth.json records no change (OTA's selectors left the changed part out, or
# its version came later). The reference is not this capture's text: left out of the
# adjusted figure.
STALE_REFERENCE = {
    "meetic/2022-12-15T183301Z.html": "'examen de vos informations' before OTA's first version",
    "meetic/2024-07-16T183310Z.html": "retention sentence reworded after 2024-07-12",
    "meetic/2025-03-03T123311Z.html": "retention sentence reworded after 2024-07-12",
    "meetic/2025-03-04T003307Z.html": "retention sentence reworded after 2024-07-12",
    "meetic/2026-01-02T123223Z.html": "a new policy, applying from 01/02/2026",
    "lovescout24/2024-11-06T123330Z.html": "new postal address of FriendScout24 GmbH",
    "lovescout24/2025-08-12T123312Z.html": "new address and a Swiss representative added",
    "lovescout24/2025-10-23T003325Z.html": "new address and a Swiss representative added",
    "lovescout24/2026-01-02T123217Z.html": "a new policy, applying from 01.02.2026",
    "lovescout24/2026-01-08T123212Z.html": "a new policy, applying from 01.02.2026",
    "zoosk/2022-06-23T123254Z.html": "the data protection officer's former postal address",
    "zoosk/2022-07-12T183246Z.html": "the data protection officer's former postal address",
    "zoosk/2022-08-08T123318Z.html": "the data protection officer's former postal address",
    "le-chat/2025-11-11T153307Z.html": "mistral.ai/terms/ holds all of Mistral's terms; the "
    "reference is its privacy policy only (a document selector's job)",
}
# References that are a partial selection of what the page shows as its policy: OTA's
# selectors for Bumble's 2025 redesign keep parts of each printable section only (not, for
# one, the Apple ID paragraph's "Apple will create and use a random email address") and
# none of the summaries of each part shown above them. Left out of the adjusted figure.
PARTIAL_REFERENCE = {
    "bumble/2025-03-27T003217Z.html": "OTA keeps a subset of the redesigned page",
    "bumble/2026-06-13T123055Z.html": "OTA keeps a subset of the redesigned page",
}
# Policy text the page shows and OTA's selection leaves out, that we keep on purpose: from
# the clause whose comparison key starts with ``start`` to the end of the document. In the
# adjusted figure these clauses of ours count as reference text.
ALSO_POLICY = {
    "christianmingle": (
        "cookie notice",
        "the Cookie Notice and the California notice that follow the Privacy Policy in the "
        "same content container, linked from it ('our Cookie Policy', '#CCPA')",
    ),
}
# References that repeat a run of their own text (OTA's selectors matched overlapping
# nodes); the page has it once. The adjusted figure reads the reference without the repeat.
REPEATS_IN_REFERENCE = {
    "le-chat/2025-12-15T233452Z.html",
    "le-chat/2025-12-31T233529Z.html",
    "le-chat/2026-04-02T223333Z.html",
    "le-chat/2026-04-08T223302Z.html",
}


@dataclass(frozen=True)
class Text:
    """A text as the measure reads it: its words and its sentences, in comparison form."""

    words: Counter[str]
    sentences: tuple[str, ...]
    stream: str  # every word, space-separated and space-padded, for sentence lookups

    @classmethod
    def of(cls, clauses: Iterable[str]) -> Text:
        words: list[str] = []
        sentences: list[str] = []
        for clause in clauses:
            for sentence in _SENTENCE_END.split(comparison_key(clause)):
                tokens = _WORD.findall(sentence)
                words += tokens
                if len(tokens) >= _MIN_SENTENCE_WORDS:
                    sentences.append(" ".join(tokens))
        return cls(Counter(words), tuple(sentences), " " + " ".join(words) + " ")


@dataclass
class Score:
    """Sums over pages, so that figures over many pages weigh each word and sentence once."""

    pages: int = 0
    ref_words: int = 0
    our_words: int = 0
    words_found: int = 0
    words_leaked: int = 0
    ref_sentences: int = 0
    our_sentences: int = 0
    sentences_found: int = 0
    sentences_leaked: int = 0
    worst: list[tuple[float, str]] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            if name != "worst":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.worst += other.worst

    @property
    def word_recall(self) -> float:
        return self.words_found / self.ref_words if self.ref_words else 1.0

    @property
    def word_leakage(self) -> float:
        return self.words_leaked / self.our_words if self.our_words else 0.0

    @property
    def sentence_recall(self) -> float:
        return self.sentences_found / self.ref_sentences if self.ref_sentences else 1.0

    @property
    def sentence_leakage(self) -> float:
        return self.sentences_leaked / self.our_sentences if self.our_sentences else 0.0


def score(ours: Text, reference: Text, name: str = "") -> Score:
    found = sum((ours.words & reference.words).values())
    leaked = sum((ours.words - reference.words).values())
    s_found = sum(f" {s} " in ours.stream for s in reference.sentences)
    s_leaked = sum(f" {s} " not in reference.stream for s in ours.sentences)
    result = Score(
        pages=1,
        ref_words=sum(reference.words.values()),
        our_words=sum(ours.words.values()),
        words_found=found,
        words_leaked=leaked,
        ref_sentences=len(reference.sentences),
        our_sentences=len(ours.sentences),
        sentences_found=s_found,
        sentences_leaked=s_leaked,
    )
    result.worst = [
        (min(result.word_recall, result.sentence_recall, 1 - result.sentence_leakage), name)
    ]
    return result


def clause_texts(raw: bytes, content_type: str | None = None, url: str | None = None) -> list[str]:
    return [c.text for c in extract(raw, content_type, url).clauses]


@dataclass(frozen=True)
class Page:
    """One raw capture and the reference text valid when it was taken."""

    name: str  # <service>/<file>
    language: str
    url: str | None
    path: Path
    reference: Path


def history_pages(root: Path = HISTORIES) -> list[Page]:
    """Every capture of every capture history, with the OTA version valid at its date.

    The valid version is the latest one dated at or before the capture; captures older than
    the first version OTA recorded in the window carry that first version's text (truth.json
    names no change before it).
    """
    pages = []
    for truth_path in sorted(root.glob("*/truth.json")):
        service = truth_path.parent.name
        truth = json.loads(truth_path.read_text())
        versions = sorted({(v["date"], v["file"]) for v in truth["ota_versions"]})
        url = next((c["url"] for c in truth["captures"] if c["url"]), None)
        for capture in truth["captures"]:
            valid = [f for d, f in versions if d <= capture["date"]] or [versions[0][1]]
            name = f"{service}/{capture['file']}"
            if name in NOT_THE_POLICY:
                continue
            pages.append(
                Page(
                    name,
                    LANGUAGES.get(service, "en"),
                    capture["url"] or url,
                    truth_path.parent / capture["file"],
                    truth_path.parent / valid[-1],
                )
            )
    return pages


def raw_html_pages(root: Path = DATA) -> list[Page]:
    """The raw pages of tests/data/raw-html, each with the OTA version made from it."""
    manifest = json.loads((root / "raw-html" / "MANIFEST.json").read_text())["files"]
    return [
        Page(
            entry["file"],
            "en",
            entry["original_url"],
            root / "raw-html" / entry["file"],
            root / "policy-histories" / entry["extracted_version"]["policy_histories_file"],
        )
        for entry in manifest
    ]


def reference_clauses(page: Page) -> list[str]:
    return list(_reference(page.reference))


@cache
def _reference(path: Path) -> tuple[str, ...]:
    """A reference text's clauses (12 captures share 2 or 3 references)."""
    try:
        return tuple(clause_texts(path.read_bytes(), "text/markdown"))
    except ExtractionError:
        return ()  # an empty reference (OTA recorded a page with no text)


_MIN_REPEAT_RUN = 5


def without_repeats(clauses: list[str]) -> list[str]:
    """``clauses`` less every run of at least 5 clauses that each already appeared."""
    seen: set[str] = set()
    repeated = []
    for text in clauses:
        key = comparison_key(text)
        repeated.append(key in seen)
        seen.add(key)
    keep = [True] * len(clauses)
    i = 0
    while i < len(clauses):
        j = i
        while j < len(clauses) and repeated[j]:
            j += 1
        if j - i >= _MIN_REPEAT_RUN:
            keep[i:j] = [False] * (j - i)
        i = max(j, i + 1)
    return [text for text, k in zip(clauses, keep, strict=True) if k]


def adjusted_reference(page: Page, ours: list[str], reference: list[str]) -> list[str] | None:
    """The reference as the adjusted figure reads it; None when the page is left out."""
    if page.name in STALE_REFERENCE or page.name in PARTIAL_REFERENCE:
        return None
    if page.name in REPEATS_IN_REFERENCE:
        reference = without_repeats(reference)
    also = ALSO_POLICY.get(page.name.split("/")[0])
    if also is not None:
        start = next((i for i, t in enumerate(ours) if comparison_key(t).startswith(also[0])), None)
        if start is not None:
            reference = reference + ours[start:]
    return reference


def measure(page: Page, ours: list[str]) -> tuple[Score, Score | None]:
    """The raw score of ``ours`` against the page's reference, and the adjusted one."""
    reference = reference_clauses(page)
    mine = Text.of(ours)
    raw = score(mine, Text.of(reference), page.name)
    adjusted = adjusted_reference(page, ours, reference)
    return raw, None if adjusted is None else score(mine, Text.of(adjusted), page.name)
