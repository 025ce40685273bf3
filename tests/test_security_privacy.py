"""Issue 23, item 7: what people ask to track is nobody else's business.

Only public sites (checked by the monitor, with an admitted document) are listed anywhere
public: lookups, the change feed, Atom feeds, search (API and viewer), site, version,
change and compare answers, the viewer's pages. A tracking request's answer is the same for
a first and a repeat request of a site not tracked.
"""

from __future__ import annotations

import pytest
from apisupport import make_app, record_history

from api.keys import LOOKUP
from db import Store, site_hash
from monitor.netguard import StaticLookup

PUBLIC_IP = "93.184.215.14"
SECRET = "sensitive-clinic.com"  # asked for, never tracked
FAILED = "failed-site.com"  # history recovered while pending, then tracking failed


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("privacy") / "cw.db"
    with Store.open(path) as store:
        record_history(store, "bitwarden", "bitwarden.com")
        doc = record_history(store, "duckduckgo", FAILED)
        store.set_site_state(store.get_document(doc)["site_id"], "failed", "no check succeeded")
    return path


@pytest.fixture
async def env(aiohttp_client, template, tmp_path):
    path = tmp_path / "cw.db"
    path.write_bytes(template.read_bytes())
    store = Store.open(path)
    app = make_app(store)
    app[LOOKUP] = StaticLookup(dict.fromkeys([SECRET, "fresh.com", FAILED], PUBLIC_IP))
    yield store, await aiohttp_client(app)
    store.close()


async def test_first_and_repeat_requests_get_the_same_answer(env):
    _store, client = env
    answers = []
    for site in (SECRET, SECRET, "fresh.com", FAILED):
        resp = await client.post("/api/v1/sites", json={"site": site})
        answers.append((resp.status, await resp.json()))
    first, repeat, fresh, failed = answers
    assert first == repeat  # before: 202, then 200 — telling that someone had asked
    for status, body in (first, fresh, failed):
        assert status == 202 and body["state"] == "pending"
        assert set(body) == {"site", "status_url", "state"}


async def test_a_pending_request_is_listed_nowhere(env):
    _store, client = env
    assert (await client.post("/api/v1/sites", json={"site": SECRET})).status == 202
    page = await client.get("/search", params={"q": "."})
    text = await page.text()
    assert page.status == 200 and SECRET not in text  # before: listed a second later
    assert SECRET not in await (await client.get("/search", params={"q": "clinic"})).text()
    assert (await client.get(f"/api/v1/sites/{SECRET}")).status == 404
    assert (await client.get(f"/sites/{SECRET}")).status == 404
    assert (await client.get(f"/feeds/sites/{SECRET}.atom")).status == 404
    lookup = await (await client.get(f"/api/v1/lookup/{site_hash(SECRET)[:5]}")).json()
    assert site_hash(SECRET) not in {s["site_hash"] for s in lookup["sites"]}


async def test_a_failed_sites_history_is_listed_nowhere(env):
    store, client = env
    site = store.get_site(FAILED)
    doc = store.documents_of_site(site["id"])[0]
    change = store.changes_of_document(doc["id"])[0]
    version = change["to_version_id"]
    feed = await (await client.get("/api/v1/changes")).json()
    assert feed["changes"] and FAILED not in {c["site"] for c in feed["changes"]}
    assert FAILED not in await (await client.get("/feeds/material.atom")).text()
    hits = await (await client.get("/api/v1/search", params={"q": "search"})).json()
    assert hits["results"] and FAILED not in {r["site"] for r in hits["results"]}
    viewer_hits = await (await client.get("/search", params={"q": "search"})).text()
    assert FAILED not in viewer_hits
    assert FAILED not in await (await client.get("/search", params={"q": "failed"})).text()
    assert FAILED not in await (await client.get("/")).text()
    for path, status in [
        (f"/api/v1/sites/{FAILED}", 404),
        (f"/api/v1/sites/{FAILED}/documents/{doc['id']}/versions", 404),
        (f"/api/v1/versions/{version}", 404),
        (f"/api/v1/changes/{change['id']}", 404),
        (f"/api/v1/compare?from={change['from_version_id']}&to={version}", 404),
        (f"/feeds/sites/{FAILED}.atom", 404),
        (f"/sites/{FAILED}", 404),
        (f"/sites/{FAILED}/changes/{change['id']}", 404),
        (f"/sites/{FAILED}/versions/{version}", 404),
    ]:
        resp = await client.get(path)
        assert resp.status == status, path
        assert FAILED not in await resp.text() or resp.content_type != "application/json"
    lookup = await (await client.get(f"/api/v1/lookup/{site_hash(FAILED)[:5]}")).json()
    assert lookup["sites"] == []


async def test_tracked_sites_are_still_listed_everywhere(env):
    _store, client = env
    assert "bitwarden.com" in await (await client.get("/search", params={"q": "bitwarden"})).text()
    assert (await client.get("/api/v1/sites/bitwarden.com")).status == 200
    assert (await client.get("/sites/bitwarden.com")).status == 200
    feed = await (await client.get("/api/v1/changes")).json()
    assert {c["site"] for c in feed["changes"]} == {"bitwarden.com"}
    lookup = await (await client.get(f"/api/v1/lookup/{site_hash('bitwarden.com')[:5]}")).json()
    assert [s["site_hash"] for s in lookup["sites"]] == [site_hash("bitwarden.com")]
