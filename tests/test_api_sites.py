"""Lookups by hash prefix, tracking requests (validation, SSRF, idempotence, rate limit),
a site's page, a document's timeline, a version's clauses, and search."""

from __future__ import annotations

import asyncio

import pytest
from apisupport import add_changes, make_app, site_with_hash_prefix

from api.keys import LOOKUP
from api.ratelimit import LIMITER, RateLimiter, Rule
from api.routes import lookup as lookup_route
from api.routes.lookup import (
    SITES_PER_BUCKET,
    fewest_bits,
    prefix_length_for,
    recommended_prefix_bits,
)
from db import Store, site_hash
from db.reads import lookup_bucket
from db.requests import STATES, requests_in
from monitor.netguard import StaticLookup

PUBLIC = "93.184.215.14"


def tracked(store: Store, site: str) -> dict:
    """A site with an admitted document: what lookups list."""
    row = store.add_site(site)
    store.add_document(row["id"], f"https://{site}/privacy")
    return row


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


def app_for(store, resolves=None, **settings):
    app = make_app(store, **settings)
    app[LOOKUP] = StaticLookup(resolves or {})
    return app


@pytest.fixture
async def client(aiohttp_client, store):
    table = {
        "example.com": PUBLIC,
        "www.example.com": PUBLIC,
        "legal.example.co.uk": PUBLIC,
        "xn--bcher-kva.de": PUBLIC,
        "intranet.example.org": "10.1.2.3",
        "mixed.example.net": [PUBLIC, "192.168.1.7"],
        "metadata.example.net": "169.254.169.254",
        "six.example.net": "::1",
    }
    return await aiohttp_client(app_for(store, table))


# -- lookup -----------------------------------------------------------------------------


async def test_lookup_answers_every_tracked_site_in_the_bucket(client, store):
    one = site_with_hash_prefix("a1", "one")
    prefix = site_hash(one)[:5]
    store.add_site(one)
    changes = add_changes(store, one, 3, material=False)
    material = add_changes(store, one, 1, material=True, categories=("user-choice",))
    other = site_with_hash_prefix("b2", "other")
    store.add_site(other)
    resp = await client.get(f"/api/v1/lookup/{prefix}")
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "public, max-age=300" and "ETag" in resp.headers
    body = await resp.json()
    assert body["prefix"] == prefix
    assert [s["site_hash"] for s in body["sites"]] == [site_hash(one)]
    entry = body["sites"][0]
    assert entry["status"] == "ok"
    assert (
        entry["last_change_id"] == material[0] and entry["last_material_change_id"] == material[0]
    )
    assert entry["last_change"].endswith("Z") and changes
    again = await client.get(
        f"/api/v1/lookup/{prefix}", headers={"If-None-Match": resp.headers["ETag"]}
    )
    assert again.status == 304


async def test_lookup_of_a_site_without_changes_and_of_an_empty_bucket(client, store):
    quiet = site_with_hash_prefix("c", "quiet")
    tracked(store, quiet)
    body = await (await client.get(f"/api/v1/lookup/{site_hash(quiet)[:5]}")).json()
    (entry,) = body["sites"]
    assert entry["last_change"] is None and entry["last_change_id"] is None
    assert entry["last_material_change"] is None and entry["last_material_change_id"] is None
    empty = await (await client.get("/api/v1/lookup/00000")).json()
    assert empty == {
        "prefix": "00000",
        "bits": 20,
        "prefix_bits": 1,
        "prefix_length": 2,
        "sites": [],
    }


async def test_pending_sites_are_not_in_lookups(client, store):
    resp = await client.post("/api/v1/sites", json={"site": "example.com"})
    assert resp.status == 202
    body = await (await client.get(f"/api/v1/lookup/{site_hash('example.com')[:5]}")).json()
    assert body["sites"] == []


async def test_a_short_prefix_answers_its_whole_bucket(client, store):
    one, two = site_with_hash_prefix("a1", "one"), site_with_hash_prefix("a1", "two")
    tracked(store, one)
    tracked(store, two)
    tracked(store, site_with_hash_prefix("b2", "other"))
    body = await (await client.get("/api/v1/lookup/a1")).json()
    assert sorted(s["site_hash"] for s in body["sites"]) == sorted([site_hash(one), site_hash(two)])
    # Three tracked sites: a 5-hex prefix would name each of them, so 2 is recommended (old
    # clients send no fewer), and 1 bit to clients that count bits.
    assert body["prefix_length"] == 2 and body["prefix_bits"] == 1 and body["bits"] == 8


