"""`clausewatch discover DOMAIN`: find a site's privacy policy and say why it is that one."""

from __future__ import annotations

import asyncio
import json

import click

from api.commands.common import CommandError
from api.commands.resolveopt import lookup_from, resolve_option
from api.config import Settings
from monitor.discover import Discovery, discover, rank
from monitor.domains import DomainError
from monitor.fetch import Fetcher, FetchPolicy, user_agent


def _report(found: Discovery) -> str:
    lines = []
    if found.url:
        lines.append(f"policy: {found.url}")
        lines.extend(f"  because {reason}" for reason in found.reasons)
    else:
        lines.append(f"policy: none found for {found.domain}")
    lines.extend(f"  note: {note}" for note in found.notes)
    if found.candidates:
        lines.append("candidates (best first):")
        # Linked candidates come ranked, common paths tried after them: one order for all.
        for n, c in enumerate(rank(found.candidates), start=1):
            lines.append(f"  {n:2}. {c.score:6.2f}  {c.url}  [{'; '.join(c.signals)}]")
    if found.rejected:
        lines.append("rejected:")
        lines.extend(f"  {r.candidate.url}: {r.reason}" for r in found.rejected)
    return "\n".join(lines)


def cause(found: Discovery) -> str:
    """Why nothing was found, in one phrase: the home page's failure (DNS, refused, timeout,
    TLS), no policy link, or no candidate that reads like a policy."""
    if found.home_url is None:
        # The first note is how the first home page URL failed: "URL: outcome (error)".
        first = found.notes[0] if found.notes else ""
        return "the site did not answer: " + first.partition(": ")[2] if first else "no answer"
    if not found.candidates:
        return "no link on the home page names a privacy policy"
    return "no candidate reads like a privacy policy"


def _as_json(found: Discovery) -> str:
    def cand(c):
        return {"url": c.url, "score": c.score, "signals": list(c.signals), "source": c.source}

    return json.dumps(
        {
            "domain": found.domain,
            "url": found.url,
            "home_url": found.home_url,
            "reasons": list(found.reasons),
            "verdict": None
            if found.verdict is None
            else {"score": found.verdict.score, "reasons": list(found.verdict.reasons)},
            "candidates": [cand(c) for c in rank(found.candidates)],
            "rejected": [{**cand(r.candidate), "reason": r.reason} for r in found.rejected],
            "notes": list(found.notes),
        },
        indent=2,
        ensure_ascii=False,
    )


@click.command("discover")
@click.argument("domain")
@click.option(
    "--allow-private-addresses",
    is_flag=True,
    default=None,
    help="Allow loopback and private addresses (tests). Env: CLAUSEWATCH_ALLOW_PRIVATE_ADDRESSES=1",
)
@resolve_option
@click.option("--timeout", default=20.0, show_default=True, help="Seconds per request.")
@click.option(
    "--delay", default=1.0, show_default=True, help="Seconds between requests to one host."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(
    domain: str,
    allow_private_addresses: bool | None,
    resolve: tuple[str, ...],
    timeout: float,
    delay: float,
    as_json: bool,
) -> None:
    """Find DOMAIN's privacy policy: the chosen URL, why, and the candidates ranked."""
    settings = Settings.from_env(allow_private_addresses=allow_private_addresses)
    if timeout <= 0 or delay < 0:
        raise CommandError("--timeout must be positive and --delay not negative")
    policy = FetchPolicy(
        allow_private=settings.allow_private_addresses,
        user_agent=user_agent(settings.user_agent_contact),
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        total_timeout=timeout * 2,
        min_host_delay=delay,
    )
    lookup = lookup_from(resolve)

    async def run() -> Discovery:
        async with Fetcher(policy, lookup=lookup) as fetcher:
            return await discover(domain, fetcher)

    try:
        found = asyncio.run(run())
    except DomainError as exc:
        raise CommandError(str(exc)) from None
    click.echo(_as_json(found) if as_json else _report(found))
    if not found.found:
        raise CommandError(f"no privacy policy found for {found.domain}: {cause(found)}")
