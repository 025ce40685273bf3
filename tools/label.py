"""Blind labelling of real policy changes (issue 22, docs/labelling.md).

Builds a seeded packet pool of consecutive version pairs from the policy-changes corpus,
shows each packet's word diff, records labels per labeller (one JSON line per packet),
measures agreement between two labellers (raw and Cohen's kappa) and merges the labels
into tests/data/judgment/wild.json.

On purpose this tool never imports monitor.classify or monitor.compare: a labeller must not
see the judge's verdict before labelling (the labels measure that judge). The word diff is
diff-match-patch over word tokens, nothing of the judge's own pipeline.

Stdlib + diff-match-patch only.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

from diff_match_patch import diff_match_patch

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CORPUS = DATA / "policy-changes"
HISTORIES = DATA / "policy-histories"
JUDGMENT = DATA / "judgment"
DEVSET = JUDGMENT / "devset.json"
POOL = JUDGMENT / "wild-pool.json"
LABELS = JUDGMENT / "labels"
WILD = JUDGMENT / "wild.json"

SEED = 22  # the issue number; changing it changes every packet number
PER_SERVICE = 3
MIN_PACKETS = 460
MIN_SERVICES = 150
CONTEXT_WORDS = 30

CATEGORIES = (
    "first-party-collection",
    "third-party-sharing",
    "user-choice",
    "user-access",
    "data-retention",
    "data-security",
    "policy-change",
    "do-not-track",
    "specific-audiences",
    "other",
)

TECHNICAL = "Apply technical or declaration upgrade"


class LabelError(Exception):
    """Bad input or state: reported as one line, exit status 2."""


# --- split and pool -------------------------------------------------------------------


def split_of(slug: str) -> str:
    """The fixed by-service split: about half the services (first sha256 hex digit 0-7)."""
    return "test" if hashlib.sha256(slug.encode()).hexdigest()[0] in "01234567" else "dev"


def load_manifest(corpus: Path) -> dict:
    try:
        return json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabelError(f"no MANIFEST.json in {corpus}") from None


def versions_by_service(manifest: dict) -> dict[str, list[str]]:
    """Every version file of every service, in date order.

    A vendored subset keeps the full corpus's file list in `all_versions` so that the pool
    built from it is the same pool as the one built from the full corpus.
    """
    names = manifest.get("all_versions") or [f["file"] for f in manifest["files"]]
    out: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        slug, _, _ = name.partition("/")
        out[slug].append(name)
    return dict(out)


def build_pool(manifest: dict, seed: int = SEED, per_service: int = PER_SERVICE) -> list[dict]:
    """Up to `per_service` consecutive pairs per service, seeded, then shuffled (seeded)."""
    rng = random.Random(seed)
    chosen = []
    for slug, files in sorted(versions_by_service(manifest).items()):
        pairs = list(itertools.pairwise(files))
        if not pairs:
            continue
        picks = sorted(rng.sample(range(len(pairs)), min(per_service, len(pairs))))
        for i in picks:
            old, new = pairs[i]
            chosen.append({"slug": slug, "old": old, "new": new, "split": split_of(slug)})
    rng.shuffle(chosen)
    return [{"packet": n, **p} for n, p in enumerate(chosen)]


ROUND_SPLITS = {2: "test", 3: "dev"}


def extend_pool(manifest: dict, pool: list[dict], seed: int = SEED, round_: int = 2) -> list[dict]:
    """A later round: every consecutive pair of one split's services that no round chose.

    Appended after the pool (so no earlier packet number moves), shuffled with a seed derived
    from `seed` and the round, each marked with its round. Round 2 takes the test services:
    round 1 was run through the judge once at the end of its tuning, so round 2 gives test
    pairs no one has ever judged, for a figure after further tuning on dev. Round 3 takes the
    dev services: more pairs to tune on.
    """
    split = ROUND_SPLITS[round_]
    if any(p.get("round") == round_ for p in pool):
        raise LabelError(f"the pool already has round {round_}")
    taken = {(p["old"], p["new"]) for p in pool}
    fresh = [
        {"slug": slug, "old": old, "new": new, "split": split, "round": round_}
        for slug, files in sorted(versions_by_service(manifest).items())
        if split_of(slug) == split
        for old, new in itertools.pairwise(files)
        if (old, new) not in taken
    ]
    random.Random(seed * 1000 + round_).shuffle(fresh)
    return pool + [{"packet": len(pool) + i, **p} for i, p in enumerate(fresh)]


# Round 4 is the policy-histories corpus: the devset's 31 services (all dev, none of them in
# policy-changes), every consecutive pair the devset does not already label.
HISTORIES_ROUND = 4


def extend_pool_histories(
    manifest: dict, pool: list[dict], labelled: set[tuple[str, str]], seed: int = SEED
) -> list[dict]:
    """Round 4: every consecutive pair of tests/data/policy-histories not in the devset.

    Those services are dev by construction (the devset was tuned on them long before the
    split existed), so no pair of theirs may ever count as test. Each packet names its corpus
    so `show` reads the right files. Appended and shuffled as the other rounds are.
    """
    if any(p.get("round") == HISTORIES_ROUND for p in pool):
        raise LabelError(f"the pool already has round {HISTORIES_ROUND}")
    fresh = [
        {
            "slug": slug,
            "old": old,
            "new": new,
            "split": "dev",
            "round": HISTORIES_ROUND,
            "corpus": HISTORIES.name,
        }
        for slug, files in sorted(versions_by_service(manifest).items())
        for old, new in itertools.pairwise(files)
        if (old, new) not in labelled
    ]
    random.Random(seed * 1000 + HISTORIES_ROUND).shuffle(fresh)
    return pool + [{"packet": len(pool) + i, **p} for i, p in enumerate(fresh)]


def pool_document(packets: list[dict], seed: int) -> dict:
    return {
        "description": (
            "Packets to label blind (docs/labelling.md): consecutive version pairs of "
            "tests/data/policy-changes, up to 3 per service, chosen and shuffled with "
            "random.Random(seed) by tools/label.py pool. split is by service: test iff "
            "sha256(slug) starts with 0-7. Packets marked round 2 (tools/label.py pool "
            "--round 2) are every other pair of a test service, round 3 of a dev service, "
            "appended later. Round 4 (tools/label.py pool --round 4) is every pair of "
            "tests/data/policy-histories (corpus: policy-histories; all dev) that "
            "tests/data/judgment/devset.json does not label."
        ),
        "seed": seed,
        "packets": packets,
    }


def load_pool(path: Path = POOL) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["packets"]
    except FileNotFoundError:
        raise LabelError(f"no pool at {path}; run `tools/label.py pool` first") from None


def packet(pool: list[dict], n: int) -> dict:
    if not 0 <= n < len(pool):
        raise LabelError(f"packet {n} is not in the pool (0..{len(pool) - 1})")
    return pool[n]


# --- word diff -----------------------------------------------------------------------

_WORD = re.compile(r"\S+")


def word_diff(old: str, new: str) -> list[tuple[int, list[str]]]:
    """Word-level diff: a list of (op, words), op -1 removed, 0 same, 1 added.

    Words are whitespace-separated tokens, so line wrapping and indentation never show;
    markup characters stay inside their words (a heading level change still shows).
    """
    a, b = _WORD.findall(old), _WORD.findall(new)
    index: dict[str, str] = {}

    def encode(words: list[str]) -> str:
        # One private character per distinct word, as diff-match-patch's linesToChars does.
        return "".join(index.setdefault(w, chr(0xF0000 + len(index))) for w in words)

    words_of = {}
    ea, eb = encode(a), encode(b)
    for w, c in index.items():
        words_of[c] = w
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 10.0
    diffs = dmp.diff_main(ea, eb, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(op, [words_of[c] for c in s]) for op, s in diffs if s]


def diff_counts(diffs: list[tuple[int, list[str]]]) -> tuple[int, int]:
    added = sum(len(w) for op, w in diffs if op == 1)
    removed = sum(len(w) for op, w in diffs if op == -1)
    return added, removed


def hunks(diffs: list[tuple[int, list[str]]], context: int = CONTEXT_WORDS) -> list[str]:
    """Changed regions with `context` words either side; close regions merge into one."""
    # Flatten to (op, word) so context can be counted in words.
    flat = [(op, w) for op, words in diffs for w in words]
    changed = [i for i, (op, _) in enumerate(flat) if op != 0]
    if not changed:
        return []
    spans: list[list[int]] = []
    for i in changed:
        lo, hi = i - context, i + context
        if spans and lo <= spans[-1][1] + 1:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    out = []
    for lo, hi in spans:
        lo, hi = max(lo, 0), min(hi, len(flat) - 1)
        # Keep the context to unchanged words only at the edges: extend the cut to the
        # nearest run boundary so a hunk never starts in the middle of a change.
        while lo > 0 and flat[lo][0] != 0:
            lo -= 1
        while hi < len(flat) - 1 and flat[hi][0] != 0:
            hi += 1
        parts, run_op, run = [], None, []
        for op, w in [*flat[lo : hi + 1], (None, "")]:
            if op != run_op and run:
                text = " ".join(run)
                parts.append({-1: f"[-{text}-]", 1: f"{{+{text}+}}", 0: text}[run_op])
                run = []
            run_op = op
            run.append(w)
        prefix = "… " if lo > 0 else ""
        suffix = " …" if hi < len(flat) - 1 else ""
        out.append(prefix + " ".join(parts) + suffix)
    return out


def show(
    pool: list[dict], n: int, corpus: Path, full: bool = False, context: int = CONTEXT_WORDS
) -> str:
    p = packet(pool, n)
    if "corpus" in p:
        corpus = DATA / p["corpus"]
    manifest = load_manifest(corpus)
    subjects = {f["file"]: f.get("source_commit_subject", "") for f in manifest["files"]}
    try:
        old = (corpus / p["old"]).read_text(encoding="utf-8")
        new = (corpus / p["new"]).read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise LabelError(f"missing version file: {e.filename}") from None
    diffs = word_diff(old, new)
    added, removed = diff_counts(diffs)
    lines = [f"packet {n}: {p['old']} -> {p['new']}  (split {p['split']})"]
    hs = hunks(diffs, context)
    for i, h in enumerate(hs, 1):
        lines += ["", f"@@ hunk {i}/{len(hs)}", h]
    if not hs:
        lines += ["", "(no word changes: whitespace or line breaks only)"]
    subject = subjects.get(p["new"], "")
    note = (
        "  [OTA re-extracted the same page: expect extraction noise]"
        if TECHNICAL in subject
        else ""
    )
    lines += [
        "",
        f"summary: +{added} words, -{removed} words, {len(hs)} hunks; "
        f"new version's commit: {subject!r}{note}",
    ]
    if full:
        lines += ["", f"===== OLD {p['old']} =====", old, f"===== NEW {p['new']} =====", new]
    return "\n".join(lines)


# --- labels --------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise LabelError(f"{path}:{i}: not JSON ({e.msg})") from None
    return out


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    tmp.replace(path)


def parse_categories(text: str | None) -> list[str]:
    cats = [c.strip() for c in (text or "").split(",") if c.strip()]
    unknown = [c for c in cats if c not in CATEGORIES]
    if unknown:
        raise LabelError(f"unknown category {unknown[0]!r}; use {', '.join(CATEGORIES)}")
    return sorted(set(cats), key=CATEGORIES.index)


def make_label(p: dict, material: bool, categories: list[str], flag: bool, rationale: str) -> dict:
    if not rationale.strip():
        raise LabelError("a rationale is required (what changed, why (not) material)")
    if material and not categories:
        raise LabelError("a material label needs at least one category")
    if not material and categories:
        raise LabelError("a not-material label has no categories")
    return {
        "packet": p["packet"],
        "slug": p["slug"],
        "old": p["old"],
        "new": p["new"],
        "split": p["split"],
        "material": material,
        "categories": categories,
        "flag": flag,
        "rationale": rationale.strip(),
    }


def upsert(path: Path, row: dict) -> bool:
    """Write `row` as the only line for its packet; True when it replaced an earlier line."""
    rows = read_jsonl(path)
    replaced = any(r["packet"] == row["packet"] for r in rows)
    rows = [r for r in rows if r["packet"] != row["packet"]]
    rows.append(row)
    rows.sort(key=lambda r: r["packet"])
    write_jsonl(path, rows)
    return replaced


def labels_of(labeller: str, labels_dir: Path = LABELS) -> dict[int, dict]:
    return {r["packet"]: r for r in read_jsonl(labels_dir / f"{labeller}.jsonl")}


# --- agreement -----------------------------------------------------------------------


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two raters over the same items; nan when chance agreement is 1."""
    if len(a) != len(b) or not a:
        raise LabelError("kappa needs two equally long, non-empty rating lists")
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe == 1:
        return float("nan")
    return (po - pe) / (1 - pe)


