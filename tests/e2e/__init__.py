"""End-to-end tests. A package so that their module names (e2e.test_viewer) do not clash
with the unit tests of the same feature (tests/test_viewer.py); helper modules here stay
importable by bare name. The WARC builder and the pywb launcher live in demo/ (warcs,
pywbserver), shared with `make demo` and bench/backfill.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
