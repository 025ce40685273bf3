"""Recording snapshots into versions and changes, in capture-time order; and reprocess.

These tests are about the store side of the pipeline, so they inject a small line-based
extractor and comparison (real functions, in tests/linepipeline.py) instead of the full
stages.
"""

from __future__ import annotations

import pytest
from linepipeline import PIPELINE, line_compare, line_extract
from storesupport import changes_recorded

from db import Store
from monitor.record import NewSnapshot, Pipeline, record_snapshot, timeline
from monitor.reprocess import reprocess

A = b"We collect email.\nWe keep it a year."
B = b"We collect email.\nWe sell it.\nWe keep it a year."
C = b"We collect email and phone.\nWe sell it.\nWe keep it a year."


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
def doc(store):
    site = store.add_site("example.com")
    return store.add_document(site["id"], "https://example.com/privacy")["id"]


def rec(store, doc, raw, when, source="wayback", pipeline=PIPELINE):
    capture = NewSnapshot(
        raw, f"{when}T00:00:00Z", source, content_type="text/plain",
        url="https://x/web/20200101000000id_/https://example.com/privacy",
    )  # fmt: skip
    return record_snapshot(store, doc, capture, pipeline=pipeline)


def history(store, doc):
    """The timeline as (from text first line count, to..., from time, to time)."""
    out = []
    for c in store.changes_of_document(doc):
        out.append((c["from_captured_at"][:10], c["to_captured_at"][:10], c["origin"]))
    return out


def test_recording_twice_adds_nothing(store, doc):
    first = rec(store, doc, A, "2020-01-01")
    again = rec(store, doc, A, "2020-01-01")
    assert first.new_snapshot and first.new_version and not again.new_snapshot
    assert again.snapshot_id == first.snapshot_id and again.version_id == first.version_id
    assert store.counts()["snapshots"] == 1 and store.counts()["versions"] == 1


def test_versions_are_deduplicated_by_text_and_span_their_captures(store, doc):
    rec(store, doc, A, "2020-01-01")
    r = rec(store, doc, A + b"\n", "2020-03-01")  # different bytes, same text
    assert not r.new_version and r.changes_added == []
    (version,) = store.versions_of_document(doc)
    assert version["snapshot_count"] == 2
    assert (version["first_captured_at"], version["last_captured_at"]) == (
        "2020-01-01T00:00:00Z",
        "2020-03-01T00:00:00Z",
    )


def test_a_capture_between_two_versions_splits_the_change(store, doc):
    rec(store, doc, A, "2020-01-01")
    r = rec(store, doc, C, "2022-01-01")
    (old_change,) = r.changes_added
    assert store.change_by_id(old_change)["summary"] == "2 added, 1 removed"
    r = rec(store, doc, B, "2021-01-01")
    assert r.changes_removed == [old_change]
    assert history(store, doc) == [
        ("2020-01-01", "2021-01-01", "backfill"),
        ("2021-01-01", "2022-01-01", "backfill"),
    ]
    a_to_b, b_to_c = store.changes_of_document(doc)
    assert a_to_b["material"] is True and b_to_c["material"] is False
    assert a_to_b["comparison"] == {"added": ["We sell it."], "removed": []}
    assert a_to_b["archive_url"] == "https://x/web/20200101000000/https://example.com/privacy"


def test_more_evidence_of_a_version_moves_the_change_in_place(store, doc):
    rec(store, doc, A, "2020-01-01")
    (change_id,) = rec(store, doc, B, "2022-01-01").changes_added
    r = rec(store, doc, A, "2021-06-01", source="live")
    assert r.changes_added == [] and r.changes_removed == []
    change = store.change_by_id(change_id)
    assert change["from_captured_at"] == "2021-06-01T00:00:00Z"


def test_reverts_are_changes_too(store, doc):
    for when, raw in [("2020-01-01", A), ("2021-01-01", B), ("2022-01-01", A), ("2023-01-01", B)]:
        rec(store, doc, raw, when)
    changes = store.changes_of_document(doc)
    assert [(c["occurrence"], c["material"]) for c in changes] == [
        (0, True),
        (0, False),
        (1, True),
    ]
    assert store.counts()["versions"] == 2


def test_a_capture_that_cannot_be_extracted_is_kept_and_marked(store, doc):
    rec(store, doc, A, "2020-01-01")
    r = rec(store, doc, b"ERROR", "2021-01-01")
    assert r.version_id is None and r.error == "no policy text"
    snap = store.get_snapshot(r.snapshot_id)
    assert snap["processed_at"] and snap["error"] == "no policy text"
    assert store.get_blob(snap["blob_sha256"]) == b"ERROR"
    rec(store, doc, A, "2022-01-01")
    assert store.changes_of_document(doc) == []  # the failure is no version, so no change


def test_a_crash_during_processing_leaves_the_snapshot_stored(store, doc):
    def exploding(raw, content_type=None, url=None):
        raise RuntimeError("extractor bug")

    with pytest.raises(RuntimeError):
        rec(store, doc, A, "2020-01-01", pipeline=Pipeline(exploding, line_compare))
    (snap,) = store.snapshots_of_document(doc)
    assert snap["processed_at"] is None and store.counts()["versions"] == 0
    r = rec(store, doc, A, "2020-01-01")  # the retry processes the stored snapshot
    assert not r.new_snapshot and r.new_version