def recommended_prefix_length(tracked: int) -> int:
    """What old clients are told (`prefix_length`): the recommended bits in hex digits."""
    return prefix_length_for(recommended_prefix_bits(tracked))


def test_recommended_prefix_length_keeps_about_twenty_sites_behind_a_prefix():
    assert recommended_prefix_length(0) == 2
    assert recommended_prefix_length(5_000) == 2  # 20 a bucket at 2; 1.2 at 3
    assert recommended_prefix_length(20 * 16**3) == 3
    assert recommended_prefix_length(20 * 16**3 - 1) == 2
    assert recommended_prefix_length(10**9) == 5


@pytest.mark.parametrize("tracked_sites", [40, 10_000, 81_920, 100_000, 1_000_000, 2_600_000])
def test_recommended_bits_leave_between_k_and_2k_sites_a_bucket_at_any_size(tracked_sites):
    bits = recommended_prefix_bits(tracked_sites)
    assert SITES_PER_BUCKET <= tracked_sites / 2**bits < 2 * SITES_PER_BUCKET
    # Old clients are told the whole hex digits within it: never a smaller bucket.
    assert recommended_prefix_length(tracked_sites) == max(2, bits // 4)


def test_recommended_bits_at_the_ends():
    assert recommended_prefix_bits(0) == 1  # fewer than k sites: the widest bucket there is
    assert recommended_prefix_bits(10_000) == 8  # 39 a bucket (as 2 hex digits were)
    assert recommended_prefix_bits(1_000_000) == 15  # 30.5 a bucket (3 hex held 244)
    assert recommended_prefix_bits(10**12) == 20


def sites_with_prefixes(store: Store, prefixes: list[str]) -> dict[str, str]:
    """A tracked site under each hex prefix: {prefix: site_hash}."""
    hashes = {}
    for prefix in prefixes:
        site = site_with_hash_prefix(prefix, f"p{prefix}-")
        tracked(store, site)
        hashes[prefix] = site_hash(site)
    return hashes


async def lookup_hashes(client, url: str) -> list[str]:
    resp = await client.get(url)
    assert resp.status == 200, await resp.text()
    return [s["site_hash"] for s in (await resp.json())["sites"]]


async def test_a_bucket_of_bits_holds_exactly_the_sites_on_its_side_of_each_boundary(client, store):
    # 9 bits: a80 holds a80-a87, a88 holds a88-a8f; 7 bits: a8 holds a8-a9; 5 bits: a8 holds
    # a8-af; the last bucket of each width runs to the end of the hash space.
    h = sites_with_prefixes(store, ["a7f", "a80", "a87", "a88", "a8f", "a90", "b00", "fe0", "fff"])
    assert await lookup_hashes(client, "/api/v1/lookup/a80?bits=9") == [h["a80"], h["a87"]]
    assert await lookup_hashes(client, "/api/v1/lookup/a88?bits=9") == [h["a88"], h["a8f"]]
    assert await lookup_hashes(client, "/api/v1/lookup/a8?bits=7") == [
        h["a80"],
        h["a87"],
        h["a88"],
        h["a8f"],
        h["a90"],
    ]
    assert await lookup_hashes(client, "/api/v1/lookup/a8?bits=5") == [
        h[p] for p in ("a80", "a87", "a88", "a8f", "a90")
    ]
    assert await lookup_hashes(client, "/api/v1/lookup/a0?bits=5") == [h["a7f"]]
    assert await lookup_hashes(client, "/api/v1/lookup/fe?bits=7") == [h["fe0"], h["fff"]]
    assert await lookup_hashes(client, "/api/v1/lookup/ff8?bits=9") == [h["fff"]]
    assert await lookup_hashes(client, "/api/v1/lookup/8?bits=1") == sorted(h.values())
    assert await lookup_hashes(client, "/api/v1/lookup/0?bits=1") == []
    # The hex forms old clients send still answer their whole digits.
    assert await lookup_hashes(client, "/api/v1/lookup/a8") == [
        h[p] for p in ("a80", "a87", "a88", "a8f")
    ]
    assert await lookup_hashes(client, "/api/v1/lookup/a") == [
        h[p] for p in ("a7f", "a80", "a87", "a88", "a8f", "a90")
    ]
    body = await (await client.get("/api/v1/lookup/a80?bits=9")).json()
    assert (body["prefix"], body["bits"]) == ("a80", 9)


def test_every_width_partitions_the_tracked_sites_into_its_buckets(store):
    # Each site in exactly the bucket its leading bits name, at every width from 1 to 10 bits.
    for n in range(150):
        tracked(store, f"partition{n}.example")
    hashes = sorted(site_hash(f"partition{n}.example") for n in range(150))
    for bits in range(1, 11):
        digits = -(-bits // 4)
        seen = []
        for bucket in range(2**bits):
            prefix = f"{bucket << (4 * digits - bits):0{digits}x}"
            got = [row["site_hash"] for row in lookup_bucket(store, prefix, bits)]
            assert got == [x for x in hashes if int(x[:8], 16) >> (32 - bits) == bucket]
            seen += got
        assert seen == hashes


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/lookup/a8?bits=8",  # whole hex digits: the hex form is the one URL
        "/api/v1/lookup/a80?bits=12",
        "/api/v1/lookup/a8?bits=9",  # 9 bits take 3 digits
        "/api/v1/lookup/a80?bits=7",  # 7 bits take 2
        "/api/v1/lookup/a9?bits=7",  # the 8th bit is not 0
        "/api/v1/lookup/a84?bits=9",
        "/api/v1/lookup/a8?bits=07",  # one spelling of a number
        "/api/v1/lookup/a8?bits=+7",
        "/api/v1/lookup/a8?bits=",
        "/api/v1/lookup/a8?bits=0",
        "/api/v1/lookup/a8000?bits=21",
        "/api/v1/lookup/a8?bits=7&bits=7",
        "/api/v1/lookup/a8?bits=7&x=1",  # a query that would be another cache entry
        "/api/v1/lookup/a8?x=1",
    ],
)
async def test_a_bucket_spelled_any_other_way_is_a_problem(client, url):
    resp = await client.get(url)
    assert resp.status == 400 and resp.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "target", ["/api/v1/lookup/a8?", "/api/v1/lookup/%61%38", "/api/v1/lookup/a8?bits=%37"]
)
async def test_a_bucket_spelled_with_escapes_is_a_problem(client, target):
    # Decoded, these are buckets; as sent, they are other keys for an HTTP cache. Sent on a
    # socket of our own: an HTTP client library would tidy them up first.
    url = client.make_url("")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/problem+json" in head
    assert b"/api/v1/lookup/a8" in body


