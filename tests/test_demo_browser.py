"""demo/browser.py: the Chromium command `make demo` prints (issue 25, item 11)."""

import shlex
from pathlib import Path

from demo.browser import chromium_command


def test_the_command_maps_every_demo_site_and_loads_the_extension():
    command = chromium_command(
        Path("/repo/extension"), ["bumble.test", "zoom.test"], "127.3.4.5", 80, Path("/tmp/p")
    )
    args = shlex.split(command)
    assert args[0] == "chromium"
    assert "--load-extension=/repo/extension" in args
    assert "--user-data-dir=/tmp/p" in args
    assert "--host-resolver-rules=MAP bumble.test 127.3.4.5, MAP zoom.test 127.3.4.5" in args
    assert args[-1] == "http://bumble.test/"


def test_a_fallback_port_is_in_the_site_url():
    command = chromium_command(Path("/e"), ["bumble.test"], "127.0.0.1", 8123, Path("/p"))
    assert shlex.split(command)[-1] == "http://bumble.test:8123/"


def test_as_root_the_sandbox_is_off_or_chromium_would_not_start():
    args = shlex.split(chromium_command(Path("/e"), ["a.test"], "127.0.0.1", 80, Path("/p"), True))
    assert "--no-sandbox" in args
    assert "--no-sandbox" not in chromium_command(
        Path("/e"), ["a.test"], "127.0.0.1", 80, Path("/p")
    )
