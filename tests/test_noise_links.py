"""Links taken out before an edit is compared (monitor.classify.noise._links_out): the
substring test that lets most texts skip the link pattern never skips one it matches."""

from __future__ import annotations

import pytest
from corpora import policy_history

from monitor.classify.noise import _URL, _links_out


@pytest.mark.parametrize(
    "text",
    [
        "See https://example.com/privacy for more.",
        "Visit WWW.Example.COM today",
        "Write to privacy@example.com or DPO@Example.eu.",
        "[email protected] and [EMAIL&#160;PROTECTED]",
        "Email Protected",
        "no link here, only words about data",
        "www without a dot, http without a colon",
        "",
    ],
)
def test_same_as_the_pattern(text):
    assert _links_out(text) == _URL.sub(" ", text)


def test_same_as_the_pattern_on_real_clauses():
    changed = 0
    for rel in ("123greetings/2020-06-08T060456Z.md", "snapchat/2024-01-22T124016Z.md"):
        for c in policy_history(rel).clauses:
            assert _links_out(c.text) == _URL.sub(" ", c.text), c.text
            changed += _URL.sub(" ", c.text) != c.text
    assert changed  # some clauses do hold links
