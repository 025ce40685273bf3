"""Options the monitor's commands (`serve`, `check`) share, and their Settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import click

from api.commands.common import CommandError
from api.commands.storecli import http_url
from api.config import Settings
from db import Store


def monitor_options(f: Callable) -> Callable:
    options = [
        click.option(
            "--db",
            "db_path",
            metavar="PATH",
            help="SQLite database (default: $CLAUSEWATCH_DB or ./clausewatch.db).",
        ),
        click.option(
            "--wayback-url",
            metavar="URL",
            callback=http_url,
            help="Wayback Machine base URL for backfills (default: https://web.archive.org).",
        ),
        click.option(
            "--allow-private-addresses",
            is_flag=True,
            default=None,
            help="Also fetch loopback and private addresses (tests, intranets).",
        ),
        click.option(
            "--no-archive",
            is_flag=True,
            default=False,
            help="Do not ask the Wayback Machine to save pages that changed.",
        ),
        click.option(
            "--check-interval",
            type=click.IntRange(min=1),
            metavar="SECONDS",
            help="Seconds between two checks of a document (default 21600).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def monitor_settings(
    *,
    db_path: str | None,
    wayback_url: str | None,
    allow_private_addresses: bool | None,
    no_archive: bool,
    check_interval: int | None,
    **more,
) -> Settings:
    try:
        return Settings.from_env(
            db_path=db_path,
            wayback_url=wayback_url,
            allow_private_addresses=allow_private_addresses,
            archive_on_change=False if no_archive else None,
            check_interval=check_interval,
            **more,
        )
    except ValueError as exc:  # a CLAUSEWATCH_* variable that is not a number
        raise CommandError(f"bad CLAUSEWATCH_* setting in the environment ({exc})") from None


def open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings.db_path)
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{settings.db_path}: cannot open the database ({exc})") from None
