"""The diff viewer's pages, rendered by the real app over a store recorded from real histories.

Pages are parsed (selectolax) and checked for what a reader gets: rows, marks, links,
highlighted words, reasons next to material clauses; errors are HTML pages with the right
status; and hostile policy text stays text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from corpusdb import HISTORIES, build_store, captured_at
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from api.app import create_app
from api.config import Settings
from api.viewer.diffview import segments
from api.viewer.routes import COMPARISONS
from monitor.compare import compare
from monitor.model import PolicyDocument
from monitor.record import NewSnapshot, record_snapshot

WAYBACK = "http://wayback.test"

HOSTILE_V1 = b"""<html><head><title>Privacy</title></head><body><main>
<h1>Evil Privacy Policy</h1><h2>Sharing</h2>
<p>We share data with partners. See our partner list for the companies we share your
personal data with.</p>
<ul><li>We keep logs for 30 days and then delete them.</li></ul>
<p>Contact us with questions about this policy at any time by email.</p>
</main></body></html>"""

# Entities in the HTML become these characters in the clause text, as a real page could.
HOSTILE_V2 = b"""<html><head><title>Privacy</title></head><body><main>
<h1>Evil Privacy Policy</h1><h2>Sharing &lt;script&gt;alert(0)&lt;/script&gt;</h2>
<p>We share data with partners. &lt;script&gt;alert(1)&lt;/script&gt; See
[x](javascript:alert(1)) for the companies we share and sell your personal data with.</p>
<ul><li>We keep logs for 5 years. Tracking pixel &lt;img src=x onerror=alert(1)&gt; on
every page.</li></ul>
<p>Contact us with questions about this policy at any time by email.</p>
</main></body></html>"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("viewer") / "cw.db"
    store, histories = build_store(path, {"bitwarden": None, "amazon-com": 4})
    site = store.add_site("evil.example")
    # A document address that is itself a script URL must never become a link.
    doc = store.add_document(site["id"], "javascript:alert(3)//evil.example/privacy")
    for raw, when in ((HOSTILE_V1, "2024-01-01T00:00:00Z"), (HOSTILE_V2, "2024-06-01T00:00:00Z")):
        capture = NewSnapshot(raw, when, "wayback", content_type="text/html")
        record_snapshot(store, doc["id"], capture)
    # A site whose policy was seen once in the archive, then changed under the live monitor.
    live = store.add_document(store.add_site("live.example")["id"], "https://live.example/p")
    files = sorted((HISTORIES / "duckduckgo").glob("*.md"))[:2]
    for file, source in zip(files, ("wayback", "live"), strict=True):
        capture = NewSnapshot(
            file.read_bytes(), captured_at(file), source, content_type="text/markdown"
        )
        record_snapshot(store, live["id"], capture)
    # Tracking requested, nothing fetched yet.
    store.add_document(store.add_site("pending.example")["id"], "https://pending.example/privacy")
    yield store, {h.site: h for h in histories}
    store.close()


@pytest.fixture
async def client(aiohttp_client, corpus):
    store, _ = corpus
    app = create_app(Settings(db_path=store.path, wayback_url=WAYBACK), store=store)
    return await aiohttp_client(app)


async def page(client, path: str, status: int = 200) -> HTMLParser:
    resp = await client.get(path)
    body = await resp.text()
    assert resp.status == status, body[:500]
    assert resp.content_type == "text/html"
    return HTMLParser(body)


def text(node) -> str:
    return " ".join(node.text(separator=" ").split())


def stamp(iso: str) -> str:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).strftime("%Y%m%d%H%M%S")


# -- diff rows (pure) -----------------------------------------------------------------


