"""Configuration of a Clausewatch process: defaults point at the real web, tests override.

Every setting has a flag (added by the commands that use it) and an environment variable;
a flag given on the command line wins over the environment, which wins over the default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: str = "clausewatch.db"
    wayback_url: str = "https://web.archive.org"
    # Off only for a local replay (`make demo`'s pywb): the Internet Archive's own request
    # limits (monitor.wayback) would make a local backfill crawl for no one's benefit.
    wayback_rate_limits: bool = True
    allow_private_addresses: bool = False
    # Ask SavePageNow to archive a page that changed; only with user_agent_contact set.
    archive_on_change: bool = True
    host: str = "127.0.0.1"
    port: int = 8080
    # Where people read the diff viewer; links in feeds and webhooks are built on it.
    public_url: str = ""
    # Who to reach about our crawler (a URL or mailto:), sent in the User-Agent. No default:
    # a default would speak for someone who does not run this copy. Without it the crawler
    # sends its name only and nothing is sent to SavePageNow (`serve` says so once).
    user_agent_contact: str = ""
    # The monitor (`clausewatch serve` / `check`): seconds between two checks of a document,
    # requests in flight across all hosts, and seconds between two requests to one host.
    check_interval: int = 6 * 3600
    max_concurrency: int = 16
    min_host_delay: int = 1
    # Worker processes that extract pages (pure CPU) beside the event loop; 0: in-process.
    # Off by default: it pays only with a spare core (see bench/monitor_pass.py).
    extract_workers: int = 0
    # Pages rendered at once in the one headless Chromium (monitor/render.py) for policies
    # only a browser can read; 0: rendering off. Off by itself when Chromium is missing.
    render_pages: int = 2
    chromium_path: str = "/usr/bin/chromium"  # Debian's package; never a downloaded build
    # Days after which a page fetched rendered is rendered again even when every response
    # it was built from comes back unchanged (monitor/renderprint.py): bounds what scripts
    # reading the clock or Math.random could change unseen.
    rerender_days: float = 7.0
    # The bearer token of operator calls over HTTP (api/routes/operator.py: setting a
    # document's `render`); empty: those calls are off (403).
    operator_token: str = ""
    # Web origins (comma-separated, e.g. "https://clausewatch.example") allowed to call the
    # API's non-public calls from a browser; extension origins are always allowed.
    cors_origins: str = ""
    # Proxies (comma-separated addresses or networks, e.g. a CDN's) whose X-Forwarded-For
    # names the client, for per-client rate limits; empty: the peer address is the client.
    trusted_proxies: str = ""
    # Seconds a shared cache (CDN, nginx) may serve a change-feed page: the longest a new
    # change can take to reach extensions behind it (docs/deploy.md).
    feed_max_age: int = 30
    # Seconds a connection may go without a complete request head: from the connect, and
    # between two requests on a kept-alive connection. It is what drops slowloris clients
    # (headers dripped a byte at a time) and idle connections that hold a file descriptor.
    idle_timeout: float = 15.0
    # Seconds a client may take to send a request body once its head has arrived.
    body_timeout: float = 15.0
    # Raw captures kept by `clausewatch prune` (db.retention): "all" (default: prune
    # refuses), or "run-ends", the first and last capture of each run of one text.
    keep_raw: str = "all"
    # With keep_raw "run-ends", `serve` prunes on a timer (monitor/pruning.py): a run at most
    # every prune_interval seconds (0: never; `clausewatch prune` by hand only), each over at
    # most prune_batch documents, those checked since the last run. The defaults keep up with
    # 1.4 million document checks a day (docs/deploy.md).
    prune_interval: float = 600.0
    prune_batch: int = 10_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then CLAUSEWATCH_<NAME> variables, then non-None keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(f"CLAUSEWATCH_{f.name.upper()}")
            if raw is None and f.name == "db_path":
                raw = env.get("CLAUSEWATCH_DB")
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in _TRUE
            elif f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        settings = cls(**values)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
