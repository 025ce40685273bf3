"""`clausewatch sites`: what is tracked, and how each document is doing."""

from __future__ import annotations

import json

import click

from api.commands.storecli import db_option, open_store
from api.config import Settings
from db import Store
from db.rows import Document


def listing(store: Store) -> list[dict]:
    """Every site with its state and its documents' status, as plain data (the --json output)."""
    documents: dict[int, list[Document]] = {}
    for d in store.list_documents():
        documents.setdefault(d["site_id"], []).append(d)
    return [
        {
            "site": s["site"],
            "state": s["state"],
            "state_detail": s.get("state_detail"),
            "documents": [
                {
                    "id": d["id"],
                    "url": d["url"],
                    "status": d["status"],
                    "status_detail": d["status_detail"],
                    "last_checked_at": d["last_checked_at"],
                    "versions": len(store.versions_of_document(d["id"])),
                }
                for d in documents.get(s["id"], [])
            ],
        }
        for s in store.list_sites()
    ]


def render(sites: list[dict]) -> str:
    if not sites:
        return "nothing tracked yet; run `clausewatch track URL`"
    lines = []
    for s in sites:
        detail = f" ({s['state_detail']})" if s["state_detail"] else ""
        lines.append(f"{s['site']}  {s['state']}{detail}")
        for d in s["documents"]:
            why = f" ({d['status_detail']})" if d["status_detail"] else ""
            checked = (d["last_checked_at"] or "never")[:16].replace("T", " ")
            lines.append(
                f"  #{d['id']}  {d['status']}{why}  {d['versions']} versions,"
                f" checked {checked}  {d['url']}"
            )
        if not s["documents"]:
            lines.append("  no document")
    return "\n".join(lines)


@click.command("sites")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@db_option
def command(as_json: bool, db_path: str | None) -> None:
    """List the tracked sites and their documents, with each one's status."""
    settings = Settings.from_env(db_path=db_path)
    with open_store(settings) as store:
        sites = listing(store)
    click.echo(json.dumps(sites, indent=2, ensure_ascii=False) if as_json else render(sites))
