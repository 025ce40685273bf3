"""Diff: the clause alignment of two versions, with word-level edits inside each clause."""

from monitor.diff.align import diff_clauses
from monitor.diff.change import CHANGE_KINDS, ClauseChange, ClauseDiff, Regroup
from monitor.diff.words import word_ops

__all__ = ["CHANGE_KINDS", "ClauseChange", "ClauseDiff", "Regroup", "diff_clauses", "word_ops"]
