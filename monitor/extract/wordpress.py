"""WordPress REST API page objects: the policy is the HTML in ``content.rendered``.

Only the rendered content counts. ``meta._et_pb_old_content`` and similar builder fields
hold older or template text that the site no longer shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from monitor.extract.dates import parse_iso
from monitor.extract.detect import is_wordpress
from monitor.model import ExtractionError


@dataclass(frozen=True, slots=True)
class WordPressPage:
    html: str
    title: str | None
    modified: date | None


def _rendered(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) and value.strip() else None


def wordpress_page(text: str) -> WordPressPage:
    """The rendered content, title and last modification of a page object."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ExtractionError(f"invalid WordPress JSON: {exc}") from None
    except RecursionError:  # a hostile page nested past the stack: bad input, not a bug
        raise ExtractionError("invalid WordPress JSON: nested too deeply") from None
    if not is_wordpress(data):
        raise ExtractionError("JSON that is not a WordPress page")
    if isinstance(data, list):
        data = data[0]
    modified = data.get("modified_gmt") if not data.get("modified") else data.get("modified")
    return WordPressPage(
        html=_rendered(data.get("content")) or "",
        title=_rendered(data.get("title")),
        modified=parse_iso(modified if isinstance(modified, str) else None),
    )
