"""Discovery: from a domain to its policy URL, with the reasons and the candidates passed over."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import socket
import sys
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner

from api.cli import cli
from monitor import domains
from monitor.discover import Candidate, discover, find_candidates, looks_like_policy, rank
from monitor.domains import DomainError, normalize_domain, registrable_domain, split_site
from monitor.extract import extract
from monitor.fetch import Fetcher, FetchPolicy
from monitor.model import Clause, PolicyDocument
from monitor.netguard import StaticLookup

DATA = Path(__file__).parent / "data"
TINDER = DATA / "raw-html" / "tinder" / "2026-03-06T003250Z.html"
TINDER_URL = "https://policies.tinder.com/privacy/intl/en/"  # raw-html/MANIFEST.json
BUMBLE = DATA / "raw-html" / "bumble" / "2022-01-20T143323Z.html"


def _home(*links: str, head: str = "", footer: str = "") -> str:
    body = "".join(f"<p>{link}</p>" for link in links)
    return (
        f"<!doctype html><html><head><title>Home</title>{head}</head><body>"
        f"<nav><a href='/shop'>Shop</a><a href='/about'>About us</a></nav>"
        f"<main><h1>Welcome</h1><p>We sell garden furniture.</p>{body}</main>"
        f"<footer><a href='/terms'>Terms</a>{footer}</footer></body></html>"
    )


# --- pure: candidates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("Privacy Policy", "/legal/p1"),
        ("Privacy statement", "/p2"),
        ("Privacy Notice", "/p3"),
        ("Datenschutzerklärung", "/ds"),
        ("Datenschutz", "/ds"),
        ("Politique de confidentialité", "/pc"),
        ("Données personnelles", "/dp"),
        ("Política de privacidad", "/pp"),
        ("Informativa sulla privacy", "/ip"),
        ("Privacybeleid", "/pb"),
        ("Privacyverklaring", "/pv"),
        ("Política de Privacidade", "/ppt"),
    ],
)
def test_policy_links_in_seven_languages(text, href):
    html = _home(footer=f"<a href='{href}'>{text}</a><a href='/imprint'>Impressum</a>")
    (top, *_) = find_candidates(html, "https://www.example.com/")
    assert top.url == f"https://www.example.com{href}"
    assert any("link text" in s for s in top.signals) and "in the footer" in top.signals


def test_rel_privacy_policy_wins():
    html = _home(
        "<a href='/privacy'>Privacy</a>",
        head="<link rel='privacy-policy' href='https://legal.example.com/policies/privacy'>",
    )
    ranked = find_candidates(html, "https://www.example.com/")
    assert ranked[0].url == "https://legal.example.com/policies/privacy"
    assert ranked[0].source == "rel"
    assert "same site (legal.example.com)" in ranked[0].signals
    assert ranked[1].url == "https://www.example.com/privacy"


def test_settings_forms_and_partners_rank_below_the_policy():
    html = _home(
        "<a href='https://policies.google.com/privacy'>Google Privacy Policy</a>",
        "<a href='/privacy-choices'>Your Privacy Choices</a>",
        "<a href='/cookie-settings'>Cookie settings</a>",
        "<a href='/cookies'>Cookie Policy</a>",
        "<a href='/jobs/privacy-notice'>Applicant privacy notice</a>",
        footer="<a href='/privacy'>Privacy</a>",
    )
    ranked = find_candidates(html, "https://www.example.com/")
    order = [c.url.removeprefix("https://www.example.com") for c in ranked]
    assert order[0] == "/privacy"
    assert order.index("/cookies") < order.index("https://policies.google.com/privacy")
    applicant = next(c for c in ranked if "jobs" in c.url)
    assert "a special or past notice ('applicant')" in applicant.signals
    google = next(c for c in ranked if "google" in c.url)
    assert "on another site (policies.google.com)" in google.signals
    # settings pages come last, below zero
    assert {c.url.rsplit("/", 1)[1] for c in ranked if c.score < 0} == {
        "privacy-choices",
        "cookie-settings",
    }


def test_mail_javascript_fragments_and_the_page_itself_are_not_candidates():
    html = _home(
        "<a href='mailto:privacy@example.com'>Privacy officer</a>",
        "<a href='javascript:openPrivacy()'>Privacy policy</a>",
        "<a href='#privacy'>Privacy policy</a>",
        "<a href='/'>Privacy policy</a>",
    )
    assert find_candidates(html, "https://www.example.com/") == []


def test_real_policy_page_links_rank_the_main_policy_first():
    html = TINDER.read_text(encoding="utf-8")
    ranked = find_candidates(html, TINDER_URL)
    assert ranked[0].url == "https://policies.tinder.com/privacy"
    # The consumer-health notice is a policy too, but for one audience.
    health = next(c for c in ranked if "consumer-health" in c.url)
    assert any("special" in s for s in health.signals)


def test_rank_prefers_score_then_the_shorter_url():
    a = Candidate("https://x.com/privacy/print", 5.0, (), "link")
    b = Candidate("https://x.com/privacy", 5.0, (), "link")
    c = Candidate("https://x.com/p", 6.0, (), "link")
    assert rank([a, b, c]) == [c, b, a]


# --- pure: is it a policy ---------------------------------------------------------------

# One capture in the corpus is a shop's menu and contact form, not its policy.
SHOP_PAGE = DATA / "policy-histories" / "world-market" / "2012-10-04T112540Z.md"
POLICY_MARKDOWN = [p for p in sorted((DATA / "policy-histories").glob("*/*.md")) if p != SHOP_PAGE]


@pytest.mark.parametrize("path", POLICY_MARKDOWN[::6], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_policies_look_like_policies(path):
    doc = extract(path.read_bytes(), "text/markdown", None)
    verdict = looks_like_policy(doc)
    assert verdict.is_policy, verdict.reasons


def test_a_captured_shop_page_is_not_a_policy():
    verdict = looks_like_policy(extract(SHOP_PAGE.read_bytes(), "text/markdown", None))
    assert not verdict.is_policy, verdict.reasons


def test_real_html_policy_looks_like_a_policy():
    verdict = looks_like_policy(extract(BUMBLE.read_bytes(), "text/html", None))
    assert verdict.is_policy and verdict.score > 0.8
    assert any("privacy terms per 100 words" in r for r in verdict.reasons)


def _doc(*paragraphs: str, title: str | None = None) -> PolicyDocument:
    clauses = [Clause(("Page",), "heading", title or "Page")]
    clauses += [Clause(("Page",), "paragraph", p) for p in paragraphs]
    return PolicyDocument(tuple(clauses), title=title)


def test_a_privacy_hub_page_is_too_short():
    doc = _doc(
        "Your privacy matters to us.",
        "Manage your privacy settings in your account.",
        "Read our privacy policy.",
        title="Privacy Center",
    )
    verdict = looks_like_policy(doc)
    assert not verdict.is_policy
    assert any(r.startswith("too short") for r in verdict.reasons)


def test_a_long_page_about_something_else_is_not_a_policy():
    recipe = (
        "Preheat the oven to two hundred degrees and butter a deep baking dish. "
        "Slice the apples thinly, toss them with sugar, cinnamon and a squeeze of lemon, "
        "then layer them evenly so the fruit cooks through without turning to mush. "
    )
    doc = _doc(*([recipe] * 12), title="Grandma's apple crumble")
    verdict = looks_like_policy(doc)
    assert not verdict.is_policy
    assert any(r.startswith("too little privacy vocabulary") for r in verdict.reasons)


# --- domains ----------------------------------------------------------------------------


def test_domains_idna_ports_and_registrable_names():
    assert normalize_domain("Bücher.de") == "xn--bcher-kva.de"
    assert normalize_domain("https://WWW.Example.com/privacy?x=1") == "www.example.com"
    assert normalize_domain("example.com.") == "example.com"
    assert split_site("localhost:8080") == ("localhost", 8080)
    assert registrable_domain("legal.example.co.uk") == "example.co.uk"
    assert registrable_domain("a.b.example.com") == "example.com"
    assert registrable_domain("legal.example.test") == "example.test"
    assert registrable_domain("xn--bcher-kva.de") == "xn--bcher-kva.de"
    for bad in ("", "   ", "http://", "exa..mple.com"):
        with pytest.raises(DomainError):
            normalize_domain(bad)


def test_public_suffix_list_needs_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    domains._extractor.cache_clear()
    try:
        assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
        assert registrable_domain("foo.github.io") == "github.io"  # ICANN suffixes only
    finally:
        domains._extractor.cache_clear()


# --- end to end: sites on loopback ------------------------------------------------------

SITES = (
    "example.com",
    "legal.example.com",
    "beispiel.de",
    "split.com",
    "legal.split.com",
    "decoy.com",
    "nolinks.com",
    "blocked.com",
    "pdfonly.com",
    "www.wwwonly.com",
    "moved.com",
    "moved.co.uk",
)


@functools.cache
def _policy_pdf() -> bytes:
    """A real policy (DuckDuckGo's, from the corpus) typeset as the only copy: a PDF."""
    from fpdf import FPDF

    source = sorted((DATA / "policy-histories" / "duckduckgo").glob("*.md"))[-1]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for block in source.read_text(encoding="utf-8").split("\n\n"):
        text = block.replace("#", "").replace("*", "").strip()
        if text:
            pdf.multi_cell(0, 6, text.encode("latin-1", "replace").decode("latin-1"))
            pdf.ln(3)
    return bytes(pdf.output())


class Sites:
    """One loopback server playing several sites, told apart by the Host header."""

    def __init__(self) -> None:
        self.policy = TINDER.read_bytes()
        self.pdf = _policy_pdf()
        self.requests: list[tuple[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{path:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        host = request.host.split(":")[0]
        path = request.path
        self.requests.append((host, path))
        port = request.url.port
        html = "text/html"
        policy = web.Response(body=self.policy, content_type=html)
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if host == "blocked.com":
            return web.Response(status=403, text="Forbidden")
        pages = {
            ("example.com", "/"): _home(
                "<a href='/privacy'>Privacy</a>",
                head="<link rel='privacy-policy' href='/legal/privacy'>",
            ),
            ("beispiel.de", "/"): _home(
                footer="<a href='/impressum'>Impressum</a><a href='/datenschutz'>Datenschutzerklärung</a>"
            ),
            ("split.com", "/"): _home(
                footer=f"<a href='http://legal.split.com:{port}/privacy'>Privacy</a>"
            ),
            ("decoy.com", "/"): _home(
                "<a href='/privacy-policy'>Privacy Policy</a>",
                footer="<a href='/privacy-hub'>Privacy</a>"
                "<a href='/legal/cookies-and-data'>Cookie Policy</a>",
            ),
            ("decoy.com", "/privacy-hub"): _home("<p>Manage your privacy settings.</p>"),
            ("nolinks.com", "/"): _home("<a href='/contact'>Contact</a>"),
            ("moved.co.uk", "/"): _home(
                footer=f"<a href='http://legal.moved.co.uk:{port}/privacy'>Privacy</a>"
                f"<a href='http://partner.com:{port}/privacy-policy'>Privacy Policy</a>"
            ),
            ("www.wwwonly.com", "/"): _home(footer="<a href='/privacy'>Privacy</a>"),
            ("pdfonly.com", "/"): _home(
                footer="<a href='/docs/privacy-policy.pdf'>Privacy Policy (PDF)</a>"
            ),
        }
        if host == "moved.com":
            raise web.HTTPMovedPermanently(f"http://moved.co.uk:{port}/")
        if (host, path) == ("pdfonly.com", "/docs/privacy-policy.pdf"):
            return web.Response(body=self.pdf, content_type="application/pdf")
        if (host, path) in pages:
            return web.Response(text=pages[host, path], content_type=html)
        if (host, path) in {
            ("example.com", "/legal/privacy"),
            ("beispiel.de", "/datenschutz"),
            ("legal.split.com", "/privacy"),
            ("decoy.com", "/legal/cookies-and-data"),
            ("nolinks.com", "/privacy-policy"),
            ("www.wwwonly.com", "/privacy"),
        }:
            return policy
        return web.Response(status=404, text="Not found")


@pytest.fixture
async def sites(aiohttp_server):
    s = Sites()
    server = await aiohttp_server(s.app())
    s.port = server.port
    return s


def _fetcher() -> Fetcher:
    policy = FetchPolicy(allow_private=True, min_host_delay=0, connect_timeout=2, total_timeout=5)
    return Fetcher(policy, lookup=StaticLookup(dict.fromkeys(SITES, "127.0.0.1")))


async def test_rel_link_chosen_with_reasons(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"example.com:{sites.port}", fetcher)
    assert found.url == f"http://example.com:{sites.port}/legal/privacy"
    assert found.candidate.source == "rel"
    assert '<link rel="privacy-policy">' in found.reasons
    assert any("privacy terms per 100 words" in r for r in found.reasons)
    assert found.home_url == f"http://example.com:{sites.port}/"
    # https was tried first; this loopback site speaks only http
    assert found.notes[0].startswith(f"https://example.com:{sites.port}/: unreachable")
    assert [c.url for c in found.candidates][:2] == [
        found.url,
        f"http://example.com:{sites.port}/privacy",
    ]


async def test_german_footer_link(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"beispiel.de:{sites.port}", fetcher)
    assert found.url == f"http://beispiel.de:{sites.port}/datenschutz"
    assert any("datenschutzerklarung" in s for s in found.candidate.signals)


async def test_policy_on_another_host_of_the_same_site(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"split.com:{sites.port}", fetcher)
    assert found.url == f"http://legal.split.com:{sites.port}/privacy"
    assert "same site (legal.split.com)" in found.candidate.signals


async def test_candidates_that_are_not_policies_are_rejected_with_reasons(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"decoy.com:{sites.port}", fetcher)
    base = f"http://decoy.com:{sites.port}"
    assert found.url == f"{base}/legal/cookies-and-data"
    rejected = {r.candidate.url: r.reason for r in found.rejected}
    assert rejected[f"{base}/privacy-policy"] == "not-found (HTTP 404)"
    assert rejected[f"{base}/privacy-hub"].startswith("not a policy: too short")


async def test_common_paths_when_nothing_links(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"nolinks.com:{sites.port}", fetcher)
    assert found.url == f"http://nolinks.com:{sites.port}/privacy-policy"
    assert found.candidate.source == "common-path"
    assert "no link on the home page names a privacy policy" in found.notes
    assert [r.candidate.url.rsplit("/", 1)[1] for r in found.rejected] == ["privacy"]


async def test_a_site_that_answers_only_on_www(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"wwwonly.com:{sites.port}", fetcher)
    assert found.url == f"http://www.wwwonly.com:{sites.port}/privacy"
    assert found.home_url == f"http://www.wwwonly.com:{sites.port}/"
    assert found.notes[1].startswith(f"http://wwwonly.com:{sites.port}/: unreachable (DNS")


async def test_home_page_moved_to_another_domain_makes_it_the_site(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"moved.com:{sites.port}", fetcher)
    # legal.moved.co.uk is not resolvable here: only the ranking is under test
    first, second = found.candidates[:2]
    assert first.url == f"http://legal.moved.co.uk:{sites.port}/privacy"
    assert "same site (legal.moved.co.uk)" in first.signals
    assert "on another site (partner.com)" in second.signals


async def test_policy_only_in_pdf(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"pdfonly.com:{sites.port}", fetcher)
    assert found.url == f"http://pdfonly.com:{sites.port}/docs/privacy-policy.pdf"
    assert found.verdict.is_policy


async def test_nothing_found_is_reported_not_raised(sites):
    async with _fetcher() as fetcher:
        blocked = await discover(f"blocked.com:{sites.port}", fetcher)
        unknown = await discover(f"nowhere.com:{sites.port}", fetcher)
    assert not blocked.found and blocked.url is None
    assert [r.reason for r in blocked.rejected] == ["blocked (HTTP 403)"]
    assert "the site blocks us; no more common paths tried" in blocked.notes
    assert not unknown.found and unknown.rejected == ()
    assert "the site did not answer; common paths not tried" in unknown.notes
    assert ("nowhere.com", "/") not in sites.requests


async def test_an_address_has_no_www_variant(sites):
    async with _fetcher() as fetcher:
        found = await discover(f"127.0.0.1:{sites.port}", fetcher)
    assert not found.found
    assert not any("www." in note for note in found.notes)


# --- the command line -------------------------------------------------------------------


async def _clausewatch(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from api.cli import main; main()",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "CLAUSEWATCH_ALLOW_PRIVATE_ADDRESSES": ""},
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode(), err.decode()


async def test_clausewatch_discover_prints_the_choice_and_the_ranking(sites):
    code, out, err = await _clausewatch(
        "discover",
        f"decoy.com:{sites.port}",
        "--allow-private-addresses",
        "--resolve",
        "decoy.com:127.0.0.1",
        "--delay",
        "0",
    )
    assert code == 0, err
    base = f"http://decoy.com:{sites.port}"
    lines = out.splitlines()
    assert lines[0] == f"policy: {base}/legal/cookies-and-data"
    assert "candidates (best first):" in lines and "rejected:" in lines
    assert f"  {base}/privacy-policy: not-found (HTTP 404)" in lines


async def test_clausewatch_discover_refuses_loopback_without_the_switch(sites):
    code, out, err = await _clausewatch(
        "discover", f"decoy.com:{sites.port}", "--resolve", "decoy.com:127.0.0.1", "--json"
    )
    assert code == 1
    assert json.loads(out)["url"] is None
    assert "refused-address" in out and "loopback" in out
    assert err.strip() == (
        "Error: no privacy policy found for decoy.com: the site did not answer:"
        " refused-address (decoy.com: refused (resolves to 127.0.0.1, loopback))"
    )
    assert sites.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["discover", "exa..mple.com"], "Error: 'exa..mple.com' is not a domain"),
        (
            ["discover", "x.com", "--resolve", "nonsense"],
            "Error: --resolve 'nonsense': expected HOST:ADDRESS",
        ),
    ],
)
def test_clausewatch_discover_bad_input_is_one_line(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.strip() == message
