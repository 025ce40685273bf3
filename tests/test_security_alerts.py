"""Issue 23, item 1: a page is tracked (and its changes announced) only once it is verified
as the site's privacy policy, or an operator approves it.

A loopback forum site (port 0) links its real policy from the footer of its home page; its
home page also lists user posts, one of them titled "Privacy Policy" and holding a pasted
copy of a real policy (so it even reads as one). Asking for that post is held for the
operator with the reason; asking for the real policy admits it; `clausewatch requests`
lists, approves and rejects what was held.
"""

from __future__ import annotations

import html
import random

import pytest
from apisupport import HISTORIES, make_app
from click.testing import CliRunner
from policysites import WallClock, loopback_fetcher, start

from api.cli import cli
from api.ratelimit import LIMITER, RateLimiter
from db import Store
from db.requests import MAX_UNDECIDED_PER_SITE, STATES, requests_in
from monitor.discover import Candidate, discover, linked_as_policy
from monitor.schedule import Monitor, Timing
from monitor.tracking import track_pending_sites

FORUM = "forum.test"


def policy_page(service: str, title: str) -> str:
    """A real policy (tests/data/policy-histories) as a plain HTML page."""
    md = sorted((HISTORIES / service).glob("*.md"))[0].read_text(encoding="utf-8")
    parts = []
    for block in (b.strip() for b in md.split("\n\n") if b.strip()):
        if block.startswith("#"):
            level = min(len(block) - len(block.lstrip("#")), 6)
            parts.append(f"<h{level}>{html.escape(block.lstrip('#').strip())}</h{level}>")
        else:
            parts.append(f"<p>{html.escape(' '.join(block.split()))}</p>")
    return f"<!doctype html><html><head><title>{title}</title></head><body><main>{''.join(parts)}</main></body></html>"


def home_page() -> str:
    return (
        "<!doctype html><html><head><title>Forum</title></head><body>"
        "<main><h1>Latest posts</h1><ul>"
        '<li><a href="/forum/t/1">Privacy Policy</a> by mallory</li>'
        '<li><a href="/forum/t/2">Privacy policy question</a> by eve</li>'
        '<li><a href="/forum/t/3">Weekend plans</a> by bob</li>'
        "</ul></main>"
        '<footer><a href="/about">About</a> <a href="/legal/privacy">Privacy Policy</a> '
        '<a href="/legal/ca-privacy">California Privacy Notice</a></footer>'
        "</body></html>"
    )


@pytest.fixture
async def forum(aiohttp_server):
    sites = await start(aiohttp_server)
    sites.set(FORUM, "/", home_page())
    sites.set(FORUM, "/legal/privacy", policy_page("bitwarden", "Privacy Policy"))
    sites.set(FORUM, "/legal/ca-privacy", policy_page("duckduckgo", "California Privacy Notice"))
    # User content: a pasted policy that reads like one, and a short question.
    sites.set(FORUM, "/forum/t/1", policy_page("amazon-com", "Privacy Policy"))
    sites.set(
        FORUM, "/forum/t/2", "<html><body><p>Does anyone read the privacy policy?</p></body></html>"
    )
    return sites


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def client(aiohttp_client, store):
    return await aiohttp_client(make_app(store, allow_private_addresses=True))


@pytest.fixture
async def fetcher():
    async with loopback_fetcher([FORUM, f"www.{FORUM}", "shop.test"]) as f:
        yield f


def monitor_for(store, fetcher, forum) -> Monitor:
    async def find(domain: str):
        return await discover(f"{domain}:{forum.port}", fetcher)

    return Monitor(
        store,
        fetcher,
        timing=Timing(interval=3600),
        clock=WallClock(),
        rng=random.Random(0),
        discover=find,
    )


def tracked_forum(store: Store, forum) -> dict:
    site = store.add_site(FORUM)
    store.add_document(site["id"], forum.url(FORUM, "/legal/privacy"))
    return site


def urls(store: Store, site: dict) -> list[str]:
    return [
        d["url"].rsplit(":", 1)[1].split("/", 1)[1] for d in store.documents_of_site(site["id"])
    ]


