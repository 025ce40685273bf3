"""tools/label.py: the blind labelling tool of issue 22 (docs/labelling.md)."""

import hashlib
import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("label_tool", ROOT / "tools" / "label.py")
label = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(label)


def _manifest(counts: dict[str, int]) -> dict:
    files = []
    for slug, n in counts.items():
        for i in range(n):
            files.append(
                {
                    "file": f"{slug}/2020-01-{i + 1:02d}T000000Z.md",
                    "source_commit_subject": "Record",
                }
            )
    return {"name": "t", "files": files}


def test_split_rule_is_by_first_sha256_hex_digit():
    for slug in ("lovoo", "vinted", "scaleway", "daily-mail", "x", "acdelco"):
        first = hashlib.sha256(slug.encode()).hexdigest()[0]
        assert label.split_of(slug) == ("test" if first in "01234567" else "dev")
    # Both sides occur among real slugs, so the rule is not constant.
    assert {
        label.split_of(s) for s in ("lovoo", "vinted", "scaleway", "daily-mail", "acdelco")
    } == {"dev", "test"}


def test_pool_is_deterministic_consecutive_and_capped_per_service():
    manifest = _manifest({"a": 7, "b": 2, "c": 1, "d": 4})
    one = label.build_pool(manifest, seed=5)
    assert one == label.build_pool(manifest, seed=5)
    assert one != label.build_pool(manifest, seed=6)
    assert [p["packet"] for p in one] == list(range(len(one)))
    per = {}
    for p in one:
        per[p["slug"]] = per.get(p["slug"], 0) + 1
        # consecutive: the new file is the next one of the same service
        files = sorted(
            f["file"] for f in manifest["files"] if f["file"].startswith(p["slug"] + "/")
        )
        assert files.index(p["new"]) == files.index(p["old"]) + 1
        assert p["split"] == label.split_of(p["slug"])
    assert per == {"a": 3, "b": 1, "d": 3}  # c has one version: no pair


def test_round_two_appends_every_other_test_pair_and_moves_no_packet():
    slugs = ("lovoo", "vinted", "scaleway", "daily-mail", "acdelco")
    manifest = _manifest({s: 6 for s in slugs})
    first = label.build_pool(manifest, seed=5)
    both = label.extend_pool(manifest, first, seed=5)
    assert both[: len(first)] == first
    fresh = both[len(first) :]
    assert [p["packet"] for p in both] == list(range(len(both)))
    assert all(p["round"] == 2 and p["split"] == "test" for p in fresh)
    tests = [s for s in slugs if label.split_of(s) == "test"]
    # every one of the 5 pairs of each test service, exactly once over the two rounds
    for s in tests:
        pairs = [(p["old"], p["new"]) for p in both if p["slug"] == s]
        assert len(pairs) == len(set(pairs)) == 5
    assert not [p for p in fresh if label.split_of(p["slug"]) == "dev"]
    with pytest.raises(label.LabelError):
        label.extend_pool(manifest, both, seed=5)
    all3 = label.extend_pool(manifest, both, seed=5, round_=3)
    assert all3[: len(both)] == both
    assert {(p["split"], p["round"]) for p in all3[len(both) :]} == {("dev", 3)}
    # after rounds 2 and 3, every consecutive pair of every service is in the pool once
    assert len({(p["old"], p["new"]) for p in all3}) == len(all3) == 5 * len(slugs)


def test_round_four_takes_every_unlabelled_histories_pair_as_dev():
    # policy-histories services are the devset's: dev whatever their hash says.
    slugs = ("lovoo", "vinted", "scaleway")
    manifest = _manifest({s: 4 for s in slugs})
    pool = label.build_pool(_manifest({"acdelco": 3}), seed=5)
    devset_pair = ("vinted/2020-01-01T000000Z.md", "vinted/2020-01-02T000000Z.md")
    labelled = {devset_pair}
    both = label.extend_pool_histories(manifest, pool, labelled, seed=5)
    assert both[: len(pool)] == pool
    fresh = both[len(pool) :]
    assert [p["packet"] for p in both] == list(range(len(both)))
    assert {(p["split"], p["round"], p["corpus"]) for p in fresh} == {
        ("dev", 4, "policy-histories")
    }
    assert len(fresh) == 3 * 3 - 1
    assert devset_pair not in {(p["old"], p["new"]) for p in fresh}
    with pytest.raises(label.LabelError):
        label.extend_pool_histories(manifest, both, labelled, seed=5)


