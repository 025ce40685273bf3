"""The aiohttp application factory: the composition root of the HTTP side.

`create_app(settings)` returns an application that opens the store in a `cleanup_ctx`
and mounts every route group. Route groups live in their own modules and expose
`setup(app)`; add a group by appending its module name to `ROUTE_GROUPS`.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator

from aiohttp import web

from api import keys
from api.baseurl import BASE_URL, BaseURL
from api.config import Settings
from api.problems import problem_middleware
from db import Store

# Route groups, each a module with `setup(app)`, mounted in this order.
ROUTE_GROUPS: tuple[str, ...] = (
    "api.routes.meta",
    "api.viewer.routes",
    # The extension's API (docs/extension-api.md): CORS and rate limits first, so their
    # middlewares wrap every route mounted after them.
    "api.cors",
    "api.ratelimit",
    "api.openapi",
    "api.routes.lookup",
    "api.routes.changes",
    "api.routes.sites",
    "api.routes.search",
    "api.routes.webhooks",
    "api.routes.feeds",
)


def create_app(settings: Settings, *, store: Store | None = None) -> web.Application:
    """An application on `settings`; pass `store` to share an already-open one (tests)."""
    app = web.Application(middlewares=[problem_middleware], client_max_size=64 * 1024)
    app[keys.SETTINGS] = settings
    # Links are built on this, never on the request's Host (api/baseurl.py); serve() tells
    # it the bound address once the socket is listening.
    app[BASE_URL] = BaseURL(settings.public_url)

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        own = store is None
        app[keys.STORE] = Store.open(settings.db_path) if own else store
        yield
        if own:
            app[keys.STORE].close()

    app.cleanup_ctx.append(store_ctx)
    for name in ROUTE_GROUPS:
        importlib.import_module(name).setup(app)
    return app
