"""What every command shares: reading input files and failing with one clear line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor.model import ExtractionError


class CommandError(click.ClickException):
    """A one-line error for the person at the terminal; exit status 1."""

    def format_message(self) -> str:
        return self.message


def read_input(path: str) -> bytes:
    """The bytes of FILE (or standard input for '-'), or a one-line error."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    try:
        return p.read_bytes()
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a policy file") from None
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror or exc})") from None


def run_cli(cli: click.Group) -> None:
    """Run the CLI so that expected failures print one line, never a traceback."""
    try:
        cli.main(prog_name="clausewatch", standalone_mode=True)
    except ExtractionError as exc:  # pragma: no cover - commands convert these themselves
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
