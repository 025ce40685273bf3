"""The diff viewer end to end: Debian's Chromium reading the real app over real histories.

The server is the real application (`create_app`) on 127.0.0.1, port 0, over a store
recorded from the Open Terms Archive histories of tests/data (tests/corpusdb.py). A person
opens each page type, switches the layout, applies the material-only filter, follows the
links, uses the keyboard, a phone-sized screen, print media and no JavaScript at all.
Screenshots land in test-output/viewer/ for a human to look at.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from aiohttp import web

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "viewer"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAYBACK = "http://wayback.test"

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make chromium)", allow_module_level=True)

from playwright.async_api import async_playwright, expect  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from corpusdb import build_store  # noqa: E402

from api.app import create_app  # noqa: E402
from api.config import Settings  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("viewer-e2e") / "cw.db"
    store, histories = build_store(path, {"bitwarden": None, "amazon-com": 5})
    yield store, {h.site: h for h in histories}
    store.close()


@pytest.fixture
async def base_url(corpus):
    store, _ = corpus
    app = create_app(Settings(db_path=store.path, wayback_url=WAYBACK), store=store)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def browser():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        await b.close()


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def mixed_change(store, document_id: int) -> dict:
    """A change with material and non-material clause changes, with neighbours both sides."""
    for c in store.changes_of_document(document_id)[1:-1]:
        flags = [x["material"] for x in c["comparison"]["changes"]]
        if any(flags) and not all(flags):
            return c
    raise AssertionError("the corpus has no mixed change")


async def test_home_to_site_to_change_and_through_the_diff(browser, base_url, corpus):
    store, histories = corpus
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(base_url + "/")
    await expect(page.locator('[data-count="sites"]')).to_have_text(str(len(histories)))
    recent = page.locator(".change-list .change-item")
    await expect(recent.first).to_be_visible()
    await shot(page, "01-home")

    await page.get_by_role("link", name="bitwarden.example").first.click()
    await expect(page).to_have_url(f"{base_url}/sites/bitwarden.example")
    h = histories["bitwarden.example"]
    changes = store.changes_of_document(h.document_id)
    versions = store.versions_of_document(h.document_id)
    await expect(page.locator("table.timeline tbody tr")).to_have_count(len(versions))
    await expect(page.locator("svg a.mark-material")).to_have_count(
        sum(c["material"] for c in changes)
    )
    await expect(page.get_by_role("link", name=re.compile("Atom feed"))).to_have_attribute(
        "href", "/feeds/sites/bitwarden.example.atom"
    )
    await shot(page, "02-site")

    # Follow the change list to a change that mixes material and cosmetic edits.
    change = mixed_change(store, h.document_id)
    detail = change["comparison"]["changes"]
    material = [c for c in detail if c["material"]]
    await page.locator(
        f'.change-list a[href="/sites/bitwarden.example/changes/{change["id"]}"]'
    ).click()
    await expect(page).to_have_url(re.compile(rf"/changes/{change['id']}$"))
    diffs = page.locator("article.diff")
    await expect(diffs).to_have_count(len(detail))
    first_material = page.locator("article.diff.is-material").first
    reason = first_material.locator("aside.reason")
    await expect(reason).to_contain_text(material[0]["reason"])
    await expect(reason).to_contain_text("Why it matters")
    # Beside the clause: the reason's box sits to the right of the before/after columns.
    sides = await first_material.locator(".sides").bounding_box()
    aside = await reason.bounding_box()
    assert aside["x"] >= sides["x"] + sides["width"] - 1
    assert aside["y"] < sides["y"] + sides["height"]
    # Word-level highlights: inserted words are shown, on a coloured background.
    ins = page.locator("article.diff ins").first
    await expect(ins).to_be_visible()
    background = await ins.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    await expect(page.locator("#showing")).to_contain_text(
        f"Showing {len(detail)} of {len(detail)}"
    )
    await shot(page, "03-change-side-by-side")

    await page.get_by_role("link", name="Inline").click()
    await expect(page).to_have_url(re.compile(r"mode=inline"))
    await expect(page.locator("p.clause.inline")).to_have_count(len(detail))
    await expect(page.locator(".side-old")).to_have_count(0)
    await page.get_by_role("link", name=re.compile("^Material only")).click()
    await expect(page).to_have_url(re.compile(r"mode=inline&material=1"))
    await expect(diffs).to_have_count(len(material))
    await expect(page.locator("article.diff:not(.is-material)")).to_have_count(0)
    await expect(page.locator("#showing")).to_contain_text(
        f"Showing {len(material)} of {len(detail)} clause changes "
        f"({len(detail) - len(material)} not material hidden)"
    )
    await shot(page, "04-change-inline-material-only")

    # j / k (the optional script) walk the clause changes and focus them.
    await page.keyboard.press("j")
    await expect(diffs.nth(0)).to_be_focused()
    if len(material) > 1:
        await page.keyboard.press("j")
        await expect(diffs.nth(1)).to_be_focused()
        await page.keyboard.press("k")
        await expect(diffs.nth(0)).to_be_focused()
    # In-page jump links go to the next change's anchor.
    if len(material) > 1:
        await diffs.nth(0).locator("a[data-jump=next]").click()
        await expect(page).to_have_url(re.compile(r"#d\d+$"))

    siblings = [c["id"] for c in changes]
    following = siblings[siblings.index(change["id"]) + 1]
    await page.locator(".doc-nav a[rel=next]").first.click()
    await expect(page).to_have_url(
        f"{base_url}/sites/bitwarden.example/changes/{following}?mode=inline&material=1"
    )
    before = await page.locator(".captures a.external").first.get_attribute("href")
    assert before.startswith(f"{WAYBACK}/web/") and before.endswith(h.url)
    await page.close()


async def test_compare_picker_and_version_pages(browser, base_url, corpus):
    store, histories = corpus
    h = histories["bitwarden.example"]
    versions = store.versions_of_document(h.document_id)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{base_url}/sites/bitwarden.example")
    picker = page.locator("form.compare-picker")
    await picker.locator("select[name=from]").select_option(str(versions[0]["id"]))
    await picker.locator("select[name=to]").select_option(str(versions[-1]["id"]))
    await picker.get_by_role("button", name="Compare").click()
    await expect(page).to_have_url(
        f"{base_url}/sites/bitwarden.example/compare?from={versions[0]['id']}&to={versions[-1]['id']}"
    )
    await expect(page.locator("h1")).to_contain_text("Comparing two versions")
    assert await page.locator("article.diff").count() > 0
    await shot(page, "05-compare")

    # Versions are numbered v1…vN on every page, never by database id.
    await expect(page.locator("nav.crumbs [aria-current=page]")).to_have_text(
        f"Compare v1 and v{len(versions)}"
    )
    await page.locator(".captures a", has_text=f"v{len(versions)}").click()
    await expect(page).to_have_url(
        f"{base_url}/sites/bitwarden.example/versions/{versions[-1]['id']}"
    )
    await expect(page.locator("article.policy p").first).to_be_visible()
    await page.get_by_role("link", name="Compare with the previous version").click()
    await expect(page).to_have_url(
        re.compile(rf"from={versions[-2]['id']}&to={versions[-1]['id']}")
    )
    await page.close()


async def test_search_leads_to_the_clause(browser, base_url, corpus):
    store, _ = corpus
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(base_url + "/")
    await page.locator("#home-q").fill("vault data")
    await page.locator("#home-q").press("Enter")
    await expect(page).to_have_url(f"{base_url}/search?q=vault+data")
    hits = page.locator("ol.hits li.hit")
    await expect(hits.first).to_be_visible()
    await expect(hits.first.locator("mark").first).to_be_visible()
    await shot(page, "06-search")
    await hits.first.locator("a.hit-text").click()
    m = re.search(r"/versions/(\d+)#c(\d+)$", page.url)
    assert m, page.url
    clause = store.get_version(int(m[1]))["clauses"][int(m[2])]
    target = page.locator(f"#c{m[2]}")
    await expect(target).to_be_in_viewport()
    await expect(target).to_contain_text(" ".join(clause["text"].split()[:6]))
    # :target paints the clause so the eye finds it.
    assert await target.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    await shot(page, "07-version-clause")
    await page.close()


async def test_errors_keyboard_phone_print_and_no_javascript(browser, base_url, corpus):
    store, histories = corpus
    change = mixed_change(store, histories["bitwarden.example"].document_id)
    path = f"/sites/bitwarden.example/changes/{change['id']}"

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    response = await page.goto(base_url + "/sites/nowhere.example")
    assert response.status == 404
    await expect(page.locator("h1")).to_have_text("Not Found")
    await expect(page.locator("main")).to_contain_text("does not track")
    await shot(page, "08-not-found")
    response = await page.goto(base_url + "/sites/bitwarden.example/changes/abc")
    assert response.status == 400

    # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await page.goto(base_url + path)
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"#main$"))

    # Print: the reading matter stays, the controls go.
    await page.emulate_media(media="print")
    await expect(page.locator("nav.toolbar")).to_be_hidden()
    await expect(page.locator("header.top")).to_be_hidden()
    await expect(page.locator("article.diff").first).to_be_visible()
    await page.emulate_media(media="screen")
    await page.close()

    # A phone: no sideways scrolling, before stacked above after.
    phone = await browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    await phone.goto(base_url + path)
    overflow = await phone.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 0
    first = phone.locator("article.diff").first
    old = await first.locator(".side-old").bounding_box()
    new = await first.locator(".side-new").bounding_box()
    assert new["y"] >= old["y"] + old["height"] - 1
    await shot(phone, "09-change-phone")
    await phone.goto(base_url + "/sites/bitwarden.example")
    overflow = await phone.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 0
    await shot(phone, "10-site-phone")
    await phone.close()

    # Without JavaScript every control still works: they are links and forms.
    context = await browser.new_context(java_script_enabled=False)
    plain = await context.new_page()
    await plain.goto(base_url + path)
    await plain.get_by_role("link", name="Inline").click()
    await expect(plain.locator("p.clause.inline").first).to_be_visible()
    await plain.get_by_role("link", name=re.compile("^Material only")).click()
    material = sum(c["material"] for c in change["comparison"]["changes"])
    await expect(plain.locator("article.diff")).to_have_count(material)
    await context.close()
