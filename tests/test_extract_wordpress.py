"""WordPress REST JSON: the Dignio seed by hand, and the page object's edge cases."""

import json
from datetime import date
from pathlib import Path

import pytest

from monitor.extract import extract
from monitor.model import ExtractionError

SEED = Path(__file__).parent / "data" / "seeds" / "dignio-privacy.wp.json"

# Read off content.rendered: its h2/h3/h4 and the two <p><strong> cookie sub-headings.
DIGNIO_HEADINGS = [
    (1, "Personal data we collect, why we collect it and how long we keep it"),
    (2, "Customer Data"),
    (2, "Supplier and Partner Data"),
    (2, "Visitors to our website"),
    (3, "Website analytics"),
    (3, "Chat-service"),
    (3, "Language preferences"),
    (3, "Website video content"),
    (3, "Third-party links"),
    (3, "Newsletter"),
    (2, "Visitors to our social media sites"),
    (3, "Facebook"),
    (3, "LinkedIn"),
    (2, "Communication per email or phone"),
    (1, "How you withdraw your consent"),
    (1, "Overview of information capsules (cookies) we use"),
    (2, "Functional cookies"),
    (2, "Non-functional cookies"),
    (1, "Information Security"),
    (1, "Recipients of Personal Data"),
    (1, "Your Rights as a Data Subject"),
    (1, "Changes to this Notice"),
    (1, "CCPA Notice (California Residents)"),
]


@pytest.fixture(scope="module")
def dignio():
    return extract(
        SEED.read_bytes(), "application/json", "https://dignio.com/wp-json/wp/v2/pages/3"
    )


def test_title_date_language(dignio):
    assert dignio.title == "Privacy Notice – Dignio website (US)"  # &#8211; decoded
    assert dignio.effective_date == date(2022, 10, 27)  # no stated date: `modified`
    assert dignio.language == "en"
    assert dignio.format == "wordpress"


def test_headings_in_order(dignio):
    assert [(len(h.section), h.text) for h in dignio.headings] == DIGNIO_HEADINGS


def test_counts_and_old_builder_content_ignored(dignio):
    kinds = [c.kind for c in dignio.clauses]
    assert kinds.count("list-item") == 56
    assert kinds.count("paragraph") == 54
    joined = "\n".join(c.text for c in dignio.clauses)
    assert "Suggested text" not in joined  # only in meta._et_pb_old_content
    assert "\ufeff" not in joined
    assert dignio.clauses[-1].text.startswith("Complaints. You may file a consumer complaint")
    assert dignio.clauses[-1].section == ("CCPA Notice (California Residents)",)


def page(**fields) -> bytes:
    return json.dumps(
        {"content": {"rendered": "<p>We keep your data safe.</p>"}, **fields}
    ).encode()


def test_stated_date_wins_over_modified():
    raw = json.dumps(
        {
            "content": {"rendered": "<p>Effective: March 3, 2021</p><p>We keep data safe.</p>"},
            "modified": "2023-01-01T00:00:00",
        }
    ).encode()
    assert extract(raw).effective_date == date(2021, 3, 3)


def test_list_response_and_missing_fields():
    doc = extract(b"[" + page(modified_gmt="2020-02-02T10:00:00") + b"]")
    assert doc.title is None
    assert doc.effective_date == date(2020, 2, 2)
    assert [c.text for c in doc.clauses] == ["We keep your data safe."]


def test_empty_rendered_content_is_no_policy_text():
    with pytest.raises(ExtractionError, match="no policy text"):
        extract(json.dumps({"content": {"rendered": "  "}, "title": {"rendered": "X"}}).encode())
