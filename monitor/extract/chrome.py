"""Site chrome: the parts of a page around a policy that are not the policy.

What no reader sees goes first: elements hidden by the ``hidden`` attribute, by
``aria-hidden="true"`` or by an inline ``display:none`` / ``visibility:hidden``, and text
meant for screen readers only. Then what is not the policy: consent dialogs and consent
managers, navigation, headers, footers, menus, language lists, breadcrumbs, in-page contents
lists, share widgets and forms' controls. All of it is removed from the parsed tree in place.

Strong signals (the HTML says it: an attribute, a role, a landmark element, a consent
manager's own id) drop an element alone, unless it holds most of the page's text: a page
made inert behind an open modal, or hidden until its scripts run, is still the page. A
panel that a control on the page opens (``aria-controls``) is policy a reader unfolds.

Words in an id or class are only weak signals. A policy section is often called
``id="how_we_share"`` or ``class="cookie-policy"``, and layout classes such as
``toc-visible:@md:col-start-2`` sit on every block of some pages; trafilatura drops those
whole. Here an element named like chrome goes only when it also behaves like chrome: mostly
links, or a bare label of a few words that is neither a heading nor a sentence, or a consent
prompt with buttons. A heading, a sentence of prose, a list or a table is never dropped on a
name alone.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Never text a reader sees as policy. A <title> in the body is the page's metadata misplaced.
_INVISIBLE = (
    "head, title, script, style, noscript, template, svg, math, iframe, object, embed, canvas, "
    "video, audio, map, select, input, textarea, option, datalist"
)
# Landmarks and widgets that are chrome by definition (a tablist holds tab labels; the
# panels stay). header/footer count only outside the policy's article.
_LANDMARKS = (
    "nav, aside, [role=navigation], [role=banner], [role=contentinfo], [role=search], "
    "[role=menu], [role=menubar], [role=complementary], [role=toolbar], [role=tablist]"
)
_PAGE_FRAME = "header, footer"
# Modal UI over the page: consent prompts, sign-up and "report a problem" boxes.
_DIALOGS = "dialog, [role=dialog], [role=alertdialog], [aria-modal=true]"
# Consent managers by their own ids and classes, and the Wayback toolbar, removed whatever
# their size: these names belong to the vendors' scripts, never to a policy's markup.
_CONSENT_MANAGERS = (
    # OneTrust
    "[id^=onetrust-], [id^=ot-sdk-], .optanon-alert-box-wrapper, #optanon, "
    # Cookiebot
    "[id^=CybotCookiebot], "
    # Didomi
    "#didomi-host, [class^=didomi-], [id^=didomi-], "
    # Usercentrics
    "#usercentrics-root, #usercentrics-cmp-ui, [id^=uc-banner], "
    # TrustArc / TRUSTe
    "[id^=truste-], #consent_blackbar, #teconsent, .truste_overlay, .truste_box_overlay, "
    # Quantcast Choice
    "[id^=qc-cmp2], [class^=qc-cmp2], "
    # CookieYes, Cookie Law Info, Moove GDPR, Complianz, tarteaucitron, Axeptio, Klaro
    "#cky-consent, [class^=cky-consent], .cky-modal, .cky-preference-center, "
    "#cookie-law-info-bar, #cliSettingsPopup, [id^=moove_gdpr_cookie], "
    ".moove-gdpr-info-bar-container, #cmplz-cookiebanner-container, #tarteaucitronRoot, "
    "#axeptio_overlay, .klaro, "
    # Osano, iubenda, Termly, Borlabs, consentmanager, Sourcepoint, Funding Choices, CC
    ".osano-cm-window, #iubenda-cs-banner, #termly-code-snippet-support, #BorlabsCookieBox, "
    "#cmpbox, #cmpbox2, [id^=sp_message_container], .fc-consent-root, .cc-window, "
    # The Wayback Machine's toolbar, in captures replayed without the id_ flag.
    "#wm-ipp-base, #wm-ipp, #wm-ipp-print, #donato"
)
# Text for screen readers only: a class token that is, or ends with, one of these.
_ASSISTIVE = (
    "sr-only",
    "sr-only-focusable",
    "visually-hidden",
    "visuallyhidden",
    "screen-reader-text",
    "screen-reader-only",
    "screenreader-only",
    "screenreader",
    "a11y-hidden",
    "assistive-text",
    "show-for-sr",
    "element-invisible",
    "hidden-visually",
    "offscreen",
)
_ASSISTIVE_SELECTOR = ", ".join(f"[class*={word}]" for word in _ASSISTIVE)
_ASSISTIVE_TOKEN = re.compile(
    r"(?:^|[-_:])(?:" + "|".join(re.escape(w) for w in _ASSISTIVE) + r")$", re.I
)
_MAX_ASSISTIVE = 150
_CHROME_WORDS = (
    "nav",
    "menu",
    "breadcrumb",
    "crumb",
    "trail",
    "sidebar",
    "footer",
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
# One :is() rather than a list: a list yields an element once for each of its 52 selectors
# it matches (in document order, one after another), and each repeat was judged again by
# _is_chrome to the same answer; :is() yields it once, and matches faster.
_CHROME_SELECTOR = (
    ":is("
    + ", ".join(f"[{attr}*={word} i]" for word in _CHROME_WORDS for attr in ("id", "class"))
    + ")"
)
# The word must start a word of the name: "nav" in "main-nav", "navbar" or "mainNav", not
# in "unavailable"; "toc" in "toc-visible" (still a weak signal), not in "protocol".
_CHROME_NAME = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in _CHROME_WORDS) + ")")
_SPACES = re.compile(r"\s+")
_SPLIT_MAX = 100_000
_NOT_LETTERS = re.compile(r"[\W_]+")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_CONSENT_WORD = re.compile(r"cookie|consent|gdpr|rgpd|dsgvo", re.I)
# Names of what floats over the page until answered.
_PROMPT_WORD = re.compile(r"banner|popup|pop-up|modal|dialog|overlay|lightbox|interstitial", re.I)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HEADINGS = "h1, h2, h3, h4, h5, h6"
_STRUCTURE = "h1, h2, h3, h4, h5, h6, p, ul, ol, li, table, dl, blockquote"
# What a prompt is answered with (inputs are gone by then; their labels stay).
_CONTROL = (
    "button, [role=button], [role=switch], [role=checkbox], [onclick], a[href^='javascript'], "
    "[class*=button], [class*=btn], label"
)
_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)
# A sentence: a few words closed by a full stop, question or exclamation mark.
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"'”»)]|$)")
_SENTENCE_WORDS = 3
# Chrome is short or made of links; prose is long and mostly not links.
_SHORT_CHROME = 80
_LABEL_WORDS = 4
_SHORT_BANNER = 1500
_MAX_PROMPT = 6000
_LINK_HEAVY = 0.5
_LINKS_IN_PROSE = 0.8
_MENU_LINKS = 3
# An element holding at least this share of the page's text is the page, whatever hides it.
_MOST_OF_PAGE = 0.5
# A block of at least 3 links to the same site, and next to nothing else, is navigation.
_FARM_LINKS = 3
_FARM_LINKED = 0.9
_NEVER_FARM = frozenset({"body", "html", "main", "article", "-document"})
# A list of the page in other languages: at least 3 languages, next to nothing else.
_LANGUAGE_LIST = 3
_LANGUAGE_SHARE = 0.8


def _text_len(node: LexborNode) -> int:
    """Characters of text, whitespace aside.

    split() is the fast way on an element's text, but on a page-wide wrapper of a 10 MiB
    page it would build a list of a million words just to count them (50 MB at the peak);
    there one substitution does it.
    """
    text = node.text(deep=True)
    if len(text) < _SPLIT_MAX:
        return len("".join(text.split()))
    return len(_SPACES.sub("", text))


def _letters(node: LexborNode) -> int:
    return len(_NOT_LETTERS.sub("", node.text(deep=True)))


def _link_density(node: LexborNode, total: int) -> float:
    linked = sum(_text_len(a) for a in node.css("a"))
    return linked / total if total else 1.0


def _has_sentence(text: str) -> bool:
    """Does ``text`` hold a sentence: a few words closed by a full stop, ? or !?"""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if len(text[start : m.start()].split(maxsplit=_SENTENCE_WORDS)) >= _SENTENCE_WORDS:
            return True
        start = m.end()
    return False


def _all_bold(node: LexborNode) -> bool:
    """Is the element's text all bold: a sub-heading by its look?"""
    bold = sum(_text_len(b) for b in node.css("strong, b"))
    return bold > 0 and bold >= _text_len(node)