def test_segments_split_word_ops_per_side_and_keep_whole_texts_readable():
    edit = {"kind": "modified", "old": "keep 30 days", "new": "keep 5 years"}
    ops = [["equal", "keep "], ["delete", "30 days"], ["insert", "5 years"]]
    old, new, inline = segments({**edit, "word_ops": ops})
    assert old == [("equal", "keep "), ("delete", "30 days")]
    assert new == [("equal", "keep "), ("insert", "5 years")]
    assert inline == [tuple(o) for o in ops]
    assert segments({"kind": "added", "old": None, "new": "x"}) == (
        [],
        [("insert", "x")],
        [("insert", "x")],
    )
    assert segments({"kind": "removed", "old": "x", "new": None})[0] == [("delete", "x")]
    assert segments({"kind": "moved", "old": "x", "new": "x"})[1] == [("equal", "x")]
    rewrite = segments({"kind": "modified", "old": "a b", "new": "c d", "word_ops": []})
    assert rewrite == (
        [("equal", "a b")],
        [("equal", "c d")],
        [("delete", "a b"), ("insert", "c d")],
    )


# -- pages -----------------------------------------------------------------------------


async def test_home_counts_sites_and_lists_recent_material_changes(client, corpus):
    store, _ = corpus
    tree = await page(client, "/")
    assert text(tree.css_first('[data-count="sites"]')) == str(len(store.list_sites()))
    items = tree.css(".change-list .change-item")
    shown = [int(a.attributes["href"].rsplit("/", 1)[1]) for a in tree.css(".change-link")]
    assert items and len(shown) == len(items)
    rows = [store.change_by_id(i) for i in shown]
    assert all(r["material"] for r in rows)
    assert [r["to_captured_at"] for r in rows] == sorted(
        (r["to_captured_at"] for r in rows), reverse=True
    )
    assert tree.css_first("form[action='/search'] input[name=q]") is not None


async def test_site_page_timeline_chart_feed_and_compare_picker(client, corpus):
    store, histories = corpus
    h = histories["bitwarden.example"]
    versions = store.versions_of_document(h.document_id)
    changes = store.changes_of_document(h.document_id)
    tree = await page(client, "/sites/bitwarden.example")
    rows = tree.css("table.timeline tbody tr")
    assert len(rows) == len(versions) == len(h.files)
    first = versions[0]
    capture = f"{WAYBACK}/web/{stamp(first['first_captured_at'])}/{h.url}"
    assert tree.css_first(f'table.timeline a[href="{capture}"]') is not None
    assert "Wayback" in text(rows[-1])  # oldest last
    assert f"{first['clause_count']} clauses" in text(rows[-1])
    marks = tree.css("figure.chart svg a.mark")
    assert len(marks) == len(changes)
    assert len(tree.css("figure.chart svg a.mark-material")) == sum(c["material"] for c in changes)
    assert {m.attributes["href"] for m in marks} == {
        f"/sites/bitwarden.example/changes/{c['id']}" for c in changes
    }
    assert tree.css_first('a[href="/feeds/sites/bitwarden.example.atom"]') is not None
    assert tree.css_first('link[rel=alternate][type="application/atom+xml"]') is not None
    picker = tree.css_first("form.compare-picker")
    assert picker.attributes["action"] == "/sites/bitwarden.example/compare"
    for name in ("from", "to"):
        assert len(picker.css(f"select[name={name}] option")) == len(versions)
    assert text(tree.css_first('[data-count="material"]')) == str(
        sum(c["material"] for c in changes)
    )


def _material_mixed_change(store, document_id: int) -> dict:
    """A change with both material and non-material clause changes, neither first nor last."""
    for c in store.changes_of_document(document_id)[1:-1]:
        flags = [x["material"] for x in c["comparison"]["changes"]]
        if any(flags) and not all(flags):
            return c
    raise AssertionError("the corpus has no mixed change")


