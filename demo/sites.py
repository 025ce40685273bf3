"""What the demo's sites are: their archived past and the page each serves today (pure).

Every byte comes from the real histories in tests/data (Open Terms Archive, ODC-BY 1.0):
a `history` site's past is its Markdown versions rendered into pages with site chrome
(demo.warcs), a `raw-html` site's past is the pages as Open Terms Archive fetched them.
Today's page is the last version. The one hand-written thing is the material edit the
demo makes to one live policy — a sale clause — and it says so on the page's terms: it
is inserted by `materially_changed`, never stored as if it were a real version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from demo.warcs import (
    HISTORIES,
    RAW_HTML,
    ArchivedCapture,
    history_captures,
    history_versions,
    page,
    raw_html_captures,
    render_markdown,
)

POLICY_PATH = "/privacy"


@dataclass(frozen=True)
class DemoSite:
    host: str  # the made-up domain the demo tracks, e.g. bumble.test
    service: str  # its folder in tests/data/policy-histories or tests/data/raw-html
    source: str  # "history" or "raw-html"


# The full demo: four rendered histories and one site of real fetched pages. Histories
# whose consecutive versions compare in about a second each keep the wait short.
SITES: tuple[DemoSite, ...] = (
    DemoSite("duckduckgo.test", "duckduckgo", "history"),
    DemoSite("grindr.test", "grindr", "raw-html"),
    DemoSite("zoom.test", "zoom", "history"),
    DemoSite("discord.test", "discord", "history"),
    DemoSite("netflix.test", "netflix", "history"),
)
CHANGED_SITE = "duckduckgo.test"  # whose live policy the demo changes

# Added to the live policy of CHANGED_SITE: new sale of personal data to third parties,
# the kind of change a person wants to hear about.
SALE_HEADING = "Sale of your personal information"
SALE_CLAUSE = (
    "We sell your personal information, including your precise location, your profile "
    "and your messages, to data brokers and advertising partners, who may combine it "
    "with other information about you and sell it on."
)


def select(names: str | None) -> tuple[DemoSite, ...]:
    """The sites named (by service or host, comma-separated), or all; ValueError if unknown."""
    if not names:
        return SITES
    by_name = {s.service: s for s in SITES} | {s.host: s for s in SITES}
    wanted = [n.strip().lower() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        known = ", ".join(s.service for s in SITES)
        raise ValueError(f"unknown demo site {unknown[0]!r} (known: {known})")
    chosen = {by_name[n].host: by_name[n] for n in wanted}
    return tuple(chosen.values())


def policy_url(site: DemoSite, origin: str) -> str:
    """The policy's URL at `origin` (http://bumble.test or http://bumble.test:PORT)."""
    return f"{origin}{POLICY_PATH}"


def archived_captures(site: DemoSite, url: str) -> list[ArchivedCapture]:
    """The Wayback captures of the site's policy at `url`."""
    if site.source == "history":
        return history_captures(site.service, url, 3, seed=len(site.host))
    return raw_html_captures(site.service, url)


def _last_markdown(site: DemoSite) -> tuple[datetime, str]:
    return history_versions(site.service, HISTORIES)[-1]


def current_page(site: DemoSite) -> bytes:
    """The policy page the live site serves today: its last version."""
    if site.source == "history":
        moment, md = _last_markdown(site)
        return page(render_markdown(md), f"{site.service} privacy policy", 0, moment)
    return sorted((RAW_HTML / site.service).glob("*.html"))[-1].read_bytes()


def with_sale_clause(md: str) -> str:
    """Markdown with the sale section added before the first heading about sharing or
    disclosure (where a reader looks for it), or at the end."""
    section = f"## {SALE_HEADING}\n\n{SALE_CLAUSE}\n\n"
    match = re.search(r"^#{1,3} .*(shar|disclos|third part).*$", md, re.IGNORECASE | re.MULTILINE)
    if match is None:
        return md.rstrip("\n") + "\n\n" + section
    return md[: match.start()] + section + md[match.start() :]


def materially_changed(site: DemoSite) -> bytes:
    """Today's page with the sale section added (for a raw-html site: before </main>)."""
    if site.source == "history":
        moment, md = _last_markdown(site)
        body = render_markdown(with_sale_clause(md))
        return page(body, f"{site.service} privacy policy", 0, moment)
    raw = current_page(site).decode("utf-8", "replace")
    block = f"<h2>{SALE_HEADING}</h2><p>{SALE_CLAUSE}</p>"
    cut = raw.rfind("</main>")
    cut = cut if cut >= 0 else raw.rfind("</body>")
    return (raw[:cut] + block + raw[cut:] if cut >= 0 else raw + block).encode()


def home_page(site: DemoSite) -> bytes:
    """A home page whose footer links the policy, as discovery expects of a real site."""
    name = site.service.capitalize()
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{name}</title></head><body>"
        f"<header><h1>{name}</h1></header>"
        "<main><p>Welcome. This is a local stand-in for the real site, "
        "served by Clausewatch's demo.</p></main>"
        f'<footer><a href="/about">About</a> · <a href="{POLICY_PATH}">Privacy Policy</a>'
        "</footer></body></html>"
    ).encode()


# Published one at a time when the person asks (the demo page's button, or Enter), so a
# browser that watches the site sees a material change arrive after "Demo ready". Each one
# is a new practice a person would want to hear about.
FURTHER_CHANGES = (
    (
        "Location sharing",
        "We share your precise location, continuously and in the background, with "
        "advertising partners, who may sell it on to data brokers.",
    ),
    (
        "Keeping your messages",
        "We keep your messages and photos indefinitely, even after you delete your account, "
        "and may disclose them to third parties for marketing.",
    ),
    (
        "Face scans",
        "We collect biometric data, including scans of your face from the photos you upload, "
        "and share it with partners to build advertising profiles.",
    ),
)


def with_further_change(page_bytes: bytes, n: int) -> tuple[bytes, str]:
    """The live page with the n-th published change (0-based) added before its end, and
    that change's heading. Past the list, the same practices come back numbered."""
    heading, clause = FURTHER_CHANGES[n % len(FURTHER_CHANGES)]
    if n >= len(FURTHER_CHANGES):
        heading = f"{heading} ({n // len(FURTHER_CHANGES) + 1})"
        clause = f"{clause} This also applies to the accounts of your contacts."
    raw = page_bytes.decode("utf-8", "replace")
    block = f"<h2>{heading}</h2><p>{clause}</p>"
    cut = raw.rfind("</main>")
    cut = cut if cut >= 0 else raw.rfind("</body>")
    return (raw[:cut] + block + raw[cut:] if cut >= 0 else raw + block).encode(), heading