async def test_a_user_post_of_a_tracked_site_is_held_not_tracked(client, store, fetcher, forum):
    site = tracked_forum(store, forum)
    resp = await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/forum/t/1")})
    assert resp.status == 202
    # Before the fix this was already a document, checked and announced from the next pass.
    assert urls(store, site) == ["legal/privacy"]
    reports = await track_pending_sites(monitor_for(store, fetcher, forum))
    assert urls(store, site) == ["legal/privacy"]
    (held,) = requests_in(store, ["held"])
    assert held["url"] == forum.url(FORUM, "/forum/t/1")
    assert "links it as its privacy policy" in held["reason"]
    assert any("held for the operator" in n for r in reports for n in r.notes)
    # The post changes: nothing is checked, so nothing is announced.
    forum.set(FORUM, "/forum/t/1", policy_page("apple", "Privacy Policy"))
    await monitor_for(store, fetcher, forum).run_pass(tracking=False)
    assert store.counts()["changes"] == 0
    assert (await (await client.get("/api/v1/changes")).json())["changes"] == []


async def test_a_page_that_is_no_policy_is_held_with_why(client, store, fetcher, forum):
    tracked_forum(store, forum)
    await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/forum/t/2")})
    await track_pending_sites(monitor_for(store, fetcher, forum))
    (held,) = requests_in(store, ["held"])
    assert held["reason"].startswith("it does not read as a privacy policy: too short")


async def test_a_second_policy_linked_from_the_footer_is_admitted(client, store, fetcher, forum):
    site = tracked_forum(store, forum)
    resp = await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/legal/ca-privacy")})
    assert resp.status == 202 and (await resp.json())["state"] == "tracked"
    await track_pending_sites(monitor_for(store, fetcher, forum))
    assert urls(store, site) == ["legal/privacy", "legal/ca-privacy"]
    (admitted,) = requests_in(store, ["admitted"])
    assert "linked from" in admitted["reason"] and "in the footer" in admitted["reason"]
    # Started like any new document: checked once, its first version history, not news.
    doc = store.get_document(admitted["document_id"])
    assert doc["status"] == "ok" and len(store.versions_of_document(doc["id"])) == 1
    # Asking again for what is tracked: nothing new, and that is public anyway.
    again = await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/legal/ca-privacy")})
    assert again.status == 200 and (await again.json())["state"] == "tracked"


async def test_a_new_site_asked_for_by_a_user_post_gets_its_real_policy(
    client, store, fetcher, forum
):
    resp = await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/forum/t/1")})
    assert resp.status == 202 and (await resp.json())["state"] == "pending"
    (report,) = await track_pending_sites(monitor_for(store, fetcher, forum))
    site = store.get_site(FORUM)
    assert report.state == "tracked" and site["state"] == "tracked"
    assert urls(store, site) == ["legal/privacy"]  # discovery's, not the post
    assert [r["state"] for r in requests_in(store, STATES)] == ["held"]


async def test_a_new_site_asked_for_by_its_policy_url_is_admitted(client, store, fetcher, forum):
    await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/legal/privacy")})
    (report,) = await track_pending_sites(monitor_for(store, fetcher, forum))
    assert report.state == "tracked"
    assert urls(store, store.get_site(FORUM)) == ["legal/privacy"]
    assert [r["state"] for r in requests_in(store, STATES)] == ["admitted"]


async def test_the_operator_lists_approves_and_rejects_held_requests(client, store, fetcher, forum):
    site = tracked_forum(store, forum)
    for path in ("/forum/t/1", "/forum/t/2"):
        await client.post("/api/v1/sites", json={"url": forum.url(FORUM, path)})
    await track_pending_sites(monitor_for(store, fetcher, forum))
    one, two = requests_in(store, ["held"])
    runner = CliRunner()
    db = ["--db", store.path]
    listed = runner.invoke(cli, ["requests", "list", *db])
    assert listed.exit_code == 0
    assert f"{one['id']}\theld\t{FORUM}\t{one['url']}" in listed.output
    assert runner.invoke(cli, ["requests", "reject", str(two["id"]), *db]).exit_code == 0
    approved = runner.invoke(cli, ["requests", "approve", str(one["id"]), *db])
    assert approved.exit_code == 0 and "Approved" in approved.output
    await track_pending_sites(monitor_for(store, fetcher, forum))
    assert urls(store, site) == ["legal/privacy", "forum/t/1"]
    states = {r["id"]: r["state"] for r in requests_in(store, STATES)}
    assert states == {one["id"]: "admitted", two["id"]: "rejected"}
    assert "No request is waiting." in runner.invoke(cli, ["requests", "list", *db]).output
    for args in (["approve", "999"], ["reject", str(two["id"])]):
        bad = runner.invoke(cli, ["requests", *args, *db])
        assert bad.exit_code == 1 and "Traceback" not in bad.output
        assert len(bad.output.strip().splitlines()) == 1


