"""Issue 23, item 2: a live change lost to a crash between the version commit and the change
commit is written by the next check of the same bytes (the quick path) or at start, once.

The crash is injected where it happens: `reconcile_changes`, the step after the version's
commit, raises instead of running (tests/e2e/test_kill9_reconcile.py kills a real process
at the same point with SIGKILL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from policysites import CLAUSES, policy_html

import monitor.record as record
from db import Store
from db.reads import documents_behind
from monitor.check import record_fetch
from monitor.fetch import FetchResult
from monitor.record import reconcile_lagging, recovered_origin, timeline

URL = "https://example.com/privacy"
T0 = datetime(2030, 1, 1, tzinfo=UTC)
V1 = policy_html().encode()
V2 = policy_html([*CLAUSES[:2], "We sell your personal information to advertisers.", *CLAUSES[3:]])
V2 = V2.encode()


class Crash(Exception):
    pass


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


def fetched(body: bytes) -> FetchResult:
    return FetchResult(
        url=URL,
        outcome="ok",
        final_url=URL,
        status=200,
        headers=CIMultiDictProxy(CIMultiDict()),
        body=body,
        content_type="text/html",
        kind="html",
        text=body.decode(),
    )


def check(store: Store, doc: dict, body: bytes, at: datetime):
    return record_fetch(store, store.get_document(doc["id"]), fetched(body), now=at)


def crashed_check(store: Store, doc: dict, body: bytes, at: datetime, monkeypatch) -> None:
    """A check whose process dies after the version's commit, before the changes'."""

    def die(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(record, "reconcile_changes", die)
        with pytest.raises(Crash):
            check(store, doc, body, at)


def tracked_document(store: Store) -> dict:
    return store.add_document(store.add_site("example.com")["id"], URL)


def test_the_quick_path_writes_the_change_a_crash_lost_once(store, monkeypatch):
    doc = tracked_document(store)
    check(store, doc, V1, T0)
    check(store, doc, V1, T0 + timedelta(hours=6))
    crashed_check(store, doc, V2, T0 + timedelta(hours=12), monkeypatch)
    # The version is there, its change is not: what the crash leaves.
    assert len(store.versions_of_document(doc["id"])) == 2
    assert store.changes_of_document(doc["id"]) == []
    assert documents_behind(store) == [doc["id"]]

    again = check(store, doc, V2, T0 + timedelta(hours=18))
    (change,) = store.changes_of_document(doc["id"])
    assert again.changes == (change["id"],)
    assert change["origin"] == "live" and change["material"]
    assert change["to_captured_at"] == "2030-01-01T12:00:00Z"  # when it was first seen
    # Once: later checks of the same bytes find nothing missing.
    assert check(store, doc, V2, T0 + timedelta(hours=24)).changes == ()
    assert len(store.changes_of_document(doc["id"])) == 1
    assert documents_behind(store) == []


def test_start_reconciles_what_a_crash_lost_and_only_that(store, monkeypatch):
    doc = tracked_document(store)
    quiet = store.add_document(store.add_site("quiet.example")["id"], "https://quiet.example/p")
    check(store, quiet, V1, T0)
    check(store, quiet, V2, T0 + timedelta(hours=1))  # recorded whole: nothing to recover
    check(store, doc, V1, T0)
    crashed_check(store, doc, V2, T0 + timedelta(hours=12), monkeypatch)
    recovered = reconcile_lagging(store)
    (change,) = store.changes_of_document(doc["id"])
    assert recovered == {doc["id"]: [change["id"]]} and change["origin"] == "live"
    assert reconcile_lagging(store) == {}


def test_a_lost_revert_is_found_too(store, monkeypatch):
    doc = tracked_document(store)
    check(store, doc, V1, T0)
    check(store, doc, V2, T0 + timedelta(hours=1))
    crashed_check(store, doc, V1, T0 + timedelta(hours=2), monkeypatch)
    check(store, doc, V1, T0 + timedelta(hours=3))
    pairs = [
        (c["from_version_id"], c["to_version_id"]) for c in store.changes_of_document(doc["id"])
    ]
    assert len(pairs) == 2 and pairs[1] == pairs[0][::-1]


def test_the_first_live_capture_after_history_is_recovered_as_history():
    snaps = [
        {"id": 1, "source": "wayback", "captured_at": "2020-01-01T00:00:00Z", "version_id": 1},
        {"id": 2, "source": "live", "captured_at": "2030-01-01T00:00:00Z", "version_id": 2},
        {"id": 3, "source": "live", "captured_at": "2030-01-02T00:00:00Z", "version_id": 3},
    ]
    first, second = timeline(snaps)
    assert recovered_origin(first, snaps) == "backfill"  # what the tracking worker records
    assert recovered_origin(second, snaps) == "live"
    archived = [snaps[0], {**snaps[1], "source": "wayback"}]
    assert recovered_origin(timeline(archived)[0], archived) == "backfill"
