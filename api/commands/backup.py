"""`clausewatch backup DEST`: a consistent copy of the live store, safe while `serve` runs."""

from __future__ import annotations

import click

from api.commands.common import CommandError
from api.commands.storecli import db_option
from api.config import Settings
from db.backup import BackupError, backup


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False))
@db_option
@click.option("--overwrite", is_flag=True, help="Replace DEST if it exists.")
def command(dest: str, db_path: str | None, overwrite: bool) -> None:
    """Copy the database to DEST, consistently, while the service keeps running."""
    settings = Settings.from_env(db_path=db_path)
    try:
        report = backup(settings.db_path, dest, overwrite=overwrite)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    click.echo(report.line())
