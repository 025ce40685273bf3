"""What makes a version: the text the comparison reads, never page noise, never a page that
is not the policy; and `reprocess` bringing a store made the old way to the same history."""

from __future__ import annotations

import hashlib
import random
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from capturehistory import history
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from storesupport import changes_recorded

from db import ANNOUNCED_ORIGINS, Store
from monitor.compare import compare
from monitor.extract import extract
from monitor.model import Clause, PolicyDocument
from monitor.record import NewSnapshot, Pipeline, reconcile_changes, record_snapshot, text_hash
from monitor.reprocess import reprocess
from monitor.textnorm import identity_key

DATA = Path(__file__).parent / "data"
URL = "https://example.com/privacy"

POLICY = [
    "We collect your name, email address and the pages you visit on our service.",
    "We share your email address with third-party advertising partners.",
    "We do not sell your personal information to anyone.",
    "We keep your data for as long as your account is open, then delete it within 30 days.",
    "You can ask for a copy of your data or for its deletion at privacy@example.com.",
    "We protect your data with encryption in transit and at rest.",
]


def page(clauses: list[str], footer: str = "", title: str = "Privacy Policy") -> bytes:
    body = "".join(f"<p>{c}</p>" for c in clauses)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><main>"
        f"<h1>{title}</h1>{body}{footer}</main></body></html>"
    ).encode()


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "cw.db") as s:
        yield s


@pytest.fixture
def doc(store):
    return store.add_document(store.add_site("example.com")["id"], URL)["id"]


def rec(store, doc, raw, when, source="live"):
    capture = NewSnapshot(raw, when, source, url=URL, content_type="text/html")
    return record_snapshot(store, doc, capture)


# -- phantom versions -------------------------------------------------------------------


def test_third_party_and_third_party_are_one_version(store, doc):
    a = page(POLICY)
    b = page([c.replace("third-party", "third party") for c in POLICY])
    first = rec(store, doc, a, "2024-01-01T00:00:00Z")
    second = rec(store, doc, b, "2024-02-01T00:00:00Z")
    assert first.new_version and not second.new_version
    assert second.version_id == first.version_id and not second.changes_added
    assert len(store.versions_of_document(doc)) == 1 and store.changes_of_document(doc) == []
    # And the comparison agrees: no change between the two texts.
    da, db = (extract(x, "text/html", URL) for x in (a, b))
    assert compare(da, db).changes == []


def test_a_paragraph_split_or_retagged_is_the_same_version(store, doc):
    joined = page([" ".join(POLICY[:2]), *POLICY[2:]])
    listed = (
        page(POLICY)
        .replace(b"<p>We do not", b"<ul><li>We do not")
        .replace(b"anyone.</p>", b"anyone.</li></ul>")
    )
    ids = {rec(store, doc, raw, f"2024-0{i + 1}-01T00:00:00Z").version_id
           for i, raw in enumerate([page(POLICY), joined, listed])}  # fmt: skip
    assert len(ids) == 1 and store.changes_of_document(doc) == []


TOKENS = [
    lambda r: f"Trace Id: {r.randbytes(16).hex()}",
    lambda r: (
        f"Request {r.randbytes(4).hex()}-{r.randbytes(2).hex()}-4{r.randbytes(2).hex()[1:]}"
        f"-a{r.randbytes(2).hex()[1:]}-{r.randbytes(6).hex()}"
    ),
    lambda r: (
        f"nonce {''.join(r.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(22))}"
    ),
    lambda r: (
        f"Build {r.randbytes(6).hex()} served at {r.randrange(24):02}:{r.randrange(60):02}:"
        f"{r.randrange(60):02}"
    ),
    lambda r: (
        f"Generated 2024-05-0{r.randrange(1, 9)}T{r.randrange(24):02}:{r.randrange(60):02}:00Z"
        f" ({1_700_000_000_000 + r.randrange(10**9)})"
    ),
]


@pytest.mark.parametrize("token", range(len(TOKENS)))
def test_per_request_tokens_that_reach_the_text_make_no_version(store, doc, token):
    """Even when extraction keeps it (a visible footer line), a per-request token is noise."""
    rng = random.Random(token)
    results = []
    for day in range(1, 6):
        footer = f"<p>{TOKENS[token](rng)}</p>"
        results.append(rec(store, doc, page(POLICY, footer), f"2024-01-0{day}T00:00:00Z"))
    assert len({r.snapshot_id for r in results}) == 5  # five captures, different bytes
    assert [r.new_version for r in results] == [True, False, False, False, False]
    assert store.changes_of_document(doc) == []


