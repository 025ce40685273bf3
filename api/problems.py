"""Errors as RFC 9457 `application/problem+json`, for every route and every failure."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiohttp import web

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("clausewatch.api")


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> web.Response:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return web.Response(
        status=status,
        text=json.dumps(body),
        content_type=PROBLEM_TYPE,
        headers=headers,
    )


class Problem(web.HTTPException):
    """Raise from a handler to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str | None = None, **extra: object):
        self.status_code = status
        super().__init__()
        self.problem = problem(status, title, detail, **cast(dict[str, Any], extra))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def wants_html(request: web.Request) -> bool:
    """Pages of the viewer answer errors in HTML; everything under /api/ in JSON."""
    return not request.path.startswith("/api/")


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as exc:
        return exc.problem
    except web.HTTPException as exc:
        # Redirects pass through; the viewer's pages render their own error pages.
        if exc.status < 400 or wants_html(request):
            raise
        kept = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
        detail = exc.text if exc.text and exc.text != exc.reason else None
        return problem(exc.status, exc.reason, detail, headers=kept)
    except Exception:  # the one place unexpected failures are turned into a 500
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_html(request):
            raise
        return problem(500, "Internal Server Error", "The server failed; it has been logged.")
