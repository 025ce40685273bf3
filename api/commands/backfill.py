"""`clausewatch backfill SITE_OR_URL`: reconstruct a policy's history from the Wayback Machine."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from api.commands.common import CommandError
from api.commands.storecli import admit, db_option, documents_named, open_store, wayback_option
from api.config import Settings
from api.service import fetch_policy, rendering_off
from monitor.backfill import BackfillReport, backfill_document
from monitor.render import Renderer, RenderPolicy
from monitor.wayback import CDX_PER_MINUTE, FETCH_PER_MINUTE, WaybackClient, WaybackError

# Tests make a backfill kill itself (SIGKILL, no cleanup) after this many fetches, to prove
# that a crash at any point resumes; there is no other way to crash at an exact point.
KILL_AFTER_ENV = "CLAUSEWATCH_TEST_KILL_AFTER_FETCHES"
_YEAR = re.compile(r"^\d{4}(\d{2}){0,5}$")


def _timestamp_prefix(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not _YEAR.match(value):
        raise CommandError(f"--{name} {value}: give a year (2019) or a longer timestamp prefix")
    return value


_STEPS = 1000  # the bar's resolution: backfill reports a fraction done


@contextmanager
def _progress(label: str) -> Iterator[Callable[[BackfillReport, float], None] | None]:
    """click's progress bar on stderr, only when stderr is a terminal (logs stay clean)."""
    if not sys.stderr.isatty():
        yield None
        return

    def show(report: BackfillReport | None) -> str | None:
        return f"{report.fetches} fetched of {report.distinct_captures}" if report else None

    with click.progressbar(length=_STEPS, label=label, file=sys.stderr, item_show_func=show) as bar:
        done = 0

        def on_progress(report: BackfillReport, fraction: float) -> None:
            nonlocal done
            step = max(0, int(fraction * _STEPS) - done)
            bar.update(step, report)
            done += step

        yield on_progress


def _kill_hook():
    limit = os.environ.get(KILL_AFTER_ENV)
    if not limit:
        return None

    def on_fetch(report: BackfillReport) -> None:
        if report.fetches >= int(limit):
            os.kill(os.getpid(), signal.SIGKILL)

    return on_fetch


def describe(report: BackfillReport) -> str:
    return (
        f"{report.url}: {report.captures_seen} captures ({report.distinct_captures} distinct),"
        f" {report.fetches} fetched, {report.versions} versions, {report.changes} changes"
        + (f", {report.rendered} rendered" if report.rendered else "")
        + (f", {report.failed} failed" if report.failed else "")
        + (f", {report.digest_mismatches} digest mismatches" if report.digest_mismatches else "")
    )


@click.command("backfill")
@click.argument("target", metavar="SITE_OR_URL")
@click.option("--since", metavar="YEAR", help="Only captures from this year on.")
@click.option("--until", metavar="YEAR", help="Only captures up to this year.")
@click.option(
    "--cdx-per-minute",
    type=click.FloatRange(min=0, min_open=True),
    metavar="RATE",
    help=f"CDX queries a minute (default {CDX_PER_MINUTE:g}, none with"
    " CLAUSEWATCH_WAYBACK_RATE_LIMITS=0; IA blocks above ~24).",
)
@click.option(
    "--fetch-per-minute",
    type=click.FloatRange(min=0, min_open=True),
    metavar="RATE",
    help=f"Raw capture fetches a minute (default {FETCH_PER_MINUTE:g}, none with"
    " CLAUSEWATCH_WAYBACK_RATE_LIMITS=0); raise it for a local archive.",
)
@db_option
@wayback_option
def command(
    target: str,
    since: str | None,
    until: str | None,
    cdx_per_minute: float | None,
    fetch_per_minute: float | None,
    db_path: str | None,
    wayback_url: str | None,
) -> None:
    """Recover the past versions of a tracked policy from the Wayback Machine.

    Fetches as few captures as it can (equal digests are one text; between two captures
    with the same extracted text, nothing is assumed to have changed). Safe to interrupt
    and to run again: progress is saved, and a second run adds nothing.
    """
    since, until = _timestamp_prefix(since, "since"), _timestamp_prefix(until, "until")
    if since and until and since.ljust(14, "0") > until.ljust(14, "9"):
        raise CommandError(f"--since {since} is after --until {until}: no capture can match")
    settings = Settings.from_env(db_path=db_path, wayback_url=wayback_url)
    # A local replay (CLAUSEWATCH_WAYBACK_RATE_LIMITS=0) is not the Internet Archive.
    limited = settings.wayback_rate_limits
    if cdx_per_minute is None:
        cdx_per_minute = CDX_PER_MINUTE if limited else 0
    if fetch_per_minute is None:
        fetch_per_minute = FETCH_PER_MINUTE if limited else 0
    with open_store(settings) as store:
        admitted = admit(target, allow_private=settings.allow_private_addresses)
        if admitted.url is not None and not store.documents_by_url(admitted.url):
            # Backfilling a URL is a way of tracking it.
            site = store.add_site(admitted.site)
            store.add_document(site["id"], admitted.url)
        documents = documents_named(store, target)

        async def run() -> list[BackfillReport]:
            reports = []
            # A capture whose raw bytes hold no policy text is rendered (docs/rendering.md);
            # the browser starts only if one needs it.
            renderer = None
            if rendering_off(settings) is None:
                renderer = Renderer(
                    fetch_policy(settings), RenderPolicy(executable=settings.chromium_path)
                )
            render = functools.partial(renderer.fetch, robots=False) if renderer else None
            async with (
                WaybackClient(
                    settings.wayback_url,
                    contact=settings.user_agent_contact,
                    cdx_per_minute=cdx_per_minute,
                    fetch_per_minute=fetch_per_minute,
                ) as client,
                renderer or contextlib.nullcontext(),
            ):
                for doc in documents:
                    with _progress(doc["url"]) as bar:
                        reports.append(
                            await backfill_document(
                                store,
                                client,
                                doc,
                                since=since,
                                until=until,
                                on_progress=bar,
                                on_fetch=_kill_hook(),
                                render=render,
                            )
                        )
            return reports

        try:
            reports = asyncio.run(run())
        except WaybackError as exc:
            raise CommandError(f"Wayback Machine: {exc} (progress is saved; run again)") from None
        except KeyboardInterrupt:
            raise CommandError("interrupted; progress is saved, run again to resume") from None
    for report in reports:
        click.echo(describe(report))