def test_a_real_edit_next_to_a_token_is_still_a_version(store, doc):
    rec(store, doc, page(POLICY, "<p>Trace Id: 0f3a9c2e7d41b8a6</p>"), "2024-01-01T00:00:00Z")
    edited = [*POLICY[:2], "We sell your personal information to advertisers.", *POLICY[3:]]
    second = rec(store, doc, page(edited, "<p>Trace Id: 9b1e4d7c2a03f5e8</p>"), "2024-02-01")
    assert second.new_version and len(second.changes_added) == 1
    [change] = store.changes_of_document(doc)
    assert change["material"]


# -- compare() reports no change exactly when the identity keys are equal ------------------


def _identity(doc: PolicyDocument) -> str:
    return identity_key(doc.clauses)


@cache
def corpus_pairs() -> list[tuple[PolicyDocument, PolicyDocument]]:
    """Consecutive versions of real histories, and consecutive raw captures."""
    pairs = []
    for service in ("discord", "spotify", "123greetings"):
        files = sorted((DATA / "policy-histories" / service).glob("*.md"))[:6]
        docs = [extract(f.read_bytes(), "text/markdown", f.name) for f in files]
        pairs += list(pairwise(docs))
    for service in ("meetic", "lovescout24", "her", "zoosk", "finya"):
        docs = [extract(c.body, "text/html", c.url) for c in history(service).captures]
        pairs += list(pairwise(docs))
    return pairs


def test_no_change_iff_equal_identity_on_corpus_pairs():
    seen = {True: 0, False: 0}
    for a, b in corpus_pairs():
        same = _identity(a) == _identity(b)
        assert (compare(a, b).changes == []) == same
        assert (compare(b, a).changes == []) == same
        seen[same] += 1
    assert seen[True] and seen[False]  # both sides of the iff are exercised


@cache
def base() -> tuple[Clause, ...]:
    path = DATA / "policy-histories" / "discord"
    first = sorted(path.glob("*.md"))[0]
    return extract(first.read_bytes(), "text/markdown", first.name).clauses[:30]


def _perturb(clauses: list[Clause], op: str, pos: int, arg: int) -> list[Clause]:
    """One edit, cosmetic or real, at clause `pos`."""
    i = pos % len(clauses)
    c = clauses[i]
    words = c.text.split(" ")
    j = arg % len(words)
    if op == "hyphen":  # "third-party" <-> "third party" style
        text = c.text.replace(" ", "-", 1) if "-" not in c.text else c.text.replace("-", " ", 1)
    elif op == "case":
        text = c.text.upper()
    elif op == "split" and len(words) > 3:
        a, b = " ".join(words[:j] or words[:1]), " ".join(words[j:] or words[1:])
        return [*clauses[:i], Clause(c.section, c.kind, a), Clause(c.section, c.kind, b), *clauses[i + 1 :]]  # fmt: skip
    elif op == "merge" and i + 1 < len(clauses):
        merged = Clause(c.section, c.kind, f"{c.text} {clauses[i + 1].text}")
        return [*clauses[:i], merged, *clauses[i + 2 :]]
    elif op == "kind" and c.kind != "heading":
        text, c = c.text, Clause(c.section, "list-item" if c.kind != "list-item" else "paragraph", c.text)  # fmt: skip
    elif op == "token":
        text = f"{c.text} ref {random.Random(arg).randbytes(8).hex()}"
    elif op == "word":
        words[j] = ["never", "sell", "data", "5", "partners", "not"][arg % 6]
        text = " ".join(words)
    elif op == "drop":
        return clauses[:i] + clauses[i + 1 :]
    elif op == "punct":
        text = c.text.rstrip(".") + ";" if c.text.endswith(".") else c.text + "."
    elif op == "swap" and i + 1 < len(clauses):
        return [*clauses[:i], clauses[i + 1], c, *clauses[i + 2 :]]
    else:
        return clauses
    return [*clauses[:i], Clause(c.section, c.kind, text), *clauses[i + 1 :]]


OPS = ["hyphen", "case", "split", "merge", "kind", "token", "word", "drop", "punct", "swap"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 99), st.integers(0, 999)), max_size=3)
)
@example([("hyphen", 3, 0)])
@example([("punct", 4, 0), ("merge", 4, 0)])
@example([("split", 2, 5)])
def test_no_change_iff_equal_identity_under_random_edits(edits):
    old = list(base())
    new = old
    for op, pos, arg in edits:
        new = _perturb(new, op, pos, arg)
    a, b = PolicyDocument(tuple(old)), PolicyDocument(tuple(new))
    same = _identity(a) == _identity(b)
    assert (compare(a, b).changes == []) == same
    assert (compare(b, a).changes == []) == same


