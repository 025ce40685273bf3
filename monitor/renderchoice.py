"""When to render: a document's ``render`` setting, and what ``auto`` decides and remembers.

``never`` fetches plainly, ``always`` renders (monitor/render.py). ``auto`` - the default -
fetches plainly and renders only when that plain page holds no policy text, or when it
says it needs scripts (a ``<noscript>`` asking for JavaScript, an empty app root such as
``<div id="root"></div>``) and what it holds does not read like a policy. The decision
(``plain`` or ``rendered``) and its reason are stored on the document, so the next checks
go straight to the right fetcher; a check that ends ``empty`` makes the next one decide
again (a site may have turned into a client-rendered app, or back).

A short plain page that says it is an error page ("page not found", "Cette page n'existe
pas") is not rendered and decides nothing: a browser would show the same error.

Rendering costs a browser page (about a second and tens of MB): the plain fetch stays the
common case, and deciding costs one extraction, once per document. A document fetched
rendered is not rendered again while every response its last render loaded comes back
byte-identical (its render fingerprint, monitor/renderprint.py), at most
``rerender_after`` (7 days by default) after that render.

Pure: ``script_signals`` and ``judge``. At the edge: ``ChoosingFetcher``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from monitor.discover import looks_like_policy
from monitor.fetch import FetchResult
from monitor.model import ExtractionError, PolicyDocument
from monitor.renderprint import MAX_AGE, Fingerprint, stale

log = logging.getLogger(__name__)

MODES = ("auto", "always", "never")
PLAIN, RENDERED = "plain", "rendered"
# Fewer words than this in the plain page's extraction is no policy text at all: a shell's
# title and a line or two. Anything longer is judged with the page's own script signals
# (a menu and footer of an app shell come with its empty root), so a short policy served
# plainly stays plain.
MIN_WORDS = 30

_NOSCRIPT = re.compile(rb"<noscript\b[^>]*>(.{0,600}?)</noscript", re.I | re.S)
_NEEDS_JS = re.compile(
    rb"javascript|\bjs\b", re.I
)  # "enable JavaScript", "activez JavaScript", "JavaScript aktivieren", "requires JS"
_ENABLE = re.compile(
    rb"enabl|activ|turn on|switch on|requir|need|aktivier|einschalt|habilit|attiv|ativ", re.I
)
# The mount points of the common client-side frameworks, empty in the served HTML.
_APP_ROOT = re.compile(
    rb"<(?:div|main|section|app-root)\b[^>]*\bid=[\"']?(root|app|__next|__nuxt|___gatsby|"
    rb"svelte|react-root|app-root|application)[\"']?[^>]*>\s*</(?:div|main|section|app-root)>",
    re.I,
)
_TAG_APP_ROOT = re.compile(rb"<app-root\b[^>]*>\s*</app-root>", re.I)
# What an error page says of itself, in the languages of policyness.py. Matched on the
# plain page's *extracted* text (a <noscript> is not in it): a page that already shows
# "this page does not exist" was answered and built; a browser would show the same error.
_ERROR_PAGE = re.compile(
    r"\b(?:page|site|seite|página|pagina)?\s*(?:not found|n'existe pas|n’existe pas|introuvable"
    r"|non trouvée|does ?n[o']?t exist|does not exist|no longer exists|nicht gefunden"
    r"|existiert nicht|no encontrada|no existe|non trovata|non esiste|niet gevonden"
    r"|bestaat niet|não encontrada|não existe)\b|\b(?:error|erreur|fehler)\s*404\b"
    r"|\b404\b",
    re.I,
)


def script_signals(body: bytes) -> tuple[str, ...]:
    """What in a served HTML page says it needs its scripts to show its text."""
    signals = []
    for inner in _NOSCRIPT.findall(body):
        if _NEEDS_JS.search(inner) and _ENABLE.search(inner):
            signals.append("a <noscript> asks for JavaScript")
            break
    root = _APP_ROOT.search(body)
    if root:
        signals.append(f"an empty app root (#{root.group(1).decode('ascii', 'replace')})")
    elif _TAG_APP_ROOT.search(body):
        signals.append("an empty app root (<app-root>)")
    return tuple(signals)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a plain page should be rendered, and why (stored as render_reason)."""

    render: bool
    reason: str
    # False: this page says nothing about the document's next pages (an error page served
    # in its place): fetched plainly this time, nothing remembered, decided again next time.
    lasting: bool = True


def _words(doc: PolicyDocument | None) -> int:
    if doc is None:
        return 0
    return sum(len(c.text.split()) for c in doc.clauses)


