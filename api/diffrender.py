"""Renderings of a Comparison for people: a terminal report and a standalone HTML page.

Both put material changes first, each with its reason, and show word-level edits inside
modified clauses. Long unchanged stretches are shortened so the edit stays in view.
"""

from __future__ import annotations

import html
import textwrap

import click

from monitor.compare import Comparison, VersionInfo
from monitor.diff import ClauseChange

# Unchanged runs longer than this many words are cut down to their ends.
_CONTEXT_WORDS = 8
_MAX_CLAUSE_WORDS = 80


def _ordered(c: Comparison) -> list[ClauseChange]:
    return [ch for ch in c.changes if ch.material] + [ch for ch in c.changes if not ch.material]


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


def _version_line(label: str, v: VersionInfo) -> str:
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
    def style(s: str, **kw) -> str:
        return click.style(s, **kw) if color else s

    lines = [
        _version_line(f"old {old_name}", c.old),
        _version_line(f"new {new_name}", c.new),
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


# -- HTML ----------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.verdict{font-weight:700;padding:.2rem .5rem;border-radius:.3rem}
.material{background:#fde2e2;color:#8a1111}.cosmetic{background:#e2f5e6;color:#12602a}
.change{border-left:4px solid #ccc;padding:.3rem .8rem;margin:.8rem 0}
.change.is-material{border-color:#c62828}.meta{color:#666;font-size:.85rem}
.reason{font-weight:600}del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}
.clause{white-space:pre-wrap;margin:.3rem 0}.cat{display:inline-block;background:#eef;border-radius:.2rem;
padding:0 .3rem;margin-right:.2rem;font-size:.8rem}
"""


def _word_diff_html(ops: list[tuple[str, str]]) -> str:
    out = []
    for k, (op, text) in enumerate(ops):
        t = html.escape(text)
        if op == "equal":
            out.append(html.escape(_shorten_equal(text, k == 0, k == len(ops) - 1)))
        elif op == "delete":
            out.append(f"<del>{t}</del>")
        else:
            out.append(f"<ins>{t}</ins>")
    return "".join(out)


def _change_html(ch: ClauseChange) -> str:
    e = html.escape
    cats = "".join(f'<span class="cat">{e(c)}</span>' for c in ch.categories)
    body = ""
    if ch.word_ops:
        body = f'<div class="clause">{_word_diff_html(ch.word_ops)}</div>'
    elif ch.kind == "added" and ch.new is not None:
        body = f'<div class="clause"><ins>{e(_clip(ch.new))}</ins></div>'
    elif ch.kind == "removed" and ch.old is not None:
        body = f'<div class="clause"><del>{e(_clip(ch.old))}</del></div>'
    elif ch.kind == "moved" and ch.new is not None:
        body = f'<div class="clause">{e(_clip(ch.new))}</div>'
    klass = "change is-material" if ch.material else "change"
    return (
        f'<li class="{klass}"><div class="meta">{e(ch.kind)} · {e(ch.section or "(whole policy)")} '
        f'{cats}</div><div class="reason">{e(ch.reason)}</div>{body}</li>'
    )


def render_html(c: Comparison, old_name: str, new_name: str) -> str:
    e = html.escape
    verdict = (
        '<span class="verdict material">Material change</span>'
        if c.material
        else '<span class="verdict cosmetic">No material change</span>'
    )
    items = "\n".join(_change_html(ch) for ch in _ordered(c))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Policy changes: {e(c.new.title or new_name)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{e(c.new.title or c.old.title or "Privacy policy")}: what changed</h1>
<p class="meta">{e(_version_line("Old " + old_name, c.old))}<br>{e(_version_line("New " + new_name, c.new))}</p>
<p>{verdict} <span class="meta">score {c.score:.2f}</span></p>
<p>{e(c.summary)}</p>
<ol class="changes">
{items}
</ol>
</body></html>
"""
