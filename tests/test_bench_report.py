"""`make bench`'s protocol (bench/report.py) and its one table (bench/run_all.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from benches import BENCH, bench_module

report = bench_module("report")
run_all = bench_module("run_all")


def test_figure_appends_one_json_line_only_when_bench_json_is_set(tmp_path, monkeypatch):
    out = tmp_path / "figures.jsonl"
    monkeypatch.delenv(report.ENV, raising=False)
    report.figure("ignored", 1.0, "s")
    assert not out.exists()
    monkeypatch.setenv(report.ENV, str(out))
    report.figure("pass", 12.5, "s", baseline="bare", baseline_value=5.0, goal="<= 20 s", met=True)
    report.figure("crowd", 21, "sites", bench="ext")
    out.write_text(out.read_text() + "not json\n[1, 2]\n")  # junk is skipped, not fatal
    rows = report.read(out)
    assert [r["name"] for r in rows] == ["pass", "crowd"]
    assert rows[0]["baseline_value"] == 5.0 and rows[0]["met"] is True
    assert rows[1]["bench"] == "ext" and rows[1]["goal"] is None


def test_table_has_ratio_goal_and_missed_goals():
    rows = [
        {"bench": "a", "name": "pass", "value": 15.0, "unit": "s", "baseline": "bare",
         "baseline_value": 5.0, "goal": "<= 20 s", "met": True},
        {"bench": "b", "name": "precision", "value": 0.9, "unit": "", "baseline": "any",
         "baseline_value": 0.3, "goal": ">= 0.95", "met": False},
        {"bench": "c", "name": "(exit status 1)", "value": None},
    ]  # fmt: skip
    text = run_all.table(rows)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["bench", "figure", "value"]
    assert (
        "3.00x" in lines[2] and "met" in lines[2] and "15 s" in lines[2] and "5 s bare" in lines[2]
    )
    assert "3.00x" in lines[3] and "MISSED" in lines[3]
    assert lines[4].startswith("c ") and "(exit status 1)" in lines[4]


def test_run_one_collects_figures_and_names_failures(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(BENCH)!r})
            from report import figure
            print("a human report")
            figure("speed", 2.0, "x", baseline="slow", baseline_value=1.0)
            """
        )
    )
    silent = tmp_path / "silent.py"
    silent.write_text("print('no figures')\n")
    broken = tmp_path / "broken.py"
    broken.write_text("raise SystemExit(3)\n")
    figures, failed, _ = run_all.run_one(good, tmp_path / "good.log", timeout=60)
    assert failed is None and [(f["bench"], f["value"]) for f in figures] == [("good", 2.0)]
    assert (tmp_path / "good.log").read_text().strip() == "a human report"
    assert run_all.run_one(silent, tmp_path / "s.log", timeout=60)[1].startswith("reported no")
    assert run_all.run_one(broken, tmp_path / "b.log", timeout=60)[1] == "exit status 3"


def test_every_bench_in_the_folder_is_run():
    names = {p.name for p in run_all.benches()}
    assert {"monitor.py", "judgment.py", "extension_traffic.mjs"} <= names
    assert not names & run_all.NOT_BENCHES
    unknown = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--only", "nope"],
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2 and "no bench named 'nope'" in unknown.stderr


def test_every_bench_has_smoke_options_and_reports_figures():
    names = {p.stem for p in run_all.benches()}
    assert set(run_all.SMOKE) == names
    # Scripts in bench/ that report no figure (the output-equality tools) are not run as
    # benches: `make bench` would count them as failed.
    for script in run_all.benches():
        source = script.read_text()
        assert "figure(" in source or report.ENV in source, script.name
    assert {"diff_outputs.py", "extract_outputs.py"} <= run_all.NOT_BENCHES


def test_a_smoke_run_passes_the_smallest_options_and_bench_smoke(tmp_path, monkeypatch):
    script = tmp_path / "monitor.py"  # a bench of that name: its smoke options are used
    script.write_text(
        textwrap.dedent(
            f"""
            import os, sys
            sys.path.insert(0, {str(BENCH)!r})
            from report import figure, sample
            figure(" ".join(sys.argv[1:]), len(sample(range(10))), "items",
                   goal=os.environ.get("BENCH_SMOKE"))
            """
        )
    )
    monkeypatch.setenv(report.SMOKE_ENV, "1")  # from outside: not passed on to a full run
    full, failed, _ = run_all.run_one(script, tmp_path / "full.log", timeout=60)
    assert failed is None and (full[0]["name"], full[0]["value"], full[0]["goal"]) == ("", 10, None)
    smoke, failed, _ = run_all.run_one(script, tmp_path / "smoke.log", timeout=60, smoke=True)
    assert failed is None
    assert smoke[0]["name"] == " ".join(run_all.SMOKE["monitor"])
    assert (smoke[0]["value"], smoke[0]["goal"]) == (report.SMOKE_ITEMS, "1")
    unknown = tmp_path / "newbench.py"
    unknown.write_text("print('no smoke options yet')\n")
    assert run_all.run_one(unknown, tmp_path / "u.log", 60, smoke=True)[1].startswith("no smoke")


def test_smoke_figures_are_never_written_to_the_page(tmp_path):
    refused = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke", "--doc", str(tmp_path / "x.md")],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "not written" in refused.stderr
    assert not (tmp_path / "x.md").exists()


def test_scale_growth_has_no_ratio_over_a_zero_baseline():
    # CPU per request is read in clock ticks: with few requests the small store's figure can
    # be 0, and bench/scale.py divided by it (ZeroDivisionError at the end of a run).
    code = (
        f"import sys; sys.path.insert(0, {str(BENCH)!r}); from scale import growth_of; "
        "print(growth_of(0.0, 0.5), growth_of(0.0, 0.0), growth_of(0.25, 0.5))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["None", "None", "2.0"], done.stderr
