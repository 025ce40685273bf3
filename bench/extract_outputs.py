"""Extraction outputs, hashed: one line a capture, to prove a speed change changed nothing.

Every capture of the corpora the extraction is tuned and measured on is extracted, and all
it yields is hashed: each clause's section path, kind, display text and comparison key; the
title, language, stated date and format; the version identity (textnorm.identity_key); or
the ExtractionError's message. Corpora:
- tests/data/capture-histories (raw HTML; read as the pipeline reads it, with its URL, and
  also without one),
- tests/data/raw-html, tests/data/seeds, tests/data/plaintext,
- tests/data/policy-histories and tests/data/policy-changes (Markdown as stored, and the
  policy-histories also rendered to HTML as bench/extract.py races them),
- the page at the 10 MiB fetch cap that bench/extract_fidelity.py builds.

    PYTHONPATH=<tree> .venv/bin/python bench/extract_outputs.py > outputs.txt

Run once on the code before a change and once after (PYTHONPATH picks the tree whose
``monitor`` is read), then ``diff`` the two files: no line may differ.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
# PYTHONPATH names the tree under test; without it, this one. The extraction is imported
# before bench/extract_fidelity.py, which puts this tree first on sys.path, and with this
# script's folder off the path (its bench/monitor.py would shadow the package).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))

import monitor  # noqa: E402
from monitor.extract import extract  # noqa: E402
from monitor.model import ExtractionError  # noqa: E402
from monitor.textnorm import identity_key  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))

from extract_fidelity import cap_page  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402


def output_hash(raw: bytes, content_type: str | None, url: str | None) -> str:
    digest = hashlib.sha256()
    try:
        doc = extract(raw, content_type, url)
    except ExtractionError as exc:
        digest.update(f"error\0{exc}".encode())
        return digest.hexdigest()
    meta = (doc.title, doc.language, str(doc.effective_date), doc.format)
    digest.update(json.dumps(meta).encode())
    for c in doc.clauses:
        digest.update(json.dumps([c.section, c.kind, c.text, c.key]).encode())
    digest.update(b"\0identity\0" + identity_key(doc.clauses).encode())
    return digest.hexdigest()


def inputs(cap: Path) -> Iterator[tuple[str, bytes, str | None, str | None]]:
    """(label, bytes, content type, url) for every capture, in a fixed order."""
    for truth_path in sorted((DATA / "capture-histories").glob("*/truth.json")):
        for capture in json.loads(truth_path.read_text())["captures"]:
            path = truth_path.parent / capture["file"]
            name = str(path.relative_to(DATA))
            raw = path.read_bytes()
            yield name, raw, None, None
            yield f"{name} (text/html, url)", raw, "text/html", capture["url"]
    for path in sorted((DATA / "raw-html").glob("*.html")):
        yield str(path.relative_to(DATA)), path.read_bytes(), None, None
    for folder in ("seeds", "plaintext"):
        for path in sorted((DATA / folder).iterdir()):
            if path.name != "README.md":
                yield str(path.relative_to(DATA)), path.read_bytes(), None, None
    render = MarkdownIt("commonmark").enable("table")
    for folder in ("policy-histories", "policy-changes"):
        for path in sorted((DATA / folder).glob("*/*.md")):
            raw = path.read_bytes()
            name = str(path.relative_to(DATA))
            yield name, raw, None, None
            if folder == "policy-histories":
                html = f"<html><body>{render.render(raw.decode('utf-8'))}</body></html>"
                yield f"{name} (as html)", html.encode(), None, None
    yield "10 MiB cap page", cap.read_bytes(), "text/html", None


def main() -> None:
    print(f"monitor from {Path(monitor.__file__).parent}", file=sys.stderr)
    total = hashlib.sha256()
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        cap = Path(tmp) / "cap.html"
        cap_page(cap)
        for name, raw, content_type, url in inputs(cap):
            line = f"{output_hash(raw, content_type, url)}  {name}"
            total.update(line.encode() + b"\n")
            print(line)
            n += 1
    print(f"{total.hexdigest()}  ALL ({n} extractions)")


if __name__ == "__main__":
    main()