def test_committed_pool_is_rebuilt_from_the_vendored_corpus():
    manifest = label.load_manifest(label.CORPUS)
    committed = json.loads(label.POOL.read_text(encoding="utf-8"))
    first = [p for p in committed["packets"] if p.get("round", 1) == 1]
    assert label.build_pool(manifest, committed["seed"]) == first
    second = label.extend_pool(manifest, first, committed["seed"])
    third = label.extend_pool(manifest, second, committed["seed"], 3)
    devset = json.loads(label.DEVSET.read_text(encoding="utf-8"))["pairs"]
    fourth = label.extend_pool_histories(
        label.load_manifest(label.HISTORIES),
        third,
        {(r["old"], r["new"]) for r in devset},
        committed["seed"],
    )
    assert fourth == committed["packets"]
    packets = first
    assert len(packets) >= 460 and len({p["slug"] for p in packets}) >= 150
    for p in packets[:20]:
        assert (label.CORPUS / p["old"]).is_file() and (label.CORPUS / p["new"]).is_file()


def test_kappa_on_a_known_example():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    a = [True] * 20 + [True] * 5 + [False] * 10 + [False] * 15
    b = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
    # po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4
    assert label.cohen_kappa(a, b) == pytest.approx(0.4)
    assert label.cohen_kappa([True, False], [True, False]) == pytest.approx(1.0)
    assert math.isnan(label.cohen_kappa([True, True], [True, True]))


def test_agreement_lists_disagreements():
    la = {n: {"material": m, "categories": []} for n, m in enumerate([True, False, False, True])}
    lb = {n: {"material": m, "categories": []} for n, m in enumerate([True, True, False, True])}
    r = label.agreement(la, lb)
    assert (r["packets"], r["agree"], r["disagreements"]) == (4, 3, [1])


def _pool(n=3):
    return [
        {"packet": i, "slug": f"s{i}", "old": f"s{i}/a.md", "new": f"s{i}/b.md", "split": "dev"}
        for i in range(n)
    ]


def test_record_replaces_instead_of_appending(tmp_path, capsys):
    pool_path = tmp_path / "pool.json"
    pool_path.write_text(json.dumps({"seed": 1, "packets": _pool()}))
    base = ["--pool", str(pool_path), "--labels", str(tmp_path / "labels")]
    assert (
        label.main(
            [
                *base,
                "record",
                "1",
                "--labeller",
                "A",
                "--material",
                "no",
                "--rationale",
                "date only",
            ]
        )
        == 0
    )
    cmd = ["record", "1", "--labeller", "A", "--material", "yes", "--categories", "data-retention"]
    assert label.main([*base, *cmd, "--flag", "--rationale", "keeps logs longer"]) == 0
    lines = (tmp_path / "labels" / "A.jsonl").read_text().splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert (row["material"], row["categories"], row["flag"]) == (True, ["data-retention"], True)
    assert "replaced packet 1" in capsys.readouterr().out


