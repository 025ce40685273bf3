"""Discovery: from a site's domain to the URL of its privacy policy, with the reasons.

The home page's ``<link rel="privacy-policy">`` and the links whose text or URL names the
policy (in English, German, French, Spanish, Italian, Dutch and Portuguese) become
candidates, ranked by weighted signals; common paths are tried when nothing linked holds
up. The best few are fetched and extracted, and one is chosen only if its text looks like
a policy. Finding candidates, ranking them and judging a document are pure; ``discover``
is the one function here that does I/O, through the Fetcher it is given.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode
from yarl import URL

from monitor.domains import registrable_domain, split_site
from monitor.fetch import Fetches, FetchResult
from monitor.model import ExtractionError, PolicyDocument

Extract = Callable[[bytes, str | None, str | None], PolicyDocument]

# Signal weights. A rel link is the site saying so; link text is what people click; the
# URL and the footer corroborate; a policy on someone else's site is usually a partner's.
W_REL = 10.0
W_TEXT_STRONG = 6.0
W_TEXT_PLAIN = 3.5
W_TEXT_COOKIE = 2.0
W_PATH_STRONG = 3.0
W_PATH_PLAIN = 2.0
W_PATH_COOKIE = 1.0
W_FOOTER = 1.5
W_LATE = 0.5
W_SAME_SITE = 2.0
W_SAME_HOST = 0.5
W_OTHER_SITE = -4.0
W_NOT_THE_POLICY = -8.0
W_SPECIAL = -4.0
W_COMMON_PATH = 1.0

# Link text, accents folded and casefolded (see _fold).
_TEXT_STRONG = re.compile(
    r"\b(?:privacy (?:and|&) cookies? (?:policy|notice|statement)"
    r"|(?:data )?privacy (?:policy|notice|statement|information)"
    r"|datenschutzerklarung|datenschutzhinweise?|datenschutzrichtlinie|datenschutzinformation(?:en)?"
    r"|politique de confidentialite|politique de protection des donnees(?: personnelles)?"
    r"|(?:protection des |vos )?donnees personnelles"
    r"|politica de privacidad|aviso de privacidad|politica de privacidade|aviso de privacidade"
    r"|informativa (?:sulla |alla |per la )?privacy|informativa sul trattamento dei dati"
    r"|privacybeleid|privacyverklaring|privacyreglement)\b"
)
_TEXT_PLAIN = re.compile(
    r"\b(?:privacy|datenschutz|confidentialite|privacidad|privacidade|riservatezza"
    r"|protezione dei dati|proteccion de datos|protecao de dados)\b"
)
_TEXT_COOKIE = re.compile(
    r"\b(?:cookie(?:s)? (?:policy|notice|statement)|cookie-?richtlinie|cookie-?hinweise?"
    r"|politique (?:relative aux |en matiere de |de |des )cookies"
    r"|politica de cookies|cookie ?beleid|informativa (?:sui )?cookies?)\b"
)
# Links that mention privacy but lead to a control panel or a form, not the policy.
_NOT_THE_POLICY = re.compile(
    r"\b(?:privacy (?:settings|preferences|choices|controls|center request|request|shield)"
    r"|your privacy choices|do not (?:sell|share)|opt[- ]out|cookie (?:settings|preferences)"
    r"|manage (?:cookies|consent|privacy)|cookie-?einstellungen|datenschutz-?einstellungen"
    r"|parametres (?:des )?cookies|gerer (?:les )?cookies|configuracion de cookies"
    r"|impostazioni (?:dei )?cookie|cookie-?instellingen)\b"
)
# A policy, but not the site's main one: a past version, or a notice for one audience.
_SPECIAL = re.compile(
    r"\b(?:previous|prior|archived?|older|earlier|former|past|versions?|applicants?|candidates?"
    r"|jobs?|careers?|recruit\w*|employees?|staff|california|ccpa|cpra|consumer health"
    r"|health data|children'?s?|kids|students?|suppliers?|vendors?|addendum|supplement\w*"
    r"|(?:19|20)\d\d)\b"
)
_PATH_STRONG = re.compile(
    r"privacy[-_]?(?:policy|notice|statement)|datenschutzerklaerung|datenschutzerklarung"
    r"|politique-de-confidentialite|politica-de-privacidad|politica-de-privacidade"
    r"|privacybeleid|privacyverklaring|informativa-privacy"
)
_PATH_PLAIN = re.compile(r"privacy|datenschutz|confidentialite|privacidad|privacidade")
_PATH_COOKIE = re.compile(r"cookie")

COMMON_PATHS: tuple[str, ...] = (
    "/privacy",
    "/privacy-policy",
    "/legal/privacy",
    "/policies/privacy",
    "/privacy-notice",
    "/legal/privacy-policy",
    "/about/privacy",
    "/privacy.html",
    "/datenschutz",
    "/politique-de-confidentialite",
    "/politica-de-privacidad",
)

# Policy vocabulary (folded) for the "is it a policy" judgment, in the seven languages.
_POLICY_TERMS = re.compile(
    r"\b(?:personal (?:data|information)|privacy|collect\w*|process(?:es|ed|ing)?"
    r"|third[- ]part(?:y|ies)|cookies?|consent\w*|retain\w*|retention|your rights"
    r"|opt[- ]?out|data protection|controller|gdpr|ccpa|disclos\w+|shar(?:e|es|ed|ing)"
    r"|ip address(?:es)?|e-?mail address(?:es)?|stor(?:ed|ing|age)|logs?|logg\w+"
    r"|track(?:ed|ing)|analytics|anonym\w*|pseudonym\w*|delet\w+|encrypt\w*"
    r"|personenbezogene\w*|datenschutz\w*|verarbeit\w*|einwilligung"
    r"|donnees (?:personnelles|a caractere personnel)|traitement\w*|consentement|confidentialite"
    r"|datos personales|tratamiento|consentimiento|privacidad"
    r"|dati personali|trattamento|consenso"
    r"|persoonsgegevens|verwerking\w*|toestemming"
    r"|dados pessoais|tratamento|consentimento|privacidade)\b"
)
_TITLE_TERMS = re.compile(_TEXT_STRONG.pattern + "|" + _TEXT_PLAIN.pattern)
MIN_WORDS = 150
MIN_BODY_CLAUSES = 3
MIN_DENSITY = 1.0  # policy terms per 100 words
MIN_SCORE = 0.5


def _fold(text: str) -> str:
    """Casefolded, accents stripped, whitespace collapsed: how signals are matched."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("\u00a0", " ").split())


