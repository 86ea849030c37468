"""What a user would read: the text of a PDF (pypdf) and of a DOCX (python-docx), normalised."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from support.tools import require


def normalise(text: str) -> str:
    """NFC, one space for any run of white space, no blank underscores."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = re.sub(r"_{2,}", " ", text)
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return normalise("\n".join(pdf_pages(data)))


def pdftotext(data: bytes) -> str:
    """The text as poppler's pdftotext reads it (the test stops where poppler is not installed)."""
    result = subprocess.run(
        [require("pdftotext", "poppler-utils"), "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return normalise(result.stdout.decode("utf-8"))


def docx_blocks(data: bytes) -> list[str]:
    """Paragraphs and table cells in document order (tables row by row)."""
    document = docx.Document(io.BytesIO(data))
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # merged cells repeat
                        seen.add(id(cell._tc))
                        blocks.append(cell.text)
    return blocks


def docx_text(data: bytes) -> str:
    return normalise("\n".join(docx_blocks(data)))


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def words(text: str) -> list[str]:
    """Words for comparing PDF and DOCX: letters and digits only, lower case."""
    return re.findall(r"[^\W_]+", normalise(text).lower())
