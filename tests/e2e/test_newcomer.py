"""A newcomer's first hour (issue 26), as a test: a fresh clone of this repository, the
README's set-up command `make run` answering its health check, `make demo` up and down,
and every README command that runs offline run with its shown output compared.

The clone reuses the Python environment running this test (its `.venv` is a link to it,
and make is told the install stamp is up to date with `-o`), so nothing is reinstalled;
everything else is the README's own commands. No sleeps: every wait is a bounded read of
a process's output or of its exit.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from servesupport import clean_env

from demo.pywbserver import REPO, pywb_bin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("git") is None or shutil.which("make") is None, reason="git/make"
    ),
]

UP_TIMEOUT_S = 60
DEMO_TIMEOUT_S = 240
STOP_TIMEOUT_S = 30
MARKED = re.compile(r"<!-- run: (.+?) -->\n```console\n\$ .+?\n(.*?)```\n<!-- end run -->", re.S)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The committed repository, cloned as a newcomer would, wired to this test's Python."""
    where = tmp_path_factory.mktemp("newcomer") / "clausewatch"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(where)], check=True, timeout=120)
    (where / ".venv").symlink_to(Path(sys.prefix))
    pywb = pywb_bin()
    if pywb is not None:
        (where / ".venv-pywb").symlink_to(pywb.parent)
    return where


def newcomer_env(clone: Path) -> dict[str, str]:
    env = clean_env()
    # The clone's code, not the editable install's; the README's `. .venv/bin/activate`.
    env.update(PYTHONPATH=str(clone), PATH=f"{clone / '.venv' / 'bin'}:{env['PATH']}")
    env["COLUMNS"] = "88"
    return env


def make(clone: Path, *args: str) -> list[str]:
    # -o: the install stamp counts as up to date (the environment is this test's own).
    return [
        "make",
        "-C",
        str(clone),
        "-o",
        ".venv/.installed-test",
        "-o",
        ".venv-pywb/bin/wayback",
        *args,
    ]


async def read_until(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> re.Match:
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("ended before it was ready:\n" + "".join(seen))
        seen.append(line)
        if m := re.search(pattern, line):
            return m


async def stop(proc: asyncio.subprocess.Process) -> int:
    """Ctrl-C, as at a terminal: SIGINT to the whole foreground group (make and its child)."""
    os.killpg(proc.pid, signal.SIGINT)
    return await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)


async def test_make_run_serves_and_answers_health(clone):
    proc = await asyncio.create_subprocess_exec(
        *make(clone, "run", "PORT=0"),
        env=newcomer_env(clone),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        m = await asyncio.wait_for(
            read_until(proc.stdout, r"Clausewatch serving on (http://\S+)", seen), UP_TIMEOUT_S
        )
        async with aiohttp.ClientSession() as session, session.get(f"{m[1]}/api/v1/health") as resp:
            assert resp.status == 200
            assert (await resp.json())["status"] == "ok"
    finally:
        if proc.returncode is None:
            await stop(proc)
    rest = (await proc.stdout.read()).decode()
    # Without a contact the operator is told once why nothing goes to SavePageNow.
    assert "".join([*seen, rest]).count("CLAUSEWATCH_USER_AGENT_CONTACT is not set") == 1


@pytest.mark.skipif(pywb_bin() is None, reason="pywb not installed (make pywb)")
async def test_make_demo_comes_up_and_goes_down(clone, tmp_path):
    workdir = tmp_path / "demo-data"
    proc = await asyncio.create_subprocess_exec(
        *make(clone, "demo", f"DEMO_ARGS=--port 0 --sites zoom --workdir {workdir}"),
        env=newcomer_env(clone),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        m = await asyncio.wait_for(
            read_until(proc.stdout, r"^Demo ready: (http://\S+)", seen), DEMO_TIMEOUT_S
        )
        site = f"{m[1]}/api/v1/sites/zoom.test"
        async with aiohttp.ClientSession() as session, session.get(site) as resp:
            assert resp.status == 200
            assert (await resp.json())["state"] == "tracked"
        # docs/history.md's offline commands, on the demo's database.
        db = str(workdir / "clausewatch.db")
        env = newcomer_env(clone)
        sites = subprocess.run(
            ["clausewatch", "sites", "--db", db],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sites.returncode == 0 and sites.stdout.startswith("zoom.test  tracked"), sites
        history = subprocess.run(
            ["clausewatch", "history", "zoom.test", "--db", db],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert history.returncode == 0 and "material (marked !)" in history.stdout, history
    finally:
        if proc.returncode is None:
            assert await stop(proc) in (0, 2, -signal.SIGINT, 130)
    rest = (await proc.stdout.read()).decode()
    assert "Stopped." in rest, "".join(seen) + rest


def test_every_offline_readme_command_prints_what_the_readme_shows(clone):
    readme = (clone / "README.md").read_text(encoding="utf-8")
    shown = MARKED.findall(readme)
    assert len(shown) >= 2
    env = newcomer_env(clone)
    for command, output in shown:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=clone,
            env={**env, "CLAUSEWATCH_DB": str(clone / "unused.db")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (done.stdout + done.stderr).rstrip() == output.rstrip(), command
    # The "Tests" section's commands: one file, and a selection by name.
    tests = readme.split("## Tests", 1)[1].split("\n## ", 1)[0]
    for command in re.findall(
        r"^\$ (\.venv/bin/python -m pytest [^#\n]+?)\s*(?:#.*)?$", tests, re.M
    ):
        done = subprocess.run(
            ["bash", "-c", command + " -p no:cacheprovider"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, command + "\n" + done.stdout[-2000:]
    # The CLI answers at once and names every verb of the README's table.
    helped = subprocess.run(
        ["clausewatch", "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    for verb in re.findall(r"^\| `clausewatch (\w+)", readme, re.M):
        assert f"  {verb} " in helped.stdout, verb
