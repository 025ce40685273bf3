"""Extraction fidelity on real captures, ours beside trafilatura, and the 10 MiB page.

Both extractors read the same raw pages in the same run:
- the 15 capture histories of tests/data/capture-histories (12 raw captures each, English,
  French and German), each against Open Terms Archive's text valid at its date;
- the 24 raw pages of tests/data/raw-html, each against the OTA version made from it.
Figures, per language: word and sentence recall (reference text found in the extraction)
and leakage (extracted text not in the reference), as tests/fidelity.py counts them;
"raw" against OTA's reference as it is, "adjusted" with the departures listed, case by
case, in tests/fidelity.py and tests/data/capture-histories/NOTES.md. Trafilatura is run
with tables and favor_recall (its best settings for keeping policy text), plain text out,
one line a clause.

Speed: pages per second on all these pages, the extractors timed in turn on each page
(fastest of --repeat runs each, CPU time, so the other jobs of a shared machine drop out);
trafilatura both as above and as bench/extract.py runs it (XML with formatting).
Memory: a page at the 10 MiB fetch cap (a real capture's body repeated), each extractor in
a fresh process: CPU and wall time, and peak RSS (the interpreter and its imports
included; the imports alone are printed too); and `clausewatch extract` on that page, the
whole command in a process of its own.

    .venv/bin/python bench/extract_fidelity.py [--repeat 3]

Goals (issue 21): recall >= 0.99 and leakage <= 0.01 per language; >= 3x trafilatura's
pages/s; the 10 MiB page in <= 2 s with a peak <= 150 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import trafilatura  # noqa: E402
from extract import _trafilatura_xml  # noqa: E402  (bench/extract.py: the same call)
from fidelity import Page, Score, clause_texts, history_pages, measure, raw_html_pages  # noqa: E402
from report import figure, smoke  # noqa: E402

from monitor.extract import ExtractionError  # noqa: E402

# A smoke run builds a page of 256 KiB instead: the same steps, in seconds.
CAP = 256 * 1024 if smoke() else 10 * 1024 * 1024
CAP_SOURCE = ROOT / "tests/data/capture-histories/jdate/2025-12-07T123116Z.html"


def ours(page: Page, raw: bytes) -> list[str]:
    try:
        return clause_texts(raw, "text/html", page.url)
    except ExtractionError:
        return []


def theirs(page: Page, raw: bytes) -> list[str]:
    text = trafilatura.extract(
        raw, url=page.url, include_tables=True, include_comments=False, favor_recall=True
    )
    return [line for line in (text or "").splitlines() if line.strip()]


def group(page: Page) -> str:
    where = "histories" if "capture-histories" in str(page.path) else "raw-html"
    return f"{where} {page.language}"


def fidelity(pages: list[Page]) -> dict[str, dict[str, tuple[Score, Score]]]:
    """{extractor: {group: (raw score, adjusted score)}}"""
    out: dict[str, dict[str, tuple[Score, Score]]] = {}
    for name, fn in (("ours", ours), ("trafilatura", theirs)):
        raw_g: dict[str, Score] = defaultdict(Score)
        adj_g: dict[str, Score] = defaultdict(Score)
        for page in pages:
            plain, fixed = measure(page, fn(page, page.path.read_bytes()))
            raw_g[group(page)].add(plain)
            if fixed is not None:
                adj_g[group(page)].add(fixed)
        out[name] = {g: (raw_g[g], adj_g[g]) for g in raw_g}
    return out


def theirs_xml(page: Page, raw: bytes) -> object:
    """Trafilatura as bench/extract.py runs it (XML with formatting: its structure mode)."""
    return _trafilatura_xml(raw)


def race(pages: list[Page], repeat: int) -> tuple[float, float, float]:
    """Ours and trafilatura (both settings) in turn on each page; fastest CPU time kept."""
    fns = (ours, theirs, theirs_xml)
    best = [[float("inf")] * len(pages) for _ in fns]
    raws = [p.path.read_bytes() for p in pages]
    for _ in range(repeat):
        for i, (page, raw) in enumerate(zip(pages, raws, strict=True)):
            for times, fn in zip(best, fns, strict=True):
                start = time.process_time()
                fn(page, raw)
                times[i] = min(times[i], time.process_time() - start)
    return sum(best[0]), sum(best[1]), sum(best[2])


_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
{imports}

def peak():  # VmHWM: this process's own peak (ru_maxrss keeps the forking parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

base = peak()
raw = open({path!r}, "rb").read()
c, w = time.process_time(), time.perf_counter()
n = {call}
c, w = time.process_time() - c, time.perf_counter() - w
print(json.dumps({{"cpu": c, "wall": w, "peak": peak(), "imports": base, "out": n}}))
"""
_OURS = (
    "import json\nfrom monitor.extract import extract",
    "len(extract(raw, 'text/html').clauses)",
)
_THEIRS = (
    "import json\nimport trafilatura",
    "len((trafilatura.extract(raw, include_tables=True, favor_recall=True) or '').splitlines())",
)


# The command line as a user runs it on the same page: `clausewatch extract <page>`, its
# imports and its output included (to /dev/null), in a process of its own.
_CLI = """
import json, os, sys, time
c, w = time.process_time(), time.perf_counter()
sys.path.insert(0, {root!r})
from api.cli import cli
real = sys.stdout
sys.stdout = open(os.devnull, "w")
try:
    cli.main(["extract", {path!r}], prog_name="clausewatch", standalone_mode=False)
finally:
    sys.stdout = real
c, w = time.process_time() - c, time.perf_counter() - w
peak = next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"cpu": c, "wall": w, "peak": peak}}))
"""


