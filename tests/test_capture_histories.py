"""Every capture history (15 services × 12 raw captures) recorded through live checks: a
local site serves each capture in turn at the policy URL, the monitor checks it at the
capture's time. A new version exactly where the policy text changed, nowhere else; pages
that are not the policy (a home page served at the policy URL) make no version."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from aiohttp import web
from capturehistory import history, services
from policysites import WallClock, loopback_fetcher

from db import Store
from monitor.schedule import Monitor, Timing

TIMING = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=3600, lease=600)


class Sequence:
    """A site answering its policy URL with whatever capture the test puts there."""

    def __init__(self) -> None:
        self.body = b""

    async def handle(self, request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        # No validators: every check gets the page whole, as most of these sites send it.
        return web.Response(body=self.body, content_type="text/html")


@pytest.mark.parametrize("service", services())
def test_the_evidence_for_each_disagreement_with_truth_is_in_the_captures(service):
    h = history(service)
    files = [c.file for c in h.captures]
    for d in h.disagreements:
        i = files.index(d.capture)
        before, this = h.captures[i - 1].body, h.captures[i].body
        for text, in_before, in_this in d.evidence:
            needle = text.encode()
            assert (needle in before, needle in this) == (in_before, in_this), (d.capture, text)


@pytest.mark.parametrize("service", services())
async def test_live_checks_make_a_version_exactly_at_each_text_change(
    service, aiohttp_server, tmp_path
):
    h = history(service)
    site = Sequence()
    app = web.Application()
    app.router.add_get("/{tail:.*}", site.handle)
    server = await aiohttp_server(app)
    host = f"{service}.test"
    url = f"http://{host}:{server.port}/privacy"
    clock = WallClock(datetime(2000, 1, 1, tzinfo=UTC))
    with Store.open(tmp_path / "cw.db") as store:
        document = store.add_document(store.add_site(host)["id"], url)
        moved, statuses, current = [], {}, None
        async with loopback_fetcher([host]) as fetcher:
            monitor = Monitor(store, fetcher, timing=TIMING, clock=clock, rng=random.Random(1))
            for capture in h.captures:
                site.body = capture.body
                clock.now = capture.captured_at
                result = await monitor.check(store.get_document(document["id"]), now=clock())
                statuses[capture.file] = result.status
                if result.version_id is not None:
                    if current is not None and result.version_id != current:
                        moved.append(capture.file)
                    current = result.version_id
        assert moved == h.expected
        changes = store.changes_of_document(document["id"])
        at = {c.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"): c.file for c in h.captures}
        assert [at[c["to_captured_at"]] for c in changes] == h.expected
        versions = len(store.versions_of_document(document["id"]))
        assert versions == len(h.expected) + 1
        # Per-request furniture never reads as a suspicious shrink or as a non-policy.
        assert "structure-changed" not in statuses.values()
        not_policy = [f for f, s in statuses.items() if s == "not-policy"]
        assert not_policy == NOT_THE_POLICY.get(service, [])
        assert all(s in ("ok", "not-policy") for s in statuses.values())


# Captures where the site answered its policy URL with something else: its home page
# ("Site de rencontre sérieux…", "Partnersuche bei LoveScout24…") or an error page served
# with 200 ("Cette page n'existe pas").
NOT_THE_POLICY = {
    "meetic": ["2024-05-01T003301Z.html", "2024-05-01T183305Z.html"],
    "lovescout24": ["2024-05-01T003256Z.html"],
    "mektoube": ["2025-11-18T123342Z.html", "2025-11-19T003345Z.html"],
}
