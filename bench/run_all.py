"""`make bench`: run every benchmark in bench/ and print one table of their figures.

    .venv/bin/python bench/run_all.py [--only monitor,judgment] [--log-dir DIR] [--timeout S]
    .venv/bin/python bench/run_all.py --smoke        # `make bench-smoke`: each bench, tiny

Each bench runs as its own process, one after the other (they measure speed: two at once
would measure each other), with BENCH_JSON naming a file it appends its figures to
(bench/report.py). Its own printed report goes to DIR/<bench>.log. The table has, for every
figure, the baseline measured in the same run, the ratio figure/baseline, and the goal.
A bench that fails, times out or reports no figures gets a row saying so, and the command
exits non-zero when any bench failed (a goal missed is shown, not an error).

A full run (no --only) also writes the table, with its date and the machine, into
docs/benchmarks.md between its markers: the only place dated figures are kept.

--smoke runs every bench end to end on the least input it takes (SMOKE: its smallest
options, and BENCH_SMOKE=1 for those that read whole corpora: report.sample), so that one a
change broke fails in the test suite (tests/test_bench_smoke.py) rather than in the next
`make bench`. Its figures measure nothing: they are printed, never written to the page.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from report import ENV, SMOKE_ENV, read

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# Not benches: the protocol, this runner, and the two output-equality tools (they print
# fingerprints to diff across a change, take required arguments and report no figure).
NOT_BENCHES = {"report.py", "run_all.py", "diff_outputs.py", "extract_outputs.py"}
# Each bench's smallest options, for --smoke (a bench missing here fails the smoke run).
SMOKE: dict[str, list[str]] = {
    # Its own client: wrk runs at least 1 s a scenario (9 CPU s in all), the rest is the same.
    "api": ["--client", "python", "--requests", "100", "--concurrency", "4",
            "--latency-concurrency", "2", "--rounds", "1", "--distinct", "50",
            "--sites", "100", "--changes", "500", "--behind", "20"],
    "backfill": ["--per-version", "2", "--services", "bitwarden"],
    "compare_load": ["--clients", "1", "--checks", "1"],
    "diff": ["--sizes", "100", "--sample", "1"],
    "extension_traffic": ["--sites", "200", "--changes", "500", "--watches", "5"],
    "extract": ["--repeat", "1"],
    "extract_fidelity": ["--repeat", "1"],
    "judgment": [],
    "monitor": ["--hosts", "2", "--docs", "2", "--delay", "0.01"],
    "monitor_pass": ["--hosts", "2", "--docs", "2", "--delay", "0.01"],
    "render": ["--pages", "1", "--renders", "2", "--hosts", "2", "--docs", "2"],
    "robustness": ["--split", "dev"],
    "scale": ["--sizes", "200", "--requests", "20"],
    "viewer": [],  # its defaults take seconds, and smaller ones never met the rate limit
}  # fmt: skip
DEFAULT_TIMEOUT_S = 1800
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"


def machine() -> str:
    """What the figures were measured on: CPU model and count, OS, Python, load average."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{os.cpu_count()} x {model}; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}; load average {load} at the end"
    )


def write_doc(doc: Path, table_text: str, when: datetime, on: str) -> None:
    """Replace what lies between the page's markers with this run's table."""
    text = doc.read_text(encoding="utf-8")
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"{doc}: no {BEGIN} ... {END} markers")
    block = (
        f"{BEGIN}\nMeasured by `make bench` on {when:%Y-%m-%d %H:%M} UTC, on {on}.\n\n"
        f"```\n{table_text}\n```\n{END}"
    )
    doc.write_text(head + block + tail, encoding="utf-8")


def benches() -> list[Path]:
    """Every bench script: Python ones and Node ones (.mjs), by name."""
    found = [p for p in BENCH.glob("*.py") if p.name not in NOT_BENCHES and p.stem[0] != "_"]
    found += list(BENCH.glob("*.mjs"))
    return sorted(found, key=lambda p: p.stem)


def command_of(script: Path, args: tuple[str, ...] = ()) -> list[str] | None:
    if script.suffix == ".mjs":
        node = shutil.which("node")
        return [node, str(script), *args] if node else None
    return [sys.executable, str(script), *args]


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    # Four significant digits: 99.97 % must not print as a 100 % that missed its goal.
    return f"{value:.4g}"