async def test_a_bucket_of_a_large_store_too_wide_to_answer_is_refused(client, store, monkeypatch):
    # At a million tracked sites a 1-hex bucket is 62,500 sites in one answer, a 1-bit one
    # half the store: a lookup may not ask for more than 16,384 sites on average (6 bits).
    store.add_site("bitwarden.com")
    add_changes(store, "bitwarden.com", 1)
    monkeypatch.setattr(lookup_route, "tracked_site_count", lambda _store: 1_000_000)
    for url in ("/api/v1/lookup/a", "/api/v1/lookup/8?bits=1", "/api/v1/lookup/a0?bits=5"):
        resp = await client.get(url)
        assert resp.status == 400 and resp.content_type == "application/problem+json", url
        assert "at least 6 bits; 15 are recommended" in (await resp.json())["detail"]
    for url in ("/api/v1/lookup/a0?bits=6", "/api/v1/lookup/a3", "/api/v1/lookup/a30?bits=9"):
        assert (await client.get(url)).status == 200, url


def test_how_wide_a_bucket_may_be_asked_grows_with_the_store():
    assert fewest_bits(0) == fewest_bits(16_384) == 1
    assert fewest_bits(5_120) == 1  # a client at a width recommended earlier (7 bits) is answered
    assert fewest_bits(1_000_000) == 6
    # The extension's first lookup (8 bits) is answered up to 4.2 million tracked sites.
    assert fewest_bits(4_194_304) == 8 and fewest_bits(4_194_305) == 9


@pytest.mark.parametrize("prefix", ["abcdef", "ABCDE", "g1234", "a1b2%20"])
async def test_bad_prefixes_are_problems(client, prefix):
    resp = await client.get(f"/api/v1/lookup/{prefix}")
    assert resp.status == 400 and resp.content_type == "application/problem+json"


async def test_lookup_handler_logs_no_site(client, store, caplog):
    store.add_site("secret-site.com")
    add_changes(store, "secret-site.com", 1)
    caplog.set_level("DEBUG")
    await client.get(f"/api/v1/lookup/{site_hash('secret-site.com')[:5]}")
    assert "secret-site" not in caplog.text


