"""`clausewatch check [SITE]`: one monitoring pass now, and what it did to each document."""

from __future__ import annotations

import asyncio

import click

from api.commands.common import CommandError
from api.commands.monitoropts import monitor_options, monitor_settings, open_store
from api.service import open_monitor
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


@click.command("check")
@click.argument("site", required=False, metavar="[SITE]")
@monitor_options
def command(site: str | None, **options) -> None:
    """Check every due document now, or every document of SITE (a domain) due or not."""
    settings = monitor_settings(**options)
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
            async with open_monitor(store, settings) as monitor:
                return await monitor.run_pass(site_id=site_id)

        try:
            report = asyncio.run(run())
        except KeyboardInterrupt:
            raise CommandError("interrupted; checks not started are still due") from None
        for line in describe(report, store):
            click.echo(line)
