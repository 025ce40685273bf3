"""How a bench hands its figures to `make bench` (bench/run_all.py): one JSON line a figure.

A bench keeps printing its own report for people; beside each figure it calls `figure(...)`,
which appends one line to the file named by the environment variable BENCH_JSON (and does
nothing when it is unset, so running a bench by hand is unchanged):

    {"bench": "monitor", "name": "polite pass, 1,000 docs", "value": 14.2, "unit": "s",
     "baseline": "bare aiohttp loop", "baseline_value": 3.1, "goal": "<= 20 s", "met": true}

`baseline_value` is measured in the same run (None when the figure has no baseline, e.g.
a goal on its own); `met` is None when the figure has no goal. Node benches write the same
lines themselves.

`make bench-smoke` (run_all.py --smoke) sets BENCH_SMOKE=1 besides passing each bench its
smallest options: a bench whose input is a whole corpus then reads only `sample(...)` of it,
so every bench runs end to end in seconds and a broken one shows in the test suite. Its
figures mean nothing and are never written down.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ENV = "BENCH_JSON"
SMOKE_ENV = "BENCH_SMOKE"
SMOKE_ITEMS = 2
FIELDS = ("bench", "name", "value", "unit", "baseline", "baseline_value", "goal", "met")


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: str | None = None,
    baseline_value: float | None = None,
    goal: str | None = None,
    met: bool | None = None,
    bench: str | None = None,
) -> None:
    """Record one figure for `make bench`, if it is listening."""
    path = os.environ.get(ENV)
    if not path:
        return
    line = {
        "bench": bench or Path(sys.argv[0]).stem,
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "goal": goal,
        "met": met,
    }
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def smoke() -> bool:
    """Whether this is a smoke run (BENCH_SMOKE=1): the plumbing is checked, not the speed."""
    return os.environ.get(SMOKE_ENV) == "1"


def sample(items: Sequence[T], n: int = SMOKE_ITEMS) -> list[T]:
    """All the items, or in a smoke run only the first `n` of them."""
    return list(items[:n]) if smoke() else list(items)


def read(path: Path) -> list[dict]:
    """The figures a run wrote; a line that is not a figure is skipped, not fatal."""
    out = []
    if not path.exists():
        return out
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict) and "name" in line and "value" in line:
            out.append({k: line.get(k) for k in FIELDS})
    return out