@dataclass(frozen=True, slots=True)
class Candidate:
    """A URL that may be the policy, with its score and the signals that gave it."""

    url: str
    score: float
    signals: tuple[str, ...]
    source: str  # rel | link | common-path
    # What names it as the policy: "rel" (the site says so), "text" (what people click),
    # "path" (only its URL), "" (nothing: a common path tried blind); and where it sits.
    named: str = ""
    footer: bool = False


@dataclass(frozen=True, slots=True)
class PolicyVerdict:
    """Whether an extracted document reads like a privacy policy, and why."""

    is_policy: bool
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rejection:
    candidate: Candidate
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """What discovery found for a domain: the chosen URL and why, and what it passed over."""

    domain: str
    home_url: str | None
    url: str | None  # the chosen policy's URL after redirects; None when nothing held up
    candidate: Candidate | None
    verdict: PolicyVerdict | None
    candidates: tuple[Candidate, ...]  # ranked, best first, common paths included if tried
    rejected: tuple[Rejection, ...]
    notes: tuple[str, ...]  # how the home page went, and why nothing was chosen

    @property
    def found(self) -> bool:
        return self.url is not None

    @property
    def reasons(self) -> tuple[str, ...]:
        if self.candidate is None or self.verdict is None:
            return ()
        return self.candidate.signals + self.verdict.reasons


