"""Inline Markdown to display text: links become their text, markers and escapes go.

Markdown captures (Open Terms Archive versions, html-to-markdown conversions) carry links,
emphasis and backslash escapes that are presentation; an HTML capture of the same policy
has none, and both must give the same clause text.
"""

from __future__ import annotations

import re

# Escaped punctuation is parked in the private-use area so emphasis rules cannot see it.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MARKUP = re.compile(r"[\\\[<`*_~]")
_PARK = 0xE000
_UNPARK = {_PARK + c: chr(c) for c in range(33, 127)}
# Every pattern below stops at the next delimiter of its kind, so a paragraph full of
# unmatched "*", "_" or "![" costs linear time, not quadratic.
_IMAGE = re.compile(r"!\[[^\]\[]*\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\)"
)
_REF_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"(`+)([^`]+)\1")
_STRONG = re.compile(r"\*\*|__|~~")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]*?)(?<=\S)\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])([^_]*?)(?<=\S)_(?![\w_])")


def _park(m: re.Match[str]) -> str:
    return chr(_PARK + ord(m[1]))


def markdown_inline(text: str) -> str:
    """Plain text of one Markdown block's inline content."""
    if not _MARKUP.search(text):
        return text
    if "\\" in text:
        text = _ESCAPE.sub(_park, text)
    if "[" in text:
        text = _IMAGE.sub("", text)
        for _ in range(3):  # links around links or images unwrap from the inside out
            new = _LINK.sub(r"\1", text)
            if new == text:
                break
            text = new
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _TAG.sub(" ", text)
    if "`" in text:
        text = _CODE.sub(r"\2", text)
    text = _STRONG.sub("", text)
    if "*" in text:
        text = _EM_STAR.sub(r"\1", text)
    if "_" in text:
        text = _EM_UNDERSCORE.sub(r"\1", text)
    return text.translate(_UNPARK)