def agreement(la: dict[int, dict], lb: dict[int, dict]) -> dict:
    common = sorted(set(la) & set(lb))
    if not common:
        raise LabelError("no packet is labelled by both labellers")
    a = [la[n]["material"] for n in common]
    b = [lb[n]["material"] for n in common]
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    same_cats = sum(
        la[n]["categories"] == lb[n]["categories"]
        for n in common
        if la[n]["material"] and lb[n]["material"]
    )
    both_material = sum(x and y for x, y in zip(a, b, strict=True))
    return {
        "packets": len(common),
        "agree": agree,
        "raw": agree / len(common),
        "kappa": cohen_kappa(a, b),
        "material_a": sum(a),
        "material_b": sum(b),
        "both_material": both_material,
        "same_categories_when_both_material": same_cats,
        "disagreements": [n for n in common if la[n]["material"] != lb[n]["material"]],
    }


def packet_range(text: str) -> tuple[int, int]:
    lo, sep, hi = text.partition("-")
    if not sep or not lo.isdigit() or not hi.isdigit() or int(lo) > int(hi):
        raise LabelError(f"bad range {text!r}; use LO-HI, e.g. 0-59")
    return int(lo), int(hi)


# --- merge ---------------------------------------------------------------------------


def merge(
    pool: list[dict], labels: dict[str, dict[int, dict]], resolved: dict[int, dict]
) -> list[dict]:
    """One label per labelled packet.

    A packet labelled once keeps that label; labelled twice and agreeing on material, it
    keeps the agreed verdict with the union of categories; a disagreement needs a resolved
    entry (which always wins when present).
    """
    out, unresolved = [], []
    for p in pool:
        n = p["packet"]
        by = {name: ls[n] for name, ls in sorted(labels.items()) if n in ls}
        if not by:
            continue
        first = next(iter(by.values()))
        row = {k: p[k] for k in ("packet", "slug", "old", "new", "split")}
        row["round"] = p.get("round", 1)
        if "corpus" in p:
            row["corpus"] = p["corpus"]
        if n in resolved:
            r = resolved[n]
            row |= {
                "material": r["material"],
                "categories": r["categories"],
                "flag": True,
                "rationale": r["rationale"],
            }
        elif len({lab["material"] for lab in by.values()}) > 1:
            unresolved.append(n)
            continue
        else:
            cats = {c for lab in by.values() for c in lab["categories"]}
            row |= {
                "material": first["material"],
                "categories": sorted(cats, key=CATEGORIES.index),
                "flag": any(lab["flag"] for lab in by.values()),
                "rationale": first["rationale"],
            }
        row["labellers"] = sorted(by)
        row["resolved"] = n in resolved
        out.append(row)
    if unresolved:
        raise LabelError(
            f"{len(unresolved)} disagreements without a resolved entry: {', '.join(map(str, unresolved))}"
        )
    return out


