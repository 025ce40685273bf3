"""The scripts of bench/ as modules, for the tests that read them."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import monitor.compare  # noqa: F401  (imported first: see bench_module)

BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_module(name: str) -> ModuleType:
    """bench/<name>.py imported. bench/ holds a monitor.py: on sys.path for longer than
    the import, it would hide the monitor package from every test collected after this
    one, and the monitor package is imported before it for the same reason."""
    sys.path.insert(0, str(BENCH))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))
    # A script that puts bench/ on the path itself leaves it there for every process the
    # suite spawns after it, where "api" is then bench/api.py (a viewer test failed so).
    assert str(BENCH) not in sys.path, f"bench/{name}.py leaves bench/ on sys.path"
    return module
