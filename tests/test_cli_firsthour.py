"""The command line as a newcomer meets it (issue 26): help, the new verbs, inputs refused at
once, `serve` binding first, `check`'s exit status, the order of `discover`'s candidates."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from aiohttp import web
from click.testing import CliRunner
from policysites import ThreadedServer

from api.cli import COMMANDS, cli
from api.commands.discover import _report, cause
from api.service import Injected, archives
from db import Store
from monitor.discover import Candidate, Discovery
from monitor.wayback import CDX_PER_MINUTE, FETCH_PER_MINUTE


def run(*args: str, **kw):
    return CliRunner().invoke(cli, list(args), **kw)


def test_help_shows_every_verb_whole():
    out = run("--help").output
    assert "…" not in out and "..." not in out.split("Commands:")[1]
    flat = " ".join(out.split())
    for name, (_, line) in COMMANDS.items():
        assert f"{name} {line}" in flat


def test_version_and_help_import_no_command():
    # What makes them slow: aiohttp, pypdf and the extractor come with the command modules.
    code = (
        "import sys; from api.cli import cli\n"
        "try: cli.main(['--help'], standalone_mode=False)\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('aiohttp', 'pypdf', 'monitor.extract', 'api.commands.serve')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _tracked(tmp_path) -> str:
    db = str(tmp_path / "cw.db")
    with Store.open(db) as store:
        a = store.add_site("alpha.example")
        store.add_document(a["id"], "https://alpha.example/privacy")
        store.add_document(a["id"], "https://alpha.example/cookies")
        b = store.add_site("beta.example")
        store.add_document(b["id"], "https://beta.example/privacy")
    return db


def test_sites_lists_sites_and_documents_with_status(tmp_path):
    db = _tracked(tmp_path)
    result = run("sites", "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "alpha.example  tracked"
    assert lines[1].startswith("  #1  ok  0 versions, checked never  https://alpha.example/privacy")
    assert lines[3] == "beta.example  tracked"
    empty = run("sites", "--db", str(tmp_path / "empty.db"))
    assert empty.output.strip() == "nothing tracked yet; run `clausewatch track URL`"


def test_untrack_asks_then_removes_a_document_or_a_site(tmp_path):
    db = _tracked(tmp_path)
    refused = run("untrack", "alpha.example", "--db", db, input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    one = run("untrack", "https://alpha.example/cookies", "--db", db, "--yes")
    assert one.exit_code == 0, one.output
    with Store.open(db) as store:
        assert [d["url"] for d in store.list_documents()] == [
            "https://alpha.example/privacy",
            "https://beta.example/privacy",
        ]
    site = run("untrack", "alpha.example", "--db", db, input="y\n")
    assert site.exit_code == 0, site.output
    assert "No longer tracking alpha.example and its 1 document(s)" in site.output
    with Store.open(db) as store:
        assert [s["site"] for s in store.list_sites()] == ["beta.example"]
    missing = run("untrack", "gamma.example", "--db", db, "--yes")
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: gamma.example is not tracked (see `clausewatch sites`)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backfill", "x.example", "--since", "2030", "--until", "2020"], "is after --until"),
        (["backfill", "x.example", "--wayback-url", "notaurl"], "is not an http(s) URL"),
        (["check", "--wayback-url", "notaurl"], "is not an http(s) URL"),
        (["serve", "--wayback-url", "ftp://x"], "is not an http(s) URL"),
    ],
)
def test_impossible_inputs_are_refused_at_once(tmp_path, args, message):
    result = run(*args, "--db", str(tmp_path / "cw.db"))
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "cw.db").exists() or "backfill" in args


def test_backfill_help_shows_round_rates():
    out = run("backfill", "--help").output
    assert "19.200000000000003" not in out
    assert "(default 19.2, none with CLAUSEWATCH_WAYBACK_RATE_LIMITS=0;" in " ".join(out.split())


def test_no_contact_no_savepagenow():
    from api.config import Settings

    assert Settings().user_agent_contact == ""
    assert not archives(Settings())
    assert archives(Settings(user_agent_contact="mailto:ops@example.org"))
    assert not archives(Settings(user_agent_contact="x", archive_on_change=False))


def test_check_accepts_resolve(tmp_path):
    hits: list[str] = []

    async def page(request: web.Request) -> web.Response:
        hits.append(request.host)
        return web.Response(status=503)

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    with ThreadedServer(app) as server:
        db = str(tmp_path / "cw.db")
        with Store.open(db) as store:
            site = store.add_site("made-up.test")
            store.add_document(site["id"], f"http://made-up.test:{server.port}/privacy")
        env = {"CLAUSEWATCH_MIN_HOST_DELAY": "0"}
        args = ["--db", db, "--allow-private-addresses", "--no-archive"]
        result = run("check", *args, "--resolve", "made-up.test:127.0.0.1", env=env)
    assert hits, result.output  # the name reached the local server through --resolve
    assert result.exit_code == 1 and "1 blocked" in result.output


def test_serve_with_its_port_taken_fails_before_fetching(tmp_path):
    hits: list[str] = []

    async def page(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="<h1>Privacy Policy</h1>")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    try:
        with ThreadedServer(app) as server:
            db = str(tmp_path / "cw.db")
            with Store.open(db) as store:
                site = store.add_site("local.test")
                store.add_document(site["id"], f"http://127.0.0.1:{server.port}/privacy")
            result = run(
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                "--allow-private-addresses",
                "--no-archive",
            )
    finally:
        taken.close()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use)"
    ]
    assert hits == []


async def test_serve_binds_before_the_monitor_exists(tmp_path, monkeypatch):
    # Deterministic form of the test above: the service (and its monitor, which fetches and
    # may ask SavePageNow to save pages) is not even built when the port is taken.
    import api.service as service
    from api.config import Settings

    built: list[object] = []
    monkeypatch.setattr(service, "create_service", lambda *a, **k: built.append(a))
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        settings = Settings(db_path=str(tmp_path / "cw.db"), port=taken.getsockname()[1])
        with pytest.raises(OSError):
            await service.serve(settings, announce=lambda line: None)
    finally:
        taken.close()
    assert built == []


def test_discover_lists_candidates_best_first_and_says_why_it_failed():
    linked = Candidate("https://x.example/terms", 1.0, ("link",), "link")
    common = Candidate("https://x.example/privacy", 3.0, ("common path",), "common-path")
    found = Discovery(
        domain="x.example",
        home_url="https://x.example/",
        url=None,
        candidate=None,
        verdict=None,
        candidates=(linked, common),
        rejected=(),
        notes=("no candidate reads like a privacy policy",),
    )
    lines = _report(found).splitlines()
    first = lines.index("candidates (best first):") + 1
    assert "https://x.example/privacy" in lines[first]
    assert "https://x.example/terms" in lines[first + 1]
    assert cause(found) == "no candidate reads like a privacy policy"
    dns = Discovery(
        domain="y.example",
        home_url=None,
        url=None,
        candidate=None,
        verdict=None,
        candidates=(),
        rejected=(),
        notes=("https://y.example/: unreachable (DNS: Name or service not known)",),
    )
    assert cause(dns) == "the site did not answer: unreachable (DNS: Name or service not known)"


def test_injected_is_importable_for_resolve():
    # serve and check share one way of passing --resolve to the monitor.
    assert Injected(lookup=None).lookup is None


@pytest.mark.parametrize(
    ("env", "args", "rates"),
    [
        ({}, [], (CDX_PER_MINUTE, FETCH_PER_MINUTE)),
        ({"CLAUSEWATCH_WAYBACK_RATE_LIMITS": "0"}, [], (0, 0)),
        ({"CLAUSEWATCH_WAYBACK_RATE_LIMITS": "0"}, ["--cdx-per-minute", "5"], (5.0, 0)),
    ],
)
def test_backfill_reads_the_wayback_rate_limits_setting(tmp_path, monkeypatch, env, args, rates):
    import api.commands.backfill as backfill
    from monitor.wayback import WaybackError

    asked: list[tuple[float, float]] = []

    class Recording:
        def __init__(self, base_url, *, cdx_per_minute, fetch_per_minute, **kw):
            asked.append((cdx_per_minute, fetch_per_minute))

        async def __aenter__(self):
            raise WaybackError("not reached in this test")

        async def __aexit__(self, *exc):
            return None

    monkeypatch.setattr(backfill, "WaybackClient", Recording)
    url = "https://bitwarden.com/privacy/"
    result = run("backfill", url, "--db", str(tmp_path / "cw.db"), *args, env=env)
    assert result.exit_code == 1 and "Wayback Machine:" in result.output
    assert asked == [rates]


def test_track_says_why_no_policy_was_found(tmp_path, monkeypatch):
    # Offline, `track example.org` used to say only "no privacy policy found" when the cause
    # was DNS; it now names the cause as `discover` does (issue 26).
    import monitor.discover

    async def unreachable(host, fetcher, **kwargs):
        return Discovery(
            domain=host,
            home_url=None,
            url=None,
            candidate=None,
            verdict=None,
            candidates=(),
            rejected=(),
            notes=(f"https://{host}/: unreachable (DNS: Name or service not known)",),
        )

    monkeypatch.setattr(monitor.discover, "discover", unreachable)
    result = CliRunner().invoke(cli, ["track", "example.org", "--db", str(tmp_path / "cw.db")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: example.org: no privacy policy found: the site did not answer: unreachable"
        " (DNS: Name or service not known); give its URL instead"
    ]
