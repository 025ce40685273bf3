"""Site chrome: the parts of a page around a policy that are not the policy.

Navigation, headers, footers, menus, breadcrumbs, in-page contents lists, cookie banners,
share widgets and forms' controls are removed from the parsed tree in place.

Words in an id or class are only a hint. A policy section is often called
``id="how_we_share"`` or ``class="cookie-policy"``; trafilatura drops those whole. Here an
element named like chrome goes only when it also behaves like chrome: mostly links, or a
few words, or a consent dialog with buttons — never a block of prose with its own headings.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Never text a reader sees as policy.
_INVISIBLE = (
    "head, script, style, noscript, template, svg, math, iframe, object, embed, canvas, "
    "video, audio, map, select, input, textarea, option, datalist, dialog[aria-modal=true]"
)
# Landmarks and widgets that are chrome by definition (a tablist holds tab labels; the
# panels stay). header/footer count only outside the policy's article.
_LANDMARKS = (
    "nav, aside, [role=navigation], [role=banner], [role=contentinfo], [role=search], "
    "[role=menu], [role=menubar], [role=complementary], [role=toolbar], [role=tablist]"
)
_PAGE_FRAME = "header, footer"
# Consent managers seen in the wild and the Wayback toolbar, removed whatever their size.
_CONSENT_MANAGERS = (
    "#onetrust-consent-sdk, #onetrust-banner-sdk, #CybotCookiebotDialog, #didomi-host, "
    "#truste-consent-track, #usercentrics-root, #cookie-law-info-bar, .cc-window, "
    "#qc-cmp2-container, #iubenda-cs-banner, .osano-cm-window, #termly-code-snippet-support, "
    "#cky-consent, #BorlabsCookieBox, #cmpbox, #sp_message_container, .fc-consent-root, "
    # The Wayback Machine's toolbar, in captures replayed without the id_ flag.
    "#wm-ipp-base, #wm-ipp, #wm-ipp-print, #donato"
)
_CHROME_WORDS = (
    "nav",
    "menu",
    "breadcrumb",
    "crumb",
    "trail",
    "sidebar",
    "share",
    "sharing",
    "social",
    "cookie",
    "consent",
    "gdpr",
    "toc",
    "table-of-contents",
    "skip",
    "masthead",
    "subscribe",
    "newsletter",
    "search",
    "popup",
    "modal",
    "banner",
    "toolbar",
    "language",
    "lang-switch",
)
_CHROME_SELECTOR = ", ".join(
    f"[{attr}*={word} i]" for word in _CHROME_WORDS for attr in ("id", "class")
)
_CONSENT_WORD = re.compile(r"cookie|consent|gdpr|banner|popup|modal", re.I)
_HEADINGS = "h1, h2, h3, h4, h5, h6"
_CONTROL = "button, [role=button], input, a.btn, a.button"
# Chrome is short or made of links; prose is long and mostly not links.
_SHORT_CHROME = 80
_SHORT_BANNER = 1500
_LINK_HEAVY = 0.5
# A block of at least 3 links to the same site, and next to nothing else, is navigation.
_FARM_LINKS = 3
_FARM_LINKED = 0.9
_NEVER_FARM = frozenset({"body", "html", "main", "article", "-document"})


def _text_len(node: LexborNode) -> int:
    return len("".join(node.text(deep=True).split()))


def _link_density(node: LexborNode, total: int) -> float:
    linked = sum(_text_len(a) for a in node.css("a"))
    return linked / total if total else 1.0


def _is_chrome(node: LexborNode) -> bool:
    """Does an element whose id/class names chrome also behave like chrome?"""
    total = _text_len(node)
    density = _link_density(node, total)
    if density >= _LINK_HEAVY:
        return True
    if total < _SHORT_CHROME:
        # A few words: a label or crumb, unless they head something (a page banner's <h1>).
        return node.css_first(_HEADINGS) is None
    names = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
    if _CONSENT_WORD.search(names) and total < _SHORT_BANNER and node.css_first(_CONTROL):
        return not node.css_first(_HEADINGS) or node.css_first("button") is not None
    return False


def _is_contents_list(node: LexborNode) -> bool:
    """A list whose every item is a link to an anchor on the same page."""
    items = node.css("li")
    if len(items) < 2:
        return False
    links = node.css("a")
    if not links or any(not (a.attributes.get("href") or "").startswith("#") for a in links):
        return False
    total = _text_len(node)
    return total > 0 and _link_density(node, total) > 0.8


def _attached(node: LexborNode) -> bool:
    """Still in the document, not inside a subtree removed earlier."""
    while node.parent is not None:
        node = node.parent
    return node.is_document_node


def _inside(node: LexborNode, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _controls(tree: LexborHTMLParser) -> None:
    """Drop buttons, except accordion toggles and buttons that carry a heading."""
    for button in tree.css("button"):
        attrs = button.attributes
        if "aria-expanded" in attrs or "aria-controls" in attrs or button.css_first(_HEADINGS):
            button.unwrap()
        elif not _inside(button, ("h1", "h2", "h3", "h4", "h5", "h6", "summary")):
            button.remove()


def _site_of(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _internal(href: str, site: str | None) -> bool:
    """A link to the page itself or elsewhere on the same site: navigation material."""
    href = href.strip().lower()
    if href.startswith(("mailto:", "tel:", "sms:", "data:")):
        return False
    if not href.startswith(("http://", "https://", "//")):
        return True  # relative, in-page, or a javascript: menu toggle
    if not site:
        return False
    host = _site_of(urlsplit(href if not href.startswith("//") else "http:" + href).hostname or "")
    return bool(host) and (host == site or host.endswith("." + site) or site.endswith("." + host))


def _link_farms(tree: LexborHTMLParser, site: str | None) -> None:
    """Remove blocks made only of links within the site (menus and tab bars without names).

    Links to other sites stay: a policy lists its partners' opt-out pages that way.
    """
    judged: dict[int, tuple[bool, int]] = {}

    def all_links(node: LexborNode) -> tuple[bool, int]:
        """(only internal links and next to no other text, number of links)"""
        key = node.mem_id
        if key not in judged:
            anchors = node.css("a")
            total = _text_len(node)
            ok = all(_internal(a.attributes.get("href") or "", site) for a in anchors) and (
                not total or sum(_text_len(a) for a in anchors) >= _FARM_LINKED * total
            )
            judged[key] = (ok, len(anchors))
        return judged[key]

    farms = []
    for link in tree.css("a[href]"):
        if not _internal(link.attributes.get("href") or "", site):
            continue
        best, node = None, link.parent
        while node is not None and node.tag not in _NEVER_FARM:
            ok, count = all_links(node)
            if not ok:
                break
            if count >= _FARM_LINKS:
                best = node
            node = node.parent
        if best is not None:
            farms.append(best)
    for node in farms:
        if _attached(node):
            node.remove()


def strip_chrome(tree: LexborHTMLParser, url: str | None = None) -> None:
    """Remove site chrome from ``tree`` in place, keeping every part of the policy.

    ``url`` (where the page was captured) tells links within the site from links out.
    """
    # remove() detaches without freeing: node handles found before stay valid.
    for selector in (_INVISIBLE, _CONSENT_MANAGERS, _LANDMARKS):
        for node in tree.css(selector):
            node.remove()
    for node in tree.css(_PAGE_FRAME):
        # An article's own header holds its title; only the page's frame is chrome.
        if not _inside(node, ("article", "main")) or (node.tag == "footer" and _is_chrome(node)):
            node.remove()
    # Document order is outermost first: a removed container's descendants are skipped.
    # Judged before buttons go, since a banner's buttons are what give it away.
    for node in tree.css(_CHROME_SELECTOR):
        if _attached(node) and _is_chrome(node):
            node.remove()
    _controls(tree)
    for node in tree.css("ul, ol"):
        if _attached(node) and _is_contents_list(node):
            node.remove()
    for link in tree.css("a[href^='#']"):
        if "skip" in link.text(deep=True).lower():
            link.remove()
    host = urlsplit(url).hostname if url and "://" in url else None
    _link_farms(tree, _site_of(host) if host else None)
