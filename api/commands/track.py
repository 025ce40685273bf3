"""`clausewatch track DOMAIN_OR_URL`: start tracking a site's privacy policy."""

from __future__ import annotations

import asyncio

import click

from api.commands.common import CommandError
from api.commands.storecli import admit, db_option, open_store
from api.config import Settings


def _discover(host: str, settings: Settings) -> str:
    """The policy URL of a bare domain, found by discovery."""
    # Imported here: `clausewatch --help` need not load discovery and the fetcher.
    from api.commands.discover import cause
    from monitor.discover import Discovery, discover
    from monitor.fetch import Fetcher, FetchPolicy

    async def run() -> Discovery:
        policy = FetchPolicy(allow_private=settings.allow_private_addresses)
        async with Fetcher(policy) as fetcher:
            return await discover(host, fetcher)

    try:
        found = asyncio.run(run())
    except ValueError as exc:  # DomainError and friends
        raise CommandError(f"{host}: {exc}") from None
    if not found.url:
        # The cause, as `discover` says it: DNS, refused, timeout or TLS, or no policy link.
        raise CommandError(f"{host}: no privacy policy found: {cause(found)}; give its URL instead")
    return found.url


@click.command("track")
@click.argument("target", metavar="DOMAIN_OR_URL")
@click.option(
    "--render",
    type=click.Choice(["auto", "always", "never"]),
    help="Run the page's scripts in a browser first: auto (when the plain page has no"
    " policy text; the default for a new document), always or never.",
)
@db_option
def command(target: str, render: str | None, db_path: str | None) -> None:
    """Track a site's privacy policy: give its URL, or a domain to discover it."""
    settings = Settings.from_env(db_path=db_path)
    allow = settings.allow_private_addresses
    admitted = admit(target, allow_private=allow)
    if admitted.url is None:
        # What discovery found is admitted like a typed URL (normalised, same checks).
        admitted = admit(_discover(admitted.host, settings), allow_private=allow)
    url = admitted.url
    if url is None:  # admit() of a discovered URL always names one
        raise CommandError(f"{target}: no policy URL to track")
    with open_store(settings) as store:
        site = store.add_site(admitted.site)
        known = {d["id"] for d in store.documents_of_site(site["id"])}
        doc = store.add_document(site["id"], url, render=render)
    verb = "Already tracking" if doc["id"] in known else "Tracking"
    how = f", render {doc['render']}" if doc.get("render", "auto") != "auto" else ""
    click.echo(f"{verb} {admitted.site}: {url} (document {doc['id']}{how})")
