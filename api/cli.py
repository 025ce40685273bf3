"""The `clausewatch` command line: a thin click layer over the typed Python API.

Each command lives in its own module under `api/commands/` and is registered here.
"""

from __future__ import annotations

import click

from api.commands.common import run_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clausewatch", prog_name="clausewatch")
def cli() -> None:
    """Clausewatch: know when a privacy policy changes in a way that matters."""


def _register() -> None:
    # One module a command; each exposes `command`. Add new ones to this tuple.
    import importlib

    for name in COMMANDS:
        cli.add_command(importlib.import_module(f"api.commands.{name}").command)


COMMANDS: tuple[str, ...] = (
    "diff",
    "extract",
    "track",
    "backfill",
    "history",
    "reprocess",
    "discover",
    "serve",
    "check",
    "requests",
    "backup",
)


_register()


def main() -> None:
    run_cli(cli)
