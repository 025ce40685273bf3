"""Backups of a live store: SQLite's online backup API, while `clausewatch serve` runs.

The copy is taken in one step under one read transaction, so it is one consistent moment of
the store; in WAL mode that transaction blocks no writer (the monitor keeps recording while a
backup runs). It is written beside the destination and renamed into place only after
`PRAGMA integrity_check` passed on it, so a failed or interrupted backup never leaves a file
that looks like a good one. Restoring is copying the file back while the service is stopped
(docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# What a backup reports it holds, so an operator can compare with the live store at a glance.
COUNTED = ("sites", "documents", "snapshots", "versions", "changes")


class BackupError(Exception):
    """A backup that could not be made; the message is one line for a person."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    counts: dict[str, int]

    def line(self) -> str:
        held = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        return f"Backed up to {self.path} ({self.bytes / 1e6:.1f} MB): {held}"


def backup(source: str | Path, dest: str | Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the store at `source` to `dest` (a new file unless `overwrite`)."""
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    if dest.exists() and not overwrite:
        raise BackupError(f"{dest}: already exists (pass --overwrite to replace it)")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent}: no such directory")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{source}: cannot open the database ({exc})") from None
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)  # pages=-1: the whole store under one read transaction
            out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            verdict = out.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{dest}: the copy failed its integrity check ({verdict})")
            counts = {t: out.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
        finally:
            out.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: backup failed ({exc})") from None
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, dest)
    return BackupReport(dest, dest.stat().st_size, counts)
