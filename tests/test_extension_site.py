"""The extension names the same site as the server for every kind of host.

The badge looks a site up by the hash of its registrable domain: if extension/lib/site.js
and monitor.domains disagree about a host, the lookup misses. The hosts are built from
every ICANN rule, wildcard and exception of the Public Suffix List snapshot the server
uses, so a tldextract upgrade that changes the list fails here until
extension-tools/make_psl.py is run again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import tldextract

from monitor.domains import registrable_domain

ROOT = Path(__file__).resolve().parents[1]
SITE_JS = ROOT / "extension" / "lib" / "site.js"

NAME = "zq9example"  # a label no suffix rule uses
NODE = shutil.which("node")
if NODE is None and not os.environ.get("CI"):
    pytest.skip("node is not installed", allow_module_level=True)

SITE_OF = """
const { siteOf } = await import(process.argv[1]);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const hosts = JSON.parse(input);
process.stdout.write(JSON.stringify(hosts.map((h) => siteOf(`https://${h}/`))));
"""


def hosts_from_server_psl() -> list[str]:
    """Hosts under every ICANN rule of the snapshot the server uses (tldextract's)."""
    text = (Path(tldextract.__file__).parent / ".tld_set_snapshot").read_text(encoding="utf-8")
    icann = text.split("// ===BEGIN ICANN DOMAINS===")[1].split("// ===END ICANN DOMAINS===")[0]
    hosts = ["www.example.com", "a.b.example.co.uk", "someone.github.io", "www.shop.test"]
    for line in icann.splitlines():
        rule = line.strip().split(" ")[0].lower()
        if not rule or rule.startswith("//"):
            continue
        if rule.startswith("!"):
            hosts += [rule[1:], f"a.{rule[1:]}"]
        elif rule.startswith("*."):
            hosts += [f"{NAME}.any.{rule[2:]}", f"www.{NAME}.any.{rule[2:]}"]
        else:
            hosts += [f"{NAME}.{rule}", f"www.{NAME}.{rule}"]
    # Hosts reach both sides in ASCII (the URL parser, monitor.domains.normalize_domain).
    return [host.encode("idna").decode("ascii") for host in hosts]


def test_extension_and_server_agree_on_every_psl_rule():
    hosts = hosts_from_server_psl()
    assert len(hosts) > 10_000
    out = subprocess.run(
        [NODE or "node", "--input-type=module", "-e", SITE_OF, SITE_JS.as_uri()],
        input=json.dumps(hosts),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    extension = json.loads(out.stdout)
    disagree = [
        (host, mine, registrable_domain(host))
        for host, mine in zip(hosts, extension, strict=True)
        if mine != registrable_domain(host)
    ]
    assert disagree == []
