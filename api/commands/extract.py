"""`clausewatch extract FILE`: the clauses extraction finds in one policy capture."""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter

import click

from api.commands.common import CommandError, read_input
from monitor.extract import extract
from monitor.model import CLAUSE_KINDS, ExtractionError, PolicyDocument

# The same cap as a fetched document's body (monitor.fetch.FetchPolicy.max_bytes; a test
# holds the two equal): nothing larger is ever extracted in the pipeline, and a file past
# it (a 50 MB page took 5 s and 550 MB) is refused before reading. Written out rather than
# imported: monitor.fetch brings aiohttp, 17 MB of the command's peak memory for a number.
MAX_BYTES = 10 * 1024 * 1024

# Line starts that Markdown would read as structure rather than text.
_MARKDOWN_LEAD = re.compile(r"^(?:[#>*+|-]|\d{1,9}[.)]|=+$)")
_PLURAL = {
    "heading": "headings",
    "paragraph": "paragraphs",
    "list-item": "list items",
    "table-row": "table rows",
}


def counts(doc: PolicyDocument) -> dict[str, int]:
    by_kind: Counter[str] = Counter(c.kind for c in doc.clauses)
    return {"clauses": len(doc.clauses), **{kind: by_kind[kind] for kind in CLAUSE_KINDS}}


def summary(doc: PolicyDocument) -> str:
    n = counts(doc)
    kinds = ", ".join(f"{n[kind]} {_PLURAL[kind]}" for kind in CLAUSE_KINDS)
    facts = [
        f"format {doc.format}",
        f"language {doc.language or 'unknown'}",
        f"effective {doc.effective_date.isoformat() if doc.effective_date else 'not stated'}",
    ]
    return f"{' · '.join(facts)} · {n['clauses']} clauses ({kinds})"


def render_text(doc: PolicyDocument) -> str:
    """One clause a line, indented by section depth: easy to read and to grep."""
    lines = [doc.title or "(untitled)", summary(doc), ""]
    for clause in doc.clauses:
        depth = len(clause.section)
        if clause.kind == "heading":
            lines.append("  " * (depth - 1) + clause.text)
        else:
            mark = {"list-item": "• ", "table-row": "| "}.get(clause.kind, "")
            lines.append("  " * depth + mark + clause.text)
    return "\n".join(lines)


def _markdown_line(text: str) -> str:
    return "\\" + text if _MARKDOWN_LEAD.match(text) else text


def render_markdown(doc: PolicyDocument) -> str:
    """The document as Markdown that extracts back to the same clauses."""
    out: list[str] = []
    if doc.effective_date:
        out += [f"Last updated: {doc.effective_date.isoformat()}", ""]
    previous = None
    for clause in doc.clauses:
        if previous in ("list-item", "table-row") and clause.kind != previous:
            out.append("")
        if clause.kind == "heading":
            out += ["#" * min(len(clause.section), 6) + " " + clause.text.replace("#", "\\#"), ""]
        elif clause.kind == "list-item":
            out.append("- " + clause.text)
        elif clause.kind == "table-row":
            cells = [cell.strip() for cell in clause.text.split(" | ")]
            out.append("| " + " | ".join(cells) + " |")
            if previous != "table-row":
                out.append("|" + "---|" * len(cells))
        else:
            out += [_markdown_line(clause.text), ""]
        previous = clause.kind
    return "\n".join(out).rstrip() + "\n"


def _too_large(file: str, size: str) -> CommandError:
    cap = (
        f"{MAX_BYTES // (1024 * 1024)} MiB"
        if MAX_BYTES % (1024 * 1024) == 0
        else f"{MAX_BYTES} bytes"
    )
    return CommandError(f"{file}: {size} is larger than a capture may be ({cap}, the fetch cap)")


def _read_capped(file: str) -> bytes:
    """The bytes of FILE, or a one-line error when it is above the fetch cap."""
    if file == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise _too_large("standard input", f"more than {MAX_BYTES} bytes")
        return raw
    try:
        size = os.stat(file).st_size
    except OSError:
        size = 0  # read_input names the problem (missing file, directory, permissions)
    if size > MAX_BYTES:
        raise _too_large(file, f"{size} bytes")
    return read_input(file)


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text: one clause a line; json: the document with counts; markdown: re-extractable.",
)
@click.option(
    "--content-type",
    default=None,
    help="The capture's Content-Type, when known (the content decides otherwise).",
)
def command(file: str, fmt: str, content_type: str | None) -> None:
    """Print the clauses of one policy capture (HTML, WordPress JSON, Markdown, text or PDF)."""
    raw = _read_capped(file)
    try:
        doc = extract(raw, content_type, None if file == "-" else file)
    except ExtractionError as exc:
        raise CommandError(f"{file}: {exc}") from None
    if fmt == "json":
        click.echo(
            json.dumps({**doc.to_dict(), "counts": counts(doc)}, indent=2, ensure_ascii=False)
        )
    elif fmt == "markdown":
        click.echo(render_markdown(doc), nl=False)
    else:
        click.echo(render_text(doc))
