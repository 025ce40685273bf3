"""End-to-end tests. A package so that their module names (e2e.test_viewer) do not clash
with the unit tests of the same feature (tests/test_viewer.py); their helper modules
(pywb, warcs) stay importable by bare name as before."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
