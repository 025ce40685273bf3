"""How long the diff viewer takes to answer each page type, over real recorded histories.

    .venv/bin/python bench/viewer.py [--services bitwarden,linkedin] [--rounds 5]

Builds a store from tests/data/policy-histories (tests/corpusdb.py), serves the real app
on loopback and times full HTTP requests: the first one, and the median of `--rounds`
repeats (the compare page caches what it computed). Baselines, measured in
the same run on the same data:

- change page vs `api.viewer.pages.render_report` of the same stored comparison (the
  standalone report of `clausewatch diff --format html`): what a page costs beyond
  rendering the diff at all;
- compare page vs `monitor.compare.compare` of the same two versions alone: what the page
  adds to the comparison it has to compute.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from corpusdb import build_store  # noqa: E402
from report import figure  # noqa: E402

from api.app import create_app  # noqa: E402
from api.config import Settings  # noqa: E402
from api.ratelimit import LIMITER, RateLimiter  # noqa: E402
from api.viewer.pages import render_report  # noqa: E402
from monitor.compare import Comparison, compare  # noqa: E402
from monitor.model import PolicyDocument  # noqa: E402


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return median_ms(samples)


async def fetch_ms(
    session: aiohttp.ClientSession, url: str, rounds: int
) -> tuple[float, float, int]:
    """(first request ms, median ms of the repeats, body size): the compare page caches."""
    samples, size = [], 0
    for _ in range(rounds + 1):
        t = time.perf_counter()
        async with session.get(url) as resp:
            body = await resp.read()
            assert resp.status == 200, (url, resp.status)
        samples.append(time.perf_counter() - t)
        size = len(body)
    return samples[0] * 1000, median_ms(samples[1:]), size


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", default="bitwarden,linkedin")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store, histories = build_store(Path(tmp) / "bench.db", args.services.split(","))
        print(f"store: {store.counts()} built in {time.perf_counter() - t:.1f} s", flush=True)
        app = create_app(Settings(db_path=store.path), store=store)
        # One loopback client repeats each page --rounds times: the rate limit's search and
        # compare buckets answered 429 from the fourth search on, and the bench stopped.
        app[LIMITER] = RateLimiter({})
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        print(f"{'page':<58} {'first ms':>9} {'median ms':>10} {'KB':>6}   baseline")
        async with aiohttp.ClientSession() as session:
            first, ms, size = await fetch_ms(session, f"{base}/", args.rounds)
            print(f"{'/':<58} {first:>9.1f} {ms:>10.1f} {size / 1024:>6.0f}")
            for h in histories:
                changes = store.changes_of_document(h.document_id)
                versions = store.versions_of_document(h.document_id)
                biggest = max(changes, key=lambda c: len(c["comparison"]["changes"]))
                pages = [
                    (f"/sites/{h.site}", None, None),
                    (f"/sites/{h.site}/versions/{versions[-1]['id']}", None, None),
                ]
                comparison = Comparison.from_detail_dict(biggest["comparison"])
                n = len(comparison.changes)
                base_ms = timed(lambda c=comparison: render_report(c, "old", "new"), args.rounds)
                pages.append(
                    (
                        f"/sites/{h.site}/changes/{biggest['id']}",
                        f"pages.render_report {base_ms:.1f} ms ({n} clause changes)",
                        ("change page", "pages.render_report", base_ms),
                    )
                )
                pages.append((f"/sites/{h.site}/changes/{biggest['id']}?material=1", None, None))
                old = PolicyDocument.from_dict(store.get_version(versions[0]["id"]))
                new = PolicyDocument.from_dict(store.get_version(versions[-1]["id"]))
                # Once: on long histories one comparison can take seconds.
                cmp_ms = timed(lambda o=old, w=new: compare(o, w), 1)
                pages.append(
                    (
                        f"/sites/{h.site}/compare?from={versions[0]['id']}&to={versions[-1]['id']}",
                        f"monitor.compare alone {cmp_ms:.1f} ms",
                        ("compare page", "monitor.compare alone", cmp_ms),
                    )
                )
                for path, baseline, measured in pages:
                    first, ms, size = await fetch_ms(session, base + path, args.rounds)
                    print(
                        f"{path:<58} {first:>9.1f} {ms:>10.1f} {size / 1024:>6.0f}   {baseline or ''}"
                    )
                    if measured:
                        page, against, base_value = measured
                        # The compare page caches what it computed: only its first answer
                        # is comparable with computing the comparison.
                        uncached = page == "compare page"
                        figure(
                            f"{page}, {h.site} ({'first request' if uncached else 'median'})",
                            first if uncached else ms,
                            "ms",
                            baseline=against,
                            baseline_value=base_value,
                        )
            for q in ("personal data", "sell"):
                first, ms, size = await fetch_ms(session, f"{base}/search?q={q}", args.rounds)
                print(f"{'/search?q=' + q:<58} {first:>9.1f} {ms:>10.1f} {size / 1024:>6.0f}")
        await runner.cleanup()
        store.close()


if __name__ == "__main__":
    asyncio.run(main())
