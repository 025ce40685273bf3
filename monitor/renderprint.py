"""The render fingerprint: what a rendered page was built from, to know it cannot have changed.

A rendered page's text is what its scripts computed from the responses the page loaded (the
document, its scripts, the XHR/fetch answers). When a page is rendered, every response the
browser was handed is recorded here: URL, status, redirect target, sha256 of the body, and
the validators the server gave. On the next check of a document fetched rendered, those
resources are fetched again *plainly* (monitor/render.py ``Renderer.replay``, through the
same address guard, conditionally where the server gave ETag/Last-Modified): when every one
is byte-identical, the scripts run over the same inputs, so the check is recorded as
unchanged against the last rendered snapshot without starting Chromium. Anything else
renders.

What can break it, and the guard for each:
  - scripts that read the clock or Math.random, or ask a URL computed from them (a dated
    endpoint): same inputs, different text. Bounded: a page is rendered anyway once its
    last real render is ``max_age`` old (``CLAUSEWATCH_RERENDER_DAYS``, default 7).
  - a request the page made that is not a plain GET (POST, ...), failed, was cut by the
    budgets, or was still in flight when the DOM was taken: the record is incomplete, so
    it vouches for nothing (``unusable``) and the next check renders. Beacons (sendBeacon,
    <a ping>) are left out: no script can read their answer.
  - responses that vary with cookies, headers or the client: replayed with the request
    headers that select content (Accept, Accept-Language, Cookie, X-Requested-With) the
    browser sent; a server that answers otherwise answers different bytes, and the page
    is rendered (the safe direction: a needless render, never a missed change).
  - a fingerprint not of the current capture (its render was never recorded, or ended in
    a status other than ok): it is used only when the document's status is ``ok`` and its
    latest snapshot holds exactly the rendered DOM the fingerprint was taken with.
A response that forbids caching (``no-store``) is no reason to render: nothing is served
from storage, every resource is fetched again and compared.

Pure: ``Resource``, ``Fingerprint``, ``stale``. The replay is the renderer's (network).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

# The request headers a server picks content by; replayed as the browser sent them.
REPLAYED_HEADERS = ("accept", "accept-language", "cookie", "x-requested-with")
MAX_AGE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Resource:
    """One response the page was handed (one hop: a redirect is its own resource)."""

    url: str
    status: int
    sha256: str
    location: str | None = None  # a redirect's target, as the server wrote it
    etag: str | None = None
    last_modified: str | None = None
    headers: tuple[tuple[str, str], ...] = ()  # request headers to replay

    @property
    def conditional(self) -> dict[str, str]:
        """Validators for a conditional GET (a 304 then means these very bytes)."""
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Every response one render used, and the DOM it produced."""

    resources: tuple[Resource, ...]
    dom_sha256: str
    unusable: str | None = None  # why this render cannot vouch for the next one
    rendered_at: str = ""  # UTC ISO time of the render (set by whoever stores it)

    def at(self, when: datetime) -> Fingerprint:
        return replace(self, rendered_at=when.isoformat())

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Fingerprint | None:
        """The stored fingerprint, or None when there is none (or it is unreadable)."""
        if not text:
            return None
        try:
            raw = json.loads(text)
            resources = tuple(
                Resource(**{**r, "headers": tuple(tuple(h) for h in r.get("headers", ()))})
                for r in raw["resources"]
            )
            return cls(
                resources=resources,
                dom_sha256=raw["dom_sha256"],
                unusable=raw.get("unusable"),
                rendered_at=raw.get("rendered_at", ""),
            )
        except (ValueError, KeyError, TypeError):
            return None


def replay_headers(headers: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The headers of a browser's request that select content, to send again."""
    return tuple(
        sorted((k.lower(), v) for k, v in headers.items() if k.lower() in REPLAYED_HEADERS)
    )


def stale(
    fingerprint: Fingerprint | None,
    *,
    status: str | None,
    latest_sha256: str | None,
    now: datetime,
    max_age: timedelta = MAX_AGE,
) -> str | None:
    """Why ``fingerprint`` cannot stand for a render now (then render), or None when it can."""
    if fingerprint is None:
        return "no render fingerprint"
    if fingerprint.unusable:
        return f"the last render cannot vouch: {fingerprint.unusable}"
    if not fingerprint.resources:
        return "the last render loaded nothing"
    if status != "ok":
        return f"the last check ended {status or 'unchecked'}"
    if latest_sha256 != fingerprint.dom_sha256:
        return "the latest snapshot is not the fingerprinted render"
    try:
        when = datetime.fromisoformat(fingerprint.rendered_at)
    except ValueError:
        return "the render time is unknown"
    if now - when >= max_age:
        return f"the last render is older than {max_age.total_seconds() / 86400:g} days"
    return None
