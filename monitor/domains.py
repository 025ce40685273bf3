"""Sites as DESIGN.md means them: registrable domains, from whatever a person typed.

The Public Suffix List comes from tldextract's bundled snapshot only: no download, no
cache on disk, so looking up a domain never touches the network or the file system.
"""

from __future__ import annotations

from functools import cache

import tldextract
from yarl import URL


class DomainError(ValueError):
    """Input that names no domain we could look up."""


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def public_suffix_parts(host: str) -> tldextract.tldextract.ExtractResult:
    """The Public Suffix List's reading of a host (subdomain, domain, suffix)."""
    return _extractor()(host)


def normalize_domain(text: str) -> str:
    """The ASCII (IDNA) host a person meant by ``text``: a domain, a host or a URL.

    "Bücher.de", "https://www.example.com/privacy" and "example.com." all work.
    """
    return split_site(text)[0]


def split_site(text: str) -> tuple[str, int | None]:
    """``normalize_domain`` plus the port, when one was written (``localhost:8080``)."""
    raw = text.strip()
    if not raw:
        raise DomainError("no domain given")
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parsed = URL(raw)
        host, port = parsed.host, parsed.explicit_port
    except (ValueError, TypeError) as exc:
        raise DomainError(f"{text!r} is not a domain ({exc})") from None
    if not host:
        raise DomainError(f"{text!r} is not a domain")
    host = host.rstrip(".").lower()
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise DomainError(f"{text!r} is not a domain") from None
    if not all(label and len(label) < 64 for label in ascii_host.split(".")):
        raise DomainError(f"{text!r} is not a domain")
    return ascii_host, port


def registrable_domain(host: str) -> str:
    """``legal.example.co.uk`` -> ``example.co.uk``; an IP or a bare name is its own.

    A name under a suffix the list does not know (``.test``, ``.internal``) is taken to
    be registered one label below it, as under most suffixes.
    """
    host = host.rstrip(".").lower()
    parts = public_suffix_parts(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    labels = host.split(".")
    if parts.suffix or len(labels) < 2 or host.replace(".", "").isdigit() or ":" in host:
        return host
    return ".".join(labels[-2:])


def same_site(host_a: str, host_b: str) -> bool:
    """Whether two hosts belong to one registrable domain (www., legal., help. ...)."""
    return registrable_domain(host_a) == registrable_domain(host_b)
