"""Host header reflection (issue 23, item 8): absolute links in Atom feeds are built on the
configured public URL, else the address the server is bound to — never on the request's
Host (or X-Forwarded-Host), which any client sets and a shared cache would then serve to
every reader of the feed.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from apisupport import add_changes, make_app

from api.config import Settings
from api.service import start_site
from db import Store

EVIL = "evil.example"
FORGED = {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"}


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        add_changes(s, "example.com", 2, material=True)
        yield s


@pytest.mark.parametrize("path", ["/feeds/material.atom", "/feeds/sites/example.com.atom"])
async def test_a_forged_host_never_reaches_a_feed(aiohttp_client, store, path):
    client = await aiohttp_client(make_app(store))
    honest = await client.get(path)
    forged = await client.get(path, headers=FORGED)
    assert forged.status == honest.status == 200
    body = await forged.text()
    assert EVIL not in body
    assert f"http://127.0.0.1:{client.server.port}/sites/example.com/changes/" in body
    # One answer whatever the Host: a cache keyed without Host stores nothing poisoned.
    assert body == await honest.text()
    assert forged.headers["ETag"] == honest.headers["ETag"]


async def test_the_public_url_wins_over_any_host(aiohttp_client, store):
    client = await aiohttp_client(make_app(store, public_url="https://cw.example/"))
    body = await (await client.get("/feeds/material.atom", headers=FORGED)).text()
    assert EVIL not in body and "127.0.0.1" not in body
    assert "https://cw.example/sites/example.com/changes/" in body


async def test_served_by_start_site_links_use_the_bound_port(tmp_path, store):
    """What `clausewatch serve --port 0` does: links on the port really bound."""
    import aiohttp

    from api.app import create_app
    from api.webhooks import DELIVERY_INTERVAL

    settings = Settings(db_path=store.path, host="127.0.0.1", port=0)
    app = create_app(settings, store=store)
    app[DELIVERY_INTERVAL] = None
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        url = await start_site(runner, settings)
        port = runner.addresses[0][1]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/feeds/material.atom", headers=FORGED) as resp,
        ):
            body = await resp.text()
    finally:
        await runner.cleanup()
    assert port != 0 and url == f"http://127.0.0.1:{port}"
    assert EVIL not in body and f"{url}/sites/example.com/changes/" in body


def test_only_a_wildcard_bind_without_a_public_url_is_a_guess():
    from api.baseurl import BaseURL

    loopback, wildcard, public = BaseURL(), BaseURL(), BaseURL("https://cw.example")
    loopback.bind("127.0.0.1", 8080)
    wildcard.bind("::", 8080)
    public.bind("0.0.0.0", 8080)
    assert not loopback.guessing and wildcard.guessing and not public.guessing
    assert loopback.current() == "http://127.0.0.1:8080"
    assert wildcard.current() == "http://[::]:8080"
    assert public.current() == "https://cw.example"
