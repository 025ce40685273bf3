"""What the store commands (track, backfill, history, reprocess) share: options, opening the
store, and naming documents by site or URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from urllib.parse import urlsplit

import click

from api.commands.common import CommandError
from api.config import Settings
from db import Store


def db_option(f: Callable) -> Callable:
    return click.option(
        "--db",
        "db_path",
        metavar="PATH",
        help="SQLite database (default: $CLAUSEWATCH_DB or ./clausewatch.db).",
    )(f)


def http_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: an http(s) URL with a host, or a usage error at once (not retried)."""
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return value


def wayback_option(f: Callable) -> Callable:
    return click.option(
        "--wayback-url",
        metavar="URL",
        callback=http_url,
        help="Wayback Machine base URL (default: $CLAUSEWATCH_WAYBACK_URL or https://web.archive.org).",
    )(f)


def open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings.db_path)
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{settings.db_path}: cannot open the database ({exc})") from None


def is_url(text: str) -> bool:
    return "://" in text


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"{url}: not an http(s) URL")
    return url


def site_of_url(url: str) -> str:
    """The registrable domain of a URL's host."""
    from monitor.domains import registrable_domain

    return registrable_domain(urlsplit(url).hostname or "")


def documents_named(store: Store, site_or_url: str) -> list[dict]:
    """The tracked documents a person means by a site or a URL; a one-line error if none."""
    if is_url(site_or_url):
        docs = store.documents_by_url(check_url(site_or_url))
        if not docs:
            raise CommandError(
                f"{site_or_url} is not tracked; run `clausewatch track {site_or_url}` first"
            )
        return docs
    site = store.get_site(site_or_url)
    if site is None:
        raise CommandError(
            f"{site_or_url} is not tracked; run `clausewatch track URL` with its policy URL first"
        )
    docs = store.documents_of_site(site["id"])
    if not docs:
        raise CommandError(f"{site_or_url} has no tracked document")
    return docs
