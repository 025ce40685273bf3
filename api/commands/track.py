"""`clausewatch track DOMAIN_OR_URL`: start tracking a site's privacy policy."""

from __future__ import annotations

import asyncio

import click

from api.commands.common import CommandError
from api.commands.storecli import check_url, db_option, is_url, open_store, site_of_url
from api.config import Settings


def _discover(domain: str, settings: Settings) -> str:
    """The policy URL of a bare domain, found by discovery (when that stage exists)."""
    try:
        from monitor.discover import discover
        from monitor.fetch import Fetcher, FetchPolicy
    except ImportError:
        raise CommandError(
            f"{domain}: give the policy's URL (e.g. https://{domain}/privacy); "
            "discovery from a bare domain is not available"
        ) from None

    async def run() -> str | None:
        policy = FetchPolicy(allow_private=settings.allow_private_addresses)
        async with Fetcher(policy) as fetcher:
            found = await discover(domain, fetcher)
        return found.url

    try:
        url = asyncio.run(run())
    except ValueError as exc:  # DomainError and friends
        raise CommandError(f"{domain}: {exc}") from None
    if not url:
        raise CommandError(f"{domain}: no privacy policy found; give its URL instead")
    return url


@click.command("track")
@click.argument("target", metavar="DOMAIN_OR_URL")
@click.option("--selector", metavar="CSS", help="Only the part of the page this selector picks.")
@click.option(
    "--render",
    type=click.Choice(["auto", "always", "never"]),
    help="Run the page's scripts in a browser first: auto (when the plain page has no"
    " policy text; the default for a new document), always or never.",
)
@db_option
def command(target: str, selector: str | None, render: str | None, db_path: str | None) -> None:
    """Track a site's privacy policy: give its URL, or a domain to discover it."""
    settings = Settings.from_env(db_path=db_path)
    url = check_url(target) if is_url(target) else _discover(target, settings)
    site_name = site_of_url(url)
    with open_store(settings) as store:
        site = store.add_site(site_name)
        known = {d["id"] for d in store.documents_of_site(site["id"])}
        doc = store.add_document(site["id"], url, selector=selector, render=render)
    verb = "Already tracking" if doc["id"] in known else "Tracking"
    how = f", render {doc['render']}" if doc.get("render", "auto") != "auto" else ""
    click.echo(f"{verb} {site_name}: {url} (document {doc['id']}{how})")
