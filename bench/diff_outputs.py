"""Fingerprints of compare()'s output on every corpus pair, to prove a speed change left
the comparisons as they were (or to list exactly which ones it changed).

    .venv/bin/python bench/diff_outputs.py --write before.json [--large]
    .venv/bin/python bench/diff_outputs.py --write after.json --against before.json [--large]

One sha256 per comparison: compare(old, new).to_detail_dict() (changes, word ops, sections,
verdicts, score, summary) as canonical JSON. The pairs are bench/diff.py's: every
consecutive pair of policy-histories and policy-changes, both directions; with --large also
its synthetic 1k-10k-clause documents (light and heavy edit mixes, both directions), where
the bounds on the quadratic passes can bite. ``--against`` prints how many fingerprints
differ, and for a few of them which changes appear only on one side.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff import MIXES, corpus_pairs, edited, real_clauses

from monitor.compare import compare
from monitor.extract import extract
from monitor.model import PolicyDocument


def _outputs(large: bool) -> dict[str, dict]:
    pairs, _ = corpus_pairs()
    docs: dict[tuple[str, str], PolicyDocument] = {}
    for corpus, folder, a, b in pairs:
        for rel in (a, b):
            if (corpus, rel) not in docs:
                docs[(corpus, rel)] = extract((folder / rel).read_bytes(), "text/markdown", rel)
    out: dict[str, dict] = {}
    for corpus, _, a, b in pairs:
        for x, y in ((a, b), (b, a)):
            out[f"{corpus}:{x}->{y}"] = compare(
                docs[(corpus, x)], docs[(corpus, y)]
            ).to_detail_dict()
    if large:
        pool = real_clauses(docs)
        for n in (1000, 2000, 5000, 10000):
            if n > len(pool):
                continue
            base = pool[:n]
            for mix, shares in MIXES.items():
                new = edited(base, pool[n:] or pool, shares, seed=n)
                a, b = PolicyDocument(tuple(base)), PolicyDocument(tuple(new))
                out[f"large:{n}:{mix}:old->new"] = compare(a, b).to_detail_dict()
                out[f"large:{n}:{mix}:new->old"] = compare(b, a).to_detail_dict()
    return out


def _digest(d: dict) -> str:
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", type=Path, required=True, help="where to write the fingerprints")
    ap.add_argument("--against", type=Path, help="fingerprints of an earlier run to compare")
    ap.add_argument("--large", action="store_true", help="also the synthetic large documents")
    ap.add_argument("--examples", type=int, default=5, help="differing pairs to show")
    args = ap.parse_args()
    outputs = _outputs(args.large)
    # The outputs themselves are kept beside the digests so a difference can be shown.
    args.write.write_text(
        json.dumps(
            {k: {"sha256": _digest(v), "output": v} for k, v in outputs.items()}, default=str
        )
    )
    print(f"{len(outputs)} comparisons fingerprinted -> {args.write}")
    if not args.against:
        return
    before = json.loads(args.against.read_text())
    common = sorted(set(before) & set(outputs))
    differ = [k for k in common if before[k]["sha256"] != _digest(outputs[k])]
    print(
        f"against {args.against}: {len(common)} comparisons in both, {len(differ)} differ"
        + (f"; only before {len(set(before) - set(outputs))}" if set(before) - set(outputs) else "")
    )
    for k in differ[: args.examples]:
        old, new = before[k]["output"], json.loads(json.dumps(outputs[k], default=str))
        print(f"- {k}")
        for field in ("material", "score", "summary"):
            if old.get(field) != new.get(field):
                print(f"    {field}: {old.get(field)!r} -> {new.get(field)!r}")
        was = {json.dumps(c, sort_keys=True) for c in old["changes"]}
        now = {json.dumps(c, sort_keys=True) for c in new["changes"]}
        for label, only in (("only before", was - now), ("only after", now - was)):
            for c in sorted(only)[:3]:
                d = json.loads(c)
                print(
                    f"    {label}: {d['kind']} old={str(d['old'])[:70]!r} new={str(d['new'])[:70]!r}"
                )
            if len(only) > 3:
                print(f"    {label}: ... {len(only) - 3} more")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
