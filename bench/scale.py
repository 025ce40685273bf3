"""Clausewatch at 10k, 100k and 1M documents: disk, feed and lookup latency, planning, reprocess.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--requests 1500]

1. Disk, on real data through the real pipeline (record_snapshot): bytes per new version
   (every policy history of tests/data/policy-histories recorded as captures), and bytes per
   unchanged daily check (the raw captures of capture-histories: 12 real fetches of each of
   15 policy pages, minutes to days apart, whose bytes differ on every fetch while the text
   mostly does not) against the same check answered with the very same bytes. Where the
   bytes go, per table (SQLite's dbstat).
2. At each size, a store built in bulk with a realistic shape: one privacy document per site;
   over two years, 12 % of policies change per half-year, and 40 % of raw changes are noise
   (a snapshot, no version); 30 % of real changes are material. Change rows carry real
   summaries and real comparison JSON (reused from part 1), so their rows are as large as
   real ones; version rows carry no clause text (the feed and lookup never read it; part 1
   measures what it costs on disk). Then, against the real API in its own process on
   loopback: feed pages (random watched buckets and cursors, as extensions poll) and lookups
   (at the width the extension uses: the server's recommended prefix_bits, at most 16),
   every URL distinct so the API's read cache never answers; p50/p99 per size. Then the same
   lookups again, answered from the read cache (the server reports its hits at exit).
3. Planning one scheduler pass (the due-documents query) at each size.
4. Reprocess: the `clausewatch reprocess --jobs N` command on the policy-histories store of
   part 1, one job vs one per core; and its work unit alone, compare() on real consecutive
   pairs, one process vs a pool over every core.
5. Retention (`clausewatch prune --keep-raw run-ends`) on the capture-histories store of
   part 1: bytes before and after, what a pruned check keeps, and disk per document per year
   keeping every raw body or only the ends of each run.

Goals (issue 28): feed and lookup p99 flat from 10k to 1M (<= 2x growth); disk <= 50 KB per
unchanged daily check and <= 200 KB per new version; reprocess scales linearly with cores.

Feed pages also report the bytes the server read per page (/proc/PID/io: through read(), and
from storage) and the size of the feed's own table (schema m014): what a feed page reads, so
what memory must hold for pages never to wait on storage.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from report import figure, sample  # noqa: E402

from db import Store, site_hash  # noqa: E402
from monitor.record import NewSnapshot, record_snapshot  # noqa: E402

DATA = ROOT / "tests" / "data"
HISTORIES = DATA / "policy-histories"
CAPTURES = next(
    (
        p
        for p in (DATA / "capture-histories", ROOT.parent / "shared/corpus/capture-histories")
        if p.is_dir()
    ),
    None,
)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
HALF_YEARS = 4
CHANGE_RATE = 0.12  # policies whose text changes, per half-year
NOISE_SHARE = 0.40  # raw changes that are noise
MATERIAL_SHARE = 0.30


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def db_bytes(path: Path) -> int:
    """Bytes of live pages (free pages left out), after folding the WAL in."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages, free, size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0]
            for p in ("page_count", "freelist_count", "page_size")
        )
        return (pages - free) * size
    finally:
        conn.close()


