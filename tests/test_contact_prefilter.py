"""Whether a text holds contact details (monitor.classify.contact.has_contact): the
character test that lets most texts skip the patterns never skips a text they match."""

from __future__ import annotations

import pytest
from corpora import policy_history

from monitor.classify.contact import _EMAIL, _EU_STREET, _STREET, _phones, has_contact


def _by_the_patterns(text: str) -> bool:
    return bool(
        _EMAIL.search(text) or _phones(text) or _STREET.search(text) or _EU_STREET.search(text)
    )


@pytest.mark.parametrize(
    "text",
    [
        "Write to privacy@example.com.",
        "Email: [email protected]",
        "[ EMAIL&#160;PROTECTED ]",
        "Call +1 (415) 555-0100 any day.",
        "140 New Montgomery St., San Francisco",
        "Dircksenstraße 47, 10178 Berlin",
        "P.O. Box 1234",
        "We share your data with partners.",
        "Protected health information",
        "",
    ],
)
def test_same_as_the_patterns(text):
    assert has_contact.__wrapped__(text) == _by_the_patterns(text)


def test_same_as_the_patterns_on_real_clauses():
    held = 0
    for rel in ("123greetings/2020-06-08T060456Z.md", "paypal/2026-03-12T012724Z.md"):
        for c in policy_history(rel).clauses:
            assert has_contact.__wrapped__(c.text) == _by_the_patterns(c.text), c.text
            held += _by_the_patterns(c.text)
    assert held  # some clauses do hold contact details
