"""A Comparison as a terminal report for people (the HTML report is the viewer's:
api/viewer/pages.py).

Material changes come first, each with its reason, with word-level edits inside modified
clauses. Long unchanged stretches are shortened so the edit stays in view.
"""

from __future__ import annotations

import textwrap
from typing import Any

import click

from monitor.compare import Comparison, VersionInfo

# Unchanged runs longer than this many words are cut down to their ends.
_CONTEXT_WORDS = 8
_MAX_CLAUSE_WORDS = 80


def _shorten_equal(text: str, first: bool, last: bool) -> str:
    ws = text.split(" ")
    if len(ws) <= 2 * _CONTEXT_WORDS + 1:
        return text
    head = [] if first else ws[:_CONTEXT_WORDS]
    tail = [] if last else ws[-_CONTEXT_WORDS:]
    return " ".join([*head, "…", *tail])


def _clip(text: str) -> str:
    ws = text.split()
    return " ".join(ws[:_MAX_CLAUSE_WORDS]) + (" …" if len(ws) > _MAX_CLAUSE_WORDS else "")


def version_line(label: str, v: VersionInfo) -> str:
    eff = f", effective {v.effective_date.isoformat()}" if v.effective_date else ""
    return f"{label}: {v.title or '(untitled)'}{eff}, {v.clauses} clauses"


# -- terminal -------------------------------------------------------------------------


def _word_diff_text(ops: list[tuple[str, str]], color: bool) -> str:
    out = []
    for k, (op, text) in enumerate(ops):
        if op == "equal":
            out.append(_shorten_equal(text, k == 0, k == len(ops) - 1))
        elif color:
            fg = "red" if op == "delete" else "green"
            out.append(click.style(text, fg=fg, strikethrough=op == "delete", bold=op == "insert"))
        else:
            out.append(f"[-{text}-]" if op == "delete" else f"{{+{text}+}}")
    return "".join(out)


def _indent(text: str, width: int = 100) -> str:
    return "\n".join(
        textwrap.fill(line, width, initial_indent="      ", subsequent_indent="      ")
        for line in text.splitlines() or [""]
    )


def render_text(c: Comparison, old_name: str, new_name: str, color: bool) -> str:
    def style(s: str, **kw: Any) -> str:
        return click.style(s, **kw) if color else s

    lines = [
        version_line(f"old {old_name}", c.old),
        version_line(f"new {new_name}", c.new),
        "",
    ]
    verdict = "MATERIAL CHANGE" if c.material else "no material change"
    lines.append(
        style(verdict, fg="red" if c.material else "green", bold=True) + f"  (score {c.score:.2f})"
    )
    lines.append(textwrap.fill(c.summary, 100))
    material = [ch for ch in c.changes if ch.material]
    other = [ch for ch in c.changes if not ch.material]
    for title, group in (("Material changes", material), ("Other changes", other)):
        if not group:
            continue
        lines += ["", style(f"{title} ({len(group)})", bold=True)]
        for n, ch in enumerate(group, 1):
            cats = ", ".join(ch.categories)
            where = ch.section or "(whole policy)"
            lines.append(f"  {n}. {ch.kind} · {where}")
            lines.append(
                "     " + style(ch.reason, fg="yellow" if ch.material else None) + f"  [{cats}]"
            )
            if ch.kind == "moved" or not ch.material:
                continue
            if ch.word_ops:
                # Terminal escapes must not be broken by wrapping, so edits are not refilled.
                lines.append("      " + _word_diff_text(ch.word_ops, color))
            elif ch.new is not None and ch.old is None:
                lines.append(_indent("+ " + _clip(ch.new)))
            elif ch.old is not None and ch.new is None:
                lines.append(_indent("- " + _clip(ch.old)))
    return "\n".join(lines)