# -- tracking requests --------------------------------------------------------------------


async def test_track_a_domain_then_again(client, store):
    resp = await client.post("/api/v1/sites", json={"site": "WWW.Example.com."})
    assert resp.status == 202
    body = await resp.json()
    assert body == {
        "site": "example.com",
        "status_url": "/api/v1/sites/example.com",
        "state": "pending",
    }
    assert resp.headers["Location"] == "/api/v1/sites/example.com"
    # The same answer: a repeat must not tell that someone asked before (issue 23).
    again = await client.post("/api/v1/sites", json={"site": "example.com"})
    assert again.status == 202 and await again.json() == body
    assert store.counts()["sites"] == 1 and store.get_site("example.com")["state"] == "pending"


async def test_track_a_policy_url_records_one_request_and_no_document(client, store):
    for _ in range(2):
        resp = await client.post(
            "/api/v1/sites", json={"url": "https://legal.example.co.uk/privacy#top"}
        )
        assert resp.status == 202 and (await resp.json())["state"] == "pending"
    assert (await resp.json())["site"] == "example.co.uk"
    site = store.get_site("example.co.uk")
    # Not a document until the tracking worker verifies it (tests/test_security_alerts.py).
    assert store.documents_of_site(site["id"]) == []
    (request,) = requests_in(store, STATES, site_id=site["id"])
    assert (request["url"], request["state"]) == ("https://legal.example.co.uk/privacy", "pending")


async def test_track_idna(client, store):
    resp = await client.post("/api/v1/sites", json={"site": "bücher.de"})
    assert resp.status == 202 and (await resp.json())["site"] == "xn--bcher-kva.de"


async def test_an_already_tracked_site_answers_its_state(client, store):
    tracked(store, "example.com")
    resp = await client.post("/api/v1/sites", json={"site": "example.com"})
    assert resp.status == 200 and (await resp.json())["state"] == "tracked"


@pytest.mark.parametrize(
    "body,needle",
    [
        ({"site": "10.0.0.5"}, "IP address"),
        ({"site": "127.0.0.1"}, "IP address"),
        ({"site": "[::1]"}, "IP address"),
        ({"site": "localhost"}, "private"),
        ({"site": "printer.local"}, "private"),
        ({"site": "db.internal"}, "private"),
        ({"site": "intranet"}, "public suffix"),
        ({"site": "co.uk"}, "public suffix"),
        ({"site": "intranet.example.org"}, "non-public"),
        ({"site": "mixed.example.net"}, "non-public"),
        ({"site": "metadata.example.net"}, "non-public"),
        ({"site": "six.example.net"}, "non-public"),
        ({"site": "unknown-name.com"}, "does not resolve"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "IP address"),
        ({"url": "http://10.0.0.1/privacy"}, "IP address"),
        ({"url": "http://[::1]/privacy"}, "IP address"),
        ({"url": "http://127.0.0.1:8080/privacy"}, "IP address"),
        ({"url": "http://intranet.example.org/privacy"}, "non-public"),
        ({"url": "ftp://example.com/privacy"}, "http or https"),
        ({"url": "file:///etc/passwd"}, "http or https"),
        ({"url": "/privacy"}, "http or https"),
        ({"url": "https://user:pw@example.com/"}, "password"),
        ({"site": "example.com/privacy"}, "bare domain"),
        ({"site": ""}, "domain"),
        ({"site": 42}, "domain"),
    ],
)
async def test_tracking_refusals(client, store, body, needle):
    resp = await client.post("/api/v1/sites", json=body)
    assert resp.status == 400, await resp.text()
    assert resp.content_type == "application/problem+json"
    assert needle in (await resp.json())["detail"]
    assert store.counts()["sites"] == 0


@pytest.mark.parametrize(
    "raw,ctype,status",
    [
        (b'{"site": "example.com", "url": "https://example.com/"}', "application/json", 400),
        (b"{}", "application/json", 400),
        (b'{"site": "example.com", "extra": 1}', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"{not json", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"site=example.com", "application/x-www-form-urlencoded", 415),
        (b'{"site": "' + b"a" * 5000 + b'.com"}', "application/json", 413),
    ],
)
async def test_bad_tracking_bodies(client, raw, ctype, status):
    resp = await client.post("/api/v1/sites", data=raw, headers={"Content-Type": ctype})
    assert resp.status == status
    assert resp.content_type == "application/problem+json"