async def test_change_page_side_by_side_with_reasons_words_and_captures(client, corpus):
    store, histories = corpus
    h = histories["bitwarden.example"]
    change = _material_mixed_change(store, h.document_id)
    detail = change["comparison"]["changes"]
    tree = await page(client, f"/sites/bitwarden.example/changes/{change['id']}")
    articles = tree.css("article.diff")
    assert len(articles) == len(detail)
    for art, ch in zip(articles, detail, strict=True):
        assert ("is-material" in art.attributes["class"]) == ch["material"]
        assert ch["reason"] and ch["reason"] in text(art.css_first("aside.reason"))
        assert (ch["section"] or "Whole policy") in text(art.css_first("h2 .section"))
        chips = [text(c) for c in art.css(".chip")]
        assert chips == [c.replace("-", " ") for c in ch["categories"]]
        assert art.css_first(".side-old") and art.css_first(".side-new")
        for op, piece in ch["word_ops"]:
            if op != "equal" and piece.strip():
                tag = "del" if op == "delete" else "ins"
                side = ".side-old" if op == "delete" else ".side-new"
                assert piece.strip() in [t.text().strip() for t in art.css_first(side).css(tag)]
    before = f"{WAYBACK}/web/{stamp(change['from_captured_at'])}/{h.url}"
    after = f"{WAYBACK}/web/{stamp(change['to_captured_at'])}/{h.url}"
    hrefs = {a.attributes.get("href") for a in tree.css(".captures a")}
    assert {before, after} <= hrefs
    siblings = store.changes_of_document(h.document_id)
    at = [c["id"] for c in siblings].index(change["id"])
    prev_link = tree.css_first(".doc-nav a[rel=prev]")
    next_link = tree.css_first(".doc-nav a[rel=next]")
    assert prev_link.attributes["href"].startswith(
        f"/sites/bitwarden.example/changes/{siblings[at - 1]['id']}?"
    )
    assert next_link.attributes["href"].startswith(
        f"/sites/bitwarden.example/changes/{siblings[at + 1]['id']}?"
    )
    # In-page jumps point at the anchors of the neighbouring changes.
    jumps = tree.css("article.diff .jump a[data-jump=next]")
    assert [j.attributes["href"] for j in jumps] == [f"#{a.id}" for a in articles[1:]]


async def test_inline_mode_and_material_filter_are_query_parameters(client, corpus):
    store, histories = corpus
    change = _material_mixed_change(store, histories["bitwarden.example"].document_id)
    detail = change["comparison"]["changes"]
    material = [c for c in detail if c["material"]]
    base = f"/sites/bitwarden.example/changes/{change['id']}"
    tree = await page(client, f"{base}?mode=inline&material=1")
    articles = tree.css("article.diff")
    assert len(articles) == len(material) < len(detail)
    assert all("is-material" in a.attributes["class"] for a in articles)
    assert not tree.css(".side-old") and len(tree.css("p.clause.inline")) == len(material)
    showing = text(tree.css_first("#showing"))
    assert f"Showing {len(material)} of {len(detail)}" in showing
    assert f"{len(detail) - len(material)} not material hidden" in showing
    current = {text(a) for a in tree.css(".toolbar a[aria-current]")}
    assert any(t.startswith("Inline") for t in current)
    assert any(t.startswith("Material only") for t in current)
    # Switching the layout keeps the filter, and clearing the filter keeps the layout.
    side = tree.css_first(".toolbar a:not([aria-current])").attributes["href"]
    assert side == f"{base}?mode=side&material=1"
    everything = next(a for a in tree.css(".toolbar a") if text(a).startswith("All changes"))
    assert everything.attributes["href"] == f"{base}?mode=inline"


async def test_compare_any_two_versions(client, corpus):
    store, histories = corpus
    versions = store.versions_of_document(histories["bitwarden.example"].document_id)
    old, new = versions[0], versions[-1]
    expected = compare(
        PolicyDocument.from_dict(store.get_version(old["id"])),
        PolicyDocument.from_dict(store.get_version(new["id"])),
    )
    tree = await page(client, f"/sites/bitwarden.example/compare?from={old['id']}&to={new['id']}")
    assert len(tree.css("article.diff")) == len(expected.changes)
    assert text(tree.css_first("p.summary")) == " ".join(expected.summary.split())
    picked = tree.css("form.compare-picker option[selected]")
    assert [o.attributes["value"] for o in picked] == [str(old["id"]), str(new["id"])]
    hrefs = {a.attributes.get("href") for a in tree.css(".captures a")}
    assert f"/sites/bitwarden.example/versions/{old['id']}" in hrefs


