"""`--resolve HOST:ADDRESS` (like curl's), shared by the commands that fetch."""

from __future__ import annotations

import click

from api.commands.common import CommandError
from monitor.netguard import StaticLookup, SystemLookup

resolve_option = click.option(
    "--resolve",
    "resolve",
    multiple=True,
    metavar="HOST:ADDRESS",
    help="Answer HOST with ADDRESS instead of DNS (like curl --resolve). Repeatable.",
)


def parse_resolve(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for pair in pairs:
        host, sep, address = pair.rpartition(":") if pair.count(":") == 1 else pair.partition(":")
        if not sep or not host or not address:
            raise CommandError(f"--resolve {pair!r}: expected HOST:ADDRESS")
        table.setdefault(host.lower(), []).append(address.strip("[]"))
    return table


class ResolveFirst:
    """Names given with --resolve answer from the table; all others from DNS (like curl)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self._static = StaticLookup(table)
        self._names = set(table)
        self._system = SystemLookup()

    async def __call__(self, host: str, port: int, family: int) -> list[tuple[str, int]]:
        if host.lower().rstrip(".") in self._names:
            return await self._static(host, port, family)
        return await self._system(host, port, family)


def lookup_from(pairs: tuple[str, ...]) -> ResolveFirst | None:
    """The lookup for the given --resolve pairs; None (plain DNS) when there are none."""
    return ResolveFirst(parse_resolve(pairs)) if pairs else None
