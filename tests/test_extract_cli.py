"""`clausewatch extract FILE [--format text|json|markdown]` through click's CliRunner."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from monitor.extract import extract

SEEDS = Path(__file__).parent / "data" / "seeds"


def run(*args, input=None):
    return CliRunner().invoke(cli, ["extract", *args], input=input)


def test_text_report():
    result = run(str(SEEDS / "digi-privacy.html"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Privacy Policy | Digi International"
    assert lines[1] == (
        "format html · language en · effective 2018-05-09 · 107 clauses "
        "(28 headings, 40 paragraphs, 39 list items, 0 table rows)"
    )
    assert "  HOW WE SHARE YOUR PERSONAL INFORMATION WITH OTHERS" in lines
    assert "    Third Party Vendors" in lines
    assert any(line.startswith("      • Information you volunteer:") for line in lines)


def test_json_is_the_document_with_counts():
    result = run(str(SEEDS / "dignio-privacy.wp.json"), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "Privacy Notice – Dignio website (US)"
    assert data["effective_date"] == "2022-10-27"
    assert data["format"] == "wordpress"
    assert data["counts"] == {
        "clauses": 133,
        "heading": 23,
        "paragraph": 54,
        "list-item": 56,
        "table-row": 0,
    }
    assert len(data["clauses"]) == 133
    first = data["clauses"][0]
    assert first["section"] == [] and first["kind"] == "paragraph"
    assert first["text"].startswith("This statement provides information on how we collect")


@pytest.mark.parametrize(
    "seed", ["digi-privacy.html", "balena-privacy.md", "dignio-privacy.wp.json"]
)
def test_markdown_extracts_back_to_the_same_clauses(seed):
    original = extract((SEEDS / seed).read_bytes())
    result = run(str(SEEDS / seed), "--format", "markdown")
    assert result.exit_code == 0, result.output
    again = extract(result.output.encode(), "text/markdown")
    assert [(c.kind, c.section, c.key) for c in again.clauses] == [
        (c.kind, c.section, c.key) for c in original.clauses
    ]
    assert again.effective_date == original.effective_date


def test_standard_input():
    result = run("-", "--format", "json", input="# Policy\n\nWe sell nothing.\n")
    assert result.exit_code == 0
    assert json.loads(result.output)["counts"]["paragraph"] == 1


def one_line_error(result, expected: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ") and expected in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file(tmp_path):
    one_line_error(run(str(tmp_path / "nope.html")), "no such file")


def test_directory(tmp_path):
    one_line_error(run(str(tmp_path)), "is a directory")


def test_binary_file(tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    one_line_error(run(str(path)), "unsupported format: a PNG image")


def test_unknown_json(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('{"items": [1, 2, 3]}')
    one_line_error(run(str(path)), "JSON that is not a WordPress page")


def test_no_policy_text(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>")
    one_line_error(run(str(path)), "no policy text")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    one_line_error(run(str(path)), "empty capture")


def test_file_above_the_fetch_cap_is_refused_before_reading(tmp_path):
    """Before the cap, a 50 MB page took 5 s and 550 MB to extract on this path."""
    from api.commands.extract import MAX_BYTES
    from monitor.fetch import FetchPolicy

    assert MAX_BYTES == FetchPolicy().max_bytes == 10 * 1024 * 1024
    path = tmp_path / "huge.html"
    with path.open("wb") as f:  # sparse: no 10 MiB written to disk
        f.truncate(MAX_BYTES + 1)
    one_line_error(run(str(path)), f"{MAX_BYTES + 1} bytes is larger than a capture may be (10 MiB")


def test_cap_boundary_on_files_and_standard_input(tmp_path, monkeypatch):
    import api.commands.extract as command

    body = b"<p>We sell nothing to anyone, ever.</p>"
    monkeypatch.setattr(command, "MAX_BYTES", len(body))
    path = tmp_path / "at-cap.html"
    path.write_bytes(body)
    assert run(str(path)).exit_code == 0
    path.write_bytes(body + b" ")
    one_line_error(run(str(path)), "is larger than a capture may be")
    assert run("-", input=body).exit_code == 0
    one_line_error(run("-", input=body + b" "), "standard input: more than")


def test_the_command_does_not_load_the_fetcher():
    """monitor.fetch brings aiohttp: 17 MB of the command's 163 MB peak on a page at the
    cap, to read one number (MAX_BYTES, held equal to the fetch cap above)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, api.commands.extract\n"
        "print(sorted(m for m in ('aiohttp', 'monitor.fetch') if m in sys.modules))"
    )
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "[]"
