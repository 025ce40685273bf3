"""bench/judgment.py's readings of the verdicts: what an alert rests on, and the
service-bootstrap interval of the pooled split."""

from __future__ import annotations

import re

from benches import BENCH, bench_module

judgment = bench_module("judgment")


def test_an_alert_rests_on_wording_only_when_every_material_rule_judges_wording():
    assert judgment.alert_basis([]) is None
    assert judgment.alert_basis(["edit", "clause", "practice"]) == "wording"
    assert judgment.alert_basis(["edit", "negation"]) == "specific"
    assert judgment.alert_basis(["right"]) == "specific"


def test_the_wording_rules_are_rules_the_judge_writes():
    # A slug renamed in monitor.classify would silently move every alert to "specific".
    source = "".join(p.read_text() for p in (BENCH.parent / "monitor" / "classify").glob("*.py"))
    for rule in judgment.WORDING_RULES:
        assert f'"{rule}"' in source, rule


def test_service_of_is_the_corpus_folder():
    assert judgment.service_of("vinted/2021-08-16T085406Z.md") == "vinted"


def test_bootstrap_resamples_whole_services_and_is_repeatable():
    # Two services: one whose alerts are all right, one whose alerts are all wrong. A
    # resampling draws each service whole, so precision is 1, 0.5 or 0 and nothing else;
    # resampling single pairs would give values in between.
    verdicts = [("good", True, True)] * 6 + [("bad", False, True)] * 6
    p_ci, r_ci = judgment.service_bootstrap(verdicts, samples=400, seed=1)
    assert p_ci == (0.0, 1.0)
    assert r_ci == (1.0, 1.0)  # every material pair was found, in every resampling
    assert judgment.service_bootstrap(verdicts, samples=400, seed=1) == (p_ci, r_ci)


def test_bootstrap_interval_narrows_around_a_steady_precision():
    # Twenty services, each with three right alerts and one wrong: precision is 0.75 in
    # every service, so every resampling gives exactly 0.75.
    verdicts = [(f"s{k}", truth, True) for k in range(20) for truth in (True, True, True, False)]
    p_ci, _ = judgment.service_bootstrap(verdicts, samples=200)
    assert p_ci == (0.75, 0.75)


def test_bootstrap_without_alerts_or_material_pairs_has_no_interval():
    assert judgment.service_bootstrap([]) == (None, None)
    p_ci, r_ci = judgment.service_bootstrap([("a", False, False)], samples=50)
    assert p_ci is None and r_ci is None


def test_reversed_pairs_are_judged_against_the_same_label(capsys):
    # Two devset pairs judged both ways: a column of its own, counting the same two pairs.
    rows = [dict(r, split="dev") for r in judgment.load_labels(judgment.DEVSET)[:2]]
    pooled: dict = {}
    judgment.run_set("devset", rows, judgment.FOLDERS["devset"], False, pooled, reverse=True)
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "any change" in line)
    assert header.index("clausewatch") < header.index(judgment.REVERSED) < header.index("any")
    counts = next(line for line in out.splitlines() if line.strip().startswith("tp / fp"))
    columns = re.findall(r"(\d+) / (\d+) / (\d+) / (\d+)", counts)
    assert len(columns) == 4 and all(sum(map(int, c)) == 2 for c in columns)
    assert len(pooled["dev"]) == 2  # the pooled figures count each pair once
