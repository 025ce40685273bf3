"""Precision and recall of material alerts over the labelled dev set, and per-category
accuracy.

    .venv/bin/python bench/judgment.py [--verbose]

Extraction (monitor.extract) runs on every file first; the figures judge compare() only.
Baseline, printed alongside: "every change is material" (what an alert on any text change
would give), which by construction has recall 1.0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import figure  # noqa: E402

from monitor.classify.categories import CATEGORY_SLUGS  # noqa: E402
from monitor.compare import compare  # noqa: E402
from monitor.extract import extract  # noqa: E402

DATA = ROOT / "tests" / "data"
DEVSET = DATA / "judgment" / "devset.json"
HISTORIES = DATA / "policy-histories"


def load(rel: str):
    return extract((HISTORIES / rel).read_bytes(), "text/markdown", rel)


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for truth, pred in pairs if truth and pred)
    fp = sum(1 for truth, pred in pairs if not truth and pred)
    fn = sum(1 for truth, pred in pairs if truth and not pred)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="print every misjudged pair")
    args = ap.parse_args()
    pairs = json.loads(DEVSET.read_text())["pairs"]
    results = []
    cat_hits = {c: 0 for c in CATEGORY_SLUGS if c != "other"}
    for p in pairs:
        c = compare(load(p["old"]), load(p["new"]))
        results.append((p, c))
        truth = set(p["categories"])
        pred = set(c.categories) if c.material else set()
        for cat in cat_hits:
            cat_hits[cat] += (cat in truth) == (cat in pred)
        if args.verbose and c.material != p["material"]:
            print(f"MISJUDGED {p['old']} -> {p['new']}: label {p['material']}, got {c.material}")
            print(f"  label: {p['rationale']}")
            for ch in c.changes:
                if ch.material or not p["material"]:
                    print(f"  - {ch.kind} {'M' if ch.material else '-'} {ch.reason[:160]}")
    n = len(pairs)
    n_mat = sum(p["material"] for p in pairs)
    precision, recall, tp, fp, fn = prf([(p["material"], c.material) for p, c in results])
    b_precision, b_recall, *_ = prf([(p["material"], True) for p, _ in results])
    print(f"dev set: {n} pairs ({n_mat} material, {n - n_mat} not), {DEVSET.relative_to(ROOT)}")
    print(f"{'':28}{'clausewatch':>12}{'baseline: any change':>24}")
    print(f"{'precision of material alerts':28}{precision:>12.3f}{b_precision:>24.3f}")
    print(f"{'recall of material alerts':28}{recall:>12.3f}{b_recall:>24.3f}")
    print(f"{'tp / fp / fn':28}{f'{tp} / {fp} / {fn}':>12}{f'{n_mat} / {n - n_mat} / 0':>24}")
    print("per-category accuracy (category present among the material changes, per pair):")
    for cat, hits in cat_hits.items():
        print(f"  {cat:24} {hits / n:.3f}")
    print("goal: precision >= 0.95, recall >= 0.95")
    for name, value, base in (
        ("precision of material alerts", precision, b_precision),
        ("recall of material alerts", recall, b_recall),
    ):
        figure(
            name,
            value,
            "",
            baseline="any change",
            baseline_value=base,
            goal=">= 0.95",
            met=value >= 0.95,
        )


if __name__ == "__main__":
    main()