def _is_chrome(node: LexborNode) -> bool:
    """Does an element whose id/class names chrome also behave like chrome?

    The name is a weak signal; it needs one of these beside it: mostly links (all the more
    when the text is prose), a bare label (a few words, no sentence, no structure, not a
    bold sub-heading), or a consent prompt with its buttons.
    """
    if node.tag in _HEADING_TAGS:
        return False  # a heading is the policy's own structure, whatever its id says
    text = node.text(deep=True)  # once: on a page-wide wrapper it is megabytes
    total = len("".join(text.split())) if len(text) < _SPLIT_MAX else len(_SPACES.sub("", text))
    if not total:
        return True  # an empty widget (icons, a placeholder)
    anchors = node.css("a")
    density = sum(_text_len(a) for a in anchors) / total
    # Prose needs more links than a bare list of names to read as a menu.
    if density >= _LINK_HEAVY and (
        not _has_sentence(text) or (density >= _LINKS_IN_PROSE and len(anchors) >= _MENU_LINKS)
    ):
        return True
    if (
        total < _SHORT_CHROME
        and len(text.split(maxsplit=_LABEL_WORDS)) <= _LABEL_WORDS
        and not _has_sentence(text)
        and node.css_first(_STRUCTURE) is None
        and not _all_bold(node)
    ):
        return True  # a label: "Share", "Menu", "Cookie settings"
    names = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
    if node.css_first(_CONTROL) is None:
        return False
    # A prompt floating over the page, with the controls that answer it ("Accept all").
    if _PROMPT_WORD.search(names) and total < _MAX_PROMPT:
        return True
    # Named for consent only ("cookie-notice", or a policy's "cookie-policy" section): a
    # short text with controls and no heading of its own is the banner.
    return (
        bool(_CONSENT_WORD.search(names))
        and total < _SHORT_BANNER
        and not node.css_first(_HEADINGS)
    )


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
    # A page links to the same few hrefs many times over (each link is judged again from
    # every ancestor): parse each href once.
    hrefs: dict[str, bool] = {}

    def internal(node: LexborNode) -> bool:
        href = node.attributes.get("href") or ""
        found = hrefs.get(href)
        if found is None:
            found = hrefs[href] = _internal(href, site)
        return found

    def all_links(node: LexborNode) -> tuple[bool, int]:
        """(only internal links and next to no other text, number of links)"""
        key = node.mem_id
        if key not in judged:
            anchors = node.css("a")
            total = _text_len(node)
            ok = all(internal(a) for a in anchors) and (
                not total or sum(_text_len(a) for a in anchors) >= _FARM_LINKED * total
            )
            judged[key] = (ok, len(anchors))
        return judged[key]

    farms = []
    for link in tree.css("a[href]"):
        if not internal(link):
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


