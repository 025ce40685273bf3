"""Full-text search across every stored policy version (FTS5 through the store).

The store takes the query as plain words, never FTS syntax, so quotes, NEAR, `*` or a
lone `-` in what a person typed cannot make SQLite raise.
"""

from __future__ import annotations

from aiohttp import web

from api import keys
from api.problems import Problem
from api.routes.common import json_response, positive_int
from api.shapes import Search, SearchResult

MAX_QUERY = 200
MAX_LIMIT = 100
SEARCH_CACHE = "public, max-age=300"


async def search(request: web.Request) -> web.StreamResponse:
    q = request.query.get("q", "").strip()
    if not q:
        raise Problem(400, "Missing parameter", "q (the words to search for) is required")
    if len(q) > MAX_QUERY:
        raise Problem(400, "Bad parameter", f"q must be at most {MAX_QUERY} characters")
    limit = positive_int(request.query.get("limit"), "limit", default=20)
    if limit > MAX_LIMIT:
        raise Problem(400, "Bad parameter", f"limit must be at most {MAX_LIMIT}")
    rows = request.app[keys.STORE].search_clauses(q, limit=limit)
    results: list[SearchResult] = [
        {
            "site": r["site"],
            "document_id": r["document_id"],
            "document_url": r["url"],
            "version_id": r["version_id"],
            "position": r["position"],
            "section": r["section"],
            "kind": r["kind"],
            "text": r["text"],
            "snippet": r["snippet"],
            "first_captured_at": r["first_captured_at"],
            "last_captured_at": r["last_captured_at"],
            "version_url": f"/api/v1/versions/{r['version_id']}",
        }
        for r in rows
    ]
    body: Search = {"q": q, "results": results}
    return json_response(request, body, cache=SEARCH_CACHE)
