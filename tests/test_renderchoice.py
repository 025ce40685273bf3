"""When to render (monitor/renderchoice.py): the signals, the verdict, and the remembered
decision, with the plain fetcher on loopback and a renderer injected (the real one, in
Chromium, is tests/e2e/test_render.py)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from policysites import CLAUSES, WallClock, loopback_fetcher, policy_html, start

from api.cli import cli
from api.commands.history import render as render_timeline
from api.commands.history import timeline_of
from api.viewer.routes import _capture
from db import Store
from monitor.check import extract_or_none
from monitor.fetch import FetchResult
from monitor.renderchoice import (
    ChoosingFetcher,
    fetched_with,
    judge,
    script_signals,
    store_remember,
)
from monitor.schedule import Monitor, Timing

DATA = Path(__file__).parent / "data"
TIMING = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=3600, lease=600)
SHELL = (
    "<!doctype html><html><head><title>Privacy | App</title></head><body>"
    "<noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div><script src="/static/js/main.js"></script></body></html>'
)
# An app shell with a welcome text: words, but not a policy.
SHELL_WITH_MENU = SHELL.replace(
    '<div id="root"></div>',
    "<main><h1>Welcome</h1><p>"
    + " ".join(["Meet new people near you, chat for free and find your match today."] * 5)
    + '</p></main><div id="root"></div>',
)


def corpus_pages() -> list[Path]:
    pages = sorted((DATA / "raw-html").glob("*/*.html"))
    pages += sorted((DATA / "capture-histories").glob("*/*.html"))
    return pages


def test_the_corpus_is_there():
    assert len(corpus_pages()) == 24 + 180


# Mektoube's error page ("Cette page n'existe pas", served with 200 for a day; see
# tests/data/capture-histories/NOTES.md): 7 words and a <noscript> asking for JavaScript,
# which is all a client-rendered shell shows too - but it says it is an error page. A
# browser would show the same two lines: it is fetched plainly, and nothing is remembered.
ERROR_PAGES = {"mektoube/2025-11-18T123342Z.html", "mektoube/2025-11-19T003345Z.html"}


@pytest.mark.parametrize("path", corpus_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_auto_keeps_the_plain_fetch_on_every_real_page(path):
    # Each of these pages holds its policy as served (some say "enable JavaScript" in a
    # <noscript> all the same, or are a home page or an error page served instead): none
    # needs a browser.
    raw = path.read_bytes()
    verdict = judge(extract_or_none(raw, "text/html", None), raw)
    assert not verdict.render, verdict.reason
    if f"{path.parent.name}/{path.name}" in ERROR_PAGES:
        assert "error page" in verdict.reason and not verdict.lasting, verdict
    else:
        assert verdict.lasting, verdict


@pytest.mark.parametrize(
    "text",
    [
        "<h1>404</h1><p>Page not found</p>",
        "<h1>Oops!</h1><p>This page doesn't exist.</p>",
        "<h1>Seite nicht gefunden</h1>",
        "<h1>Página no encontrada</h1><a href='/'>Volver</a>",
        "<h1>Erreur 404</h1>",
    ],
)
def test_a_short_error_page_asking_for_javascript_is_not_rendered(text):
    page = SHELL.replace('<div id="root"></div>', f'<div id="root">{text}</div>').encode()
    verdict = judge(extract_or_none(page, "text/html", None), page)
    assert not verdict.render and not verdict.lasting, verdict


@pytest.mark.parametrize(
    "text", ["", "<p>Loading…</p>", "<p>Our privacy policy is loading, please wait.</p>"]
)
def test_a_shell_with_a_line_or_none_is_rendered(text):
    page = SHELL.replace('<div id="root"></div>', f'<div id="root">{text}</div>').encode()
    verdict = judge(extract_or_none(page, "text/html", None), page)
    assert verdict.render and verdict.lasting, verdict


def test_script_signals():
    assert script_signals(SHELL.encode()) == (
        "a <noscript> asks for JavaScript",
        "an empty app root (#root)",
    )
    assert script_signals(b'<div id="__next">\n  </div>') == ("an empty app root (#__next)",)
    assert script_signals(b"<app-root></app-root>") == ("an empty app root (<app-root>)",)
    assert script_signals(b"<noscript>Bitte aktivieren Sie JavaScript.</noscript>") == (
        "a <noscript> asks for JavaScript",
    )
    # A tracking pixel in a noscript, a filled root: no signal.
    assert script_signals(b'<noscript><img src="https://t.example/p.gif"></noscript>') == ()
    assert script_signals(b'<div id="root"><p>Our policy</p></div>') == ()


def test_judge():
    plain = policy_html().encode()
    assert not judge(extract_or_none(plain, "text/html", None), plain).render
    shell = SHELL.encode()
    verdict = judge(extract_or_none(shell, "text/html", None), shell)
    assert verdict.render and "no policy text" in verdict.reason
    menu = SHELL_WITH_MENU.encode()
    verdict = judge(extract_or_none(menu, "text/html", None), menu)
    assert verdict.render and "needs scripts" in verdict.reason, verdict.reason
    # The same words without the signals: a page we read as served (its status says empty).
    bare = menu.replace(b'<div id="root"></div>', b"").replace(b"enable JavaScript", b"")
    assert not judge(extract_or_none(bare, "text/html", None), bare).render


class Rendering:
    """The renderer, injected: the DOM a browser would build for each URL."""

    def __init__(self) -> None:
        self.dom: dict[str, str] = {}
        self.calls: list[str] = []
        self.outcome = "ok"

    async def fetch(self, url, etag=None, last_modified=None) -> FetchResult:
        self.calls.append(url)
        if self.outcome != "ok":
            return FetchResult(url, self.outcome, url, error="captcha", rendered=True)
        html = self.dom[url]
        return FetchResult(
            url=url,
            outcome="ok",
            final_url=url,
            status=200,
            body=html.encode(),
            content_type="text/html",
            kind="html",
            text=html,
            rendered=True,
        )


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def sites(aiohttp_server):
    return await start(aiohttp_server)


@pytest.fixture
def rendering():
    return Rendering()


@pytest.fixture
async def monitor(store, rendering):
    async with loopback_fetcher(("site.test",)) as plain:
        chooser = ChoosingFetcher(plain, rendering, remember=store_remember(store))
        yield Monitor(store, chooser, timing=TIMING, clock=WallClock(), rng=random.Random(1))


def track(store: Store, url: str, render: str | None = None) -> dict:
    site = store.add_site("site.test")
    return store.add_document(site["id"], url, render=render)


async def check(monitor: Monitor, doc_id: int):
    monitor.clock.advance(7200)
    return await monitor.check(monitor.store.get_document(doc_id), now=monitor.clock())


async def test_auto_renders_a_shell_and_goes_straight_to_the_renderer_next_time(
    store, sites, monitor, rendering
):
    url = sites.set("site.test", "/privacy", SHELL)
    rendering.dom[url] = policy_html()
    doc = track(store, url)
    first = await check(monitor, doc["id"])
    assert first.status == "ok" and first.new_version, first
    state = store.get_document(doc["id"])
    assert state["render_decision"] == "rendered"
    assert "no policy text" in state["render_reason"]
    assert fetched_with(state) == "rendered"
    [snap] = store.snapshots_of_document(doc["id"])
    assert snap["source"] == "live-rendered"
    assert sites.requests == [("site.test", "/privacy")]

    second = await check(monitor, doc["id"])
    assert second.status == "ok" and not second.new_version
    assert sites.requests == [("site.test", "/privacy")]  # no plain fetch this time
    assert rendering.calls == [url, url]

    # The policy changes: history and the viewer say how its versions were obtained.
    rendering.dom[url] = policy_html([*CLAUSES, "We now share your data with partners."])
    third = await check(monitor, doc["id"])
    assert third.new_version and third.changes
    timeline = timeline_of(store, store.get_document(doc["id"]))
    assert [v["sources"] for v in timeline["versions"]] == [["live-rendered"]] * 2
    assert "(rendered in a browser: live-rendered)" in render_timeline(timeline)
    snap = store.latest_snapshot(doc["id"])
    capture = _capture("https://web.archive.org", snap, state)
    assert capture["source_label"] == "live fetch, rendered in a browser"
    assert capture["source_short"] == "Live, rendered" and capture["url"] is None


async def test_auto_keeps_a_plain_policy_plain_and_never_renders_it(
    store, sites, monitor, rendering
):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    for _ in range(3):
        assert (await check(monitor, doc["id"])).status == "ok"
    state = store.get_document(doc["id"])
    assert state["render_decision"] == "plain" and rendering.calls == []
    assert {s["source"] for s in store.snapshots_of_document(doc["id"])} == {"live"}


async def test_empty_even_rendered_is_empty_with_the_reason(store, sites, monitor, rendering):
    url = sites.set("site.test", "/privacy", SHELL)
    rendering.dom[url] = SHELL  # the app rendered nothing
    doc = track(store, url)
    result = await check(monitor, doc["id"])
    assert result.status == "empty"
    assert result.detail.startswith("empty even rendered: ")
    state = store.get_document(doc["id"])
    assert state["render_decision"] == "plain"
    assert "rendering found no more text" in state["render_reason"]
    # Empty: the next check decides again (the app may render its policy by then).
    rendering.dom[url] = policy_html()
    again = await check(monitor, doc["id"])
    assert again.status == "ok" and again.new_version
    assert store.get_document(doc["id"])["render_decision"] == "rendered"


async def test_a_bot_wall_met_rendering_is_blocked_never_a_version(
    store, sites, monitor, rendering
):
    url = sites.set("site.test", "/privacy", SHELL)
    rendering.outcome = "blocked"
    doc = track(store, url)
    result = await check(monitor, doc["id"])
    assert result.status == "blocked" and result.version_id is None
    assert store.versions_of_document(doc["id"]) == []


async def test_always_and_never(store, sites, monitor, rendering):
    always = sites.set("site.test", "/a", policy_html())
    never = sites.set("site.test", "/n", SHELL)
    rendering.dom[always] = policy_html(CLAUSES[:4])
    a = track(store, always, render="always")
    n = track(store, never, render="never")
    assert (await check(monitor, a["id"])).status == "ok"
    assert (await check(monitor, n["id"])).status == "empty"
    assert rendering.calls == [always]
    assert fetched_with(store.get_document(a["id"])) == "rendered"
    assert fetched_with(store.get_document(n["id"])) == "plain"
    assert store.get_document(n["id"])["render_decision"] is None


async def test_without_a_renderer_everything_is_fetched_plainly(store, sites):
    url = sites.set("site.test", "/privacy", SHELL)
    async with loopback_fetcher(("site.test",)) as plain:
        chooser = ChoosingFetcher(plain, None, remember=store_remember(store))
        doc = track(store, url, render="always")
        fetched = await chooser.fetch_document(store.get_document(doc["id"]))
        assert await chooser.render_page(url) is None
    assert fetched.outcome == "ok" and not fetched.rendered


def test_render_setting_is_validated_and_resets_the_decision(store):
    site = store.add_site("site.test")
    doc = store.add_document(site["id"], "https://site.test/p")
    assert doc["render"] == "auto" and doc["render_decision"] is None
    store.update_document(doc["id"], render_decision="plain", render_reason="x")
    same = store.add_document(site["id"], "https://site.test/p")
    assert same["render_decision"] == "plain"  # no render given: nothing forgotten
    changed = store.add_document(site["id"], "https://site.test/p", render="always")
    assert changed["render"] == "always" and changed["render_decision"] is None
    with pytest.raises(ValueError, match="render must be one of"):
        store.add_document(site["id"], "https://site.test/p", render="sometimes")


def test_track_render_flag(tmp_path):
    db = str(tmp_path / "cw.db")
    runner = CliRunner()
    out = runner.invoke(
        cli, ["track", "https://example.com/privacy", "--render", "always", "--db", db]
    )
    assert out.exit_code == 0, out.output
    assert "render always" in out.output
    bad = runner.invoke(
        cli, ["track", "https://example.com/privacy", "--render", "maybe", "--db", db]
    )
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    with Store.open(db) as s:
        [doc] = s.list_documents()
    assert (doc["render"], fetched_with(doc)) == ("always", "rendered")


def test_a_rendered_result_reports_itself():
    r = FetchResult("u", "ok", "u")
    assert not r.rendered and replace(r, rendered=True).rendered


async def test_a_remembered_plain_decision_fetches_an_error_page_plainly(
    store, sites, monitor, rendering
):
    # Mektoube's real policy, then its real error page served with 200 at the same URL
    # (capture history, 2025-11-18): the document decided "plain" on its policy, so the
    # error page is fetched plainly, never rendered, and is not a version.
    history = DATA / "capture-histories" / "mektoube"
    policy = (history / "2025-11-18T003346Z.html").read_bytes().decode("utf-8")
    error = (history / "2025-11-18T123342Z.html").read_bytes().decode("utf-8")
    url = sites.set("site.test", "/privacy", policy)
    doc = track(store, url)
    assert (await check(monitor, doc["id"])).status == "ok"
    sites.set("site.test", "/privacy", error)
    second = await check(monitor, doc["id"])
    assert second.status == "not-policy" and not second.new_version, second
    assert rendering.calls == []
    assert store.get_document(doc["id"])["render_decision"] == "plain"


async def test_an_error_page_first_is_fetched_plainly_and_decides_nothing(
    store, sites, monitor, rendering
):
    # A document whose first check meets Mektoube's error page (200, a <noscript> asking
    # for JavaScript): not rendered, nothing remembered; the policy back is judged afresh.
    history = DATA / "capture-histories" / "mektoube"
    error = (history / "2025-11-18T123342Z.html").read_bytes().decode("utf-8")
    policy = (history / "2025-11-19T123350Z.html").read_bytes().decode("utf-8")
    url = sites.set("site.test", "/privacy", error)
    doc = track(store, url)
    first = await check(monitor, doc["id"])
    assert first.status in ("empty", "not-policy") and not first.new_version, first
    assert rendering.calls == []
    assert store.get_document(doc["id"])["render_decision"] is None
    sites.set("site.test", "/privacy", policy)
    second = await check(monitor, doc["id"])
    assert second.status == "ok" and second.new_version, second
    assert rendering.calls == []
    assert store.get_document(doc["id"])["render_decision"] == "plain"