# --- pure: candidates and their ranking ---------------------------------------------------


def _in_footer(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag == "footer":
            return True
        attrs = parent.attributes
        if (attrs.get("role") or "").lower() == "contentinfo":
            return True
        marks = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
        if "footer" in marks or "colophon" in marks:
            return True
        parent = parent.parent
    return False


def _text_signal(text: str) -> tuple[float, str] | None:
    if _NOT_THE_POLICY.search(text):
        return W_NOT_THE_POLICY, f"link text {text[:60]!r} names a setting or form, not the policy"
    if _TEXT_STRONG.search(text):
        return W_TEXT_STRONG, f"link text {text[:60]!r} names the policy"
    if _TEXT_COOKIE.search(text):
        return W_TEXT_COOKIE, f"link text {text[:60]!r} names the cookie policy"
    if _TEXT_PLAIN.search(text):
        return W_TEXT_PLAIN, f"link text {text[:60]!r} mentions privacy"
    return None


def _path_signal(url: URL) -> tuple[float, str] | None:
    path = _fold(url.path)
    if _PATH_STRONG.search(path):
        return W_PATH_STRONG, f"path {url.path} names the policy"
    if _PATH_PLAIN.search(path):
        return W_PATH_PLAIN, f"path {url.path} mentions privacy"
    if _PATH_COOKIE.search(path):
        return W_PATH_COOKIE, f"path {url.path} mentions cookies"
    return None


def _site_signal(url: URL, home: URL, site: str | frozenset[str]) -> tuple[float, str]:
    host = url.host or ""
    if host == home.host:
        return W_SAME_SITE + W_SAME_HOST, "same host"
    sites = {site} if isinstance(site, str) else site
    if registrable_domain(host) in sites:
        return W_SAME_SITE, f"same site ({host})"
    return W_OTHER_SITE, f"on another site ({host})"


def score_link(
    *,
    url: URL,
    home: URL,
    site: str | frozenset[str],
    text: str = "",
    rel: bool = False,
    footer: bool = False,
    late: bool = False,
) -> Candidate | None:
    """A link as a candidate, or None when nothing about it names a privacy policy."""
    score = 0.0
    signals: list[str] = []
    named = rel
    # What names it (Candidate.named): only privacy words in the link text name the policy
    # to a reader (a cookie policy does not; "privacy settings" names a control panel).
    named_by = "rel" if rel else ""
    if rel:
        score += W_REL
        signals.append('<link rel="privacy-policy">')
    text_signal = _text_signal(_fold(text)) if text else None
    for signal, by in ((text_signal, "text"), (_path_signal(url), "path")):
        if signal is not None:
            score += signal[0]
            signals.append(signal[1])
            named = named or signal[0] > 0
            if not named_by and signal[0] > 0 and (by == "path" or signal[0] >= W_TEXT_PLAIN):
                named_by = by
    if not named:
        return None
    if text_signal is not None and text_signal[0] < 0 and named_by == "path":
        named_by = ""
    special = _SPECIAL.search(_fold(text)) or _SPECIAL.search(_fold(url.path).replace("-", " "))
    if special:
        score += W_SPECIAL
        signals.append(f"a special or past notice ({special.group(0)!r})")
    if footer:
        score += W_FOOTER
        signals.append("in the footer")
    elif late:
        score += W_LATE
        signals.append("near the end of the page")
    weight, why = _site_signal(url, home, site)
    score += weight
    signals.append(why)
    return Candidate(
        str(url),
        round(score, 2),
        tuple(signals),
        "rel" if rel else "link",
        named=named_by,
        footer=footer,
    )


def _link_url(href: str | None, base: URL) -> URL | None:
    if not href or href.strip().startswith("#"):
        return None
    try:
        url = base.join(URL(href.strip())).with_fragment(None)
    except (ValueError, TypeError):
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    return url


def find_candidates(
    html: str, page_url: str, site: str | frozenset[str] | None = None
) -> list[Candidate]:
    """Every link on a page that may lead to the privacy policy, best first.

    ``site`` is the registrable domain (or domains) that count as the site's own; by
    default the page's.
    """
    home = URL(page_url)
    site = site or registrable_domain(home.host or "")
    tree = LexborHTMLParser(html)
    base = home
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = _link_url(base_node.attributes.get("href"), home) or home

    best: dict[str, Candidate] = {}

    def keep(candidate: Candidate | None) -> None:
        if candidate is None or URL(candidate.url) == home.with_fragment(None):
            return
        known = best.get(candidate.url)
        if known is None or candidate.score > known.score:
            best[candidate.url] = candidate

    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        url = _link_url(node.attributes.get("href"), base)
        if "privacy-policy" in rels and url is not None:
            keep(score_link(url=url, home=home, site=site, rel=True))

    anchors = tree.css("a[href]")
    for index, node in enumerate(anchors):
        url = _link_url(node.attributes.get("href"), base)
        if url is None:
            continue
        attrs = node.attributes
        text = " ".join(
            t for t in (node.text(deep=True, separator=" ", strip=True), attrs.get("title")) if t
        ) or (attrs.get("aria-label") or "")
        rels = (attrs.get("rel") or "").lower().split()
        keep(
            score_link(
                url=url,
                home=home,
                site=site,
                text=text,
                rel="privacy-policy" in rels,
                footer=_in_footer(node),
                late=index >= 0.7 * len(anchors),
            )
        )
    return rank(best.values())


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Best first; ties go to the shorter URL (the policy, not one of its sub-pages)."""
    return sorted(candidates, key=lambda c: (-c.score, len(c.url), c.url))


def common_path_candidates(base_url: str, paths: Sequence[str] = COMMON_PATHS) -> list[Candidate]:
    """Where policies usually live, for sites whose pages link to nothing we recognise."""
    base = URL(base_url)
    out = []
    for path in paths:
        url = base.with_path(path).with_query(None).with_fragment(None)
        signal = _path_signal(url)
        score = W_COMMON_PATH + (signal[0] if signal else 0.0)
        out.append(Candidate(str(url), score, (f"common path {path}",), "common-path"))
    return out


# --- pure: does a document read like a policy -----------------------------------------


def looks_like_policy(doc: PolicyDocument) -> PolicyVerdict:
    """Enough text, in enough clauses, with enough privacy vocabulary: a policy."""
    body = doc.body
    text = _fold(" ".join(c.text for c in body))
    words = len(text.split())
    hits = len(_POLICY_TERMS.findall(text))
    density = 100.0 * hits / words if words else 0.0
    headings = len(doc.headings)
    titled = bool(doc.title and _TITLE_TERMS.search(_fold(doc.title)))
    if not titled and doc.headings:
        titled = bool(_TITLE_TERMS.search(_fold(doc.headings[0].text)))

    score = (
        0.3 * min(words / 600, 1.0)
        + 0.4 * min(density / 3.0, 1.0)
        + 0.15 * min(headings / 4, 1.0)
        + 0.15 * titled
    )
    reasons = [
        f"{words} words in {len(body)} clauses",
        f"{density:.1f} privacy terms per 100 words",
        f"{headings} headings",
    ]
    if titled:
        reasons.append("its title names the policy")
    failures = []
    if words < MIN_WORDS:
        failures.append(f"too short ({words} words, want {MIN_WORDS})")
    # Old captures sometimes come as one block of text; only a short page needs clauses.
    if len(body) < MIN_BODY_CLAUSES and words < 2 * MIN_WORDS:
        failures.append(f"too few clauses ({len(body)}, want {MIN_BODY_CLAUSES})")
    if density < MIN_DENSITY:
        failures.append(f"too little privacy vocabulary ({density:.1f} per 100 words)")
    if not failures and score < MIN_SCORE:
        failures.append(f"weak overall ({score:.2f}, want {MIN_SCORE})")
    if failures:
        return PolicyVerdict(False, round(score, 3), tuple(failures + reasons))
    return PolicyVerdict(True, round(score, 3), tuple(reasons))


# --- I/O at the edge ------------------------------------------------------------------


def _default_extract(raw: bytes, content_type: str | None, url: str | None) -> PolicyDocument:
    from monitor.extract import extract  # the extractor lands in stages; bind at call time

    return extract(raw, content_type, url)


async def _home_page(
    fetcher: Fetches, host: str, port: int | None, notes: list[str]
) -> tuple[FetchResult | None, str | None]:
    """The home page, and the first origin that answered at all.

    https before http; the bare domain before ``www.``, which many sites need because
    their apex has no web server.
    """
    no_www = host.startswith("www.") or "." not in host or host.replace(".", "").isdigit()
    hosts = [host] if no_www or ":" in host else [host, f"www.{host}"]
    answered: str | None = None
    for name in hosts:
        authority = f"{name}:{port}" if port else name
        for url in (f"https://{authority}/", f"http://{authority}/"):
            result = await fetcher.fetch(url)
            if result.status is not None and answered is None:
                answered = str(URL(result.final_url).with_path("/"))
            if result.has_body and result.kind == "html" and result.text is not None:
                notes.append(f"home page {result.final_url}")
                return result, answered
            why = result.error or result.outcome
            if result.has_body:
                why = f"not an HTML page ({result.content_type})"
            notes.append(f"{url}: {result.outcome} ({why})")
        if answered is not None:
            break  # the site is there, only its home page is not a page we can use
    return None, answered


async def _verify(
    fetcher: Fetches, candidate: Candidate, extract: Extract
) -> tuple[str, PolicyVerdict] | str:
    """(final URL, verdict) when the candidate is a policy; otherwise why not."""
    result = await fetcher.fetch(candidate.url)
    if not result.has_body:
        return f"{result.outcome} ({result.error or result.status})"
    try:
        doc = extract(result.body, result.content_type, result.final_url)
    except ExtractionError as exc:
        doc = None
        failed = f"extraction failed ({exc})"
    if doc is None or not looks_like_policy(doc).is_policy:
        # A policy only a browser can read is still the policy (monitor/renderchoice.py
        # then renders it at every check).
        rendered = await _render_instead(fetcher, result)
        if rendered is not None:
            with contextlib.suppress(ExtractionError):
                doc = extract(rendered.body, rendered.content_type, rendered.final_url)
    if doc is None:
        return failed
    verdict = looks_like_policy(doc)
    if not verdict.is_policy:
        return "not a policy: " + "; ".join(verdict.reasons)
    return result.final_url, verdict


async def _render_instead(fetcher: Fetches, plain: FetchResult) -> FetchResult | None:
    """The page rendered, when it says it needs scripts and the fetcher can render."""
    render = getattr(fetcher, "render_page", None)
    if render is None or plain.kind != "html":
        return None
    from monitor.renderchoice import script_signals  # it imports this module

    if not script_signals(plain.body):
        return None
    rendered = await render(plain.final_url)
    return rendered if rendered is not None and rendered.has_body else None


async def _render_as_checks_would(
    fetcher: Fetches, plain: FetchResult, doc: PolicyDocument | None
) -> FetchResult | None:
    """The page rendered, when the fetcher can render and ``auto`` would render this plain
    page (no policy text, or it says it needs scripts and does not read as a policy)."""
    render = getattr(fetcher, "render_page", None)
    if render is None or plain.kind != "html":
        return None
    from monitor.renderchoice import judge  # it imports this module

    if not judge(doc, plain.body).render:
        return None
    rendered = await render(plain.final_url)
    return rendered if rendered is not None and rendered.has_body else None


async def discover(
    domain: str,
    fetcher: Fetches,
    *,
    extract: Extract | None = None,
    verify_top: int = 3,
    paths: Sequence[str] = COMMON_PATHS,
) -> Discovery:
    """Find ``domain``'s privacy policy; DomainError if ``domain`` names no domain.

    ``domain`` may carry a port (``localhost:8080``); links may lead to other hosts.
    """
    host, port = split_site(domain)
    site = registrable_domain(host)
    extract = extract or _default_extract
    notes: list[str] = []
    home, answered = await _home_page(fetcher, host, port, notes)
    ranked = []
    if home:
        # A home page that redirects to another domain (example.com -> example.co.uk)
        # makes that domain the site's own too.
        own = frozenset({site, registrable_domain(URL(home.final_url).host or "")})
        ranked = find_candidates(home.text or "", home.final_url, own)
        if not ranked:
            # A client-rendered home page has its links only after its scripts ran.
            rendered = await _render_instead(fetcher, home)
            if rendered is not None:
                notes.append(f"home page rendered ({len(rendered.body)} bytes of DOM)")
                ranked = find_candidates(rendered.text or "", rendered.final_url, own)
    if home and not ranked:
        notes.append("no link on the home page names a privacy policy")

    rejected: list[Rejection] = []
    tried: set[str] = set()

    async def first_policy(candidates: Sequence[Candidate], limit: int) -> Discovery | None:
        for candidate in [c for c in candidates if c.url not in tried][:limit]:
            tried.add(candidate.url)
            outcome = await _verify(fetcher, candidate, extract)
            if isinstance(outcome, str):
                rejected.append(Rejection(candidate, outcome))
                if candidate.source == "common-path" and outcome.startswith("blocked"):
                    # Guessing on at a site that turns us away is not polite.
                    notes.append("the site blocks us; no more common paths tried")
                    return None
                continue
            url, verdict = outcome
            return Discovery(
                domain=host,
                home_url=home.final_url if home else None,
                url=url,
                candidate=candidate,
                verdict=verdict,
                candidates=tuple(all_candidates),
                rejected=tuple(rejected),
                notes=tuple(notes),
            )
        return None

    all_candidates = list(ranked)
    chosen = await first_policy(ranked, verify_top)
    if chosen:
        return chosen
    if answered is None:
        notes.append("the site did not answer; common paths not tried")
        common: list[Candidate] = []
    else:
        common = common_path_candidates(answered, paths)
    all_candidates.extend(c for c in common if c.url not in {a.url for a in ranked})
    chosen = await first_policy(common, len(common))
    if chosen:
        return chosen
    notes.append("no candidate reads like a privacy policy")
    return Discovery(
        domain=host,
        home_url=home.final_url if home else None,
        url=None,
        candidate=None,
        verdict=None,
        candidates=tuple(all_candidates),
        rejected=tuple(rejected),
        notes=tuple(notes),
    )


# --- verifying a policy URL someone asked for ------------------------------------------

# Pages fetched to look for links to a requested URL, besides the home page.
MAX_LINKING_PAGES = 3
# Linked candidates whose redirects are followed to see whether they land on the URL.
MAX_REDIRECT_CHECKS = 3


@dataclass(frozen=True, slots=True)
class Verification:
    """Whether a requested URL is the site's privacy policy (or one of them), and why."""

    url: str  # as requested
    admitted: bool
    final_url: str | None  # after redirects, when the page answered
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def linked_as_policy(candidate: Candidate, best: Candidate | None) -> bool:
    """Whether a link names the policy the way a site names its own (pure).

    The site's ``rel=privacy-policy``; or link text naming the policy, in the footer or as
    the page's best candidate. Link text alone is not enough: on a site with user content,
    anyone can post a link titled "Privacy Policy" that the home page then lists.
    """
    if candidate.named == "rel":
        return True
    return candidate.named == "text" and (candidate.footer or candidate == best)


def _same_page(a: str, b: str) -> bool:
    try:
        return URL(a).with_fragment(None) == URL(b).with_fragment(None)
    except ValueError:
        return False


async def verify_policy_url(
    url: str,
    fetcher: Fetches,
    *,
    extract: Extract | None = None,
    linking_pages: Sequence[str] = (),
) -> Verification:
    """Is ``url`` its site's privacy policy? Read as one by extraction, and linked as one
    from the site's own pages (its home page, and ``linking_pages`` such as the site's
    already admitted policies) by ``rel=privacy-policy`` or by link text (see
    `linked_as_policy`). Never raises for what the site serves."""
    extract = extract or _default_extract

    def refused(*why: str, final: str | None = None) -> Verification:
        return Verification(url, False, final, why)

    try:
        asked = URL(url)
        site = registrable_domain(asked.host or "")
    except ValueError as exc:
        return refused(f"not a URL ({exc})")
    result = await fetcher.fetch(url)
    if not result.has_body:
        return refused(
            f"the page did not answer ({result.outcome}: {result.error or result.status})"
        )
    final = result.final_url
    if registrable_domain(URL(final).host or "") != site:
        return refused(f"it redirects to another site ({URL(final).host})", final=final)
    doc: PolicyDocument | None
    failed = "nothing could be extracted"
    try:
        doc = extract(result.body, result.content_type, final)
    except ExtractionError as exc:
        doc, failed = None, f"nothing could be extracted ({exc})"
    if doc is None or not looks_like_policy(doc).is_policy:
        # A policy only a browser can read is still the policy: rendered when the checks'
        # own choice (monitor/renderchoice.py `judge`) would render this page.
        rendered = await _render_as_checks_would(fetcher, result, doc)
        if rendered is not None and registrable_domain(URL(rendered.final_url).host or "") == site:
            with contextlib.suppress(ExtractionError):
                doc = extract(rendered.body, rendered.content_type, rendered.final_url)
    if doc is None:
        return refused(failed, final=final)
    verdict = looks_like_policy(doc)
    if not verdict.is_policy:
        return refused(
            "it does not read as a privacy policy: " + "; ".join(verdict.reasons), final=final
        )

    notes: list[str] = []
    pages: list[tuple[str, str]] = []  # (url, html)
    home, _ = await _home_page(fetcher, site, asked.port if asked.explicit_port else None, notes)
    if home is not None:
        pages.append((home.final_url, home.text or ""))
    extra = [u for u in linking_pages if not _same_page(u, url)]
    if asked.host != site:  # legal.example.com: that host's own home page too
        extra.insert(0, str(asked.with_path("/").with_query(None).with_fragment(None)))
    for page_url in extra[:MAX_LINKING_PAGES]:
        answer = await fetcher.fetch(page_url)
        if answer.has_body and answer.kind == "html" and answer.text is not None:
            pages.append((answer.final_url, answer.text))
    if not pages:
        return refused(
            "none of the site's pages answered to show where it links its policy", final=final
        )

    own = frozenset({site})
    linked: list[tuple[str, Candidate]] = []
    for page_url, html in pages:
        ranked = find_candidates(html, page_url, own)
        best = ranked[0] if ranked else None
        linked += [(page_url, c) for c in ranked if linked_as_policy(c, best)]
    for page_url, c in linked:
        if _same_page(c.url, url) or _same_page(c.url, final):
            return Verification(
                url, True, final, (f"linked from {page_url}", *c.signals, *verdict.reasons)
            )
    # A link may lead to the page through a redirect (/privacy -> /legal/privacy-policy).
    for page_url, c in linked[:MAX_REDIRECT_CHECKS]:
        hop = await fetcher.fetch(c.url)
        if hop.has_body and _same_page(hop.final_url, final):
            why = (f"linked from {page_url} as {c.url}", *c.signals, *verdict.reasons)
            return Verification(url, True, final, why)
    where = ", ".join(p for p, _ in pages)
    return refused(
        f"it reads as a policy, but no page of the site ({where}) links it as its privacy policy",
        final=final,
    )
