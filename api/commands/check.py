"""`clausewatch check [SITE]`: one monitoring pass now, and what it did to each document."""

from __future__ import annotations

import asyncio

import click

from api.commands.common import CommandError
from api.commands.monitoropts import monitor_options, monitor_settings, open_store
from api.commands.resolveopt import lookup_from, resolve_option
from api.service import Injected, open_monitor
from monitor.check import FAILING
from monitor.schedule import PassReport


def describe(report: PassReport, store) -> list[str]:
    lines = [
        f"{t.site}: {t.state}" + (f" ({t.detail})" if t.detail else "") for t in report.tracking
    ]
    for result in report.results:
        doc = store.get_document(result.document_id)
        lines.append(f"{doc['site']} {result.url}: {result.describe()}")
    if not lines:
        lines.append("nothing due")
    return lines


def summary(report: PassReport) -> str | None:
    """The last line: how many documents each status took (None when nothing was checked)."""
    counts = report.counts()
    if not counts:
        return None
    total = sum(counts.values())
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"checked {total} document(s): {parts}"


def all_failed(report: PassReport) -> bool:
    """No document checked could be read (unreachable, or blocked): cron must see it."""
    return bool(report.results) and all(r.status in FAILING for r in report.results)


@click.command("check")
@click.argument("site", required=False, metavar="[SITE]")
@resolve_option
@monitor_options
def command(site: str | None, resolve: tuple[str, ...], **options) -> None:
    """Check every due document now, or every document of SITE (a domain) due or not."""
    settings = monitor_settings(**options)
    lookup = lookup_from(resolve)
    injected = Injected(lookup=lookup) if lookup else None
    with open_store(settings) as store:
        site_id = None
        if site is not None:
            row = store.get_site(site)
            if row is None:
                raise CommandError(f"{site} is not tracked; run `clausewatch track` first")
            if not store.documents_of_site(row["id"]):
                raise CommandError(f"{site} has no tracked document")
            site_id = row["id"]

        async def run() -> PassReport:
            async with open_monitor(store, settings, injected) as monitor:
                return await monitor.run_pass(site_id=site_id)

        try:
            report = asyncio.run(run())
        except KeyboardInterrupt:
            raise CommandError("interrupted; checks not started are still due") from None
        for line in describe(report, store):
            click.echo(line)
    total = summary(report)
    if total:
        click.echo(total)
    if all_failed(report):
        raise CommandError("no document checked could be read (see the lines above)")