def error_page(doc: PolicyDocument | None, body: bytes = b"") -> str | None:
    """What a short page says that makes it an error page ("Cette page n'existe pas",
    "404 - Page not found"), or None. ``body``: the served HTML, read (without its scripts,
    styles and <noscript>) when extraction kept nothing, e.g. a lone heading."""
    if doc is not None:
        text = " ".join([doc.title or ""] + [c.text for c in doc.clauses])
    else:
        text = _visible_text(body)
    found = _ERROR_PAGE.search(text)
    return found.group(0).strip() if found else None


_INVISIBLE = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>")


def _visible_text(body: bytes) -> str:
    shown = _TAG.sub(b" ", _INVISIBLE.sub(b" ", body[: 512 * 1024]))
    return shown.decode("utf-8", "replace")


def judge(doc: PolicyDocument | None, body: bytes) -> Verdict:
    """Render this plainly fetched HTML page (extracted as ``doc``, None: nothing)?"""
    words = _words(doc)
    if doc is None or words < MIN_WORDS:
        # A short page that says it is an error (a 404 served with 200) is no empty shell:
        # the server answered, the page was built and says the policy is not there. A
        # browser would show the same words, at a browser page's cost, and remembering
        # "rendered" would send every later check of the restored policy to the browser.
        said = error_page(doc, body)
        if said is not None:
            return Verdict(
                False, f"the plain page is an error page (“{said}”, {words} words)", lasting=False
            )
        return Verdict(True, f"the plain page holds no policy text ({words} words)")
    signals = script_signals(body)
    if signals:
        verdict = looks_like_policy(doc)
        if not verdict.is_policy:
            return Verdict(
                True,
                f"the plain page says it needs scripts ({', '.join(signals)}) and its"
                f" {words} words do not read like a policy",
            )
    return Verdict(False, f"the plain page holds the policy text ({words} words)")


class Fetches(Protocol):
    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class Prints(Protocol):
    """Where render fingerprints live (the store's: ``StorePrints``)."""

    def latest_sha256(self, document_id: int) -> str | None: ...

    def save(self, document_id: int, fingerprint: Fingerprint | None) -> None: ...


Extract = Callable[[bytes, str | None, str | None], PolicyDocument]
Remember = Callable[[int, str, str], None]  # (document id, decision, reason)


def _default_extract(raw: bytes, content_type: str | None, url: str | None) -> PolicyDocument:
    from monitor.extract import extract

    return extract(raw, content_type, url)


