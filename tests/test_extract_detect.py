import json

import pytest

from monitor.extract.decode import decode
from monitor.extract.detect import detect_format
from monitor.model import ExtractionError


@pytest.mark.parametrize(
    ("raw", "ctype", "url", "fmt"),
    [
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", None, None, "html"),
        (b"<p>a</p><p>b</p><div>c</div>", "application/octet-stream", None, "html"),
        (b"plain words", "text/html; charset=utf-8", None, "html"),
        (b"%PDF-1.4\n...", "text/html", None, "pdf"),
        (json.dumps({"content": {"rendered": "<p>x</p>"}}).encode(), None, None, "wordpress"),
        (
            json.dumps([{"content": {"rendered": "<p>x</p>"}}]).encode(),
            "text/html",
            None,
            "wordpress",
        ),
        (b"# Privacy\n\nText with **bold**.\n", None, None, "markdown"),
        (b"Privacy\n=======\n\n<p>inline html</p><p>x</p><div>y</div>\n", None, None, "markdown"),
        (b"Just some words.", "text/markdown", None, "markdown"),
        (b"Just some words.", None, "https://x.example/policy.md?v=1", "markdown"),
        (b"Just some words.\n\nAnd more.", "text/plain", None, "text"),
        (
            b"The following text is extracted and transformed from the a.com privacy policy",
            "text/html",
            None,
            "html",
        ),
        (
            b"The following text is extracted and transformed from the a.com privacy policy",
            None,
            None,
            "text",
        ),
    ],
)
def test_detect(raw, ctype, url, fmt):
    assert detect_format(raw, ctype, url) == fmt


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\x00\x01\x02\x03binary", "binary"),
        (b"PK\x03\x04zip", "ZIP"),
        (b"   \n\t ", "empty"),
        (b'{"items": []}', "JSON"),
        (b"[1, 2]", "JSON"),
        (b"whatever", "application/json"),
    ],
)
def test_refused(raw, message):
    ctype = "application/json" if message == "application/json" else None
    with pytest.raises(ExtractionError, match="JSON" if ctype else message):
        detect_format(raw, ctype)


def test_decode_charsets():
    assert decode("café".encode()) == "café"
    assert decode("café".encode("cp1252")) == "café"
    assert decode("café".encode("utf-16")) == "café"
    assert decode("caf\xe9 \u20ac".encode("cp1252"), "text/html; charset=iso-8859-1") == "café €"
    assert decode(b'<meta charset="koi8-r">' + "привет".encode("koi8-r")).endswith("привет")