# -- a page that is not the policy ------------------------------------------------------


def test_the_home_page_served_at_the_policy_url_four_times_a_day_is_never_a_version(store, doc):
    """The real case (meetic, 2024-05-01): policy, home page, policy, home page, policy."""
    h = {c.file: c for c in history("meetic").captures}
    policy, home = h["2024-05-01T063301Z.html"].body, h["2024-05-01T003301Z.html"].body
    sequence = [policy, home, policy, home, policy, home, policy, home, policy]
    results = [rec(store, doc, raw, f"2024-05-01T{2 * i:02}:00:00Z") for i, raw in enumerate(sequence)]  # fmt: skip
    assert len(store.versions_of_document(doc)) == 1 and store.changes_of_document(doc) == []
    homes = [r for raw, r in zip(sequence, results, strict=True) if raw == home]
    assert all(r.version_id is None and r.error.startswith("not-policy: ") for r in homes)
    assert "does not read as a privacy policy" in homes[0].error
    assert len(store.snapshots_of_document(doc)) == len(sequence)  # every capture kept


def test_a_genuine_full_rewrite_of_the_policy_is_recorded(store, doc):
    """Another policy's whole text (no clause kept) still reads as a policy: a version."""
    lovescout = history("lovescout24").captures
    meetic = history("meetic").captures
    first = rec(store, doc, lovescout[0].body, "2024-01-01T00:00:00Z")
    second = rec(store, doc, meetic[0].body, "2024-02-01T00:00:00Z")
    assert first.new_version and second.new_version and len(second.changes_added) == 1
    [change] = store.changes_of_document(doc)
    assert change["comparison"]["rewrite"] and change["material"]


@pytest.mark.parametrize(
    "what,html",
    [
        ("error", "<h1>Oops! Something went wrong</h1><p>The page you requested could not be "
         "found. Go back to the home page or try again later.</p>"),
        ("maintenance", "<h1>We'll be back soon</h1><p>Our site is down for scheduled "
         "maintenance. Thank you for your patience.</p>"),
        ("login", "<h1>Sign in</h1><p>Email</p><p>Password</p><p>Forgot your password?</p>"
         "<p>New here? Create an account</p>"),
    ],
)  # fmt: skip
def test_an_error_maintenance_or_login_page_is_not_a_version(store, doc, what, html):
    first = rec(store, doc, page(POLICY), "2024-01-01T00:00:00Z")
    raw = f"<!doctype html><html><head><title>{what}</title></head><body><main>{html}</main></body></html>"
    second = rec(store, doc, raw.encode(), "2024-01-02T00:00:00Z")
    assert second.version_id is None and second.error.startswith("not-policy: ")
    assert store.current_version(doc)["id"] == first.version_id
    assert store.changes_of_document(doc) == []


# -- reprocess: a store made the old way ---------------------------------------------------


def _old_hash(doc: PolicyDocument) -> str:
    """How versions were keyed before: the clause kinds and keys, verbatim."""
    return hashlib.sha256(doc.normalized_text().encode("utf-8")).hexdigest()


def _record_the_old_way(store: Store, doc_id: int, raw: bytes, when: str) -> None:
    """What record_snapshot did before version identity = comparison identity: every
    extracted text a version, every version change a live change."""
    snapshot, _ = store.add_snapshot(doc_id, raw, captured_at=when, source="live", url=URL,
                                     status=200, content_type="text/html")  # fmt: skip
    policy = extract(raw, "text/html", URL)
    version_id, _ = store.upsert_version(doc_id, _old_hash(policy), policy.to_dict())
    store.mark_snapshot(snapshot["id"], version_id=version_id)
    store.refresh_version_spans(doc_id)
    reconcile_changes(store, doc_id, origin="live", pipeline=Pipeline.default())


