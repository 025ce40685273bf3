"""WARC archives of real policy histories, built at test time for a local pywb.

Each version of a history in tests/data/policy-histories (Markdown) is rendered into an HTML
page inside site chrome; each capture of a version varies the chrome (navigation text, a
"generated at" stamp in the footer) or repeats the exact bytes of an earlier capture. So an
archive has: known change points (where the version changes), repeated identical captures
(equal digests) and captures whose HTML differs only in chrome (other digest, same text).
Pages from tests/data/raw-html go in as they are.

Used by `make demo` (demo/), tests/e2e and bench/backfill.py.
"""

from __future__ import annotations

import html
import io
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
HISTORIES = DATA / "policy-histories"
RAW_HTML = DATA / "raw-html"

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+(.*)$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _LINK.sub(lambda m: f'<a href="{html.escape(m[2])}">{m[1]}</a>', text)
    text = _STRONG.sub(r"<strong>\1</strong>", text)
    return _EM.sub(r"<em>\1</em>", text)


def render_markdown(md: str) -> str:
    """Markdown as policy pages use it (headings, lists, tables, paragraphs) to HTML."""
    out: list[str] = []
    para: list[str] = []
    in_list = False
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal in_list
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if in_list:
            out.append("</ul>")
            in_list = False
        if table:
            rows = [r for r in table if not all(set(c) <= set("-: ") for c in r)]
            out.append("<table>")
            out.extend(
                "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows
            )
            out.append("</table>")
            table.clear()

    for line in md.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("|"):
            if para or in_list:
                flush()
            table.append([c.strip() for c in stripped.strip("|").split("|")])
            continue
        if m := _HEADING.match(stripped):
            flush()
            level = len(m[1])
            out.append(f"<h{level}>{_inline(m[2].strip('# '))}</h{level}>")
            continue
        if m := _ITEM.match(line):
            if para or table:
                flush()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(m[1])}</li>")
            continue
        if in_list and line.startswith(" "):
            out[-1] = out[-1][:-5] + " " + _inline(stripped) + "</li>"
            continue
        if in_list or table:
            flush()
        para.append(stripped)
    flush()
    return "\n".join(out)


_NAVS = [
    ["Home", "Products", "Pricing", "Blog", "Sign in"],
    ["Home", "Product", "Customers", "Careers", "Log in", "Get started"],
    ["Overview", "Features", "Enterprise", "Help", "Account"],
]


def page(body_html: str, title: str, chrome: int, stamp: datetime) -> bytes:
    """A full page: the policy inside navigation and a footer that vary with `chrome`."""
    nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in _NAVS[chrome % len(_NAVS)])
    footer = (
        f"<p>© {stamp.year} Example Corp. All rights reserved.</p>"
        f"<p>Page generated {stamp.strftime('%Y-%m-%d %H:%M:%S')} UTC · build {chrome * 7919 % 1000}</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header>"
        f"<main><article>{body_html}</article></main>"
        f"<footer>{footer}</footer></body></html>"
    ).encode()


@dataclass(frozen=True)
class ArchivedCapture:
    url: str
    timestamp: str  # 14 digits
    body: bytes
    version: int  # index of the source version (ground truth)


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _date_of(path: Path) -> datetime:
    return datetime.strptime(path.stem, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)


def history_versions(service: str, root: Path = HISTORIES) -> list[tuple[datetime, str]]:
    """(date recorded, markdown) of each version of a service, oldest first."""
    files = sorted((root / service).glob("*.md"))
    return [(_date_of(f), f.read_text(encoding="utf-8")) for f in files]


def history_captures(
    service: str,
    url: str,
    captures_per_version: int | list[int],
    *,
    seed: int = 0,
    root: Path = HISTORIES,
) -> list[ArchivedCapture]:
    """Captures of a service's history: each version captured several times, with chrome
    variants and exact repeats, at times spread between its date and the next version's."""
    rng = random.Random(seed)
    versions = history_versions(service, root)
    counts = (
        captures_per_version
        if isinstance(captures_per_version, list)
        else [captures_per_version] * len(versions)
    )
    out: list[ArchivedCapture] = []
    for v, ((start, md), n) in enumerate(zip(versions, counts, strict=False)):
        end = versions[v + 1][0] if v + 1 < len(versions) else start + timedelta(days=120)
        body = render_markdown(md)
        span = (end - start).total_seconds()
        times = sorted({start + timedelta(seconds=int(span * (i + 0.5) / n)) for i in range(n)})
        previous: bytes | None = None
        for i, moment in enumerate(times):
            if previous is not None and rng.random() < 0.3:
                raw = previous  # the same bytes captured again: an equal digest
            else:
                raw = page(
                    body, f"{service} privacy policy", rng.randrange(3) + 3 * (i % 2), moment
                )
            out.append(ArchivedCapture(url, _ts(moment), raw, v))
            previous = raw
    return out


def raw_html_captures(service: str, url: str, root: Path = RAW_HTML) -> list[ArchivedCapture]:
    """The real pages of a service, as fetched, one capture each."""
    files = sorted((root / service).glob("*.html"))
    return [ArchivedCapture(url, _ts(_date_of(f)), f.read_bytes(), i) for i, f in enumerate(files)]


def write_warc(path: Path, captures: list[ArchivedCapture]) -> Path:
    """A gzipped WARC with one response record a capture (headers synthesized)."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for c in captures:
            headers = StatusAndHeaders(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(c.body))),
                ],
                protocol="HTTP/1.1",
            )
            moment = datetime.strptime(c.timestamp, "%Y%m%d%H%M%S")
            record = writer.create_warc_record(
                c.url,
                "response",
                payload=io.BytesIO(c.body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            writer.write_record(record)
    return path