def ratio(value: float | None, baseline: float | None) -> str:
    if value is None or not baseline:
        return "-"
    r = value / baseline
    return f"{r:.2f}x" if r == 0 or r >= 0.01 else f"{r:.1g}x"


def table(rows: list[dict]) -> str:
    """The figures as one plain-text table (pure)."""
    head = ["bench", "figure", "value", "baseline (same run)", "ratio", "goal", "met"]
    body = []
    for r in rows:
        unit = f" {r['unit']}" if r.get("unit") else ""
        base = "-"
        if r.get("baseline") is not None or r.get("baseline_value") is not None:
            base = f"{fmt(r.get('baseline_value'))}{unit} {r.get('baseline') or ''}".strip()
        met = {True: "met", False: "MISSED", None: "-"}[r.get("met")]
        body.append(
            [
                r["bench"],
                r["name"],
                f"{fmt(r['value'])}{unit}" if r["value"] is not None else "-",
                base,
                ratio(r["value"], r.get("baseline_value")),
                r.get("goal") or "-",
                met,
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) for row in body]
    return "\n".join(line.rstrip() for line in lines)


def run_one(
    script: Path, log: Path, timeout: float, smoke: bool = False
) -> tuple[list[dict], str | None, float]:
    """(figures, why it failed or None, seconds) of one bench run."""
    if smoke and script.stem not in SMOKE:
        return [], "no smoke options (run_all.SMOKE)", 0.0
    cmd = command_of(script, tuple(SMOKE[script.stem]) if smoke else ())
    if cmd is None:
        return [], "node not installed", 0.0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        figures_file = Path(tmp) / "figures.jsonl"
        env = {**os.environ, ENV: str(figures_file)}
        env.pop(SMOKE_ENV, None)
        if smoke:
            env[SMOKE_ENV] = "1"
        started = time.perf_counter()
        with log.open("w") as out:
            try:
                proc = subprocess.run(
                    cmd,
                    cwd=REPO,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    start_new_session=True,
                )
                failed = f"exit status {proc.returncode}" if proc.returncode else None
            except subprocess.TimeoutExpired:
                failed = f"timed out after {timeout:.0f} s"
        figures = read(figures_file)
    for f in figures:
        f["bench"] = script.stem
    if failed is None and not figures:
        failed = "reported no figures (see its log)"
    return figures, failed, time.perf_counter() - started


def _children_cpu() -> float:
    """CPU seconds of every finished child process (a bench and all it waited for): what a
    bench costs on a shared machine, where its wall time carries the neighbours' load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated bench names (file names without suffix)")
    ap.add_argument("--log-dir", help="where each bench's report goes (test-output/bench[-smoke])")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per bench")
    ap.add_argument(
        "--doc",
        help=f"page to write the table into (default: {DOC.relative_to(REPO)} on a full run)",
    )
    ap.add_argument(
        "--smoke", action="store_true", help="each bench on its least input; nothing written"
    )
    args = ap.parse_args(argv)
    if args.smoke and args.doc:
        print(
            "bench: --smoke figures measure nothing; they are not written (--doc)", file=sys.stderr
        )
        return 2
    scripts = benches()
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = wanted - {s.stem for s in scripts}
        if unknown:
            print(f"bench: no bench named {sorted(unknown)[0]!r}", file=sys.stderr)
            return 2
        scripts = [s for s in scripts if s.stem in wanted]
    logs = Path(args.log_dir or REPO / "test-output" / ("bench-smoke" if args.smoke else "bench"))
    logs.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    failures = 0
    for script in scripts:
        log = logs / f"{script.stem}.log"
        print(f"running {script.relative_to(REPO)} ...", end=" ", flush=True)
        cpu = _children_cpu()
        figures, failed, seconds = run_one(script, log, args.timeout, smoke=args.smoke)
        cpu = _children_cpu() - cpu
        print(f"{seconds:.0f} s ({cpu:.0f} CPU s)" + (f", {failed}" if failed else ""), flush=True)
        rows += figures
        if failed:
            failures += 1
            rows.append({"bench": script.stem, "name": f"({failed})", "value": None})
    print()
    print(table(rows))
    print(f"\nEach bench's own report: {logs}/<bench>.log")
    doc = Path(args.doc) if args.doc else (None if args.only or args.smoke else DOC)
    if doc is not None:
        write_doc(doc, table(rows), datetime.now(UTC), machine())
        print(f"Table written to {doc}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
