"""Every real Markdown version in the corpus extracts, keeps its structure, and drops markup.

The expected structure is counted straight from the Markdown lines with simple patterns, so
a reader that loses headings, list items or table rows shows up here file by file.
"""

import re
from functools import cache
from pathlib import Path

import pytest

from monitor.extract import extract

CORPUS = Path(__file__).parent / "data" / "policy-histories"
FILES = sorted(CORPUS.glob("*/*.md"))

_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+\S")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*\S)")
_ITEM_UNDERLINE = re.compile(r"^[ \t]+(={3,}|-{3,})[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# "[Cookies](#cookies)" or "[Sharing](#sharing); and": an entry of an in-page contents list.
_CONTENTS_ENTRY = re.compile(r"^\[[^\]]*\]\(#[^)\s]*\)\W{0,3}(?:and|or)?\W{0,3}$")
_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_DATE_WORDS = re.compile(r"updated|effective|modified|revised", re.I)


def markup_counts(text: str) -> dict[str, int]:
    lines = text.split("\n")
    headings = items = rows = 0
    for i, line in enumerate(lines):
        setext = _SETEXT.match(line) and i and lines[i - 1].strip()
        if _ATX.match(line) or (setext and not _ITEM.match(lines[i - 1])):
            headings += 1
        elif (m := _ITEM.match(line)) and not _RULE.match(line):
            underlined = i + 1 < len(lines) and _ITEM_UNDERLINE.match(lines[i + 1])
            if underlined or _ATX.match(m[1]):  # a heading inside a list item
                headings += 1
            else:
                items += not _CONTENTS_ENTRY.match(m[1])
        elif _ROW.match(line) and not _TABLE_RULE.match(line):
            rows += 1
    return {"heading": headings, "list-item": items, "table-row": rows}


@cache
def extracted(path: Path):
    return extract(path.read_bytes())


def test_corpus_is_all_here():
    assert len(FILES) == 240


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_version_extracts_with_structure(path):
    raw = path.read_bytes()
    doc = extracted(path)
    assert doc.format in ("markdown", "text")
    assert doc.body, "no policy text"
    assert all(c.text == c.text.strip() and c.text for c in doc.clauses)
    joined = "\n".join(c.text for c in doc.clauses)
    assert "](http" not in joined
    if b"\\*\\*" not in raw:  # escaped asterisks are footnote marks, kept as written
        assert "**" not in joined
    if doc.format == "text":
        return
    expected = markup_counts(raw.decode("utf-8"))
    found = {kind: sum(c.kind == kind for c in doc.clauses) for kind in expected}
    # Empty headings ("### ") and date lines turned into metadata are the only allowed losses.
    text = raw.decode("utf-8")
    empty_headings = len(re.findall(r"^ {0,3}#{1,6}[ \t]*$", text, re.M))
    dated = len([line for line in text.split("\n") if _DATE_WORDS.search(line) and len(line) < 130])
    assert found["heading"] >= expected["heading"] - empty_headings - dated
    assert found["list-item"] >= expected["list-item"] - dated
    assert found["table-row"] == expected["table-row"]


def test_corpus_language_and_dates_are_read():
    docs = [extracted(p) for p in FILES]
    assert sum(d.language == "en" for d in docs) == len(docs)
    # Most versions state their date; a few old captures do not.
    assert sum(d.effective_date is not None for d in docs) >= 0.7 * len(docs)
