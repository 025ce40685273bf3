"""The capture histories of tests/data/capture-histories: raw captures in time order, and
where a new version is expected.

Expected = OTA's `truth.json` (`first_capture` of each text change), corrected where the
raw captures show otherwise. Each correction names its evidence, which the tests check on
the raw bytes, so a correction cannot drift from the data (see NOTES.md beside the data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).parent / "data" / "capture-histories"


@dataclass(frozen=True)
class Disagreement:
    """A capture where we expect otherwise than OTA's truth, and why."""

    capture: str
    new_version: bool  # what we expect there
    why: str
    # Evidence on the raw captures: (text, in the capture before?, in this capture?).
    evidence: tuple[tuple[str, bool, bool], ...]


# Captures where the policy text a person reads changed although OTA's truth lists no
# change (OTA's versions dataset records nothing there: its selection leaves the text out,
# or its recorded history stops before the capture), and captures OTA lists where only the
# markup changed.
DISAGREEMENTS: dict[str, list[Disagreement]] = {
    "her": [
        Disagreement(
            "2025-04-23T003254Z.html",
            False,
            "markup only: each list item wrapped in one more empty list level (OTA's Markdown"
            " shows it as '* * Identifiers…'); the words are the same",
            (('<li style="list-style-type: none;">', False, True),),
        )
    ],
    "lovescout24": [
        Disagreement(
            "2024-07-12T123305Z.html",
            False,
            "markup only: the postal address block's lines became <br> breaks inside one"
            " paragraph (OTA's diff is blank lines against trailing double spaces)",
            (("Neuturmstraße 5", True, True),),
        ),
        Disagreement(
            "2024-11-06T123330Z.html",
            True,
            "the company and data protection officer's postal address changed (c/o WeWork"
            " Neuturmstraße 5 → Design Offices München Macherei); OTA records no version after"
            " 2024-07-12",
            (("WeWork", True, False), ("Macherei", False, True)),
        ),
        Disagreement(
            "2025-08-12T123312Z.html",
            True,
            "a paragraph naming a Swiss representative (Prighter CH GmbH) was added",
            (("Prighter", False, True),),
        ),
        Disagreement(
            "2026-01-02T123217Z.html",
            True,
            "a new policy, in force from 01.02.2026 (the previous one from 10.08.2024)",
            (("gelten ab 10.08.2024", True, False), ("01.02.2026", False, True)),
        ),
        Disagreement(
            "2026-01-08T123212Z.html",
            False,
            "agrees with truth (no change), though the page changed: the policy's table of"
            " contents, plain list items before, became links to the sections; the same"
            " text (see textnorm's table-of-contents rule)",
            (
                ("<li>Wer wir sind</li>", True, False),
                ('<a href="#CH1">Wer wir sind</a>', False, True),
            ),
        ),
    ],
    "meetic": [
        Disagreement(
            "2023-01-20T123259Z.html",
            True,
            "'Examen de vos informations' became 'Consultation de vos informations' (OTA's"
            " own version ota-2023-01-20T123259Z.md is this capture's text, but truth.json"
            " lists no change there)",
            (("Examen de vos", True, False), ("Consultation de vos", False, True)),
        ),
        Disagreement(
            "2024-07-16T183310Z.html",
            True,
            "the retention clause was reworded ('données de transactions et localisation"
            " imprécise des achats'); OTA records no version after 2024-07-12",
            (("ainsi nous conservons les données de transactions", False, True),),
        ),
        Disagreement(
            "2026-01-02T123223Z.html",
            True,
            "a new policy, in force from 01/02/2026 (the previous one from 11/08/2024)",
            (("01/02/2026", False, True),),
        ),
    ],
    "mektoube": [
        Disagreement(
            "2025-11-18T123342Z.html",
            False,
            "not the policy: the site's 'Cette page n'existe pas' page (a 404 served with"
            " 200) at the policy URL, which OTA recorded as a version",
            (
                ("Cette page n'existe pas", False, True),
                ("1. Politique de confidentialit", True, False),
            ),
        ),
        Disagreement(
            "2025-11-19T123350Z.html",
            False,
            "the policy back after the error page, the same text as before it: no change",
            (
                ("Cette page n'existe pas", True, False),
                ("1. Politique de confidentialit", False, True),
            ),
        ),
    ],
    "zoosk": [
        Disagreement(
            "2022-10-18T183326Z.html",
            True,
            "the company's postal address changed (3400 N. Ashton Blvd, Lehi → 10808 S River"
            " Front Parkway, South Jordan): text OTA's selection leaves out",
            (("Ashton Blvd", True, False), ("River Front Parkway", False, True)),
        )
    ],
}


@dataclass(frozen=True)
class Capture:
    file: str
    captured_at: datetime
    body: bytes
    url: str


@dataclass(frozen=True)
class History:
    service: str
    url: str
    captures: list[Capture]
    truth: list[str]  # OTA's first_capture of each change
    expected: list[str]  # where we expect a new version (truth corrected)
    disagreements: list[Disagreement]


def services() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if (p / "truth.json").exists())


def history(service: str) -> History:
    folder = ROOT / service
    truth = json.loads((folder / "truth.json").read_text())
    # One URL for the whole history, as a monitor tracks it (some captures name none).
    url = next((c["url"] for c in truth["captures"] if c.get("url")), None)
    url = url or f"https://www.{service}.example/privacy"
    captures = [
        Capture(
            c["file"],
            datetime.fromisoformat(c["date"]).astimezone(UTC),
            (folder / c["file"]).read_bytes(),
            url,
        )
        for c in truth["captures"]
    ]
    firsts = [c["first_capture"] for c in truth["text_changes"]]
    corrections = DISAGREEMENTS.get(service, [])
    expected = set(firsts)
    for d in corrections:
        (expected.add if d.new_version else expected.discard)(d.capture)
    order = [c.file for c in captures]
    return History(
        service,
        url,
        captures,
        firsts,
        sorted(expected, key=order.index),
        corrections,
    )