def candidate(**kw) -> Candidate:
    base = {"url": "https://a.com/p", "score": 8.0, "signals": (), "source": "link"}
    return Candidate(**{**base, **kw})


def test_what_counts_as_linked_as_the_policy():
    best = candidate(url="https://a.com/privacy", named="text", footer=True, score=13)
    assert linked_as_policy(best, best)
    assert linked_as_policy(candidate(named="rel", source="rel"), best)
    assert linked_as_policy(candidate(named="text", footer=True), best)
    # Link text in the page's content, below the best: what a user post can be.
    assert not linked_as_policy(candidate(named="text"), best)
    assert linked_as_policy(candidate(named="text"), candidate(named="text"))  # itself best
    assert not linked_as_policy(candidate(named="path", footer=True), best)
    assert not linked_as_policy(candidate(named="", footer=True), best)


async def test_one_site_collects_a_bounded_number_of_requests(aiohttp_client, store, forum):
    app = make_app(store, allow_private_addresses=True)
    app[LIMITER] = RateLimiter({})  # many clients' worth of requests, from one
    client = await aiohttp_client(app)
    tracked_forum(store, forum)
    for n in range(MAX_UNDECIDED_PER_SITE + 5):
        resp = await client.post("/api/v1/sites", json={"url": forum.url(FORUM, f"/forum/t/{n}")})
        assert resp.status == 202  # the same answer: the bound tells nobody anything
    assert len(requests_in(store, STATES)) == MAX_UNDECIDED_PER_SITE


def test_urls_asked_for_before_the_upgrade_go_back_to_being_requests(tmp_path):
    path = tmp_path / "cw.db"
    with Store.open(path) as store:
        pending = store.add_site("asked.example")
        store.set_site_state(pending["id"], "pending")
        store.add_document(pending["id"], "https://asked.example/forum/t/1")
        tracked = store.add_site("kept.example")
        store.add_document(tracked["id"], "https://kept.example/privacy")
        with store.write() as db:  # as the store was before the step that added requests
            db.execute("DROP TABLE document_requests")
            db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_document_requests'")
    with Store.open(path) as store:
        (request,) = requests_in(store, STATES)
        assert (request["url"], request["state"]) == ("https://asked.example/forum/t/1", "pending")
        assert store.documents_of_site(pending["id"]) == []
        assert len(store.documents_of_site(tracked["id"])) == 1


async def test_another_address_of_a_tracked_policy_is_not_checked_as_history(
    client, store, fetcher, forum
):
    site = tracked_forum(store, forum)
    forum.set(FORUM, "/privacy", "", location="/legal/privacy")
    await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/privacy")})
    reports = await track_pending_sites(monitor_for(store, fetcher, forum))
    (request,) = requests_in(store, STATES)
    assert request["state"] == "admitted" and urls(store, site) == ["legal/privacy"]
    # Not started again: a forced first check would record a live change as history.
    assert store.snapshots_of_document(request["document_id"]) == []
    assert all(r.document_ids == [] for r in reports)


async def test_a_verification_that_fails_holds_the_request_once(
    client, store, fetcher, forum, monkeypatch
):
    tracked_forum(store, forum)
    await client.post("/api/v1/sites", json={"url": forum.url(FORUM, "/forum/t/1")})
    calls = []

    async def broken(url, fetcher, **kw):
        calls.append(url)
        raise RuntimeError("a surprise in the page")

    monkeypatch.setattr("monitor.discover.verify_policy_url", broken)
    monitor = monitor_for(store, fetcher, forum)
    await track_pending_sites(monitor)
    await track_pending_sites(monitor)
    (held,) = requests_in(store, ["held"])
    assert held["reason"] == "verification failed (a surprise in the page)" and len(calls) == 1
