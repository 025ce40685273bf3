"""A real pywb on 127.0.0.1, serving WARC files at the Internet Archive's paths.

pywb lives in its own venv (it pins old redis/fakeredis): `make pywb` creates it;
CLAUSEWATCH_PYWB_BIN may point at another bin/ directory holding `wb-manager` and `wayback`.
Collections named `web` and `cdx` plus `cdx_api_endpoint: /search/cdx` give IA's exact paths:
`{base}/web/{timestamp}id_/{url}` and `{base}/cdx/search/cdx`.

pywb runs in a process group of its own: a Ctrl-C in the terminal reaches only whoever
started it (the demo, a test), which then stops it in order, and stopping it kills the
whole group so nothing it spawned outlives it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STOP_TIMEOUT_S = 10


def pywb_bin() -> Path | None:
    candidates = [os.environ.get("CLAUSEWATCH_PYWB_BIN"), str(REPO / ".venv-pywb" / "bin")]
    for c in candidates:
        if c and (Path(c) / "wayback").exists() and (Path(c) / "wb-manager").exists():
            return Path(c)
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def stop_group(process: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM the process's group, then SIGKILL it if it has not gone within `timeout`."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    # The leader gone or stuck: nothing of its group may outlive it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


class Pywb:
    """`with Pywb(workdir, warcs) as base_url:` - pywb indexing `warcs`, until the block ends."""

    def __init__(self, workdir: Path, warcs: list[Path], bin_dir: Path | None = None):
        self.workdir, self.warcs = workdir, warcs
        self.bin = bin_dir or pywb_bin()
        if self.bin is None:
            raise RuntimeError("pywb not found: run `make pywb` or set CLAUSEWATCH_PYWB_BIN")
        self.process: subprocess.Popen | None = None
        self._drain: threading.Thread | None = None

    def _manager(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / "wb-manager"), *args],
            cwd=self.workdir,
            check=True,
            capture_output=True,
        )

    def __enter__(self) -> str:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "config.yaml").write_text("cdx_api_endpoint: /search/cdx\n")
        for collection in ("web", "cdx"):
            self._manager("init", collection)
            self._manager("add", collection, *map(str, self.warcs))
        port = free_port()
        self.process = subprocess.Popen(
            [str(self.bin / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        # Wait for pywb's own "Starting ... Server on PORT" line: no polling, no sleeping.
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if "Starting" in line and str(port) in line:
                break
        else:
            raise RuntimeError(f"pywb exited ({self.process.wait()}) before it served")
        # Keep draining its log so a full pipe never blocks it.
        self._drain = threading.Thread(target=self.process.stderr.read, daemon=True)
        self._drain.start()
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_group(self.process)
            if self._drain is not None:
                self._drain.join(timeout=STOP_TIMEOUT_S)
