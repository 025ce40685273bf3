"""`clausewatch diff OLD NEW`: what changed between two policy files, and whether it matters."""

from __future__ import annotations

import json
import sys

import click

from api.commands.common import CommandError, read_input
from api.diffrender import render_text
from api.viewer.pages import render_report
from monitor.compare import compare
from monitor.extract import extract
from monitor.model import ExtractionError, PolicyDocument


def _load(path: str) -> PolicyDocument:
    raw = read_input(path)
    try:
        return extract(raw, None, None if path == "-" else path)
    except ExtractionError as exc:
        raise CommandError(f"{path}: {exc}") from None


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=True, allow_dash=True))
@click.argument("new", type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the text report (auto: only on a terminal).",
)
def command(old: str, new: str, fmt: str, color: str) -> None:
    """Compare two versions of a policy (HTML, WordPress JSON, Markdown, text or PDF).

    Exits 0 whether or not the change is material; the verdict is in the report.
    """
    if old == "-" and new == "-":
        raise CommandError("OLD and NEW cannot both be standard input")
    comparison = compare(_load(old), _load(new))
    if fmt == "json":
        click.echo(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "html":
        click.echo(render_report(comparison, old, new), nl=False)
    else:
        use_color = color == "always" or (color == "auto" and sys.stdout.isatty())
        click.echo(render_text(comparison, old, new, use_color), color=use_color)
