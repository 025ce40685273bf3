"""How a person reaches the demo with the extension: a Debian Chromium command line.

The demo's sites (`bumble.test`, ...) exist only on a loopback address that changes from
run to run, so a browser reaches them only when told where they are: Chromium's
`--host-resolver-rules` maps each name there, `--load-extension` loads the unpacked
extension, and a fresh `--user-data-dir` gives it a first run (its onboarding page, where
the person pastes the demo server's URL).
"""

from __future__ import annotations

import shlex
from pathlib import Path


def chromium_command(
    extension: Path,
    hosts: list[str],
    address: str,
    port: int,
    profile: Path,
    as_root: bool = False,
) -> str:
    """The shell command that opens the first demo site in Chromium with the extension."""
    rules = ", ".join(f"MAP {host} {address}" for host in hosts)
    suffix = "" if port == 80 else f":{port}"
    args = [
        "chromium",
        # Chromium refuses to start as root with its sandbox (a container's shell).
        *(["--no-sandbox"] if as_root else []),
        f"--user-data-dir={profile}",
        f"--load-extension={extension}",
        f"--host-resolver-rules={rules}",
        "--no-first-run",
        f"http://{hosts[0]}{suffix}/",
    ]
    return shlex.join(args)