async def test_compare_reuses_stored_changes_and_computes_each_other_pair_once(client, corpus):
    store, histories = corpus
    comparisons = client.server.app[COMPARISONS]
    change = store.changes_of_document(histories["amazon-com.example"].document_id)[1]
    pair = f"from={change['from_version_id']}&to={change['to_version_id']}"
    tree = await page(client, f"/sites/amazon-com.example/compare?{pair}")
    assert text(tree.css_first("p.summary")) == " ".join(change["summary"].split())
    assert comparisons.computed == 0
    versions = store.versions_of_document(histories["amazon-com.example"].document_id)
    backwards = f"from={versions[-1]['id']}&to={versions[0]['id']}"
    first = await page(client, f"/sites/amazon-com.example/compare?{backwards}&mode=inline")
    again = await page(client, f"/sites/amazon-com.example/compare?{backwards}&material=1")
    assert comparisons.computed == 1
    assert len(first.css("article.diff")) >= len(again.css("article.diff")) > 0


async def test_version_page_anchors_every_clause(client, corpus):
    store, histories = corpus
    versions = store.versions_of_document(histories["amazon-com.example"].document_id)
    version = store.get_version(versions[1]["id"])
    tree = await page(client, f"/sites/amazon-com.example/versions/{version['id']}")
    for i, clause in enumerate(version["clauses"]):
        node = tree.css_first(f"#c{i}")
        assert node is not None and " ".join(clause["text"].split()) in text(node)
    prev = tree.css_first(".doc-nav a[rel=prev]").attributes["href"]
    assert prev == f"/sites/amazon-com.example/versions/{versions[0]['id']}"


async def test_search_finds_clauses_and_links_to_them(client, corpus):
    store, _ = corpus
    tree = await page(client, "/search?q=vault+data")
    hits = tree.css("ol.hits li.hit")
    assert hits
    href = hits[0].css_first("a.hit-text").attributes["href"]
    m = re.fullmatch(r"/sites/([^/]+)/versions/(\d+)#c(\d+)", href)
    assert m, href
    assert {t.text().lower() for t in hits[0].css("mark")} & {"vault", "data"}
    target = await page(client, href.split("#")[0])
    clause = store.get_version(int(m[2]))["clauses"][int(m[3])]
    assert " ".join(clause["text"].split()) in text(target.css_first(f"#c{m[3]}"))
    # A clause kept unchanged across versions is one result naming each of its versions.
    rows = store.search_clauses("vault data", limit=50)
    links = [a.attributes["href"] for h in hits for a in h.css(".hit-versions a")]
    assert len(links) == len(set(links)) == len(rows)
    assert len(hits) == len({(r["document_id"], r["text"]) for r in rows}) < len(rows)
    sites = await page(client, "/search?q=bitwarden")
    assert sites.css_first('.site-list a[href="/sites/bitwarden.example"]') is not None
    none = await page(client, "/search?q=zzyzx+qwxv")
    assert text(none.css_first('[data-count="hits"]')) == "0"


async def test_a_live_change_shows_where_its_captures_came_from(client, corpus):
    store, _ = corpus
    doc = store.documents_of_site(store.get_site("live.example")["id"])[0]
    (change,) = store.changes_of_document(doc["id"])
    assert change["origin"] == "live"
    tree = await page(client, f"/sites/live.example/changes/{change['id']}")
    captures = [text(c) for c in tree.css(".captures .capture")]
    assert "by Wayback Machine" in captures[0] and "by live fetch" in captures[1]
    wayback_links = [a for a in tree.css(".captures a") if a.attributes["href"].startswith(WAYBACK)]
    assert len(wayback_links) == 1  # the live capture has no archive page of its own
    assert "reconstructed from the archive" not in text(tree.css_first(".period"))
    site = await page(client, "/sites/live.example")
    sources = [text(r.css("td")[2]) for r in site.css("table.timeline tbody tr")]
    assert sources[0].startswith("Live") and sources[-1].startswith("Wayback")


