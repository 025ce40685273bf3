"""The live check of one document against loopback sites: each status a person acts on."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from policysites import CLAUSES, WallClock, loopback_fetcher, policy_html, start
from storesupport import changes_recorded

from db import Store, utc_iso
from monitor.check import clause_text_size, shrank
from monitor.schedule import Monitor, Timing

HOSTS = ("site.test", "other.test")
TIMING = Timing(interval=3600, jitter=0.1, retry=60, max_backoff=3600, lease=600)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
async def sites(aiohttp_server):
    return await start(aiohttp_server)


@pytest.fixture
async def monitor(store):
    clock = WallClock()
    async with loopback_fetcher(HOSTS) as fetcher:
        yield Monitor(store, fetcher, timing=TIMING, clock=clock, rng=random.Random(1))


def track(store: Store, url: str) -> dict:
    site = store.add_site("site.test")
    return store.add_document(site["id"], url)


async def check(monitor: Monitor, doc_id: int):
    """Check the document as the scheduler would once it is due."""
    doc = monitor.store.get_document(doc_id)
    return await monitor.check(doc, now=monitor.clock())


def at(moment: datetime | str) -> datetime:
    return datetime.fromisoformat(utc_iso(moment).replace("Z", "+00:00"))


async def test_first_check_then_304_then_a_change_announced_live(store, sites, monitor):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)

    first = await check(monitor, doc["id"])
    assert (first.status, first.new_version, first.changes) == ("ok", True, ())
    state = store.get_document(doc["id"])
    assert state["status"] == "ok" and state["etag"] and state["failures"] == 0
    assert state["last_checked_at"] == utc_iso(monitor.clock())
    wait = (at(state["next_check_at"]) - monitor.clock()).total_seconds()
    assert 0.9 * 3600 <= wait <= 1.1 * 3600

    monitor.clock.advance(4000)
    again = await check(monitor, doc["id"])
    assert again.not_modified and again.status == "ok" and again.snapshot_id is None
    assert len(store.snapshots_of_document(doc["id"])) == 1
    assert store.get_document(doc["id"])["last_checked_at"] == utc_iso(monitor.clock())

    monitor.clock.advance(4000)
    sites.set(
        "site.test",
        "/privacy",
        policy_html(
            [*CLAUSES[:2], "We sell your personal information to data brokers.", *CLAUSES[3:]]
        ),
    )
    changed = await check(monitor, doc["id"])
    assert changed.status == "ok" and changed.new_version and len(changed.changes) == 1
    [change] = changes_recorded(store, 0)
    assert change["id"] == changed.changes[0] and change["origin"] == "live"
    assert change["to_captured_at"] == utc_iso(monitor.clock())
    assert "sell" in change["summary"] or change["material"]


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (403, {}, "blocked"),
        (429, {"Retry-After": "7200"}, "blocked"),
        (500, {}, "unreachable"),
        (404, {}, "unreachable"),
    ],
)
async def test_failures_back_off_and_keep_what_was_known(
    store, sites, monitor, status, headers, expected
):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    await check(monitor, doc["id"])
    etag = store.get_document(doc["id"])["etag"]
    sites.set("site.test", "/privacy", "<p>no</p>", status=status, headers=headers)
    waits = []
    for failures in (1, 2, 3):
        monitor.clock.advance(3600 * 3)
        result = await check(monitor, doc["id"])
        assert result.status == expected and result.failed
        state = store.get_document(doc["id"])
        assert state["status"] == expected and state["failures"] == failures
        assert state["status_detail"]
        assert state["etag"] == etag  # the validators of the last good answer stay
        waits.append((at(state["next_check_at"]) - monitor.clock()).total_seconds())
    if "Retry-After" in headers:
        # The server's word wins over a shorter backoff, within our own bound (1 h).
        assert all(3600 * 0.9 <= w <= 3600 * 1.1 for w in waits)
    else:
        # 60 s, 120 s, 240 s, each +-10 %.
        assert [round(w / 60) for w in waits] == [1, 2, 4]
    assert len(store.snapshots_of_document(doc["id"])) == 1

    sites.set("site.test", "/privacy", policy_html())
    monitor.clock.advance(3600 * 3)
    recovered = await check(monitor, doc["id"])
    assert recovered.status == "ok"
    assert store.get_document(doc["id"])["failures"] == 0


async def test_a_page_without_policy_text_is_empty(store, sites, monitor):
    url = sites.set("site.test", "/privacy", "<!doctype html><html><body></body></html>")
    doc = track(store, url)
    result = await check(monitor, doc["id"])
    assert result.status == "empty" and result.version_id is None and not result.failed
    [snap] = store.snapshots_of_document(doc["id"])
    assert snap["error"]  # stored, with the reason: a better extractor can redo it


async def test_a_sudden_shrink_is_held_back_until_seen_again(store, sites, monitor):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    await check(monitor, doc["id"])
    # A redesign the extractor reads badly: one short clause left of six.
    sites.set("site.test", "/privacy", policy_html(["Cookies help us run this site."]))
    monitor.clock.advance(3600 * 2)
    held = await check(monitor, doc["id"])
    assert held.status == "structure-changed" and held.version_id is None and not held.changes
    assert "shrank" in held.detail
    assert len(store.snapshots_of_document(doc["id"])) == 2  # the capture is kept
    assert changes_recorded(store, 0) == []  # and nothing is announced
    assert len(store.versions_of_document(doc["id"])) == 1

    monitor.clock.advance(3600 * 2)
    confirmed = await check(monitor, doc["id"])
    assert confirmed.status == "ok" and confirmed.new_version and len(confirmed.changes) == 1
    assert [c["origin"] for c in changes_recorded(store, 0)] == ["live"]


def _mid_page(clauses: list[str]) -> str:
    # What a capture that missed the page's head gets: no title, no heading, the policy
    # from somewhere in its middle on, word for word.
    return (
        "<!doctype html><html><body><main>"
        + "".join(f"<p>{c}</p>" for c in clauses)
        + "</main></body></html>"
    )


async def test_a_capture_missing_the_page_head_is_held_back_until_seen_again(store, sites, monitor):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    await check(monitor, doc["id"])
    # Four of six clauses, word for word: no shrink by size, but not the whole page either.
    sites.set("site.test", "/privacy", _mid_page(CLAUSES[2:]))
    monitor.clock.advance(3600 * 2)
    held = await check(monitor, doc["id"])
    assert held.status == "structure-changed" and held.version_id is None and not held.changes
    assert "starts mid-page" in held.detail and "held back until seen again" in held.detail
    assert len(store.versions_of_document(doc["id"])) == 1
    # The whole page back: nothing happened to the policy, nothing is recorded.
    sites.set("site.test", "/privacy", policy_html())
    monitor.clock.advance(3600 * 2)
    back = await check(monitor, doc["id"])
    assert back.status == "ok" and not back.new_version and changes_recorded(store, 0) == []
    # Served that way twice in a row, it is what the page is now: recorded.
    sites.set("site.test", "/privacy", _mid_page(CLAUSES[2:]))
    for _ in range(2):
        monitor.clock.advance(3600 * 2)
        last = await check(monitor, doc["id"])
    assert last.status == "ok" and last.new_version
    assert len(store.versions_of_document(doc["id"])) == 2


async def test_an_edited_page_missing_its_head_is_recorded(store, sites, monitor):
    # Not word for word the current version: an edit, judged as one, not a capture problem.
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    await check(monitor, doc["id"])
    edited = [*CLAUSES[2:5], "We share your data with advertisers."]
    sites.set("site.test", "/privacy", _mid_page(edited))
    monitor.clock.advance(3600 * 2)
    result = await check(monitor, doc["id"])
    assert result.status == "ok" and result.new_version


async def test_a_shrink_that_recovers_announces_nothing(store, sites, monitor):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    await check(monitor, doc["id"])
    sites.set("site.test", "/privacy", policy_html(["Cookies help us run this site."]))
    monitor.clock.advance(3600 * 2)
    assert (await check(monitor, doc["id"])).status == "structure-changed"
    sites.set("site.test", "/privacy", policy_html())
    monitor.clock.advance(3600 * 2)
    back = await check(monitor, doc["id"])
    assert back.status == "ok" and not back.new_version and changes_recorded(store, 0) == []


async def test_a_permanent_redirect_is_moved_and_still_recorded(store, sites, monitor):
    new_url = sites.set("other.test", "/legal/privacy", policy_html())
    url = sites.set("site.test", "/privacy", "", location=new_url)
    doc = track(store, url)
    result = await check(monitor, doc["id"])
    assert result.status == "moved" and new_url in result.detail
    assert result.version_id is not None
    [snap] = store.snapshots_of_document(doc["id"])
    assert snap["url"] == new_url
    assert store.get_document(doc["id"])["status"] == "moved"


async def test_a_refused_address_is_unreachable(store, monitor):
    doc = track(store, "http://unknown.test/privacy")  # not in the lookup table
    result = await check(monitor, doc["id"])
    assert result.status == "unreachable" and result.outcome == "unreachable"


def test_shrink_rule():
    assert clause_text_size([{"text": "abc"}, {"text": "de"}]) == 5
    assert shrank(100, 49) and not shrank(100, 50) and not shrank(0, 0)
    assert not shrank(100, 200)


@pytest.fixture
async def counted(store):
    """A monitor that counts its extractions: (monitor, the URL of each extraction)."""
    from monitor.compare import compare
    from monitor.extract import extract
    from monitor.record import Pipeline

    extracted = []

    def counting_extract(raw, content_type, url):
        extracted.append(url)
        return extract(raw, content_type, url)

    pipeline = Pipeline(extract=counting_extract, compare=compare)
    async with loopback_fetcher(HOSTS) as fetcher:
        monitor = Monitor(store, fetcher, timing=TIMING, clock=WallClock(), pipeline=pipeline)
        yield monitor, extracted


async def test_the_same_bytes_again_reuse_the_version_without_extracting(store, sites, counted):
    monitor, extracted = counted
    url = sites.set("site.test", "/privacy", policy_html(), validators=False)
    doc = track(store, url)
    first = await check(monitor, doc["id"])
    monitor.clock.advance(4000)
    second = await check(monitor, doc["id"])
    assert len(extracted) == 1  # the second check never extracted
    assert second.status == "ok" and second.version_id == first.version_id
    assert not second.new_version and second.snapshot_id != first.snapshot_id
    [version] = store.versions_of_document(doc["id"])
    assert version["snapshot_count"] == 2
    assert version["last_captured_at"] == utc_iso(monitor.clock())


async def test_a_page_is_extracted_once_even_when_it_holds_no_policy(store, sites, counted):
    """The check's extraction goes to recording with the capture: a page without policy
    text is not extracted a second time to learn why (it was, through the `_replay` memo)."""
    monitor, extracted = counted
    for path, page in (("/empty", "<!doctype html><html><body></body></html>"),
                       ("/privacy", policy_html())):  # fmt: skip
        doc = track(store, sites.set("site.test", path, page, validators=False))
        result = await check(monitor, doc["id"])
        assert len(extracted) == 1, (path, extracted)
        extracted.clear()
        [snap] = store.snapshots_of_document(doc["id"])
        if path == "/empty":
            assert result.status == "empty" and snap["error"] == result.detail
        else:
            assert result.status == "ok" and result.new_version and snap["error"] is None


async def test_a_bot_wall_or_robots_txt_is_blocked(store, sites, monitor):
    wall = sites.set(
        "site.test",
        "/privacy",
        "<html><head><title>Just a moment...</title></head><body></body></html>",
    )
    doc = track(store, wall)
    result = await check(monitor, doc["id"])
    assert result.status == "blocked" and "challenge" in result.detail
    assert store.snapshots_of_document(doc["id"]) == []  # a wall is not a capture of the policy

    sites.robots = "User-agent: *\nDisallow: /\n"
    other = store.add_document(
        store.add_site("other.test")["id"], sites.set("other.test", "/privacy", policy_html())
    )
    result = await check(monitor, other["id"])
    assert result.status == "blocked" and result.outcome == "disallowed-by-robots"
    assert [p for h, p in sites.requests if h == "other.test"] == []  # never asked for the page


HOME_PAGE = (
    "<!doctype html><html><head><title>Example - the best widgets online</title></head><body>"
    "<main><h1>Welcome to Example</h1><p>Shop the new spring collection of widgets, gadgets "
    "and gizmos, with free delivery on orders over 50 euros.</p><h2>Bestsellers</h2>"
    "<p>The Widget Pro: faster, lighter, brighter than ever. Order now and save 20 percent on "
    "your first purchase with the code SPRING.</p><h2>Stories</h2><p>Read how our customers "
    "use widgets at home, at work and on the road, and join our community of makers.</p>"
    "</main></body></html>"
)


async def test_a_home_page_at_the_policy_url_is_not_policy_and_moves_nothing(store, sites, monitor):
    url = sites.set("site.test", "/privacy", policy_html())
    doc = track(store, url)
    first = await check(monitor, doc["id"])
    sites.set("site.test", "/privacy", HOME_PAGE)
    monitor.clock.advance(3600 * 2)
    home = await check(monitor, doc["id"])
    assert home.status == "not-policy" and home.version_id is None and not home.changes
    assert home.detail.startswith("not-policy: 0 % of the current version's clauses kept")
    state = store.get_document(doc["id"])
    assert state["status"] == "not-policy" and state["status_detail"] == home.detail
    assert state["etag"] == first.etag  # the old validators stay
    assert len(store.snapshots_of_document(doc["id"])) == 2  # the capture is kept
    assert store.current_version(doc["id"])["id"] == first.version_id
    # The policy back: the kept validators get a 304, and the status is ok again.
    sites.set("site.test", "/privacy", policy_html())
    monitor.clock.advance(3600 * 2)
    back = await check(monitor, doc["id"])
    assert back.status == "ok" and back.not_modified
    assert changes_recorded(store, 0) == [] and len(store.versions_of_document(doc["id"])) == 1
