"""One category list: the extension's options and the blind labelling tool offer exactly
the categories the server judges and filters by (monitor/classify/categories.py), in the
same order."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from monitor.classify.categories import CATEGORY_LABELS, CATEGORY_SLUGS, PRACTICE_CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
FEED_JS = ROOT / "extension" / "lib" / "feed.js"


def extension_categories() -> list[str]:
    source = FEED_JS.read_text()
    block = re.search(r"export const CATEGORIES = Object\.freeze\(\[(.*?)\]\);", source, re.S)
    assert block, "extension/lib/feed.js no longer declares CATEGORIES as this test reads it"
    return re.findall(r'"([a-z-]+)"', block[1])


def test_the_extension_offers_the_servers_categories():
    assert extension_categories() == list(CATEGORY_SLUGS)


def test_the_labelling_tool_labels_with_the_servers_categories():
    # tools/label.py keeps its own copy on purpose: a labeller's tool imports nothing of the
    # judge (tests/test_label_tool.py). This keeps the copy equal to the judge's list.
    spec = importlib.util.spec_from_file_location("label_tool", ROOT / "tools" / "label.py")
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert list(tool.CATEGORIES) == list(CATEGORY_SLUGS)


def test_every_category_has_a_label_and_practices_come_first():
    assert set(CATEGORY_LABELS) == set(CATEGORY_SLUGS) and len(CATEGORY_SLUGS) == 10
    assert CATEGORY_SLUGS[:6] == PRACTICE_CATEGORIES and "other" not in PRACTICE_CATEGORIES
