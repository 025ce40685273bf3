"""Atom feeds: valid Atom (parsed back), newest first, absolute links to the diff viewer."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from apisupport import add_changes, make_app

from db import Store

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


def check_atom(xml: bytes) -> ET.Element:
    """The elements RFC 4287 requires of a feed and of each entry."""
    root = ET.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None and root.find(f"{ATOM}{name}").text
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        # rel defaults to "alternate" in Atom, so a link without rel is one.
        links = entry.findall(f"{ATOM}link")
        assert any(link.get("rel", "alternate") == "alternate" for link in links)
    return root


async def test_site_feed_links_to_the_viewer_with_the_public_url(aiohttp_client, store):
    ids = add_changes(store, "example.com", 3, material=True, categories=("data-retention",))
    add_changes(store, "other.com", 2)
    client = await aiohttp_client(make_app(store, public_url="https://cw.example/"))
    resp = await client.get("/feeds/sites/example.com.atom")
    assert resp.status == 200 and resp.content_type == "application/atom+xml"
    root = check_atom(await resp.read())
    entries = root.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == [f"https://cw.example/sites/example.com/changes/{i}" for i in reversed(ids)]
    assert [c.get("term") for c in entries[0].findall(f"{ATOM}category")] == ["data-retention"]
    assert entries[0].find(f"{ATOM}summary").text == "edits a clause"
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "https://cw.example/feeds/sites/example.com.atom"
    again = await client.get(
        "/feeds/sites/example.com.atom", headers={"If-None-Match": resp.headers["ETag"]}
    )
    assert again.status == 304


async def test_material_feed_only_material_and_bound_address_links(aiohttp_client, store):
    add_changes(store, "quiet.com", 2, material=False)
    loud = add_changes(store, "loud.com", 2, material=True, categories=("third-party-sharing",))
    client = await aiohttp_client(make_app(store))
    resp = await client.get("/feeds/material.atom")
    root = check_atom(await resp.read())
    hrefs = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    host = f"http://{client.server.host}:{client.server.port}"
    assert hrefs == [f"{host}/sites/loud.com/changes/{i}" for i in reversed(loud)]


async def test_empty_and_unknown_feeds(aiohttp_client, store):
    client = await aiohttp_client(make_app(store))
    check_atom(await (await client.get("/feeds/material.atom")).read())
    store.add_document(store.add_site("new.com")["id"], "https://new.com/privacy")
    root = check_atom(await (await client.get("/feeds/sites/new.com.atom")).read())
    assert root.findall(f"{ATOM}entry") == []
    missing = await client.get("/feeds/sites/nowhere.com.atom")
    assert missing.status == 404 and missing.content_type == "application/problem+json"