async def test_a_site_with_nothing_recorded_yet_has_a_page(client):
    tree = await page(client, "/sites/pending.example")
    assert text(tree.css_first('[data-count="versions"]')) == "0"
    assert tree.css_first("figure.chart") is None and tree.css_first("form.compare-picker") is None
    assert "No change yet" in text(tree.css_first("main"))


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/sites/nowhere.example", 404),
        ("/sites/nowhere.example/changes/1", 404),
        ("/sites/bitwarden.example/changes/999999", 404),
        ("/sites/bitwarden.example/changes/abc", 400),
        ("/sites/bitwarden.example/changes/0", 400),
        ("/sites/bitwarden.example/changes/-3", 400),
        ("/sites/bitwarden.example/changes/99999999999999999999999", 400),
        ("/sites/bitwarden.example/changes/" + "9" * 5000, 400),
        ("/sites/bitwarden.example/changes/1?mode=sideways", 400),
        ("/sites/bitwarden.example/changes/1?material=maybe", 400),
        ("/sites/bitwarden.example/versions/999999", 404),
        ("/sites/bitwarden.example/versions/x1", 400),
        ("/sites/bitwarden.example/compare?from=1", 400),
        ("/sites/bitwarden.example/compare?from=1&to=nope", 400),
        ("/sites/bitwarden.example/compare?from=1&to=999999", 404),
        ("/no/such/page", 404),
        ("/static/missing.css", 404),
    ],
)
async def test_unknown_or_bad_addresses_answer_an_html_error_page(client, path, status):
    tree = await page(client, path, status)
    assert text(tree.css_first(".error-status")) == str(status)
    assert tree.css_first("h1") is not None and tree.css_first('a[href="/"]') is not None


async def test_a_change_or_version_of_another_site_is_not_found(client, corpus):
    store, histories = corpus
    other = store.changes_of_document(histories["amazon-com.example"].document_id)[0]
    await page(client, f"/sites/bitwarden.example/changes/{other['id']}", 404)
    await page(client, f"/sites/bitwarden.example/versions/{other['to_version_id']}", 404)
    mine = store.versions_of_document(histories["bitwarden.example"].document_id)[0]
    await page(
        client,
        f"/sites/bitwarden.example/compare?from={mine['id']}&to={other['to_version_id']}",
        404,
    )


async def test_a_wrong_method_is_an_html_page_with_allow(client):
    resp = await client.post("/sites/bitwarden.example")
    assert resp.status == 405 and resp.content_type == "text/html"
    assert "GET" in resp.headers["Allow"]


async def test_api_errors_stay_problem_documents(client):
    resp = await client.get("/api/v1/nope")
    assert resp.status == 404 and resp.content_type == "application/problem+json"


# -- hostile text ----------------------------------------------------------------------

LIVE_ATTRS = re.compile(r"^on", re.I)


