"""The extension tests' servers: what the service's own check pass would fetch for each
recorded site is the text recorded for that site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from extension_servers import POLICY, POLICY_MATERIAL, POLICY_MINOR, RealServer, ShopSite

from db import Store

pytestmark = pytest.mark.e2e


async def test_each_recorded_site_serves_its_own_last_text(tmp_path):
    # Before: two sites shared one policy URL showing the last text recorded for either, so
    # a check pass of the first site fetched the second's material text and recorded a
    # material change of its own (the intermittent "material" badge in test_extension).
    async with ShopSite() as shop:
        server = RealServer(tmp_path, shop)
        Store.open(server.db_path).close()
        server._record("one.test", POLICY, _yesterday())
        server._record("one.test", POLICY_MINOR, _now())
        server._record("two.test", POLICY, _yesterday())
        server._record("two.test", POLICY_MATERIAL, _now())
        with Store.open(server.db_path) as store:
            urls = {
                site: store.documents_of_site(store.get_site(site)["id"])[0]["url"]
                for site in ("one.test", "two.test")
            }
        async with aiohttp.ClientSession() as session:
            for site, text in (("one.test", POLICY_MINOR), ("two.test", POLICY_MATERIAL)):
                async with session.get(urls[site]) as resp:
                    assert await resp.text() == text, site


def _now() -> datetime:
    return datetime.now(UTC)


def _yesterday() -> datetime:
    return _now() - timedelta(days=1)
