"""`clausewatch requests`: the policy URLs people asked for that verification held back.

A URL someone asks to track becomes a document only once the tracking worker verifies it
as the site's privacy policy; what it cannot verify waits here for a person:
`requests list` shows them with the reason, `requests approve ID` lets the worker admit
one (it then recovers its history and checks it like any new document), `requests reject
ID` closes one for good.
"""

from __future__ import annotations

import click

from api.commands.common import CommandError
from api.commands.storecli import db_option, open_store
from api.config import Settings
from db.requests import STATES, UNDECIDED, decide, get_request, requests_in
from db.rows import RequestRow


@click.group("requests")
def command() -> None:
    """Policy URLs people asked to track: list, approve or reject those held back."""


def _line(r: RequestRow) -> str:
    reason = f"  ({r['reason']})" if r["reason"] else ""
    return f"{r['id']}\t{r['state']}\t{r['site']}\t{r['url']}{reason}"


@command.command("list")
@click.option("--all", "everything", is_flag=True, help="Decided requests too.")
@db_option
def list_requests(everything: bool, db_path: str | None) -> None:
    """Requests not yet decided (id, state, site, URL, why)."""
    with open_store(Settings.from_env(db_path=db_path)) as store:
        rows = requests_in(store, STATES if everything else UNDECIDED)
    if not rows:
        click.echo("No requests." if everything else "No request is waiting.")
    for r in rows:
        click.echo(_line(r))


def _undecided(store, request_id: int) -> RequestRow:
    request = get_request(store, request_id)
    if request is None:
        raise CommandError(f"there is no request {request_id}")
    if request["state"] not in UNDECIDED:
        raise CommandError(f"request {request_id} is already {request['state']}")
    return request


@command.command("approve")
@click.argument("request_id", metavar="ID", type=int)
@db_option
def approve(request_id: int, db_path: str | None) -> None:
    """Admit a held request as a document of its site (the worker backfills and checks it)."""
    with open_store(Settings.from_env(db_path=db_path)) as store:
        request = _undecided(store, request_id)
        with store.write():
            decide(store, request_id, "approved", "approved by the operator")
            if request["site_state"] == "failed":
                # A site that failed for want of a policy gets another go with this one.
                store.set_site_state(request["site_id"], "pending")
    click.echo(f"Approved {request['url']} for {request['site']}: tracked from the next pass")


@command.command("reject")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--reason", default="rejected by the operator", help="Kept with the request.")
@db_option
def reject(request_id: int, reason: str, db_path: str | None) -> None:
    """Close a request for good (asking for the same URL again changes nothing)."""
    with open_store(Settings.from_env(db_path=db_path)) as store:
        request = _undecided(store, request_id)
        decide(store, request_id, "rejected", reason)
    click.echo(f"Rejected {request['url']} for {request['site']}")