def test_a_capture_carries_the_extraction_its_caller_made(store, doc):
    """What the caller extracted (a worker process, a check) is recorded as is: the
    pipeline's extractor is not asked again, and a failure keeps the caller's reason."""

    def exploding(raw, content_type=None, url=None):
        raise AssertionError("extracted again")

    pipeline = Pipeline(exploding, line_compare)
    given = NewSnapshot(A, "2020-01-01T00:00:00Z", "live", extracted=line_extract(A))
    first = record_snapshot(store, doc, given, pipeline=pipeline)
    assert first.new_version and first.error is None
    failed = NewSnapshot(b"ERROR", "2021-01-01T00:00:00Z", "live", extracted="no policy text")
    second = record_snapshot(store, doc, failed, pipeline=pipeline)
    assert second.version_id is None and second.error == "no policy text"
    # The same text extracted here later is the same version: identities agree.
    third = rec(store, doc, A, "2022-01-01", source="live")
    assert third.version_id == first.version_id and not third.new_version


def test_timeline_skips_unversioned_snapshots_and_counts_occurrences():
    snaps = [
        {"id": 1, "captured_at": "1", "version_id": 10},
        {"id": 2, "captured_at": "2", "version_id": None},
        {"id": 3, "captured_at": "3", "version_id": 11},
        {"id": 4, "captured_at": "4", "version_id": 10},
        {"id": 5, "captured_at": "5", "version_id": 11},
    ]
    assert [b.key for b in timeline(reversed(snaps))] == [(10, 11, 0), (11, 10, 0), (10, 11, 1)]


def test_reprocess_keeps_ids_when_only_the_text_cleaning_improves(store, doc):
    for when, raw in [("2020-01-01", A), ("2021-01-01", B), ("2022-01-01", C)]:
        rec(store, doc, raw, when)
    versions = [v["id"] for v in store.versions_of_document(doc)]
    changes = {c["id"]: c["detected_at"] for c in store.changes_of_document(doc)}

    def shouting(raw, content_type=None, url=None):
        return line_extract(raw.upper())

    def stricter(old, new):
        return line_compare(old, new, material_word="PHONE")

    report = reprocess(store, pipeline=Pipeline(shouting, stricter))
    assert report.changes_added == report.changes_removed == 0 and report.changes_kept == 2
    assert [v["id"] for v in store.versions_of_document(doc)] == versions
    after = store.changes_of_document(doc)
    assert {c["id"]: c["detected_at"] for c in after} == changes
    assert [c["origin"] for c in after] == ["backfill", "backfill"]
    # ... while the judgment is recomputed in place.
    assert [c["material"] for c in after] == [False, True]
    assert store.get_version(versions[0])["clauses"][0]["text"] == "WE COLLECT EMAIL."
    assert store.search_clauses("phone")[0]["version_id"] == versions[2]


def test_reprocess_merges_and_splits_versions_without_announcing_history(store, doc):
    footer_1 = A + b"\nfooter: 2020"
    footer_2 = A + b"\nfooter: 2021"
    for when, raw in [("2020-01-01", footer_1), ("2021-01-01", footer_2), ("2022-01-01", B)]:
        rec(store, doc, raw, when)
    first, chrome_change, real_change = (
        store.versions_of_document(doc)[0]["id"],
        *[c["id"] for c in store.changes_of_document(doc)],
    )

    def no_footer(raw, content_type=None, url=None):
        return line_extract(raw, drop_prefix="footer:")

    report = reprocess(store, pipeline=Pipeline(no_footer, line_compare))
    assert report.versions_before == 3 and report.versions_after == 2
    assert report.changes_removed == 1 and report.changes_added == 0
    # The chrome-only change is gone; the real one keeps its id, now from the merged version.
    (change,) = store.changes_of_document(doc)
    assert (change["id"], change["from_version_id"], change["origin"]) == (
        real_change,
        first,
        "backfill",
    )
    assert store.change_by_id(chrome_change) is None
    # And back: the footer matters again, so the split reappears, as reprocess history.
    reprocess(store, pipeline=PIPELINE)
    changes = store.changes_of_document(doc)
    assert [c["origin"] for c in changes] == ["reprocess", "reprocess"]
    assert all(c["id"] > real_change for c in changes)
    assert changes_recorded(store, 0, origins=["live"]) == []
    assert store.counts()["versions"] == 3


def test_comparing_never_holds_the_write_lock(store, doc, tmp_path):
    """Another process may record a live check while a long diff runs."""
    other = Store.open(store.path)
    other._writer.conn.execute("PRAGMA busy_timeout = 100")  # fail fast if the lock is held
    written = []

    def compare_while_someone_writes(old, new):
        written.append(other.add_site(f"s{len(written)}.example")["id"])
        return line_compare(old, new)

    pipeline = Pipeline(line_extract, compare_while_someone_writes)
    rec(store, doc, A, "2020-01-01", pipeline=pipeline)
    rec(store, doc, B, "2021-01-01", pipeline=pipeline)
    reprocess(store, pipeline=pipeline)
    assert len(written) == 2 and len(store.changes_of_document(doc)) == 1
    other.close()
