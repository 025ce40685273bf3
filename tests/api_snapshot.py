"""Record the API's and the viewer's answers to a fixed set of requests on one store.

A refactor of the HTTP side must leave every answer byte-identical: record before, record
after on a copy of the same store file, compare. Run from the repository root:

    python tests/api_snapshot.py build /tmp/snap.db           # a populated store, once
    python tests/api_snapshot.py record /tmp/snap.db before.json
    python tests/api_snapshot.py record /tmp/snap.db after.json
    python tests/api_snapshot.py compare before.json after.json

The store is copied before each recording, so recording never changes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from aiohttp.test_utils import TestClient, TestServer
from apisupport import add_changes, build_populated, make_app

from db import Store

# The answer's headers that belong to the contract (Date and Server vary by the second).
HEADERS = (
    "Content-Type",
    "ETag",
    "Cache-Control",
    "Location",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Vary",
    "Retry-After",
    "Allow",
)
EXT = {"Origin": "chrome-extension://abcdefghijklmnop"}
WEB = {"Origin": "https://evil.example"}


def requests(store: Store) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers): every route, its good and bad inputs, CORS and preflights."""
    site = store.get_site("bitwarden.com")
    doc = store.documents_of_site(site["id"])[0]
    versions = store.versions_of_document(doc["id"])
    changes = store.changes_of_document(doc["id"])
    v1, v2, c1 = versions[0]["id"], versions[1]["id"], changes[0]["id"]
    h = site["site_hash"]
    gets = [
        "/api/v1/version",
        "/api/v1/openapi.json",
        f"/api/v1/lookup/{h[:2]}",
        f"/api/v1/lookup/{h[:5]}",
        "/api/v1/lookup/zz",
        "/api/v1/changes",
        "/api/v1/changes?limit=2",
        "/api/v1/changes?material=true",
        f"/api/v1/changes?buckets={h[:2]}",
        "/api/v1/changes?buckets=zz",
        "/api/v1/changes?after=nope",
        "/api/v1/changes?category=nope",
        "/api/v1/changes?limit=0",
        f"/api/v1/changes/{c1}",
        "/api/v1/changes/999999",
        "/api/v1/changes/abc",
        f"/api/v1/compare?from={v1}&to={v2}",
        f"/api/v1/compare?from={v1}",
        "/api/v1/compare?from=1&to=999999",
        "/api/v1/sites/bitwarden.com",
        "/api/v1/sites/unknown.example",
        "/api/v1/sites/not a site",
        f"/api/v1/sites/bitwarden.com/documents/{doc['id']}/versions",
        "/api/v1/sites/bitwarden.com/documents/999/versions",
        f"/api/v1/versions/{v1}",
        "/api/v1/versions/999999",
        "/api/v1/search?q=cookies",
        "/api/v1/search?q=",
        "/api/v1/search?q=data&limit=1000",
        "/api/v1/webhooks/1",
        "/api/v1/webhooks",
        "/api/v1/nothing-here",
        "/feeds/material.atom",
        "/feeds/sites/bitwarden.com.atom",
        "/feeds/sites/unknown.example.atom",
        "/",
        "/search?q=cookies",
        "/search?q=cookies&limit=zz",
        "/sites/bitwarden.com",
        "/sites/unknown.example",
        f"/sites/bitwarden.com/changes/{c1}",
        f"/sites/bitwarden.com/changes/{c1}?mode=side&material=1",
        "/sites/bitwarden.com/changes/abc",
        f"/sites/bitwarden.com/compare?from={v1}&to={v2}",
        "/sites/bitwarden.com/compare?from=x&to=1",
        f"/sites/bitwarden.com/versions/{v1}",
        "/sites/bitwarden.com/versions/0",
        "/static/viewer.css",
        "/static/nope.css",
    ]
    out: list[tuple[str, str, dict[str, str]]] = []
    for path in gets:
        out.append(("GET", path, {}))
        out.append(("GET", path, EXT))
    out.append(("HEAD", "/api/v1/changes", {}))
    for path in ("/api/v1/changes", "/api/v1/sites", "/api/v1/webhooks/1", "/feeds/material.atom"):
        for wanted in ("GET", "POST", "DELETE"):
            for origin in (EXT, WEB):
                out.append(("OPTIONS", path, {**origin, "Access-Control-Request-Method": wanted}))
    # Bodies are refused before anything is written: no state changes between recordings.
    out.append(("POST", "/api/v1/sites", {**EXT, "Content-Type": "text/plain"}))
    out.append(("POST", "/api/v1/webhooks", {**WEB, "Content-Type": "text/plain"}))
    out.append(("PATCH", "/api/v1/webhooks/1", EXT))
    out.append(("DELETE", "/api/v1/webhooks/1", {**EXT, "Authorization": "Bearer x"}))
    out.append(("PUT", "/api/v1/changes", {}))
    return out


async def record(db: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "snap.db"
        shutil.copyfile(db, copy)
        with Store.open(copy) as store:
            client = TestClient(
                TestServer(make_app(store, public_url="https://clausewatch.example"))
            )
            await client.start_server()
            try:
                answers = []
                for method, path, headers in requests(store):
                    resp = await client.request(method, path, headers=headers)
                    body = await resp.read()
                    answers.append(
                        {
                            "request": f"{method} {path} {json.dumps(headers, sort_keys=True)}",
                            "status": resp.status,
                            "headers": {
                                k: resp.headers.getall(k) for k in HEADERS if k in resp.headers
                            },
                            "sha256": hashlib.sha256(body).hexdigest(),
                            "body": body.decode("utf-8", "replace")[:20000],
                        }
                    )
            finally:
                await client.close()
    return answers


def compare(before: list[dict], after: list[dict]) -> int:
    differ = 0
    if [a["request"] for a in before] != [a["request"] for a in after]:
        print("the request lists differ")
        return 1
    for a, b in zip(before, after, strict=True):
        for field in ("status", "headers", "sha256"):
            if a[field] != b[field]:
                differ += 1
                print(f"{a['request']}: {field} {a[field]!r} -> {b[field]!r}")
    print(f"{len(before)} answers, {differ} differences")
    return 1 if differ else 0


def main(argv: list[str]) -> int:
    verb = argv[0]
    if verb == "build":
        path = build_populated(Path(argv[1]))
        with Store.open(path) as store:
            add_changes(
                store, "feedsite.example", 5, material=True, categories=("third-party-sharing",)
            )
        return 0
    if verb == "record":
        Path(argv[2]).write_text(json.dumps(asyncio.run(record(Path(argv[1]))), indent=1))
        return 0
    if verb == "compare":
        before, after = (json.loads(Path(p).read_text()) for p in argv[1:3])
        return compare(before, after)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