def summary(rows: list[dict]) -> dict:
    out = {"packets": len(rows), "services": len({r["slug"] for r in rows})}
    for split in ("dev", "test"):
        part = [r for r in rows if r["split"] == split]
        out[split] = {
            "packets": len(part),
            "services": len({r["slug"] for r in part}),
            "material": sum(r["material"] for r in part),
        }
    fresh = [r for r in rows if r.get("round", 1) == 2]
    if fresh:
        out["test round 2"] = {
            "packets": len(fresh),
            "services": len({r["slug"] for r in fresh}),
            "material": sum(r["material"] for r in fresh),
        }
    return out


# --- vendoring -----------------------------------------------------------------------

VENDOR_README = """\
# policy-changes (subset) — the versions behind tests/data/judgment/wild-pool.json

Copied byte-for-byte by `tools/label.py vendor` from the project's shared corpus
`policy-changes` (real privacy-policy versions of 177 services, from the Open Terms Archive
"versions" datasets): every file that is the old or new side of a packet in
`../judgment/wild-pool.json`. `MANIFEST.json` keeps the shared corpus's entry (service,
date, source repo, commit, path, commit subject, license, attribution, sha256, bytes) for
each copied file, and in `all_versions` the names of every version of the full corpus, so
that `tools/label.py pool` rebuilds the same pool from this subset.

A commit subject "Record new changes…" means the text on the site changed; "Apply technical
or declaration upgrade…" means OTA re-extracted the same page with new selectors (its
difference is extraction noise); "Update…" is TOSBack-era history.

## License and attribution
All datasets are under **ODC-BY 1.0** (https://opendatacommons.org/licenses/by/1-0/); the
license covers the database, not each text: the policy texts remain the copyright of the
services that wrote them (used here for internal testing). Attribution, per file in
`MANIFEST.json`:
- contrib-versions: "Open Terms Archive contributors"
- pga-versions: Katzenbach, C., Dergachava, D., Fischer, A., Kopps, A., Kolesnikov, S.,
  Redeker, D., Viejo Otero, P. (2023). *Platform Governance Archive (PGA): Dataset PGA v2*.
  https://doi.org/10.26092/elib/2373
- dating-versions: "Open Terms Archive with contributions from the Dating Privacy collective
  (https://dating-privacy.hestialabs.org/en/)"
"""