class _Page:
    """What the strong signals ask of the whole page: its text size and its toggles."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.tree = tree
        self._total: int | None = None
        self._controlled: set[str] | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            root = self.tree.body or self.tree.root
            self._total = _text_len(root) if root is not None else 0
        return self._total

    def is_the_page(self, node: LexborNode) -> bool:
        """Does ``node`` hold the page's document: a heading and most of the text?"""
        if node.css_first(_HEADINGS) is None:
            return False
        return _text_len(node) >= _MOST_OF_PAGE * self.total

    def controlled(self, node: LexborNode) -> bool:
        """Is ``node`` a panel that a control on the page opens (accordion, tab)?"""
        if self._controlled is None:
            self._controlled = {
                name
                for control in self.tree.css("[aria-controls]")
                for name in (control.attributes.get("aria-controls") or "").split()
            }
        ident = node.attributes.get("id")
        return bool(ident) and ident in self._controlled


def _hides(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs and (attrs.get("hidden") or "").lower() != "until-found":
        return True
    if (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    return _HIDING_STYLE.search(attrs.get("style") or "") is not None


def _hidden(tree: LexborHTMLParser, page: _Page) -> None:
    """Remove what the page's markup hides from every reader.

    Kept: a panel a control on the page opens (a reader unfolds it), and an element that
    holds the page itself (made inert behind a modal, or hidden until scripts run).
    """
    for node in tree.css("[hidden], [aria-hidden], [style]"):
        if not _hides(node) or not _attached(node):
            continue
        aria_only = "hidden" not in node.attributes and not _HIDING_STYLE.search(
            node.attributes.get("style") or ""
        )
        if not aria_only and page.controlled(node):
            continue
        if page.is_the_page(node):
            continue
        node.remove()


def _assistive(tree: LexborHTMLParser) -> None:
    """Remove screen-reader-only text: "(opens in a new window)" is not policy.

    The class token is a weak signal; the text must also be a short hint. A block of prose
    under such a class (``visually-hidden-xs`` hides it on small screens only) stays.
    """
    for node in tree.css(_ASSISTIVE_SELECTOR):
        tokens = (node.attributes.get("class") or "").split()
        if (
            any(_ASSISTIVE_TOKEN.search(t) for t in tokens)
            and _attached(node)
            and _text_len(node) < _MAX_ASSISTIVE
        ):
            node.remove()


def _dialogs(tree: LexborHTMLParser, page: _Page) -> None:
    """Remove modal dialogs (consent prompts above all), unless one holds the page itself."""
    for node in tree.css(_DIALOGS):
        if _attached(node) and not page.is_the_page(node):
            node.remove()


def _language_lists(tree: LexborHTMLParser) -> None:
    """Remove lists of the page in other languages (hreflang or lang on their entries).

    A container up to three levels above such entries (a > li > ul) goes when it holds at
    least three languages and next to nothing else: a quotation in another language inside
    a paragraph of prose stays.
    """
    groups: dict[int, tuple[LexborNode, set[str], list[LexborNode]]] = {}
    for node in tree.css("[hreflang], [lang]"):
        if node.tag in ("html", "body"):
            continue
        lang = (node.attributes.get("hreflang") or node.attributes.get("lang") or "").lower()
        parent = node.parent
        for _ in range(3):
            if parent is None or parent.tag in _NEVER_FARM:
                break
            if "hreflang" in parent.attributes or "lang" in parent.attributes:
                break  # the entry is part of another entry
            group = groups.setdefault(parent.mem_id, (parent, set(), []))
            group[1].add(lang)
            group[2].append(node)
            parent = parent.parent
    for container, langs, entries in groups.values():
        if len(langs) < _LANGUAGE_LIST or not _attached(container):
            continue
        # Letters only: "EN | FR | DE" is all language names.
        total = _letters(container)
        if total and sum(_letters(e) for e in entries) >= _LANGUAGE_SHARE * total:
            container.remove()


def strip_chrome(tree: LexborHTMLParser, url: str | None = None) -> None:
    """Remove site chrome from ``tree`` in place, keeping every part of the policy.

    ``url`` (where the page was captured) tells links within the site from links out.
    """
    # remove() detaches without freeing: node handles found before stay valid.
    for node in tree.css(_INVISIBLE):
        node.remove()
    page = _Page(tree)
    _hidden(tree, page)
    _assistive(tree)
    for node in tree.css(_CONSENT_MANAGERS):
        node.remove()
    _dialogs(tree, page)
    for node in tree.css(_LANDMARKS):
        node.remove()
    for node in tree.css(_PAGE_FRAME):
        # An article's own header holds its title; only the page's frame is chrome.
        if not _inside(node, ("article", "main")) or (node.tag == "footer" and _is_chrome(node)):
            node.remove()
    # Document order is outermost first: a removed container's descendants are skipped.
    # Judged before buttons go, since a banner's buttons are what give it away.
    for node in tree.css(_CHROME_SELECTOR):
        if node.tag in ("html", "body") or not _attached(node):
            continue  # a page's state ("menu-open", "cookies-set"), not a part of it
        names = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if _CHROME_NAME.search(_CAMEL.sub(r"\1-\2", names).lower()) and _is_chrome(node):
            node.remove()
    _language_lists(tree)
    _controls(tree)
    for node in tree.css("ul, ol"):
        if _attached(node) and _is_contents_list(node):
            node.remove()
    for link in tree.css("a[href^='#']"):
        if "skip" in link.text(deep=True).lower():
            link.remove()
    host = urlsplit(url).hostname if url and "://" in url else None
    _link_farms(tree, _site_of(host) if host else None)
