"""The aiohttp application factory: the composition root of the HTTP side.

`create_app(settings)` returns an application that opens the store in a `cleanup_ctx`,
installs what the routes need (`SETUPS`) and mounts the route table (api/routetable.py:
add a route there). Background workers are not started here but by api/service.py.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator

from aiohttp import web

from api import keys, routetable
from api.baseurl import BASE_URL, BaseURL
from api.config import Settings
from api.problems import problem_middleware
from db import Store

# What the routes need installed, each a module with `setup(app)`, in this order: the
# viewer's HTML errors, then CORS and rate limits (their middlewares wrap every route), then
# the read cache and the comparison service. The routes themselves are in api/routetable.py.
SETUPS: tuple[str, ...] = (
    "api.viewer.routes",
    "api.cors",
    "api.ratelimit",
    "api.routes.lookup",
    "api.routes.changes",
)


def create_app(settings: Settings, *, store: Store | None = None) -> web.Application:
    """An application on `settings`; pass `store` to share an already-open one (tests)."""
    app = web.Application(middlewares=[problem_middleware], client_max_size=64 * 1024)
    app[keys.SETTINGS] = settings
    # Links are built on this, never on the request's Host (api/baseurl.py); serve() tells
    # it the bound address once the socket is listening.
    app[BASE_URL] = BaseURL(settings.public_url)

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        if store is not None:  # shared: its owner closes it
            app[keys.STORE] = store
            yield
            return
        with Store.open(settings.db_path) as own:
            app[keys.STORE] = own
            yield

    app.cleanup_ctx.append(store_ctx)
    for name in SETUPS:
        importlib.import_module(name).setup(app)
    routetable.mount(app)
    return app
