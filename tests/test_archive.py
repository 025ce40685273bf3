"""Archive-on-change: the SavePageNow wrapper's timeout and failures, and that the monitor
asks for an archive copy only when a live check finds a new version."""

from __future__ import annotations

import random
import threading

import pytest
from policysites import CLAUSES, WallClock, loopback_fetcher, policy_html, start

from db import Store
from monitor.archive import Archiver
from monitor.schedule import Monitor, Timing


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


class RecordingSaver:
    def __init__(self, answer="https://web.archive.org/web/20300101000000/{url}") -> None:
        self.answer = answer
        self.calls: list[str] = []

    def __call__(self, url: str) -> str:
        self.calls.append(url)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer.format(url=url) if isinstance(self.answer, str) else self.answer


async def test_a_saver_that_answers_gives_the_archive_url(store):
    archiver = Archiver(store, RecordingSaver())
    result = await archiver.save("https://example.com/privacy")
    assert (
        result.archive_url
        == "https://web.archive.org/web/20300101000000/https://example.com/privacy"
    )
    assert result.error is None
    archiver.close()


async def test_a_saver_that_hangs_times_out_and_is_abandoned(store):
    release = threading.Event()

    def hanging(url: str) -> str:
        release.wait(30)
        return "https://web.archive.org/web/1/late"

    archiver = Archiver(store, hanging, timeout=0.05)
    result = await archiver.save("https://example.com/privacy")
    assert result.archive_url is None and "timed out" in result.error
    # The stuck save holds neither a slot nor the process's exit.
    [stuck] = [t for t in threading.enumerate() if t.name == "savepagenow"]
    assert stuck.daemon and stuck.is_alive()
    assert archiver._slots.locked() is False
    archiver.close()
    release.set()
    stuck.join(5)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (RuntimeError("MaximumSaveRetriesExceeded"), "RuntimeError"),
        (None, "no archive URL"),
        ("not a url", "no archive URL"),
    ],
)
async def test_a_failing_saver_is_reported_not_raised(store, answer, words):
    archiver = Archiver(store, RecordingSaver(answer))
    result = await archiver.save("https://example.com/privacy")
    assert result.archive_url is None and words in result.error
    archiver.close()


async def test_only_new_versions_are_archived_and_the_url_lands_on_the_change(
    store, aiohttp_server
):
    sites = await start(aiohttp_server)
    url = sites.set("site.test", "/privacy", policy_html())
    site = store.add_site("site.test")
    doc = store.add_document(site["id"], url)
    saver = RecordingSaver()
    clock = WallClock()
    async with loopback_fetcher(["site.test"]) as fetcher:
        monitor = Monitor(
            store,
            fetcher,
            timing=Timing(interval=60, jitter=0),
            clock=clock,
            rng=random.Random(0),
            archiver=Archiver(store, saver),
        )
        await monitor.run_pass()  # the first version: nothing changed yet
        clock.advance(120)
        await monitor.run_pass()  # 304
        clock.advance(120)
        sites.set(
            "site.test", "/privacy", policy_html([*CLAUSES, "We now share data with advertisers."])
        )
        report = await monitor.run_pass()  # a new version
        clock.advance(120)
        await monitor.run_pass()  # unchanged again
        monitor.archiver.close()
    assert saver.calls == [url]
    [change] = store.changes_of_document(doc["id"])
    assert change["id"] in report.results[0].changes
    assert change["archive_url"] == f"https://web.archive.org/web/20300101000000/{url}"


async def test_a_failed_archive_leaves_the_change_without_url(store, aiohttp_server):
    sites = await start(aiohttp_server)
    url = sites.set("site.test", "/privacy", policy_html())
    site = store.add_site("site.test")
    doc = store.add_document(site["id"], url)
    clock = WallClock()
    saver = RecordingSaver(ConnectionError("web.archive.org unreachable"))
    async with loopback_fetcher(["site.test"]) as fetcher:
        monitor = Monitor(
            store,
            fetcher,
            timing=Timing(interval=60, jitter=0),
            clock=clock,
            archiver=Archiver(store, saver),
        )
        await monitor.run_pass()
        clock.advance(120)
        sites.set("site.test", "/privacy", policy_html(CLAUSES[:-1]))
        await monitor.run_pass()
        monitor.archiver.close()
    [change] = store.changes_of_document(doc["id"])
    assert change["archive_url"] is None and saver.calls == [url]
    assert "ConnectionError" in monitor.archiver.results[0].error


def test_the_real_saver_asks_waybackpy_with_our_user_agent(monkeypatch):
    import waybackpy

    from monitor.archive import savepagenow

    asked = []

    class FakeSaveAPI:
        def __init__(self, url, user_agent, max_tries):
            asked.append((url, user_agent, max_tries))

        def save(self):
            return "https://web.archive.org/web/20300101000000/https://example.com/privacy"

    monkeypatch.setattr(waybackpy, "WaybackMachineSaveAPI", FakeSaveAPI)
    saved = savepagenow("Clausewatch/1 (+https://example.org)")("https://example.com/privacy")
    assert saved.startswith("https://web.archive.org/web/")
    assert asked == [("https://example.com/privacy", "Clausewatch/1 (+https://example.org)", 2)]
