"""Real policy versions of the corpora under tests/data, extracted once per test run."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from monitor.extract import extract
from monitor.model import PolicyDocument

DATA = Path(__file__).parent / "data"


@cache
def policy_change(rel: str) -> PolicyDocument:
    """A version of tests/data/policy-changes (e.g. "wetransfer/2025-12-20T005635Z.md")."""
    return extract((DATA / "policy-changes" / rel).read_bytes(), "text/markdown", rel)


@cache
def policy_history(rel: str) -> PolicyDocument:
    """A version of tests/data/policy-histories (e.g. "snapchat/2024-01-22T124016Z.md")."""
    return extract((DATA / "policy-histories" / rel).read_bytes(), "text/markdown", rel)
