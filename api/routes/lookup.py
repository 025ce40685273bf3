"""The private lookup: which sites under a hash prefix are tracked, and their last changes.

The extension asks by prefix so the server never learns the site a person is visiting;
nothing here may log or store a site name (the access log holds only the prefix).

A prefix hides a site only among the tracked sites that share it: with 5,000 sites a 5-hex
prefix names one site, so asking by it would tell the server exactly which tracked site a
person is on. Every answer therefore carries `prefix_bits`, the longest prefix, in bits, that
still leaves at least `SITES_PER_BUCKET` tracked sites behind it; clients ask with that many
bits (see docs/extension-api.md). Counted in bits rather than hex digits, a bucket holds
between k and 2k tracked sites (k = SITES_PER_BUCKET) at any store size: in whole hex digits
it held anywhere from k to 16k, so an answer's size (and its cost) sawtoothed with the store
(bench/scale.py: 39 sites an answer at 10k, 244 at 1M).

A bucket has one URL, so that HTTP caches in front share its entries:
`/api/v1/lookup/{hex}` when the bits are whole hex digits (the form clients that know only
`prefix_length` use), else `/api/v1/lookup/{hex}?bits=N` with ceil(N/4) hex digits whose bits
past the N-th are zero. Any other spelling of a bucket is a 400 problem.
"""

from __future__ import annotations

import hashlib
import re

from aiohttp import web
from multidict import MultiMapping

from api import keys
from api.problems import Problem
from api.routes.common import dumps, strong_etag
from api.routes.readcache import READ_CACHE, Entry, install, read_generation, respond
from api.shapes import Lookup, LookupSite
from db import Store
from db.reads import lookup_bucket, tracked_site_count

PREFIX = re.compile(r"^[0-9a-f]{1,5}$")
BITS = re.compile(r"^[1-9][0-9]?$")  # no sign, no leading zero: one spelling per number
MIN_BITS, MAX_BITS = 1, 20
# What old clients are told (`prefix_length`, hex digits): they send 2 to 5.
MIN_PREFIX, MAX_PREFIX = 2, 5
# The fewest tracked sites a bucket should stand for (a recommended one holds fewer than 2x).
SITES_PER_BUCKET = 20
# A client may ask wider buckets than recommended (more sites to hide among), but not so
# wide that one answer holds more than this many sites on average: at a million tracked sites
# a 1-bit bucket would be half the store in one answer, an unauthenticated request costing
# seconds and a hundred megabytes. The bound is in sites, not bits, so that a client asking
# with a width recommended earlier keeps being answered while the store grows (up to 16,384
# / 20 = 819x), and the extension's first 8-bit lookup is answered up to 4.2 million sites.
MAX_ANSWER_SITES = 16_384
LOOKUP_CACHE = "public, max-age=300"


