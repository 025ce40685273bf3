"""`make demo` end to end: the real `python -m demo` on two sites (the same code path as the
full demo, fewer sites), checked through its API, then stopped with SIGINT as Ctrl-C would.

No sleeps: every wait is a bounded read of the demo's output or of a process's exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys

import aiohttp
import pytest
from servesupport import clean_env

from demo.pywbserver import REPO, pywb_bin
from demo.run import wait_for_live_change

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(pywb_bin() is None, reason="pywb not installed (make pywb)"),
]

READY_TIMEOUT_S = 150
STOP_TIMEOUT_S = 30


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie awaiting its parent."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def read_until(stream: asyncio.StreamReader, marker: str, seen: list[str]) -> None:
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("the demo ended before it was ready:\n" + "".join(seen))
        seen.append(line)
        if line.startswith(marker):
            return


async def get(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as resp:
        assert resp.status == 200, url
        return await resp.json()


async def test_demo_backfills_detects_a_live_change_and_stops_without_leftovers(tmp_path):
    env = clean_env()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "demo",
        "--port",
        "0",
        "--sites",
        "duckduckgo,grindr",
        "--check-interval",
        "2",
        "--workdir",
        str(tmp_path / "demo"),
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # our own SIGINT only, as a terminal's Ctrl-C would send it
    )
    seen: list[str] = []
    pids: dict[str, int] = {}
    try:
        await asyncio.wait_for(read_until(proc.stdout, "Demo ready: ", seen), READY_TIMEOUT_S)
        out = "".join(seen)
        api = re.search(r"^Demo ready: (http://127\.0\.0\.1:\d+)", out, re.M)[1]
        listed = re.search("^pids: .*", out, re.M)[0]
        pids.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", listed)})
        assert pids["demo"] == proc.pid and alive(pids["pywb"]) and alive(pids["serve"])
        assert "Open Terms Archive" in out  # the data is credited
        assert "Backfilling [" in out and "100%" in out  # the progress bar ran to the end

        async with aiohttp.ClientSession() as session:
            for site in ("duckduckgo.test", "grindr.test"):
                page = await get(session, f"{api}/api/v1/sites/{site}")
                assert page["state"] == "tracked"
                [doc] = page["documents"]
                assert doc["url"] == f"http://{site}/privacy" or doc["url"].startswith(
                    f"http://{site}:"
                )
                assert doc["versions"] > 1  # a history, recovered through the Wayback protocol
                assert any(c["origin"] == "backfill" for c in page["changes"])
            feed = await get(session, f"{api}/api/v1/changes?material=true&limit=500")
            live = [c for c in feed["changes"] if c["origin"] == "live"]
            assert [c["site"] for c in live] == ["duckduckgo.test"]
            assert live[0]["material"] and "third-party-sharing" in live[0]["categories"]
            detail = await get(session, f"{api}/api/v1/changes/{live[0]['id']}")
            added = [c["new"] for c in detail["comparison"]["changes"] if c["kind"] == "added"]
            assert any("We sell your personal information" in (text or "") for text in added)
            async with session.get(f"{api}{live[0]['url']}") as viewer:
                assert viewer.status == 200  # the viewer page the demo prints

            # After "Demo ready", the demo page's button publishes a material change the
            # server then finds: what a browser watching the site is notified of.
            assert re.search(r"^Extension: .*\n  chromium .*--host-resolver-rules=", out, re.M)
            where = re.search(r"^Live sites on ([\d.]+:\d+):", out, re.M)[1]
            control = f"http://{where}/_demo"
            assert re.search(r"^Publish: .*/_demo", out, re.M)
            async with session.get(control) as page:
                assert "Publish a material change to duckduckgo.test" in await page.text()
            form = {"site": "duckduckgo.test"}
            async with session.post(f"{control}/publish", data=form) as published:
                assert published.status == 200  # after the redirect back to the page
                assert "Location sharing" in await published.text()
            newer = await wait_for_live_change(
                session, api, "duckduckgo.test", timeout=60, after=feed["next"]
            )
            assert newer["id"] > live[0]["id"] and newer["material"]

        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
        rest = (await proc.stdout.read()).decode()
        errors = (await proc.stderr.read()).decode()
        assert code == 0, errors
        assert "Stopped." in rest and "Traceback" not in errors
        assert not alive(pids["pywb"]) and not alive(pids["serve"])
        # Their process groups too: nothing they started is left.
        for pid in (pids["pywb"], pids["serve"]):
            with pytest.raises(ProcessLookupError):
                os.killpg(pid, 0)
    finally:
        # Whatever failed above, leave nothing running behind the test.
        for pid in (proc.pid, pids.get("pywb"), pids.get("serve")):
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        if proc.returncode is None:
            await proc.wait()
