"""The `clausewatch` command line: a thin click layer over the typed Python API.

Each command lives in its own module under `api/commands/`, imported only when it runs:
`clausewatch --help` and `--version` must not pay for aiohttp, pypdf and the extractor
(docs/decisions/0005-lazy-command-line.md). The one-line summaries `--help` prints live in
COMMANDS beside the module names; tests/test_docs.py proves each equals its command's own
first docstring line, so they cannot drift.
"""

from __future__ import annotations

import importlib

import click

from api.commands.common import run_cli

# name: (module under api.commands, the first line of its docstring)
COMMANDS: dict[str, tuple[str, str]] = {
    "track": ("track", "Track a site's privacy policy: give its URL, or a domain to discover it."),
    "untrack": ("untrack", "Stop tracking a site, or one document of it, and delete its history."),
    "sites": ("sites", "List the tracked sites and their documents, with each one's status."),
    "discover": (
        "discover",
        "Find DOMAIN's privacy policy: the chosen URL, why, and the candidates ranked.",
    ),
    "backfill": (
        "backfill",
        "Recover the past versions of a tracked policy from the Wayback Machine.",
    ),
    "history": (
        "history",
        "Print the timeline of a tracked policy: versions, and changes (material ones marked !).",
    ),
    "check": (
        "check",
        "Check every due document now, or every document of SITE (a domain) due or not.",
    ),
    "serve": (
        "serve",
        "Serve the API and check tracked policies on schedule, until Ctrl-C or SIGTERM.",
    ),
    "extract": (
        "extract",
        "Print the clauses of one policy capture (HTML, WordPress JSON, Markdown, text or PDF).",
    ),
    "diff": (
        "diff",
        "Compare two versions of a policy (HTML, WordPress JSON, Markdown, text or PDF).",
    ),
    "reprocess": (
        "reprocess",
        "Re-extract and re-judge stored snapshots after an extractor or judgment upgrade.",
    ),
    "requests": (
        "requests",
        "Policy URLs people asked to track: list, approve or reject those held back.",
    ),
    "backup": (
        "backup",
        "Copy the database to DEST, consistently, while the service keeps running.",
    ),
    "prune": (
        "prune",
        "Drop raw bodies of unchanged checks, keeping the first and last capture of each version.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when invoked (click's documented LazyGroup)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command: click.Command = importlib.import_module(f"api.commands.{entry[0]}").command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The summaries from the table, whole: importing every command to ask would cost
        # the half second this group exists to save, and click would cut them at 45 characters.
        with formatter.section("Commands"):
            formatter.write_dl([(name, line) for name, (_, line) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clausewatch", prog_name="clausewatch")
def cli() -> None:
    """Clausewatch: know when a privacy policy changes in a way that matters.

    Start with `make demo` (README.md); every command is described in docs/commands.md.
    """


def main() -> None:
    run_cli(cli)