def bytes_by_table(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return {}
    finally:
        conn.close()
    return dict(rows)


def captured_at(path: Path) -> str:
    s = path.stem
    return f"{s[:13]}:{s[13:15]}:{s[15:17]}Z"


# -- 1. disk on real data ------------------------------------------------------------------


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def disk_per_version(tmp: Path) -> tuple[float, dict, list[str]]:
    path = fresh(tmp / "versions.db")
    with Store.open(path) as store:
        empty = db_bytes(path)
        versions = 0
        for service in sample(sorted(p.name for p in HISTORIES.iterdir() if p.is_dir()), 3):
            site = store.add_site(f"{service}.example")
            doc = store.add_document(site["id"], f"https://{service}.example/privacy")
            for f in sample(sorted((HISTORIES / service).glob("*.md"))):
                capture = NewSnapshot(
                    f.read_bytes(), captured_at(f), "live", content_type="text/markdown"
                )
                record_snapshot(store, doc["id"], capture)
            versions += len(store.versions_of_document(doc["id"]))
        comparisons = [
            row[0]
            for row in store._writer.execute(  # bench-only read of the raw column
                "SELECT comparison FROM changes WHERE comparison IS NOT NULL"
            ).fetchall()
        ]
    return (db_bytes(path) - empty) / versions, bytes_by_table(path), comparisons


def disk_per_check(tmp: Path) -> tuple[float, float, int]:
    """(bytes per noisy unchanged check, bytes per identical-bytes check, checks counted)."""
    if CAPTURES is None:
        return float("nan"), float("nan"), 0
    path = fresh(tmp / "checks.db")
    noisy_bytes = same_bytes = 0
    noisy = same = 0
    with Store.open(path) as store:
        for service in sorted(p.name for p in CAPTURES.iterdir() if p.is_dir()):
            site = store.add_site(f"{service}.example")
            doc = store.add_document(site["id"], f"https://{service}.example/privacy")
            files = sample(sorted(CAPTURES.joinpath(service).glob("*.html")))
            for i, f in enumerate(files):
                raw = f.read_bytes()
                before = db_bytes(path)
                capture = NewSnapshot(raw, captured_at(f), "live", content_type="text/html")
                rec = record_snapshot(store, doc["id"], capture)
                grew = db_bytes(path) - before
                if i and not rec.new_version:
                    noisy_bytes += grew
                    noisy += 1
                # The same bytes again a day later: what a server without per-request noise costs.
                before = db_bytes(path)
                later = iso(
                    datetime.fromisoformat(captured_at(f).replace("Z", "+00:00"))
                    + timedelta(hours=1)
                )
                capture = NewSnapshot(raw, later, "live", content_type="text/html")
                record_snapshot(store, doc["id"], capture)
                same_bytes += db_bytes(path) - before
                same += 1
    return noisy_bytes / max(noisy, 1), same_bytes / max(same, 1), noisy


def disk_after_pruning(tmp: Path) -> tuple[int, int, float, int]:
    """Retention (db.retention) on the capture-histories store of `disk_per_check`: (bytes
    before, bytes after, bytes per check whose raw body was pruned, checks measured).

    The cost of a pruned check is measured at the margin: more daily checks of one real page
    (its last capture, with a nonce in a comment, as servers that vary their bytes do) are
    recorded and pruned; the run's two ends are the same before and after, so the growth
    divided by the checks added is what a pruned check keeps (its row and its blob's stub)."""
    from db.retention import prune

    path = tmp / "checks.db"
    if CAPTURES is None or not path.exists():
        return 0, 0, float("nan"), 0
    before = db_bytes(path)
    with Store.open(path) as store:
        prune(store)
    after = db_bytes(path)
    service = "lex"  # a small page: extraction time, not the margin, depends on its size
    raw = sorted(CAPTURES.joinpath(service).glob("*.html"))[-1].read_bytes()
    added = 30
    with Store.open(path) as store:
        doc = next(d for d in store.list_documents() if service in d["url"])
        last = store.snapshots_of_document(doc["id"])[-1]["captured_at"]
        start = datetime.fromisoformat(last.replace("Z", "+00:00"))
        first = NewSnapshot(
            raw + b"<!-- 0 -->", iso(start + timedelta(days=1)), "live", content_type="text/html"
        )
        record_snapshot(store, doc["id"], first)
        prune(store)
        margin = db_bytes(path)
        for day in range(2, added + 2):
            noisy = NewSnapshot(
                raw + b"<!-- %d -->" % day,
                iso(start + timedelta(days=day)),
                "live",
                content_type="text/html",
            )
            record_snapshot(store, doc["id"], noisy)
        prune(store)
    return before, after, (db_bytes(path) - margin) / added, added


def reprocess_command_rates(tmp: Path) -> list[tuple[int, int, float, float]]:
    """`clausewatch reprocess --jobs N` on the policy-histories store of `disk_per_version`
    (real pipeline): (jobs, pairs re-judged, wall s, CPU s of the command and its workers)."""
    import resource
    import shutil

    source = tmp / "versions.db"
    with Store.open(source) as store:
        pairs = store.counts()["changes"]
    out = []
    cores = len(os.sched_getaffinity(0))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for jobs in sorted({1, cores}):
        copy = fresh(tmp / f"reprocess-{jobs}.db")
        shutil.copyfile(source, copy)
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from api.cli import main; main()", "reprocess",
             "--jobs", str(jobs), "--db", str(copy)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
        out.append((jobs, pairs, wall, used))
        fresh(copy)
    return out


# -- 2. a store at scale, built in bulk ----------------------------------------------------


def build_store(path: Path, n: int, comparisons: list[str], seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    summaries = [
        ("adds sale of personal information to data brokers", 1, '["third-party-sharing"]'),
        ("extends how long account data is kept", 1, '["data-retention"]'),
        ("No material change: wording and links", 0, "[]"),
        ("adds collection of precise location", 1, '["first-party-collection"]'),
        ("reformats the section on cookies", 0, "[]"),
    ]
    with Store.open(path):
        pass  # schema
    conn = sqlite3.connect(path, isolation_level=None)
    # A bulk build: no WAL (one transaction of many GB would hold a second copy of the
    # store in the WAL until its checkpoint); the store is back in WAL mode at the end.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    start = NOW - timedelta(days=182 * HALF_YEARS)
    created = iso(start)
    change_rows = version_rows = 0
    batch_sites, batch_docs, batch_versions, batch_changes, batch_snaps = [], [], [], [], []
    blob = b"bench"
    conn.execute(
        "INSERT OR IGNORE INTO blobs (sha256, codec, size, data) VALUES ('bench', 'zlib', 5, ?)",
        [blob],
    )

    def flush() -> None:
        conn.executemany(
            "INSERT INTO sites (id, site, site_hash, state, created_at) VALUES (?,?,?,'active',?)",
            batch_sites,
        )
        conn.executemany(
            "INSERT INTO documents (id, site_id, url, status, last_checked_at, next_check_at,"
            " created_at) VALUES (?,?,?,'ok',?,?,?)",
            batch_docs,
        )
        conn.executemany(
            "INSERT INTO versions (id, document_id, text_hash, clauses, first_captured_at,"
            " last_captured_at, snapshot_count, created_at) VALUES (?,?,?,'[]',?,?,1,?)",
            batch_versions,
        )
        conn.executemany(
            "INSERT INTO snapshots (document_id, blob_sha256, source, captured_at, recorded_at,"
            " processed_at, version_id) VALUES (?, 'bench', 'live', ?, ?, ?, ?)",
            batch_snaps,
        )
        conn.executemany(
            "INSERT INTO changes (document_id, from_version_id, to_version_id, from_captured_at,"
            " to_captured_at, detected_at, origin, material, score, categories, summary,"
            " comparison) VALUES (?,?,?,?,?,?,'live',?,?,?,?,?)",
            batch_changes,
        )
        for b in (batch_sites, batch_docs, batch_versions, batch_changes, batch_snaps):
            b.clear()

    # Changes are inserted in time order across sites, as a monitor writes them (feed ids
    # grow with time): draw every document's events first, then write them sorted.
    events: list[tuple[datetime, int, bool]] = []
    version_id = 0
    last_version: dict[int, int] = {}
    for doc in range(1, n + 1):
        site = f"site{doc}.example"
        due = NOW + timedelta(seconds=rng.randrange(6 * 3600)) - timedelta(hours=1.5)
        batch_sites.append((doc, site, site_hash(site), created))
        batch_docs.append(
            (doc, doc, f"https://{site}/privacy", iso(due - timedelta(hours=6)), iso(due), created)
        )
        version_id += 1
        last_version[doc] = version_id
        batch_versions.append((version_id, doc, f"{doc}-0", created, created, created))
        batch_snaps.append((doc, created, created, created, version_id))
        for half in range(HALF_YEARS):
            if rng.random() < CHANGE_RATE / (1 - NOISE_SHARE):
                at = start + timedelta(days=182 * half, seconds=1 + rng.randrange(182 * 86400))
                events.append((at, doc, rng.random() >= NOISE_SHARE))
        if len(batch_sites) >= 20_000:
            flush()
    flush()
    events.sort()
    for at, doc, real in events:
        stamp = iso(at)
        if not real:  # noise: a new raw capture of the same version
            batch_snaps.append((doc, stamp, stamp, stamp, last_version[doc]))
            continue
        version_id += 1
        version_rows += 1
        batch_versions.append((version_id, doc, f"{doc}-{version_id}", stamp, stamp, stamp))
        batch_snaps.append((doc, stamp, stamp, stamp, version_id))
        text, material, categories = rng.choice(summaries)
        if rng.random() >= MATERIAL_SHARE:
            material, categories = 0, "[]"
        batch_changes.append(
            (
                doc,
                last_version[doc],
                version_id,
                stamp,
                stamp,
                stamp,
                material,
                0.8 if material else 0.1,
                categories,
                text,
                rng.choice(comparisons),
            )
        )
        last_version[doc] = version_id
        change_rows += 1
        if len(batch_changes) >= 20_000:
            flush()
    flush()
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return {"documents": n, "versions": n + version_rows, "changes": change_rows}


def feed_table_bytes(path: Path) -> tuple[int, int]:
    """(bytes of the feed table and its index, entries): what must stay in memory for feed
    pages to be served without reads from storage (schema m014; (0, 0) before it)."""
    conn = sqlite3.connect(path)
    try:
        # One b-tree at a time: dbstat walks only the one named by `name =`.
        total = "SELECT total(pgsize) FROM dbstat WHERE name = ?"
        size = int(
            sum(conn.execute(total, [name]).fetchone()[0] for name in ("feed", "feed_by_id"))
        )
        entries = conn.execute("SELECT count(*) FROM feed").fetchone()[0]
    except sqlite3.OperationalError:  # no dbstat, or a store before m014
        return 0, 0
    finally:
        conn.close()
    return size, entries


def store_shape(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        count = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "versions", "changes")
        }
    finally:
        conn.close()
    return count


SERVER = """
import json, sys
from aiohttp import web
from api.app import create_app
from api.config import Settings
from api.ratelimit import LIMITER, RateLimiter
from api.routes.readcache import READ_CACHE
from db import Store
store = Store.open(sys.argv[1])
app = create_app(Settings(db_path=sys.argv[1]), store=store)
# One client asks as fast as it can: the per-client rate limits would answer 429.
app[LIMITER] = RateLimiter({})

async def report(app):
    # What the read cache did over the run, for the bench to check its cached pass was one.
    cache = app[READ_CACHE]
    print(json.dumps({"hits": cache.hits, "misses": cache.misses, "entries": len(cache),
                      "bytes": cache.bytes}), flush=True)

app.on_shutdown.append(report)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_io(pid: int) -> tuple[int, int]:
    """(bytes a process asked read() for, bytes it made the kernel fetch from storage):
    SQLite reads its pages with pread, so the first counts the database pages a request
    read beyond SQLite's own cache and the second those the page cache did not hold either
    (Linux /proc/PID/io)."""
    fields = dict(
        line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines() if line
    )
    return int(fields["rchar"]), int(fields["read_bytes"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def latencies(base: str, urls: list[str], answers: list[int] | None = None) -> list[float]:
    """Wall ms per request; `answers` gets the sites of each lookup answer."""
    import aiohttp

    out = []
    async with aiohttp.ClientSession() as session:
        for url in urls:
            t = time.perf_counter()
            async with session.get(base + url) as resp:
                body = await resp.read()
                assert resp.status == 200, (url, resp.status)
            out.append((time.perf_counter() - t) * 1000)
            if answers is not None:
                answers.append(len(json.loads(body)["sites"]))
    return out


def lookup_url(bucket: int, bits: int) -> str:
    """A bucket's one URL (api/routes/lookup.py): ceil(bits / 4) hex digits with the bits
    past `bits` zeroed, and `?bits=` only when they are not whole digits."""
    digits = -(-bits // 4)
    hex_ = f"{bucket << (4 * digits - bits):0{digits}x}"
    return f"/api/v1/lookup/{hex_}" + (f"?bits={bits}" if bits % 4 else "")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def measure_api(path: Path, n: int, requests: int, max_change: int) -> dict[str, float]:
    from api.routes.changes import encode_cursor

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(path), str(port)], env=env, stdout=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # until it listens
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rng = random.Random(n)
        # Warm the process and learn the recommended width, at 20 bits: never a measured URL,
        # so every read-cache hit of the run is one of the cached pass below.
        first = asyncio.run(latencies(base, ["/api/v1/lookup/00000"]))
        del first
        import urllib.request

        answer = json.load(urllib.request.urlopen(f"{base}/api/v1/lookup/00001"))
        # What the extension asks with: prefix_bits (4 x prefix_length from an older server),
        # between 1 and 16 bits (extension/lib/hash.js).
        bits = answer.get("prefix_bits") or 4 * answer["prefix_length"]
        bits = min(max(bits, 1), 16)
        # Caught up (the common poll: a few watched buckets, a cursor among the newest
        # changes) and catching up (a first install: 10 buckets from an early cursor, so
        # every page is full at every size and the payload does not grow with the store).
        caught_up, catching_up = [], []
        for i in range(requests):
            buckets = sorted({f"{rng.randrange(256):02x}" for _ in range(rng.randint(1, 5))})
            after = max(1, max_change - rng.randrange(50))
            caught_up.append(
                f"/api/v1/changes?buckets={','.join(buckets)}&limit=100&n={i}"
                f"&after={encode_cursor(after)}"
            )
            buckets = sorted(rng.sample(range(256), 10))
            after = rng.randrange(1, max(2, max_change // 2))
            catching_up.append(
                f"/api/v1/changes?buckets={','.join(f'{b:02x}' for b in buckets)}&limit=100"
                f"&n={i}&after={encode_cursor(after)}"
            )
        # Distinct buckets only: the API caches an answer per bucket until the data changes,
        # so a repeated one would measure the cache (measured below).
        buckets = rng.sample(range(2**bits), min(requests, 2**bits))
        lookup_urls = [lookup_url(bucket, bits) for bucket in buckets]
        # Wall time on a shared machine carries everyone's load; the server's own CPU time
        # per request (from /proc) is what grows with the store, whatever else runs.
        cpu, io = {}, {}
        before = cpu_seconds(proc.pid)
        io_before = read_io(proc.pid)
        feed = asyncio.run(latencies(base, caught_up))
        cpu["feed"], before = (
            (cpu_seconds(proc.pid) - before) / requests * 1000,
            cpu_seconds(proc.pid),
        )
        io["feed"], io_before = (
            [(b - a) / requests for a, b in zip(io_before, read_io(proc.pid), strict=True)],
            read_io(proc.pid),
        )
        full = asyncio.run(latencies(base, catching_up))
        cpu["full"], before = (
            (cpu_seconds(proc.pid) - before) / requests * 1000,
            cpu_seconds(proc.pid),
        )
        io["full"] = [(b - a) / requests for a, b in zip(io_before, read_io(proc.pid), strict=True)]
        sites: list[int] = []
        lookup = asyncio.run(latencies(base, lookup_urls, sites))
        cpu["lookup"], before = (
            (cpu_seconds(proc.pid) - before) / len(lookup_urls) * 1000,
            cpu_seconds(proc.pid),
        )
        # The same prefixes again: answered from the API's cache of serialized answers.
        cached = asyncio.run(latencies(base, lookup_urls))
        cpu["cached"] = (cpu_seconds(proc.pid) - before) / len(lookup_urls) * 1000
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    lines = out.decode().strip().splitlines()
    cache = json.loads(lines[-1]) if lines else {"hits": 0, "entries": 0, "bytes": 0}
    return {
        "feed_cpu": cpu["feed"],
        "full_cpu": cpu["full"],
        "lookup_cpu": cpu["lookup"],
        "lookup_sites": statistics.mean(sites),
        # What building an answer costs per site: the request's CPU beyond what the same
        # request costs answered from the cache (parsing, routing, writing the response).
        "lookup_cpu_per_site": (cpu["lookup"] - cpu["cached"]) / max(statistics.mean(sites), 1e-9),
        "cached_cpu": cpu["cached"],
        "cached_p99": pct(cached, 99),
        "prefix_bits": bits,
        "cache_hits": cache["hits"],
        "cache_entries": cache["entries"],
        "cache_bytes": cache["bytes"],
        "lookups": len(lookup_urls),
        "full_p50": pct(full, 50),
        "full_p99": pct(full, 99),
        "feed_p50": pct(feed, 50),
        "feed_p99": pct(feed, 99),
        "lookup_p50": pct(lookup, 50),
        "lookup_p99": pct(lookup, 99),
        # Bytes read per feed page: through read() (SQLite pages its own cache missed) and
        # from storage (pages the OS's cache missed too).
        "feed_read": io["feed"][0],
        "feed_disk": io["feed"][1],
        "full_read": io["full"][0],
        "full_disk": io["full"][1],
    }


def planning_ms(path: Path) -> float:
    with Store.open(path) as store:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            due = store.checkable_documents_due(NOW)
            times.append((time.perf_counter() - t) * 1000)
        del due
    return statistics.median(times)


# -- 4. reprocess work -----------------------------------------------------------------------


def _pairs() -> list[tuple[Path, Path]]:
    out = []
    for service in sorted(p for p in HISTORIES.iterdir() if p.is_dir()):
        files = sorted(service.glob("*.md"))
        out += list(itertools.pairwise(files))
    return sample(out, 4)


def _judge(pair: tuple[str, str]) -> bool:
    from monitor.compare import compare
    from monitor.extract import extract

    old, new = (extract(Path(p).read_bytes(), "text/markdown", p) for p in pair)
    return compare(old, new).material


def reprocess_rates() -> tuple[float, float, int]:
    pairs = [(str(a), str(b)) for a, b in _pairs()]
    t = time.perf_counter()
    for pair in pairs:
        _judge(pair)
    one = len(pairs) / (time.perf_counter() - t)
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_judge, pairs[:cores]))  # start the workers before timing
        t = time.perf_counter()
        list(pool.map(_judge, pairs, chunksize=4))
        many = len(pairs) / (time.perf_counter() - t)
    return one, many, cores


def growth_of(small: float, large: float) -> float | None:
    """large / small; None when the small store's figure is 0, which CPU time read in clock
    ticks (10 ms) gives when few requests are made (a small --requests): no ratio then."""
    return large / small if small > 0 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument(
        "--keep", metavar="DIR", help="build the stores here and keep them (reused if present)"
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tmpdir = tempfile.TemporaryDirectory(prefix="cw-scale-")
    tmp = Path(args.keep or tmpdir.name)
    tmp.mkdir(parents=True, exist_ok=True)

    per_version, tables, comparisons = disk_per_version(tmp)
    print(f"disk per new version (policy-histories, real pipeline): {per_version / 1e3:.1f} KB")
    total = sum(tables.values()) or 1
    for name, size in sorted(tables.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {name:32s} {size / 1e6:8.2f} MB  {100 * size / total:5.1f} %")
    figure(
        "disk per new version", per_version / 1e3, "KB", goal="<= 200 KB", met=per_version <= 200e3
    )
    noisy, same, counted = disk_per_check(tmp)
    print(
        f"disk per unchanged daily check: {noisy / 1e3:.1f} KB when the page's bytes differ "
        f"(capture-histories, {counted} checks); {same / 1e3:.2f} KB when they are identical"
    )
    figure(
        "disk per unchanged check (noisy bytes)",
        noisy / 1e3,
        "KB",
        baseline="identical bytes",
        baseline_value=same / 1e3,
        goal="<= 50 KB",
        met=noisy <= 50e3,
    )

    before, after, pruned, added = disk_after_pruning(tmp)
    # A document's year: 365 daily checks, 2 x the half-yearly change rate new versions;
    # kept whole under retention, both ends of each run (one more run per new version).
    new_versions = 2 * CHANGE_RATE
    ends = 2 * (1 + new_versions)
    year_all = 365 * noisy + new_versions * per_version
    year_pruned = (365 - ends) * pruned + ends * noisy + new_versions * per_version
    print(
        f"retention (prune --keep-raw run-ends): capture-histories store {before / 1e6:.2f} ->"
        f" {after / 1e6:.2f} MB; a pruned check keeps {pruned / 1e3:.2f} KB ({added} checks"
        f" of one real page at the margin); disk per document per year (365 noisy daily"
        f" checks, {new_versions:.2f} new versions): {year_all / 1e6:.2f} MB keeping every"
        f" raw body, {year_pruned / 1e6:.3f} MB keeping run ends"
    )
    figure(
        "disk per document per year, keeping run ends",
        year_pruned / 1e6,
        "MB",
        baseline="keeping every raw body",
        baseline_value=year_all / 1e6,
    )

    rows = []
    for n in sizes:
        path = tmp / f"scale-{n}.db"
        t = time.perf_counter()
        if args.keep and path.exists():  # a store kept by an earlier run: measure it again
            shape = store_shape(path)
        else:
            path.unlink(missing_ok=True)
            shape = build_store(path, n, comparisons)
        built = time.perf_counter() - t
        api = measure_api(path, n, args.requests, shape["changes"])
        plan = planning_ms(path)
        size = path.stat().st_size
        rows.append((n, shape, api, plan, size, built))
        feed_bytes, entries = feed_table_bytes(path)
        print(
            f"{n:>9,} docs: {shape['versions']:,} versions, {shape['changes']:,} changes, "
            f"{size / 1e9:.2f} GB (built in {built:.0f} s); feed p50/p99 caught up "
            f"{api['feed_p50']:.1f}/{api['feed_p99']:.1f} ms, full pages {api['full_p50']:.1f}/"
            f"{api['full_p99']:.1f} ms; lookup ({api['prefix_bits']} bits) p50/p99 "
            f"{api['lookup_p50']:.1f}/{api['lookup_p99']:.1f} ms; server CPU per request: feed "
            f"{api['feed_cpu']:.2f} / {api['full_cpu']:.2f} ms, lookup {api['lookup_cpu']:.2f} ms"
            f" ({api['lookup_sites']:.1f} sites an answer, {1000 * api['lookup_cpu_per_site']:.1f}"
            f" us per site beyond a cached answer), lookup from the API's cache {api['cached_cpu']:.2f} ms"
            f" (p99 {api['cached_p99']:.1f} ms; {api['cache_hits']} of {api['lookups']} answered"
            f" from it; it held {api['cache_entries']} answers, {api['cache_bytes'] / 1e6:.1f} MB);"
            f" planning {plan:.0f} ms"
        )
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(
            f"{'':>9}  feed: bytes read per page caught up {api['feed_read'] / 1e3:.1f} KB"
            f" ({api['feed_disk'] / 1e3:.1f} KB from storage), full {api['full_read'] / 1e3:.1f}"
            f" KB ({api['full_disk'] / 1e3:.1f} KB from storage); the feed table and its index"
            f" {feed_bytes / 1e6:.1f} MB ({feed_bytes / max(entries, 1):.0f} B per entry)"
        )
    small, large = rows[0], rows[-1]
    for key, label in (
        ("feed_p99", "feed p99 (caught up)"),
        ("full_p99", "feed p99 (full pages)"),
        ("lookup_p99", "lookup p99"),
        ("feed_cpu", "feed server CPU/request (caught up)"),
        ("full_cpu", "feed server CPU/request (full pages)"),
        ("lookup_cpu", "lookup server CPU/request"),
        ("lookup_cpu_per_site", "lookup server CPU per answered site (beyond a cached answer)"),
        ("cached_cpu", "lookup server CPU/request from the API's cache"),
    ):
        growth = growth_of(small[2][key], large[2][key])
        print(
            f"{label}: {small[2][key]:.2f} ms at {small[0]:,} -> {large[2][key]:.2f} ms at "
            f"{large[0]:,} ({'-' if growth is None else f'{growth:.2f}'}x; goal <= 2x)"
        )
        figure(
            f"{label} at {large[0]:,} docs",
            large[2][key],
            "ms",
            baseline=f"at {small[0]:,} docs",
            baseline_value=small[2][key],
            goal="<= 2x growth",
            met=None if growth is None else growth <= 2,
        )
    print(
        f"planning a pass: {small[3]:.0f} ms at {small[0]:,} -> {large[3]:.0f} ms at {large[0]:,}"
    )
    figure(
        f"pass planning at {large[0]:,} docs",
        large[3],
        "ms",
        baseline=f"at {small[0]:,} docs",
        baseline_value=small[3],
    )

    runs = reprocess_command_rates(tmp)
    (_, pairs, wall_one, _), *more = runs
    for jobs, _, wall, cpu in runs:
        print(
            f"clausewatch reprocess --jobs {jobs} (policy-histories, {pairs} pairs): {wall:.1f} s"
            f" wall, {pairs / wall:.1f} pairs/s ({pairs / wall / jobs:.1f} per core),"
            f" {cpu:.1f} CPU s"
        )
    if more:
        jobs, _, wall, _ = more[-1]
        figure(
            f"clausewatch reprocess pairs/s, --jobs {jobs}",
            pairs / wall,
            "pairs/s",
            baseline="--jobs 1",
            baseline_value=pairs / wall_one,
            goal=f">= {0.8 * jobs:.1f}x",
            met=wall_one / wall >= 0.8 * jobs,
        )

    one, many, cores = reprocess_rates()
    print(
        f"reprocess work (compare() on real pairs): {one:.1f} pairs/s in one process, "
        f"{many:.1f} pairs/s over {cores} processes ({many / one:.2f}x on {cores} cores)"
    )
    figure(
        f"reprocess pairs/s, {cores} processes",
        many,
        "pairs/s",
        baseline="one process",
        baseline_value=one,
        goal=f">= {0.8 * cores:.1f}x",
        met=many / one >= 0.8 * cores,
    )


if __name__ == "__main__":
    main()
