"""The documentation says what the code does (as datasette's and sqlite-utils' tests do):
every command and option, every CLAUSEWATCH_* setting and every API route is documented,
and every command output shown is what the command prints today (docs/regen.py)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest

from api.cli import COMMANDS, cli
from api.config import Settings

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted((REPO / "docs").rglob("*.md"))
ALL_DOCS = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)
README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, click.Command]]:
    """Every command and subcommand, with its full name."""
    found = []
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        found.append((name, command))
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
    return found


def test_every_command_is_registered_with_its_own_summary():
    # The lazy group's table (api/cli.py) must say what each command's docstring says.
    for name, (module, line) in COMMANDS.items():
        command = importlib.import_module(f"api.commands.{module}").command
        assert command.name == name
        assert (command.help or "").strip().splitlines()[0] == line, name


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: str(v))
def test_every_command_and_option_is_documented(name, command):
    commands_md = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    assert f"## `clausewatch {name.split()[0]}`" in commands_md
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in param.opts:
                assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", commands_md), (
                    f"clausewatch {name} {opt}"
                )


def test_the_readme_table_names_every_command():
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in COMMANDS:
        assert f"`clausewatch {name}" in table, name


@pytest.mark.parametrize("field", [f.name for f in fields(Settings)])
def test_every_setting_is_documented(field):
    operations = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    variable = "CLAUSEWATCH_DB" if field == "db_path" else f"CLAUSEWATCH_{field.upper()}"
    assert f"| `{variable}`" in operations


def test_every_route_is_documented(tmp_path):
    from api.app import create_app

    app = create_app(Settings(db_path=str(tmp_path / "cw.db")))
    routes = {
        (r.method, r.resource.canonical)
        for r in app.router.routes()
        if r.resource is not None and r.method != "HEAD"
    }
    assert len(routes) > 20
    for method, path in sorted(routes):
        # A documented call is "METHOD path" (a table of the API or the viewer), or the
        # path alone beside its methods (`GET/PATCH/DELETE /api/v1/webhooks/{id}`).
        assert re.search(rf"\b{method}\b[^\n|]*`?{re.escape(path)}(?=[`?\s])", ALL_DOCS) or (
            path in ALL_DOCS and method in ("GET",)
        ), f"{method} {path}"


def test_command_outputs_shown_are_current():
    done = subprocess.run(
        [sys.executable, str(REPO / "docs" / "regen.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_links_between_pages_resolve():
    for page in [REPO / "README.md", *DOCS]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(REPO)} -> {target}"


def test_the_readme_stays_short_and_inside_the_repository():
    assert len(README.encode()) <= 10_000
    assert "../shared" not in README and "DESIGN.md" not in README
    # Examples must work: example.com has no privacy policy to track.
    assert "track example.com" not in README + ALL_DOCS
    # Dated figures live only in docs/benchmarks.md (written by `make bench`).
    assert not re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d UTC", README)


def test_the_licence_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    licence = (REPO / "LICENSE").read_text()
    assert project["license"] == "MIT" and licence.startswith("MIT License")


def test_make_bench_writes_its_table_with_date_and_machine(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import run_all
    finally:
        sys.path.remove(str(REPO / "bench"))
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# B\n\nbefore\n{run_all.BEGIN}\nold table\n{run_all.END}\nafter\n")
    when = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    run_all.write_doc(page, "bench  figure  1 ms", when, "2 x some CPU")
    text = page.read_text()
    assert "old table" not in text and text.endswith(f"{run_all.END}\nafter\n")
    assert "Measured by `make bench` on 2030-01-02 03:04 UTC, on 2 x some CPU." in text
    assert "bench  figure  1 ms" in text
    # The real page has the markers the bench writes between.
    real = (REPO / "docs" / "benchmarks.md").read_text()
    assert run_all.BEGIN in real and run_all.END in real