def parse_bucket(prefix: str, query: MultiMapping[str]) -> int:
    """The bucket's width in bits for a request's prefix and query, or a 400 Problem when
    this is not the bucket's one spelling (see the module's docstring)."""
    if not PREFIX.match(prefix):
        raise Problem(400, "Bad prefix", "prefix is 1 to 5 lower-case hex digits of site_hash")
    extra = sorted(set(query) - {"bits"})
    if extra:
        raise Problem(400, "Bad lookup", f"a lookup takes only `bits`, not {extra[0][:20]!r}")
    values = query.getall("bits", [])
    if not values:
        return 4 * len(prefix)
    if len(values) > 1:
        raise Problem(400, "Bad bits", "give `bits` once")
    raw = values[0]
    if not BITS.match(raw) or not MIN_BITS <= int(raw) <= MAX_BITS:
        raise Problem(400, "Bad bits", f"bits is a whole number from {MIN_BITS} to {MAX_BITS}")
    bits = int(raw)
    if bits % 4 == 0:
        raise Problem(
            400,
            "Bad lookup",
            f"{bits} bits are {bits // 4} whole hex digits: ask /api/v1/lookup/{{hex}} without bits",
        )
    if len(prefix) != -(-bits // 4):
        raise Problem(400, "Bad prefix", f"{bits} bits take {-(-bits // 4)} hex digits")
    if int(prefix, 16) & ((1 << (4 * len(prefix) - bits)) - 1):
        raise Problem(400, "Bad prefix", f"the bits of the prefix past the {bits}th must be 0")
    return bits


async def lookup(request: web.Request) -> web.StreamResponse:
    prefix = request.match_info["prefix"]
    bits = parse_bucket(prefix, request.query)
    # Spelled as sent, not as decoded: `%61%38`, `bits=%37` or a bare `?` would be other
    # cache keys for the same bucket in an HTTP cache in front.
    path, mark, query = request.raw_path.partition("?")
    expected = f"bits={bits}" if bits % 4 else ""
    if not path.endswith(f"/{prefix}") or query != expected or (mark and not query):
        raise Problem(400, "Bad lookup", f"ask this bucket as {bucket_path(prefix, bits)}")
    store = request.app[keys.STORE]
    cache, version, key = request.app[READ_CACHE], read_generation(store), ("lookup", prefix, bits)
    # A count over every tracked site, the same for every prefix: once per data version.
    tracked = cache.value("tracked-sites", version, lambda: tracked_site_count(store))
    if bits < (fewest := fewest_bits(tracked)):
        raise Problem(
            400,
            "Bucket too wide",
            f"ask with at least {fewest} bits; {recommended_prefix_bits(tracked)} are recommended",
        )
    entry = cache.get(key, version)
    if entry is None:
        entry = _build(store, prefix, bits, version, tracked)
        cache.put(key, entry)
    return respond(request, entry)


def _build(store: Store, prefix: str, bits: int, version: tuple[int, int], tracked: int) -> Entry:
    sites: list[LookupSite] = [
        {
            "site_hash": row["site_hash"],
            "status": row["status"],
            "last_change": row["last_change"],
            "last_change_id": row["last_change_id"],
            "last_material_change": row["last_material_change"],
            "last_material_change_id": row["last_material_change_id"],
        }
        for row in lookup_bucket(store, prefix, bits)
    ]
    recommended = recommended_prefix_bits(tracked)
    answer: Lookup = {
        "prefix": prefix,
        "bits": bits,
        "prefix_bits": recommended,
        "prefix_length": prefix_length_for(recommended),
        "sites": sites,
    }
    body = dumps(answer)
    return Entry(
        version, body, strong_etag("lookup", hashlib.sha256(body).hexdigest()), LOOKUP_CACHE
    )


def bucket_path(prefix: str, bits: int) -> str:
    """A bucket's one URL (path and query)."""
    return f"/api/v1/lookup/{prefix}" + (f"?bits={bits}" if bits % 4 else "")


def recommended_prefix_bits(tracked: int, per_bucket: int = SITES_PER_BUCKET) -> int:
    """The longest prefix, in bits, whose buckets still hold at least `per_bucket` tracked
    sites on average (so fewer than 2 * per_bucket: one bit more would halve them)."""
    bits = MIN_BITS
    while bits < MAX_BITS and tracked / 2 ** (bits + 1) >= per_bucket:
        bits += 1
    return bits


def fewest_bits(tracked: int, most: int = MAX_ANSWER_SITES) -> int:
    """The widest bucket a lookup may ask for: the fewest bits whose buckets hold at most
    `most` tracked sites on average."""
    bits = MIN_BITS
    while bits < MAX_BITS and tracked / 2**bits > most:
        bits += 1
    return bits


def prefix_length_for(bits: int) -> int:
    """What clients that count in hex digits are told: the whole digits within `bits` (their
    buckets hold at least as many sites), and never fewer than the 2 they may send."""
    return min(MAX_PREFIX, max(MIN_PREFIX, bits // 4))


def setup(app: web.Application) -> None:
    install(app)
