"""PDF: the Digi seed policy typeset as a PDF (at test time, with fpdf2) reads back as the page.

The PDF carries what real policy PDFs carry: a running header, "Page N of M" footers,
paragraphs wrapped across lines and pages, bold sub-headings at body size, and a word
hyphenated at a line end.
"""

import io
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from monitor.extract import extract
from monitor.model import ExtractionError

SEED = Path(__file__).parent / "data" / "seeds" / "digi-privacy.html"
RUNNING_HEADER = "Digi International Inc. - Privacy Policy"
# The PDF core fonts are Latin-1: typographic quotes and dashes become ASCII ones, which
# the comparison key treats as the same.
ASCII = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})


class _PolicyPdf(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, RUNNING_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def typeset(page) -> bytes:
    """The clauses of ``page`` as a PDF: styles by kind and heading depth."""
    pdf = _PolicyPdf()
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()

    def write(text: str, style: str, size: int, height: float, indent: float = 0) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, height, text.translate(ASCII), new_x="LMARGIN", new_y="NEXT")

    for clause in page.clauses:
        if clause.kind == "heading":
            size = {1: 16, 2: 13}.get(len(clause.section), 10)
            pdf.ln(2)
            write(clause.text, "B", size, size * 0.5)
        elif clause.kind == "list-item":
            write("- " + clause.text, "", 10, 5, indent=4)
        else:
            write(clause.text, "", 10, 5)
            pdf.ln(2)
    write("Last Modified: May 9, 2018", "", 10, 5)
    pdf.ln(2)
    # A word the typesetter hyphenated at the end of a line.
    write(
        "We retain the information we collect for as long as the law requires a record of the infor-",
        "",
        10,
        5,
    )
    write("mation, and no longer.", "", 10, 5)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def pair():
    page = extract(SEED.read_bytes(), "text/html")
    raw = typeset(page)
    return extract(raw, "application/pdf"), page, raw


def test_is_a_multi_page_pdf(pair):
    _, _, raw = pair
    assert raw.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(raw)).pages) >= 3


def test_headings_and_sections_as_on_the_page(pair):
    pdf, page, _ = pair
    assert pdf.format == "pdf"
    assert [(h.section, h.key) for h in pdf.headings] == [(h.section, h.key) for h in page.headings]


def test_running_header_footer_and_page_numbers_dropped(pair):
    pdf, _, _ = pair
    joined = "\n".join(c.text for c in pdf.clauses)
    assert RUNNING_HEADER not in joined
    assert "Page 1 of" not in joined and "Page 2 of" not in joined


def test_paragraphs_and_items_rebuilt_across_lines_and_pages(pair):
    pdf, page, _ = pair
    found = [(c.kind, c.key) for c in pdf.body]
    assert [(c.kind, c.key) for c in page.body] == found[:-1]
    assert pdf.effective_date == date(2018, 5, 9)


def test_hyphenated_line_end_rejoined(pair):
    pdf, _, _ = pair
    assert pdf.clauses[-1].text == (
        "We retain the information we collect for as long as the law requires a record of "
        "the information, and no longer."
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"%PDF-1.4\n%%EOF",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF",
        b"%PDF-" + bytes(range(256)),
    ],
)
def test_broken_pdfs_are_one_clear_error(raw):
    with pytest.raises(ExtractionError, match=r"PDF|no policy text"):
        extract(raw)


def test_pdf_without_text_layer_has_no_policy_text():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    with pytest.raises(ExtractionError, match="no policy text"):
        extract(bytes(pdf.output()))