def cap_page(path: Path) -> None:
    """A page of exactly the fetch cap: one real capture's body repeated."""
    src = CAP_SOURCE.read_bytes()
    head, _, rest = src.partition(b"<body")
    body = b"<body" + rest
    open_end = body.index(b">") + 1
    inner = body[open_end:]
    parts, size = [head, body[:open_end]], len(head) + open_end
    while size < CAP:
        part = inner[: CAP - size]
        parts.append(part)
        size += len(part)
    path.write_bytes(b"".join(parts))


def at_cap(path: Path, which: tuple[str, str]) -> dict:
    code = _CHILD.format(root=str(ROOT), imports=which[0], path=str(path), call=which[1])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_at_cap(path: Path) -> dict:
    code = _CLI.format(root=str(ROOT), path=str(path))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; the fastest counts")
    args = parser.parse_args()
    pages = history_pages() + raw_html_pages()
    if smoke():  # the first page of each group: every figure is still computed
        firsts: dict[str, Page] = {}
        for page in pages:
            firsts.setdefault(group(page), page)
        pages = list(firsts.values())

    print(f"{len(pages)} pages: recall / leakage, words and sentences (raw | adjusted)")
    header = (
        f"{'pages':<16}{'extractor':<13}{'n':>4}  {'word R':>15}{'word L':>15}"
        f"{'sent. R':>15}{'sent. L':>15}"
    )
    print(header)
    print("-" * len(header))
    results = fidelity(pages)
    for g in sorted(results["ours"]):
        for name in ("ours", "trafilatura"):
            raw, adj = results[name][g]

            def pair(attr: str, raw=raw, adj=adj) -> str:
                return f"{getattr(raw, attr):.3f}|{getattr(adj, attr):.3f}"

            print(
                f"{g:<16}{name:<13}{raw.pages:>4}  {pair('word_recall'):>15}"
                f"{pair('word_leakage'):>15}{pair('sentence_recall'):>15}"
                f"{pair('sentence_leakage'):>15}"
            )
    for lang in ("en", "fr", "de"):
        mine = Score()
        other = Score()
        for g, (_, adj) in results["ours"].items():
            if g.endswith(lang):
                mine.add(adj)
                other.add(results["trafilatura"][g][1])
        recall = min(mine.word_recall, mine.sentence_recall)
        leakage = max(mine.word_leakage, mine.sentence_leakage)
        figure(
            f"recall, {lang}, adjusted (min of word and sentence)",
            recall,
            "",
            baseline="trafilatura",
            baseline_value=min(other.word_recall, other.sentence_recall),
            goal=">= 0.99",
            met=recall >= 0.99,
        )
        figure(
            f"leakage, {lang}, adjusted (max of word and sentence)",
            leakage,
            "",
            baseline="trafilatura",
            baseline_value=max(other.word_leakage, other.sentence_leakage),
            goal="<= 0.01",
            met=leakage <= 0.01,
        )

    mine_s, other_s, xml_s = race(pages, args.repeat)
    speed, their_speed = len(pages) / mine_s, len(pages) / other_s
    print(
        f"\nspeed, {len(pages)} pages (CPU time, fastest of {args.repeat}): ours "
        f"{speed:.1f} pages/s; trafilatura as measured above {their_speed:.1f} pages/s "
        f"({speed / their_speed:.1f}x), as bench/extract.py runs it (XML, formatting) "
        f"{len(pages) / xml_s:.1f} pages/s ({xml_s / mine_s:.1f}x)"
    )
    figure(
        f"pages/s, {len(pages)} real captures",
        speed,
        "pages/s",
        baseline="trafilatura",
        baseline_value=their_speed,
        goal=">= 3x trafilatura",
        met=speed >= 3 * their_speed,
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cap.html"
        cap_page(path)
        mine = at_cap(path, _OURS)
        other = at_cap(path, _THEIRS)
        cli = cli_at_cap(path)
    print(f"\na page at the 10 MiB fetch cap ({CAP} bytes, {CAP_SOURCE.name} repeated):")
    for name, got in (("ours", mine), ("trafilatura", other)):
        print(
            f"  {name:<12} cpu {got['cpu']:.2f} s, wall {got['wall']:.2f} s, peak "
            f"{got['peak']:.0f} MB (imports alone {got['imports']:.0f} MB), {got['out']} lines"
        )
    print(
        f"  {'clausewatch extract':<12} cpu {cli['cpu']:.2f} s, wall {cli['wall']:.2f} s, peak "
        f"{cli['peak']:.0f} MB (the whole command: imports, extraction, output)"
    )
    figure(
        "10 MiB page, CPU time",
        mine["cpu"],
        "s",
        baseline="trafilatura",
        baseline_value=other["cpu"],
        goal="<= 2 s",
        met=mine["cpu"] <= 2,
    )
    figure(
        "10 MiB page, peak memory",
        mine["peak"],
        "MB",
        baseline="trafilatura",
        baseline_value=other["peak"],
        goal="<= 150 MB",
        met=mine["peak"] <= 150,
    )
    figure(
        "10 MiB page, clausewatch extract peak memory",
        cli["peak"],
        "MB",
        baseline="trafilatura",
        baseline_value=other["peak"],
        goal="<= 150 MB",
        met=cli["peak"] <= 150,
    )


if __name__ == "__main__":
    main()