def vendor(source: Path, dest: Path, pool: list[dict]) -> int:
    manifest = load_manifest(source)
    needed = sorted({p[k] for p in pool for k in ("old", "new")})
    entries = {f["file"]: f for f in manifest["files"]}
    missing = [f for f in needed if f not in entries]
    if missing:
        raise LabelError(f"{missing[0]} is in the pool but not in {source}/MANIFEST.json")
    for name in needed:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if digest != entries[name]["sha256"]:
            raise LabelError(f"{name}: sha256 differs from the manifest")
    subset = {
        "name": "policy-changes (subset for tests/data/judgment/wild-pool.json)",
        "source": "policy-changes corpus; see README.md",
        "files": [entries[n] for n in needed],
        "all_versions": sorted(entries),
    }
    (dest / "MANIFEST.json").write_text(
        json.dumps(subset, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (dest / "README.md").write_text(VENDOR_README, encoding="utf-8")
    return len(needed)


# --- CLI -----------------------------------------------------------------------------


def _bool(text: str) -> bool:
    if text.lower() in ("yes", "y", "true"):
        return True
    if text.lower() in ("no", "n", "false"):
        return False
    raise argparse.ArgumentTypeError("use yes or no")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="tools/label.py", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="policy-changes directory")
    ap.add_argument("--pool", type=Path, default=POOL, help="packet pool JSON")
    ap.add_argument("--labels", type=Path, default=LABELS, help="directory of <labeller>.jsonl")
    sub = ap.add_subparsers(dest="cmd", required=True)

    c = sub.add_parser("pool", help="build the seeded packet pool")
    c.add_argument("--seed", type=int, default=SEED)
    c.add_argument(
        "--round",
        type=int,
        choices=(1, 2, 3, HISTORIES_ROUND),
        default=1,
        help="2 (3): append every other pair of the test (dev) services to the existing pool; "
        "4: every pair of policy-histories the devset does not label",
    )

    c = sub.add_parser("vendor", help="copy the pool's versions from a full corpus into --corpus")
    c.add_argument("source", type=Path)

    c = sub.add_parser("show", help="word diff of a packet")
    c.add_argument("n", type=int)
    c.add_argument("--full", action="store_true", help="also print both full texts")
    c.add_argument("--context", type=int, default=CONTEXT_WORDS, help="words of context")

    c = sub.add_parser("record", help="record (or replace) one label")
    c.add_argument("n", type=int)
    c.add_argument("--labeller", required=True)
    c.add_argument("--material", type=_bool, required=True)
    c.add_argument("--categories", default="")
    c.add_argument("--flag", action=argparse.BooleanOptionalAction, default=False)
    c.add_argument("--rationale", required=True)

    c = sub.add_parser("resolve", help="record the resolution of a disagreement")
    c.add_argument("n", type=int)
    c.add_argument("--material", type=_bool, required=True)
    c.add_argument("--categories", default="")
    c.add_argument("--rationale", required=True)
    c.add_argument("--guide-change", default="", help="what the guide now says because of it")

    c = sub.add_parser("status", help="labels done and the next packet to label")
    c.add_argument("--labeller", required=True)
    c.add_argument(
        "--round", type=int, choices=(1, 2, 3, HISTORIES_ROUND), help="only packets of this round"
    )

    c = sub.add_parser("agreement", help="raw agreement and Cohen's kappa of two labellers")
    c.add_argument("--a", default="A")
    c.add_argument("--b", default="B")
    c.add_argument("--range", help="only packets LO-HI (e.g. 0-59, the planned overlap)")

    c = sub.add_parser("merge", help="write wild.json from all labels and resolutions")
    c.add_argument("--out", type=Path, default=WILD)

    args = ap.parse_args(argv)
    try:
        return _run(args)
    except LabelError as e:
        print(f"label: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `show N | head` closed the pipe: not an error for a reader.
        sys.stderr.close()
        return 0


def _run(args) -> int:
    if args.cmd == "pool" and args.round > 1:
        if args.round == HISTORIES_ROUND:
            devset = json.loads(DEVSET.read_text(encoding="utf-8"))["pairs"]
            packets = extend_pool_histories(
                load_manifest(HISTORIES),
                load_pool(args.pool),
                {(r["old"], r["new"]) for r in devset},
                args.seed,
            )
            whose = "policy-histories"
        else:
            packets = extend_pool(
                load_manifest(args.corpus), load_pool(args.pool), args.seed, args.round
            )
            whose = ROUND_SPLITS[args.round]
        added = [p for p in packets if p.get("round") == args.round]
        args.pool.write_text(
            json.dumps(pool_document(packets, args.seed), indent=1) + "\n", encoding="utf-8"
        )
        services = len({p["slug"] for p in added})
        print(
            f"appended {len(added)} round-{args.round} packets from {services} "
            f"{whose} services -> {args.pool}"
        )
        return 0
    if args.cmd == "pool":
        packets = build_pool(load_manifest(args.corpus), args.seed)
        services = len({p["slug"] for p in packets})
        if len(packets) < MIN_PACKETS or services < MIN_SERVICES:
            raise LabelError(f"pool has {len(packets)} packets from {services} services; too small")
        args.pool.parent.mkdir(parents=True, exist_ok=True)
        args.pool.write_text(
            json.dumps(pool_document(packets, args.seed), indent=1) + "\n", encoding="utf-8"
        )
        splits = Counter(p["split"] for p in packets)
        print(f"{len(packets)} packets from {services} services ({dict(splits)}) -> {args.pool}")
        return 0
    if args.cmd == "vendor":
        n = vendor(args.source, args.corpus, load_pool(args.pool))
        print(f"copied {n} version files into {args.corpus}")
        return 0
    pool = load_pool(args.pool)
    if args.cmd == "show":
        print(show(pool, args.n, args.corpus, args.full, args.context))
    elif args.cmd == "record":
        label = make_label(
            packet(pool, args.n),
            args.material,
            parse_categories(args.categories),
            args.flag,
            args.rationale,
        )
        label["labeller"] = args.labeller
        replaced = upsert(args.labels / f"{args.labeller}.jsonl", label)
        print(f"{'replaced' if replaced else 'recorded'} packet {args.n} for {args.labeller}")
    elif args.cmd == "resolve":
        p = packet(pool, args.n)
        label = make_label(
            p, args.material, parse_categories(args.categories), True, args.rationale
        )
        row = {k: label[k] for k in ("packet", "material", "categories", "rationale")}
        row["guide_change"] = args.guide_change
        upsert(args.labels / "resolved.jsonl", row)
        print(f"resolved packet {args.n}")
    elif args.cmd == "status":
        done = labels_of(args.labeller, args.labels)
        if args.round:
            mine = [p["packet"] for p in pool if p.get("round", 1) == args.round]
            left = [n for n in mine if n not in done]
            print(
                f"{args.labeller}: round {args.round}: {len(mine) - len(left)} of {len(mine)} "
                f"labelled; next {left[0] if left else None}"
            )
            return 0
        overlap_left = [n for n in range(min(60, len(pool))) if n not in done]
        up = next((n for n in range(60, len(pool)) if n not in done), None)
        down = next((n for n in range(len(pool) - 1, 59, -1) if n not in done), None)
        print(
            f"{args.labeller}: {len(done)} labelled; overlap 0-59 left: {len(overlap_left)}"
            f"{' (next ' + str(overlap_left[0]) + ')' if overlap_left else ''}; "
            f"next upward {up}, next downward {down}"
        )
    elif args.cmd == "agreement":
        la, lb = labels_of(args.a, args.labels), labels_of(args.b, args.labels)
        if args.range:
            lo, hi = packet_range(args.range)
            la = {n: v for n, v in la.items() if lo <= n <= hi}
        r = agreement(la, lb)
        print(
            f"{r['packets']} packets labelled by {args.a} and {args.b}: raw agreement "
            f"{r['agree']}/{r['packets']} = {r['raw']:.3f}, Cohen's kappa {r['kappa']:.3f} "
            f"(material: {args.a} {r['material_a']}, {args.b} {r['material_b']}; same categories on "
            f"{r['same_categories_when_both_material']} of {r['both_material']} both-material)"
        )
        for n in r["disagreements"]:
            print(f"  packet {n} ({la[n]['slug']}):")
            for name, lab in ((args.a, la[n]), (args.b, lb[n])):
                verdict = (
                    "material " + ",".join(lab["categories"]) if lab["material"] else "not material"
                )
                print(f"    {name}: {verdict} — {lab['rationale']}")
    elif args.cmd == "merge":
        names = sorted(p.stem for p in args.labels.glob("*.jsonl") if p.stem != "resolved")
        labels = {name: labels_of(name, args.labels) for name in names}
        resolved = {r["packet"]: r for r in read_jsonl(args.labels / "resolved.jsonl")}
        rows = merge(pool, labels, resolved)
        doc = {
            "description": (
                "Blind labels of consecutive version pairs in tests/data/policy-changes "
                "(docs/labelling.md), merged by tools/label.py merge: old/new are paths "
                "under tests/data/policy-changes (under tests/data/<corpus> when a row names "
                "its corpus: round 4, policy-histories); split is by service (test is never "
                "tuned on)."
            ),
            "summary": summary(rows),
            "pairs": rows,
        }
        args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps(doc["summary"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
