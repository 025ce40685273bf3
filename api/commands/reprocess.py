"""`clausewatch reprocess`: rebuild versions and changes from stored snapshots."""

from __future__ import annotations

import os

import click

from api.commands.storecli import db_option, documents_named, open_store
from api.config import Settings
from monitor.reprocess import reprocess


@click.command("reprocess")
@click.argument("targets", metavar="[SITE_OR_URL]...", nargs=-1)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes extracting and comparing (default: the cores this process may"
    " use); this process stays the single writer, and the outcome is the same for any N.",
)
@db_option
def command(targets: tuple[str, ...], jobs: int | None, db_path: str | None) -> None:
    """Re-extract and re-judge stored snapshots after an extractor or judgment upgrade.

    Changes whose two versions are unchanged keep their id and detection time; changes
    found only now are marked `reprocess`, so they are history, never news. Versions that
    are one text under today's identity are merged and captures that are not the policy
    lose their version (see docs/versions.md); the changes removed are not announced.
    """
    settings = Settings.from_env(db_path=db_path)
    with open_store(settings) as store:
        ids = None
        if targets:
            ids = sorted({d["id"] for t in targets for d in documents_named(store, t)})
        report = reprocess(store, ids, jobs=jobs or len(os.sched_getaffinity(0)))
    click.echo(
        f"{report.documents} documents, {report.snapshots} snapshots"
        f" ({report.failed} without a version, {report.not_policy} of them not the policy):"
        f" versions {report.versions_before} -> "
        f"{report.versions_after}; changes kept {report.changes_kept},"
        f" added {report.changes_added}, removed {report.changes_removed}"
    )