def assert_no_live_markup(tree: HTMLParser) -> None:
    assert not tree.css("img, iframe, object, embed")
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not LIVE_ATTRS.match(name), (node.tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript"), value
    scripts = tree.css("script")
    assert [s.attributes.get("src") for s in scripts] == ["/static/viewer.js"]
    assert all(not s.text().strip() for s in scripts)


async def test_hostile_policy_text_renders_as_text_on_every_page(client, corpus):
    store, _ = corpus
    site = store.get_site("evil.example")
    doc = store.documents_of_site(site["id"])[0]
    versions = store.versions_of_document(doc["id"])
    (change,) = store.changes_of_document(doc["id"])
    stored = " ".join(c["text"] for c in store.get_version(versions[-1]["id"])["clauses"])
    # The premise: the hostile strings really are in the policy text.
    for needle in ("<script>alert(1)</script>", "[x](javascript:alert(1))", "onerror=alert(1)>"):
        assert needle in stored
    paths = [
        "/",
        "/sites/evil.example",
        f"/sites/evil.example/changes/{change['id']}",
        f"/sites/evil.example/changes/{change['id']}?mode=inline",
        f"/sites/evil.example/compare?from={versions[0]['id']}&to={versions[1]['id']}",
        f"/sites/evil.example/versions/{versions[1]['id']}",
        "/search?q=alert",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    ]
    for path in paths:
        resp = await client.get(path)
        body = await resp.text()
        assert resp.status == 200, path
        assert "<script>alert" not in body and "<img" not in body, path
        assert "'none'" in resp.headers["Content-Security-Policy"]
        tree = HTMLParser(body)
        assert_no_live_markup(tree)
    change_page = HTMLParser(
        await (await client.get(f"/sites/evil.example/changes/{change['id']}")).text()
    )
    shown = text(change_page.css_first("main"))
    assert "<script>alert(1)</script>" in shown and "[x](javascript:alert(1))" in shown
    assert "<img src=x onerror=alert(1)>" in shown
    site_page = await (await client.get("/sites/evil.example")).text()
    assert "javascript:alert(3)//evil.example/privacy" in HTMLParser(site_page).text()


async def test_one_numbering_per_document_on_every_page(client, corpus):
    # Issue 25, item 12: v1…vN by first capture on the site, change, compare and version
    # pages and their breadcrumbs; changes numbered k of n; database ids never shown.
    store, histories = corpus
    doc_id = histories["amazon-com.example"].document_id
    versions = store.versions_of_document(doc_id)
    number = {v["id"]: n for n, v in enumerate(versions, 1)}
    assert any(v["id"] != n for v, n in zip(versions, range(1, 99), strict=False))
    site = await page(client, "/sites/amazon-com.example")
    rows = {
        a.attributes["href"]: text(a)
        for a in site.css("table a")
        if "/versions/" in a.attributes.get("href", "")
    }
    for v in versions:
        assert rows[f"/sites/amazon-com.example/versions/{v['id']}"] == f"v{number[v['id']]}"

    changes = store.changes_of_document(doc_id)
    for k, change in enumerate(changes, 1):
        tree = await page(client, f"/sites/amazon-com.example/changes/{change['id']}")
        crumb = text(tree.css_first("nav.crumbs [aria-current=page]"))
        assert crumb == f"Change {k} of {len(changes)}"
        before, after = (text(a) for a in tree.css(".captures .capture a:not(.external)")[:2])
        assert (before, after) == (
            f"v{number[change['from_version_id']]}",
            f"v{number[change['to_version_id']]}",
        )
        assert number[change["from_version_id"]] < number[change["to_version_id"]]

    old, new = versions[0], versions[-1]
    compare_page = await page(
        client, f"/sites/amazon-com.example/compare?from={old['id']}&to={new['id']}"
    )
    crumb = text(compare_page.css_first("nav.crumbs [aria-current=page]"))
    assert crumb == f"Compare v1 and v{len(versions)}"
    version = await page(client, f"/sites/amazon-com.example/versions/{new['id']}")
    assert text(version.css_first("nav.crumbs [aria-current=page]")) == f"Version {len(versions)}"
    assert f"Version {len(versions)} of {len(versions)}" in text(version.css_first("p.period"))


async def test_a_site_is_found_by_the_same_rules_as_the_api(client):
    # One parse of a site for the viewer and the API (api.routes.common.public_site): a
    # domain in capitals with the trailing dot is the same site on both, a non-domain
    # unknown.
    assert (await client.get("/api/v1/sites/BITWARDEN.example.")).status == 200
    await page(client, "/sites/BITWARDEN.example.")
    await page(client, "/sites/not a domain", status=404)
