"""`clausewatch diff`: formats, colour only on a terminal, one-line errors."""

import json
from pathlib import Path

from click.testing import CliRunner

from api.cli import cli

DATA = Path(__file__).parent / "data" / "policy-histories"
OLD = str(DATA / "spotify" / "2024-07-27T003345Z.md")
NEW = str(DATA / "spotify" / "2024-08-16T003402Z.md")


def run(*args):
    return CliRunner().invoke(cli, ["diff", *args])


def test_json_output_follows_the_contract():
    r = run(OLD, NEW, "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["material"] is True
    assert d["old"]["effective_date"] == "2024-06-27" and d["new"]["clauses"] > 100
    reasons = [c["reason"] for c in d["changes"] if c["material"]]
    assert "raises the age threshold from 16 to 18" in reasons


def test_text_report_puts_material_first_without_colour_when_piped():
    r = run(OLD, NEW)
    assert r.exit_code == 0
    assert "\x1b[" not in r.output
    assert r.output.index("MATERIAL CHANGE") < r.output.index("Material changes")
    assert "[-16-]{+18+}" in r.output


def test_text_report_has_colour_when_asked():
    r = run(OLD, NEW, "--color", "always")
    assert r.exit_code == 0 and "\x1b[" in r.output and "[-16-]" not in r.output


def test_html_is_standalone_and_escaped(tmp_path):
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    old.write_text("PRIVACY\n\nWe do not sell data to <script>alert(1)</script> & brokers.\n")
    new.write_text("PRIVACY\n\nWe sell data to <script>alert(1)</script> & brokers.\n")
    r = run(str(old), str(new), "--format", "html")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("<!doctype html>") and "<script>" not in r.output
    assert "&lt;script&gt;" in r.output and "<del>" in r.output


def test_formats_may_differ_between_old_and_new(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("PRIVACY POLICY\n\nWe keep your messages for 30 days.\n")
    new = tmp_path / "new.md"
    new.write_text("# Privacy Policy\n\nWe keep your messages for 5 years.\n")
    d = json.loads(run(str(old), str(new), "--format", "json").output)
    assert any("from 30 days to 5 years" in c["reason"] for c in d["changes"])


def test_no_change_exits_zero():
    r = run(OLD, OLD, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["changes"] == []


def test_bad_input_is_one_line_and_exit_1(tmp_path):
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    for args in (["/nonexistent/policy.md", NEW], [str(tmp_path), NEW], [str(binary), NEW]):
        r = run(*args)
        assert r.exit_code == 1, r.output
        assert len(r.output.strip().splitlines()) == 1 and r.output.startswith("Error: ")
    assert run(OLD, NEW, "--format", "pdf").exit_code == 2  # click's usage error
    r = run("/nonexistent/policy.md", NEW)
    assert r.exit_code == 1 and r.output.strip() == "Error: /nonexistent/policy.md: no such file"


def test_real_html_page_against_real_markdown_version():
    # The same Tinder policy captured as a web page and as Open Terms Archive Markdown two
    # weeks later: only the date from which it applies moved.
    html = Path(__file__).parent / "data" / "raw-html" / "tinder" / "2023-01-28T003325Z.html"
    md = DATA / "tinder" / "2023-02-14T063316Z.md"
    d = json.loads(run(str(html), str(md), "--format", "json").output)
    assert d["material"] is False
    assert [c["reason"].split(" (")[0] for c in d["changes"]] == ["changes a date"]


def test_html_report_is_the_viewers_markup_and_stands_alone():
    # One renderer: the report shows clause changes with the viewer's own macro and
    # stylesheet, inlined, and needs no server (no link to /static, no script).
    from api.viewer.pages import HERE

    r = run(OLD, NEW, "--format", "html")
    assert r.exit_code == 0, r.output
    assert '<article class="diff is-material' in r.output and 'class="side side-old"' in r.output
    css = (HERE / "static" / "viewer.css").read_text(encoding="utf-8")
    assert css in r.output
    assert "/static/" not in r.output and "<script" not in r.output
