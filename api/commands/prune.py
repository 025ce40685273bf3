"""`clausewatch prune`: drop the raw bodies of checks in the middle of a run of one text."""

from __future__ import annotations

import click

from api.commands.common import CommandError
from api.commands.storecli import db_option, documents_named, open_store
from api.config import Settings
from db.retention import KEEP_RAW, prune


@click.command("prune")
@click.argument("targets", metavar="[SITE_OR_URL]...", nargs=-1)
@click.option(
    "--keep-raw",
    type=click.Choice(KEEP_RAW),
    default=None,
    help="Which raw captures keep their bytes: all, or the first and last of each run of one"
    " text (default: the keep_raw setting, CLAUSEWATCH_KEEP_RAW; itself 'all').",
)
@db_option
def command(targets: tuple[str, ...], keep_raw: str | None, db_path: str | None) -> None:
    """Drop raw bodies of unchanged checks, keeping the first and last capture of each version.

    Every check keeps its row (time, HTTP status, the sha256 of its bytes), so history and
    `reprocess` still work; captures without a version and Wayback captures keep their
    bytes (see docs/deploy.md, Retention). Opt-in: with keep_raw 'all' nothing is dropped.
    """
    settings = Settings.from_env(db_path=db_path)
    rule = keep_raw or settings.keep_raw
    if rule not in KEEP_RAW:
        raise CommandError(f"keep_raw must be one of {', '.join(KEEP_RAW)}, not {rule!r}")
    if rule == "all":
        raise CommandError(
            "keep_raw is 'all': nothing to prune (pass --keep-raw run-ends,"
            " or set CLAUSEWATCH_KEEP_RAW=run-ends)"
        )
    with open_store(settings) as store:
        ids = None
        if targets:
            ids = sorted({d["id"] for t in targets for d in documents_named(store, t)})
        report = prune(store, ids)
    click.echo(
        f"{report.documents} documents: {report.snapshots} checks lost their raw body"
        f" ({report.blobs} blobs, {report.bytes / 1e6:.1f} MB compressed)"
    )
