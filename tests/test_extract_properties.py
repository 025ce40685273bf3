"""Properties: whatever the bytes, extraction returns a document or one ExtractionError,
and the same bytes always give the same document."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.extract import extract
from monitor.model import ExtractionError, PolicyDocument

CONTENT_TYPES = st.sampled_from(
    [
        None,
        "text/html",
        "text/html; charset=iso-8859-1",
        "text/plain",
        "text/markdown",
        "application/json",
        "application/pdf",
        "application/octet-stream",
        "text/html; charset=bogus",
    ]
)
TAGS = [
    "p",
    "div",
    "h1",
    "h2",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "th",
    "strong",
    "b",
    "em",
    "a",
    "br",
    "nav",
    "footer",
    "header",
    "article",
    "main",
    "section",
    "span",
    "script",
    "style",
    "button",
    "form",
    "aside",
    "details",
    "summary",
    "pre",
    "tbody",
]
ATTRS = st.sampled_from(
    [
        "",
        ' class="menu"',
        ' id="how_we_share"',
        ' class="cookie-banner"',
        ' role="navigation"',
        ' href="#top"',
        ' aria-expanded="true"',
        ' class="breadcrumb"',
        ' id="onetrust-consent-sdk"',
    ]
)
WORDS = st.text(
    alphabet=st.sampled_from(list("abc XYZ.,:;*#-|_[]()!\n\t&<>é®Â€™\u00a0\u00ad0123456789")),
    max_size=40,
)


@st.composite
def html_documents(draw):
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(st.sampled_from(TAGS))
        kind = draw(st.integers(0, 2))
        if kind == 0:
            parts.append(f"<{tag}{draw(ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(WORDS))
    return ("<!DOCTYPE html><html><body>" + "".join(parts)).encode()


@st.composite
def markdown_documents(draw):
    pieces = st.sampled_from(
        [
            "# ",
            "## ",
            "\n",
            "\n\n",
            "* ",
            "1. ",
            "    * ",
            "**",
            "| a | b |\n",
            "|---|---|\n",
            "===\n",
            "---\n",
            "[x](http://a)",
            "[](#y)",
            "> ",
            "```\n",
            "\\*",
            "Last updated: May 1, 2020\n",
        ]
    )
    return "".join(draw(st.lists(st.one_of(pieces, WORDS), max_size=40))).encode()


def outcome(raw: bytes, content_type: str | None):
    try:
        doc = extract(raw, content_type)
    except ExtractionError as exc:
        assert str(exc) and "\n" not in str(exc)
        return ("error", str(exc))
    assert isinstance(doc, PolicyDocument)
    assert doc.body and all(c.text.strip() == c.text and c.text for c in doc.clauses)
    return ("doc", doc.to_dict())


def check(raw: bytes, content_type: str | None) -> None:
    assert outcome(raw, content_type) == outcome(raw, content_type)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.binary(max_size=2000), CONTENT_TYPES)
def test_arbitrary_bytes(raw, content_type):
    check(raw, content_type)


@PROPERTY
@given(html_documents(), CONTENT_TYPES)
def test_arbitrary_html(raw, content_type):
    check(raw, content_type)


@PROPERTY
@given(markdown_documents(), CONTENT_TYPES)
def test_arbitrary_markdown(raw, content_type):
    check(raw, content_type)


@PROPERTY
@given(st.binary(max_size=1500))
def test_arbitrary_pdf_like(raw):
    check(b"%PDF-1.4\n" + raw, None)


@PROPERTY
@given(html_documents(), st.one_of(st.none(), WORDS), st.one_of(st.none(), st.text(max_size=30)))
def test_arbitrary_wordpress(html, title, modified):
    raw = json.dumps(
        {"content": {"rendered": html.decode()}, "title": {"rendered": title}, "modified": modified}
    ).encode()
    check(raw, "application/json")


@PROPERTY
@given(st.text(max_size=2000))
def test_arbitrary_text(text):
    check(text.encode("utf-8", "surrogatepass"), "text/plain")