async def test_a_body_over_the_app_limit_is_a_problem(client):
    resp = await client.post(
        "/api/v1/sites", data=b"x" * 200_000, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 413 and resp.content_type == "application/problem+json"


async def test_private_addresses_allowed_by_configuration(aiohttp_client, store):
    client = await aiohttp_client(app_for(store, allow_private_addresses=True))
    resp = await client.post("/api/v1/sites", json={"url": "http://127.0.0.1:8080/privacy"})
    assert resp.status == 202 and (await resp.json())["site"] == "127.0.0.1"


async def test_tracking_requests_are_rate_limited_per_address(aiohttp_client, store):
    app = app_for(store, {"example.com": PUBLIC})
    now = [1000.0]
    app[LIMITER] = RateLimiter({"track": Rule(burst=2, per_second=0.1)}, clock=lambda: now[0])
    client = await aiohttp_client(app)
    statuses = [
        (await client.post("/api/v1/sites", json={"site": "example.com"})).status for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
    limited = await client.post("/api/v1/sites", json={"site": "example.com"})
    assert limited.status == 429 and limited.content_type == "application/problem+json"
    assert limited.headers["Retry-After"] == "10"
    # Reads are another class: not limited by tracking.
    assert (await client.get("/api/v1/lookup/00000")).status == 200
    now[0] += 10
    assert (await client.post("/api/v1/sites", json={"site": "example.com"})).status == 202


# -- sites, timelines, versions, search ---------------------------------------------------


async def test_site_page(real):
    _store, client = real
    resp = await client.get("/api/v1/sites/bitwarden.com")
    assert resp.status == 200
    body = await resp.json()
    assert body["site"] == "bitwarden.com" and body["site_hash"] == site_hash("bitwarden.com")
    assert body["state"] == "tracked" and body["viewer_url"] == "/sites/bitwarden.com"
    (doc,) = body["documents"]
    assert doc["kind"] == "privacy" and doc["status"] == "ok" and doc["versions"] == 8
    ids = [c["id"] for c in body["changes"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 7
    assert all(c["site"] == "bitwarden.com" for c in body["changes"])


async def test_site_page_404_and_400(client):
    missing = await client.get("/api/v1/sites/nowhere.example")
    assert missing.status == 404 and missing.content_type == "application/problem+json"
    bad = await client.get("/api/v1/sites/a..b")
    assert bad.status == 400 and bad.content_type == "application/problem+json"


async def test_timeline_and_version(real):
    store, client = real
    site = store.get_site("duckduckgo.com")
    doc = store.documents_of_site(site["id"])[0]
    resp = await client.get(f"/api/v1/sites/duckduckgo.com/documents/{doc['id']}/versions")
    assert resp.status == 200
    body = await resp.json()
    assert body["document"]["id"] == doc["id"]
    firsts = [v["first_captured_at"] for v in body["versions"]]
    assert firsts == sorted(firsts) and len(firsts) >= 2
    version = await (await client.get(body["versions"][0]["url"])).json()
    assert version["site"] == "duckduckgo.com" and version["clauses"]
    clause = version["clauses"][0]
    assert set(clause) == {"section", "kind", "text"} and isinstance(clause["section"], list)
    other = store.documents_of_site(store.get_site("bitwarden.com")["id"])[0]
    wrong = await client.get(f"/api/v1/sites/duckduckgo.com/documents/{other['id']}/versions")
    assert wrong.status == 404
    for path, status in [("/api/v1/versions/0", 400), ("/api/v1/versions/999999", 404)]:
        assert (await client.get(path)).status == status


async def test_search_finds_clauses_and_survives_fts_syntax(real):
    _store, client = real
    resp = await client.get("/api/v1/search?q=cookies")
    assert resp.status == 200
    body = await resp.json()
    assert body["results"] and all("cookie" in r["text"].lower() for r in body["results"])
    assert {r["site"] for r in body["results"]} <= {"bitwarden.com", "duckduckgo.com"}
    for q in ['"unbalanced', "NEAR(", "a* OR -b", "AND", ")(", "*"]:
        r = await client.get("/api/v1/search", params={"q": q})
        assert r.status == 200, q
    for q, status in [("", 400), ("x" * 201, 400)]:
        assert (await client.get("/api/v1/search", params={"q": q})).status == status
