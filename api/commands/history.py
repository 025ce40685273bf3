"""`clausewatch history SITE`: the timeline of a site's policy versions and changes."""

from __future__ import annotations

import json

import click

from api.commands.storecli import db_option, documents_named, open_store
from api.config import Settings
from db import Store
from db.rows import Document


def timeline_of(store: Store, document: Document) -> dict:
    """A document's versions and changes, as plain data (the --json output)."""
    versions = store.versions_of_document(document["id"])
    number = {v["id"]: i for i, v in enumerate(versions, start=1)}
    changes = store.changes_of_document(document["id"])
    # How each version was obtained: live, wayback, rendered in a browser or not.
    sources: dict[int, set[str]] = {}
    for snap in store.snapshots_of_document(document["id"]):
        if snap["version_id"] is not None:
            sources.setdefault(snap["version_id"], set()).add(snap["source"])
    return {
        "site": document["site"],
        "url": document["url"],
        "versions": [
            {
                "number": number[v["id"]],
                "id": v["id"],
                "title": v["title"],
                "effective_date": v["effective_date"],
                "first_captured_at": v["first_captured_at"],
                "last_captured_at": v["last_captured_at"],
                "snapshots": v["snapshot_count"],
                "clauses": v["clause_count"],
                "sources": sorted(sources.get(v["id"], ())),
            }
            for v in versions
        ],
        "changes": [
            {
                "id": c["id"],
                "from_version": number.get(c["from_version_id"]),
                "to_version": number.get(c["to_version_id"]),
                "from_captured_at": c["from_captured_at"],
                "to_captured_at": c["to_captured_at"],
                "material": c["material"],
                "score": c["score"],
                "categories": c["categories"],
                "summary": c["summary"],
                "origin": c["origin"],
                "archive_url": c["archive_url"],
            }
            for c in changes
        ],
    }


def render(timeline: dict) -> str:
    lines = [f"{timeline['site']} — {timeline['url']}"]
    versions = {v["number"]: v for v in timeline["versions"]}
    if not versions:
        lines.append("  no versions yet (run `clausewatch backfill` or wait for a check)")
        return "\n".join(lines)
    first = min(versions.values(), key=lambda v: v["first_captured_at"] or "")
    lines.append(
        f"  {(first['first_captured_at'] or '')[:10]}  v{first['number']}"
        f"  first seen ({first['clauses']} clauses)"
    )
    for c in timeline["changes"]:
        mark = "!" if c["material"] else " "
        cats = f" [{', '.join(c['categories'])}]" if c["categories"] else ""
        lines.append(
            f"{mark} {c['to_captured_at'][:10]}  v{c['from_version']} -> v{c['to_version']}"
            f"  #{c['id']}{' MATERIAL' if c['material'] else ''}{cats}: {c['summary']}"
            + ("" if c["origin"] == "live" else f" ({c['origin']})")
            + _rendered_note(versions.get(c["to_version"]))
        )
    last = max(versions.values(), key=lambda v: v["last_captured_at"] or "")
    lines.append(f"  {(last['last_captured_at'] or '')[:10]}  last capture (v{last['number']})")
    lines.append(
        f"  {len(versions)} versions, {len(timeline['changes'])} changes,"
        f" {sum(1 for c in timeline['changes'] if c['material'])} material (marked !)"
    )
    return "\n".join(lines)


def _rendered_note(version: dict | None) -> str:
    rendered = [s for s in (version or {}).get("sources", ()) if s.endswith("-rendered")]
    return f" (rendered in a browser: {', '.join(rendered)})" if rendered else ""


@click.command("history")
@click.argument("target", metavar="SITE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@db_option
def command(target: str, as_json: bool, db_path: str | None) -> None:
    """Print the timeline of a tracked policy: versions, and changes (material ones marked !)."""
    settings = Settings.from_env(db_path=db_path)
    with open_store(settings) as store:
        timelines = [timeline_of(store, d) for d in documents_named(store, target)]
    if as_json:
        click.echo(json.dumps(timelines, indent=2, ensure_ascii=False))
        return
    click.echo("\n\n".join(render(t) for t in timelines))
