"""`clausewatch serve` as a real process, for the tests that need the whole service: one
command line and one clean environment instead of a copy in each test."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any CLAUSEWATCH_ setting (a developer's own must not reach
    a test's service), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSEWATCH_")}
    env.update(settings)
    return env


async def start_serve(
    db: Path, *args: str, port: int = 0, **kwargs: Any
) -> asyncio.subprocess.Process:
    """`clausewatch serve --port PORT --db DB ARGS...`, stdout and stderr piped; `kwargs` go
    to create_subprocess_exec (env, preexec_fn, cwd). The caller reads the first line,
    "Clausewatch serving on <url>", and stops the process."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from api.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--db",
        str(db),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        **kwargs,
    )
