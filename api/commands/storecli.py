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
from db.rows import Document
from monitor.admission import Target, TargetRefused, parse_site, parse_url


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


def admit(text: str, *, allow_private: bool) -> Target:
    """A site or policy URL as the API admits it (monitor.admission); a one-line error if not.

    The names are checked here; addresses are checked by the fetcher when it connects."""
    allow = allow_private
    try:
        if is_url(text):
            return parse_url(text, allow_private=allow)
        return parse_site(text, allow_private=allow)
    except TargetRefused as exc:
        # Never print back what may be a password (user:secret@host).
        raise CommandError(f"{'the URL' if '@' in text else text}: {exc}") from None


def documents_named(store: Store, site_or_url: str) -> list[Document]:
    """The tracked documents a person means by a site or a URL; a one-line error if none."""
    # Named as admission names them (punycode, lower case); what is tracked was admitted.
    target = admit(site_or_url, allow_private=True)
    if target.url is not None:
        docs = store.documents_by_url(target.url)
        if not docs:
            raise CommandError(
                f"{site_or_url} is not tracked; run `clausewatch track {site_or_url}` first"
            )
        return docs
    site = store.get_site(target.site)
    if site is None:
        raise CommandError(
            f"{site_or_url} is not tracked; run `clausewatch track URL` with its policy URL first"
        )
    docs = store.documents_of_site(site["id"])
    if not docs:
        raise CommandError(f"{site_or_url} has no tracked document")
    return docs