class ChoosingFetcher:
    """Fetches a document plainly or rendered, as its ``render`` setting and history say.

    ``fetch`` (no document: discovery, robots) is the plain fetcher's. ``fetch_document``
    is what a check calls. ``renderer`` None means rendering is off (no Chromium here):
    every document is fetched plainly, ``always`` ones included, and nothing is decided.
    ``remember`` stores an ``auto`` decision (the Monitor passes the store's).

    ``prints`` keeps render fingerprints (monitor/renderprint.py): a document fetched
    rendered whose last render's resources all come back byte-identical is answered
    ``not-modified`` without a browser, until its last real render is ``rerender_after``
    old. Without ``prints`` every such check renders.
    """

    def __init__(
        self,
        plain: Fetches,
        renderer: Fetches | None,
        *,
        remember: Remember | None = None,
        extract: Extract | None = None,
        prints: Prints | None = None,
        rerender_after: timedelta = MAX_AGE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.plain = plain
        self.renderer = renderer
        self._remember = remember
        self._extract = extract or _default_extract
        self._prints = prints
        self.rerender_after = rerender_after
        self._clock = clock

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        return await self.plain.fetch(url, etag=etag, last_modified=last_modified)

    async def render_page(self, url: str) -> FetchResult | None:
        """``url`` rendered (discovery, for a client-rendered page), or None when off."""
        if self.renderer is None:
            return None
        return await self.renderer.fetch(url)

    async def fetch_document(self, document: dict) -> FetchResult:
        url = document["url"]
        etag, last_modified = document.get("etag"), document.get("last_modified")
        mode = document.get("render") or "auto"
        if self.renderer is None or mode == "never":
            return await self.plain.fetch(url, etag=etag, last_modified=last_modified)
        if mode == "always":
            return await self._rendered(document)
        decided = document.get("render_decision")
        if document.get("status") == "empty":
            decided = None  # what was decided gave no text: decide again
        if decided == RENDERED:
            return await self._rendered(document)
        if decided == PLAIN:
            return await self.plain.fetch(url, etag=etag, last_modified=last_modified)
        return await self._decide(document)

    async def _decide(self, document: dict) -> FetchResult:
        """Fetch plainly, render if that page calls for it, and remember which won."""
        assert self.renderer is not None
        url = document["url"]
        # Without validators: a 304 would leave nothing to decide on.
        plain = await self.plain.fetch(url)
        if not plain.has_body or plain.kind != "html":
            return plain  # nothing a browser would read better; decide another time
        doc = await asyncio.to_thread(self._extract_or_none, plain)
        verdict = judge(doc, plain.body)
        if not verdict.render:
            if verdict.lasting:
                self._store(document, PLAIN, verdict.reason)
            return plain
        rendered, fingerprint = await self._render(url)
        if rendered.outcome == "blocked":
            return rendered  # a bot wall met by the browser: blocked, never a version
        if not rendered.has_body:
            log.info("rendering %s failed (%s); keeping the plain page", url, rendered.error)
            return plain
        rendered_doc = await asyncio.to_thread(self._extract_or_none, rendered)
        gained = _words(rendered_doc) - _words(doc)
        if rendered_doc is not None and gained > 0 and _words(rendered_doc) >= MIN_WORDS:
            self._store(
                document,
                RENDERED,
                f"{verdict.reason}; rendered, it holds {_words(rendered_doc)} words",
            )
            self._save_print(document, fingerprint)
            return rendered
        # Empty even rendered: the rendered capture is what gets recorded (status empty,
        # with the reason), and the next check decides again.
        self._store(document, PLAIN, f"{verdict.reason}; rendering found no more text")
        return rendered

    async def _rendered(self, document: dict) -> FetchResult:
        """A check of a document fetched rendered: the fingerprint's replay when it shows
        nothing the page is built from changed, else a render (and its new fingerprint)."""
        url = document["url"]
        replay = getattr(self.renderer, "replay", None)
        if self._prints is not None and replay is not None and "id" in document:
            fingerprint = Fingerprint.from_json(document.get("render_fingerprint"))
            why = stale(
                fingerprint,
                status=document.get("status"),
                latest_sha256=self._prints.latest_sha256(document["id"]),
                now=self._clock(),
                max_age=self.rerender_after,
            )
            if why is None and fingerprint is not None:
                why = await replay(url, fingerprint)
                if why is None:
                    # The same inputs to the same scripts: the last rendered snapshot stands,
                    # recorded as a 304 is (the document's validators and version kept).
                    return FetchResult(
                        url=url, outcome="not-modified", final_url=url, status=304, rendered=True
                    )
            log.debug("rendering %s: %s", url, why)
        fetched, fingerprint = await self._render(url)
        self._save_print(document, fingerprint if fetched.has_body else None)
        return fetched

    async def _render(self, url: str) -> tuple[FetchResult, Fingerprint | None]:
        assert self.renderer is not None
        with_print = getattr(self.renderer, "render_with_print", None)
        if with_print is None or self._prints is None:
            return await self.renderer.fetch(url), None
        fetched, fingerprint = await with_print(url)
        return fetched, fingerprint

    def _save_print(self, document: dict, fingerprint: Fingerprint | None) -> None:
        if self._prints is None or "id" not in document:
            return
        if fingerprint is None and not document.get("render_fingerprint"):
            return
        self._prints.save(document["id"], fingerprint.at(self._clock()) if fingerprint else None)

    def _extract_or_none(self, fetched: FetchResult) -> PolicyDocument | None:
        try:
            return self._extract(fetched.body, fetched.content_type, fetched.final_url)
        except ExtractionError:
            return None

    def _store(self, document: dict, decision: str, reason: str) -> None:
        if self._remember is None or "id" not in document:
            return
        if document.get("render_decision") == decision and document.get("render_reason") == reason:
            return
        self._remember(document["id"], decision, reason)


def fetched_with(document: Mapping[str, Any]) -> str | None:
    """How checks fetch this document now: plain, rendered, or None (auto, undecided)."""
    mode = document.get("render") or "auto"
    if mode != "auto":
        return RENDERED if mode == "always" else PLAIN
    return document.get("render_decision")


class StorePrints:
    """Render fingerprints on the document rows (``documents.render_fingerprint``)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def latest_sha256(self, document_id: int) -> str | None:
        latest = self.store.latest_snapshot(document_id)
        return latest["blob_sha256"] if latest is not None else None

    def save(self, document_id: int, fingerprint: Fingerprint | None) -> None:
        text = fingerprint.to_json() if fingerprint is not None else None
        self.store.update_document(document_id, render_fingerprint=text)


def store_remember(store: Any) -> Remember:
    """A Remember that writes the decision onto the document row."""

    def remember(document_id: int, decision: str, reason: str) -> None:
        store.update_document(document_id, render_decision=decision, render_reason=reason)

    return remember