def test_reprocess_merges_phantom_versions_without_announcing_anything(store, doc):
    meetic = {c.file: c.body for c in history("meetic").captures}
    policy, home = meetic["2024-05-01T063301Z.html"], meetic["2024-05-01T003301Z.html"]
    hyphen = page(POLICY)
    spaced = page([c.replace("third-party", "third party") for c in POLICY])
    edited = page([*POLICY[:2], "We sell your personal information to advertisers.", *POLICY[3:]])
    other = store.add_document(store.add_site("example.org")["id"], "https://example.org/privacy")["id"]  # fmt: skip
    for i, raw in enumerate([hyphen, spaced, hyphen, edited]):
        _record_the_old_way(store, doc, raw, f"2024-01-0{i + 1}T00:00:00Z")
    for i, raw in enumerate([policy, home, policy, home, policy]):
        _record_the_old_way(store, other, raw, f"2024-05-01T0{i}:00:00Z")
    # The old behaviour: 3 versions for 2 texts, 4 changes of which 3 are phantoms; the home
    # page a version, flapping.
    assert len(store.versions_of_document(doc)) == 3 and len(store.changes_of_document(doc)) == 3
    assert len(store.versions_of_document(other)) == 2
    assert len(store.changes_of_document(other)) == 4
    real = store.changes_of_document(doc)[-1]
    cursor = store.last_change_id()
    snapshots_before = {s["id"] for s in store.snapshots_of_document(doc)}

    report = reprocess(store)

    versions = store.versions_of_document(doc)
    assert len(versions) == 2 and len(store.versions_of_document(other)) == 1
    [change] = store.changes_of_document(doc)
    # The real change survives with its id (its feed position) and its origin.
    assert (change["id"], change["origin"]) == (real["id"], "live") and change["material"]
    assert store.changes_of_document(other) == []
    # Every snapshot kept, re-pointed at a surviving version (the home pages at none).
    snaps = store.snapshots_of_document(doc)
    assert {s["id"] for s in snaps} == snapshots_before
    assert [s["version_id"] for s in snaps[:3]] == [versions[0]["id"]] * 3
    assert snaps[3]["version_id"] == versions[1]["id"]
    homes = [s for s in store.snapshots_of_document(other) if s["blob_sha256"] == hashlib.sha256(home).hexdigest()]  # fmt: skip
    assert homes and all(
        s["version_id"] is None and s["error"].startswith("not-policy") for s in homes
    )
    # Nothing new for the feed, the lookups or webhooks: no change id past the cursor.
    assert changes_recorded(store, cursor) == []
    assert changes_recorded(store, cursor, origins=ANNOUNCED_ORIGINS) == []
    assert report.changes_added == 0 and report.changes_removed == 6
    assert report.not_policy == 2  # the two home-page captures


def clause_rows(store, version_id):
    return store._writer.execute(  # the stored rows themselves: their ids tell a rewrite
        "SELECT id, position, section, kind, text FROM clauses WHERE version_id = ? ORDER BY id",
        [version_id],
    ).fetchall()


def test_reprocess_leaves_the_clauses_of_an_unchanged_text_in_place(store, doc):
    """Issue 28: a reprocess that finds a version's text unchanged (what it mostly finds)
    writes none of its clauses again; deleting and re-inserting them and their search rows
    was most of the single writer's time, which kept `reprocess --jobs N` from scaling."""
    edited = [*POLICY[:2], "We sell your personal information to advertisers.", *POLICY[3:]]
    rec(store, doc, page(POLICY), "2024-01-01T00:00:00Z")
    rec(store, doc, page(edited), "2024-02-01T00:00:00Z")
    versions = store.versions_of_document(doc)
    before = {v["id"]: clause_rows(store, v["id"]) for v in versions}
    assert len(before) == 2 and all(before.values())

    reprocess(store)

    assert [v["id"] for v in store.versions_of_document(doc)] == list(before)
    assert {v: clause_rows(store, v) for v in before} == before
    [hit] = store.search_clauses("sell advertisers")
    assert hit["version_id"] == versions[1]["id"]
    # A text that did change is still rewritten, its search rows with it.
    version = store.versions_of_document(doc)[0]
    changed = extract(page([*POLICY, "We now collect precise location."]), "text/html", URL)
    store.rewrite_version(version["id"], text_hash(changed), changed.to_dict())
    rows = clause_rows(store, version["id"])
    assert [r[4] for r in rows][-1] == "We now collect precise location."
    assert not set(r[0] for r in rows) & set(r[0] for r in before[version["id"]])
    [hit] = store.search_clauses("precise location")
    assert hit["version_id"] == version["id"]


def test_a_store_keyed_the_old_way_gets_no_duplicate_before_reprocess(store, doc):
    """A live check of the current text, after the upgrade and before any reprocess."""
    _record_the_old_way(store, doc, page(POLICY), "2024-01-01T00:00:00Z")
    [old] = store.versions_of_document(doc)
    other_bytes = page(POLICY).replace(b"<main>", b"<main><!-- served by node 7 -->")
    again = rec(store, doc, other_bytes, "2024-01-02")
    assert again.version_id == old["id"] and not again.new_version
    assert store.changes_of_document(doc) == []
    assert store.get_version(old["id"])["text_hash"] == text_hash(extract(page(POLICY), "text/html", URL))  # fmt: skip
