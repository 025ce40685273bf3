"""`make bench-smoke`: every bench in bench/ runs end to end on its least input.

`make bench` takes half an hour and is run rarely, so a bench broken by a change (an
argument renamed, a function it calls reshaped, a ratio over a zero) used to show only
then. This runs each one as `make bench` would, through bench/run_all.py, with its smallest
options and BENCH_SMOKE=1 (a few files of each corpus): it fails when any bench exits
non-zero or reports no figure. The figures themselves measure nothing here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from benches import BENCH, bench_module

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.e2e  # real servers on loopback, pywb, Chromium, wrk when installed


run_all = bench_module("run_all")


def test_every_bench_runs_end_to_end_on_its_least_input(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "CLAUSEWATCH_"))}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke", "--log-dir", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    names = [p.stem for p in run_all.benches()]
    failed = [
        f"--- {name}: {line}\n" + (tmp_path / f"{name}.log").read_text()[-3000:]
        for name in names
        for line in done.stdout.splitlines()
        if line.startswith(f"running bench/{name}.") and not line.rstrip().endswith("CPU s)")
    ]
    assert done.returncode == 0 and not failed, done.stdout + done.stderr + "\n".join(failed)
    # The table has figures of every bench, and nothing was written to docs/benchmarks.md.
    table = done.stdout.split("\n\n", 1)[1]
    reported = {line.split()[0] for line in table.splitlines()[2:] if line.strip()}
    assert set(names) <= reported, set(names) - reported
    assert "Table written" not in done.stdout
