"""Fixtures shared by the API test modules (tests/apisupport.py has the plain helpers)."""

from __future__ import annotations

import pytest
from apisupport import build_populated, copy_db, make_app

from db import Store


@pytest.fixture(scope="module")
def populated_template(tmp_path_factory):
    """A store populated once per module; tests get their own copy through `real`."""
    return build_populated(tmp_path_factory.mktemp("tpl") / "populated.db")


@pytest.fixture
async def real(aiohttp_client, populated_template, tmp_path):
    """(store, client) over a fresh copy of the populated store."""
    store = Store.open(copy_db(populated_template, tmp_path / "real.db"))
    yield store, await aiohttp_client(make_app(store))
    store.close()
