"""`clausewatch serve`: the API and the monitor's scheduler in one process."""

from __future__ import annotations

import asyncio
import os
import sqlite3

import click

from api.commands.common import CommandError
from api.commands.monitoropts import monitor_options, monitor_settings, open_store
from api.commands.resolveopt import lookup_from, resolve_option
from api.service import Injected, serve
from db.retention import KEEP_RAW


def _announce(line: str) -> None:
    # Flushed at once: whoever started us (a test, a supervisor) waits for the URL.
    click.echo(line)


@click.command("serve")
@click.option("--host", metavar="ADDRESS", help="Address to listen on (default 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port to listen on (default 8080; 0: any free)."
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0.05),
    metavar="SECONDS",
    help="Drop a connection that sends no complete request head for this long, from the "
    "connect or between kept-alive requests (default 15; docs/security.md).",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0.05),
    metavar="SECONDS",
    help="Answer 408 to a request body that takes longer than this to arrive (default 15).",
)
@resolve_option
@monitor_options
def command(
    host: str | None,
    port: int | None,
    idle_timeout: float | None,
    body_timeout: float | None,
    resolve: tuple[str, ...],
    **options,
) -> None:
    """Serve the API and check tracked policies on schedule, until Ctrl-C or SIGTERM."""
    settings = monitor_settings(
        host=host, port=port, idle_timeout=idle_timeout, body_timeout=body_timeout, **options
    )
    if settings.keep_raw not in KEEP_RAW:
        raise CommandError(
            f"keep_raw must be one of {', '.join(KEEP_RAW)}, not {settings.keep_raw!r}"
        )
    open_store(settings).close()  # a clear error now rather than a traceback at startup
    # Local sites under made-up names (`make demo`'s bumble.test) reach the monitor this way.
    lookup = lookup_from(resolve)
    injected = Injected(lookup=lookup) if lookup else None
    try:
        asyncio.run(serve(settings, announce=_announce, injected=injected))
    except OSError as exc:
        # socket.create_server words its own message around the system's: keep the system's.
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise CommandError(f"cannot listen on {settings.host}:{settings.port} ({reason})") from None
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{settings.db_path}: {exc}") from None
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        raise CommandError("interrupted while stopping") from None
