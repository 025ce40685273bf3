"""`clausewatch check [SITE]`: one pass now, one line per document; errors in one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from policysites import CLAUSES, PolicySites, ThreadedServer, policy_html
from storesupport import changes_recorded

from api.cli import cli
from db import Store

# Politeness between robots.txt and the page, and starting extraction worker processes,
# would only slow these tests down.
QUICK = {"CLAUSEWATCH_MIN_HOST_DELAY": "0", "CLAUSEWATCH_EXTRACT_WORKERS": "0"}


@pytest.fixture
def loopback():
    sites = PolicySites()
    with ThreadedServer(sites.app()) as server:
        sites.port = server.port
        yield sites


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False, env=QUICK)


def test_check_runs_a_pass_and_says_what_happened(tmp_path, loopback):
    db = str(tmp_path / "cw.db")
    url = loopback.set("127.0.0.1", "/privacy", policy_html())
    with Store.open(db) as store:
        site = store.add_site("example.test")
        store.add_document(site["id"], url)
    opts = ["--db", db, "--allow-private-addresses", "--no-archive"]

    first = run(*opts)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        f"example.test {url}: ok, new version",
        "checked 1 document(s): 1 ok",
    ]

    # Nothing is due any more; naming the site checks it anyway.
    assert run(*opts).output.strip() == "nothing due"
    loopback.set("127.0.0.1", "/privacy", policy_html([*CLAUSES, "We sell data to brokers."]))
    forced = run("example.test", *opts)
    assert forced.exit_code == 0, forced.output
    assert forced.output.splitlines()[0] == f"example.test {url}: ok, new version, 1 change(s)"
    with Store.open(db) as store:
        [change] = changes_recorded(store, 0)
        assert change["origin"] == "live" and change["archive_url"] is None


def test_check_refuses_loopback_without_the_switch(tmp_path, loopback):
    db = str(tmp_path / "cw.db")
    url = loopback.set("127.0.0.1", "/privacy", policy_html())
    with Store.open(db) as store:
        store.add_document(store.add_site("example.test")["id"], url)
    result = CliRunner().invoke(cli, ["check", "--db", db, "--no-archive"], env=QUICK)
    # Every document unreachable: a non-zero exit cron can see, after a summary line.
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "unreachable" in lines[0] and "loopback" in lines[0]
    assert lines[-2:] == [
        "checked 1 document(s): 1 unreachable",
        "Error: no document checked could be read (see the lines above)",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.test"], "nowhere.test is not tracked"),
        (["--check-interval", "0"], "Invalid value for '--check-interval'"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["check", *args, "--db", str(tmp_path / "cw.db")], env=QUICK)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_a_bad_environment_setting_is_one_line(tmp_path):
    result = CliRunner().invoke(
        cli, ["check", "--db", str(tmp_path / "cw.db")], env={"CLAUSEWATCH_MAX_CONCURRENCY": "many"}
    )
    assert result.exit_code == 1
    assert "bad CLAUSEWATCH_* setting" in result.output and "Traceback" not in result.output
