"""One category list: the extension's options offer exactly the categories the server
judges and filters by (monitor/classify/categories.py), in the same order."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.classify.categories import CATEGORY_LABELS, CATEGORY_SLUGS, PRACTICE_CATEGORIES

FEED_JS = Path(__file__).resolve().parents[1] / "extension" / "lib" / "feed.js"


def extension_categories() -> list[str]:
    source = FEED_JS.read_text()
    block = re.search(r"export const CATEGORIES = Object\.freeze\(\[(.*?)\]\);", source, re.S)
    assert block, "extension/lib/feed.js no longer declares CATEGORIES as this test reads it"
    return re.findall(r'"([a-z-]+)"', block[1])


def test_the_extension_offers_the_servers_categories():
    assert extension_categories() == list(CATEGORY_SLUGS)


def test_every_category_has_a_label_and_practices_come_first():
    assert set(CATEGORY_LABELS) == set(CATEGORY_SLUGS) and len(CATEGORY_SLUGS) == 10
    assert CATEGORY_SLUGS[:6] == PRACTICE_CATEGORIES and "other" not in PRACTICE_CATEGORIES
