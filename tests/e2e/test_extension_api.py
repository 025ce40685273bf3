"""The extension's own API client (extension/lib/api.js, run by Node) against the real
server: the contract of docs/extension-api.md, end to end, with no double in between."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from apisupport import add_changes, make_app

from api.keys import LOOKUP
from db import Store, site_hash
from monitor.netguard import StaticLookup

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import { createApi } from %s;
const api = createApi({ baseUrl: process.argv[2] });
const site = "example.com";
const hash = process.argv[3];
const out = {};
// A bucket of 9 bits: 3 hex digits, the last 3 bits zeroed, asked as ?bits=9.
const bucket = { hex: process.argv[4], bits: 9 };
const first = await api.lookup(bucket);
out.lookup = first.body;
out.lookupAgain = (await api.lookup(bucket, { etag: first.etag })).status;
const feed = await api.changesSince({ buckets: [hash.slice(0, 2)], limit: 2 });
out.feed = feed;
const again = await api.changesSince({ buckets: [hash.slice(0, 2)], after: feed.cursor, etag: feed.etag, limit: 2 });
out.feedAgain = again;
out.feedThird = await api.changesSince({ buckets: [hash.slice(0, 2)], after: again.cursor, etag: again.etag, limit: 2 });
out.site = await api.site(site);
out.unknown = await api.site("nowhere.example.org");
out.track = await api.track("new-site.com");
try { await api.track("10.0.0.1"); } catch (e) { out.refused = { status: e.status, message: e.message }; }
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (the extension's runtime)")
async def test_the_extension_client_reads_the_real_server(aiohttp_server, tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        ids = add_changes(store, "example.com", 5, material=True, categories=("user-choice",))
        app = make_app(store)
        app[LOOKUP] = StaticLookup({"new-site.com": "93.184.215.14"})
        server = await aiohttp_server(app)
        script = tmp_path / "client.mjs"
        script.write_text(SCRIPT % json.dumps((ROOT / "extension/lib/api.js").as_uri()))
        proc = await asyncio.create_subprocess_exec(
            "node", str(script), str(server.make_url("")).rstrip("/"), site_hash("example.com"),
            f"{int(site_hash('example.com')[:3], 16) & ~7:03x}",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()
        got = json.loads(out)
    (entry,) = got["lookup"]["sites"]
    assert entry["site_hash"] == site_hash("example.com") and entry["last_change_id"] == ids[-1]
    assert (got["lookup"]["prefix"], got["lookup"]["bits"]) == (
        f"{int(site_hash('example.com')[:3], 16) & ~7:03x}",
        9,
    )
    assert got["lookupAgain"] == 304
    assert [c["id"] for c in got["feed"]["changes"]] == ids  # three pages of two, followed
    assert got["feed"]["more"] is False
    # Caught up: an empty page hands back the same cursor and its ETag, then 304s.
    again = got["feedAgain"]
    assert again["changes"] == [] and again["cursor"] == got["feed"]["cursor"] and again["etag"]
    assert got["feedThird"]["notModified"] is True
    assert got["site"]["site"] == "example.com" and len(got["site"]["changes"]) == 5
    assert got["unknown"] is None
    assert got["track"] == {
        "site": "new-site.com",
        "status_url": "/api/v1/sites/new-site.com",
        "state": "pending",
    }
    assert got["refused"]["status"] == 400 and "IP address" in got["refused"]["message"]