def test_record_rejects_bad_labels_with_one_line(tmp_path, capsys):
    pool_path = tmp_path / "pool.json"
    pool_path.write_text(json.dumps({"seed": 1, "packets": _pool()}))
    base = ["--pool", str(pool_path), "--labels", str(tmp_path / "labels")]
    bad = [
        ["record", "1", "--labeller", "A", "--material", "yes", "--rationale", "x"],  # no category
        [
            "record",
            "1",
            "--labeller",
            "A",
            "--material",
            "no",
            "--categories",
            "other",
            "--rationale",
            "x",
        ],
        [
            "record",
            "1",
            "--labeller",
            "A",
            "--material",
            "yes",
            "--categories",
            "ads",
            "--rationale",
            "x",
        ],
        ["record", "9", "--labeller", "A", "--material", "no", "--rationale", "x"],
    ]
    for cmd in bad:
        assert label.main([*base, *cmd]) == 2
        err = capsys.readouterr().err
        assert err.startswith("label: ") and err.count("\n") == 1
    assert not (tmp_path / "labels" / "A.jsonl").exists()


def test_merge_needs_a_resolution_for_each_disagreement():
    pool = _pool()

    def lab(n, m, cats=(), flag=False):
        return {
            "packet": n,
            "material": m,
            "categories": list(cats),
            "flag": flag,
            "rationale": f"r{n}",
        }

    labels = {
        "A": {
            0: lab(0, True, ["third-party-sharing"]),
            1: lab(1, False),
            2: lab(2, True, ["other"]),
        },
        "B": {0: lab(0, True, ["user-choice"], flag=True), 1: lab(1, True, ["data-retention"])},
    }
    with pytest.raises(label.LabelError, match="1 disagreements"):
        label.merge(pool, labels, {})
    resolved = {1: {"packet": 1, "material": False, "categories": [], "rationale": "date only"}}
    rows = label.merge(pool, labels, resolved)
    assert [r["packet"] for r in rows] == [0, 1, 2]
    assert rows[0]["categories"] == ["third-party-sharing", "user-choice"] and rows[0]["flag"]
    assert rows[0]["labellers"] == ["A", "B"]
    assert (rows[1]["material"], rows[1]["resolved"], rows[1]["rationale"]) == (
        False,
        True,
        "date only",
    )
    assert rows[2]["labellers"] == ["A"]


def test_word_diff_hunks_mark_changes_with_context():
    old = (
        " ".join(f"w{i}" for i in range(100))
        + " we keep logs for 90 days "
        + " ".join(f"v{i}" for i in range(100))
    )
    new = old.replace("90 days", "12 months")
    diffs = label.word_diff(old, new)
    assert label.diff_counts(diffs) == (2, 2)
    (hunk,) = label.hunks(diffs, context=30)
    assert "[-90 days-] {+12 months+}" in hunk
    assert hunk.startswith("… ") and hunk.endswith(" …")
    assert "w99" in hunk and "w60" not in hunk  # about 30 words of context, not the whole text
    # Re-wrapped lines with the same words show no change.
    assert label.hunks(label.word_diff("a b\nc", "a  b c")) == []


def test_tool_never_imports_the_judge():
    source = (ROOT / "tools" / "label.py").read_text(encoding="utf-8")
    assert "monitor" not in source.replace("monitor.classify or monitor.compare", "")


def test_agreement_range_limits_the_packets(tmp_path, capsys):
    pool_path = tmp_path / "pool.json"
    pool_path.write_text(json.dumps({"seed": 1, "packets": _pool(3)}))
    base = ["--pool", str(pool_path), "--labels", str(tmp_path / "labels")]
    for who, verdicts in (("A", ["no", "no", "yes"]), ("B", ["no", "no", "no"])):
        for n, m in enumerate(verdicts):
            cats = ["--categories", "other"] if m == "yes" else []
            cmd = ["record", str(n), "--labeller", who, "--material", m, *cats]
            assert label.main([*base, *cmd, "--rationale", "r"]) == 0
    capsys.readouterr()
    assert label.main([*base, "agreement", "--range", "0-1"]) == 0
    assert "2 packets labelled by A and B: raw agreement 2/2" in capsys.readouterr().out
    assert label.main([*base, "agreement"]) == 0
    assert "raw agreement 2/3" in capsys.readouterr().out
    assert label.main([*base, "agreement", "--range", "5-1"]) == 2
