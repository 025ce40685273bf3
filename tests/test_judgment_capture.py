"""A capture that is not the policy is no policy change (labelling guide B13). Pairs from
the dev split of tests/data/policy-changes (Open Terms Archive contrib-versions, ODC-BY
1.0, "Open Terms Archive contributors"); both were false alerts before."""

import json
from pathlib import Path

import pytest
from corpora import policy_change

from monitor.compare import compare

DATA = Path(__file__).parent / "data"
WILD = {
    (p["old"], p["new"]): p
    for p in json.loads((DATA / "judgment" / "wild.json").read_text())["pairs"]
    if p["split"] == "dev"
}


@pytest.mark.parametrize(
    "old, new",
    [
        # The new capture is the documentation home page.
        ("base/2024-12-04T180220Z.md", "base/2025-02-21T060235Z.md"),
        # The new capture holds a fragment of the page titled "Information you provide".
        ("wetransfer/2025-12-19T125632Z.md", "wetransfer/2025-12-20T005635Z.md"),
    ],
)
def test_a_capture_that_is_not_the_policy_is_no_policy_change(old, new):
    assert not WILD[(old, new)]["material"]
    c = compare(policy_change(old), policy_change(new))
    assert not c.material, c.summary
    assert any(ch.rule == "capture" for ch in c.changes)
    assert any("not the policy" in ch.reason for ch in c.changes)
