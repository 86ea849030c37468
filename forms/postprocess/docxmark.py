"""The mark on a DOCX: the first page's own footer (never the body) holds a one-row table, the QR
code as a PNG picture on the left, the explanation and the URL on the right.

A DOCX has no fixed pages, so "the bottom margin of the first page" is the first section's
first-page footer (``w:titlePg``): later pages keep their footers as they were. The package is
saved with fixed ZIP timestamps, as every DOCX Nysan writes.
"""
from __future__ import annotations

import io

import docx
import segno
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.shared import Mm, Pt

from forms.rendering.docx import save_reproducibly

PICTURE = Mm(14)  # the code with a two-module quiet zone: modules of about 0.38 mm
FOOTER_DISTANCE = Mm(5)  # the footer's lower edge above the page's, so the mark fits a 20 mm margin
FONT_SIZE = Pt(7)


def qr_png(code: segno.QRCode) -> bytes:
    """The code as a PNG: black modules of 10 pixels, a two-module white border; segno writes no
    timestamp, so the bytes depend on the code alone."""
    out = io.BytesIO()
    code.save(out, kind="png", scale=10, border=2)
    return out.getvalue()


def add_mark(document: bytes, code: segno.QRCode, url: str, line: str) -> bytes:
    package = docx.Document(io.BytesIO(document))
    section = package.sections[0]
    section.different_first_page_header_footer = True
    section.footer_distance = FOOTER_DISTANCE
    footer = section.first_page_footer
    footer.is_linked_to_previous = False
    text_width = section.page_width - section.left_margin - section.right_margin - PICTURE - Mm(4)
    table = footer.add_table(rows=1, cols=2, width=PICTURE + Mm(4) + text_width)
    picture_cell, text_cell = table.rows[0].cells
    for column, cell, width in zip(table.columns, (picture_cell, text_cell), (PICTURE + Mm(4), text_width)):
        column.width = cell.width = width  # the grid (LibreOffice) and the cells (Word)
    picture_cell.paragraphs[0].add_run().add_picture(io.BytesIO(qr_png(code)), width=PICTURE)
    text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    first = text_cell.paragraphs[0]
    for paragraph, text in ((first, line), (text_cell.add_paragraph(), url)):
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(text).font.size = FONT_SIZE
    # A footer ends with a paragraph (as a table cell does): the one it came with, after the table
    # and made as small as a paragraph can be.
    closing = footer.paragraphs[0]
    closing._p.addprevious(table._tbl)
    closing.paragraph_format.space_before = closing.paragraph_format.space_after = Pt(0)
    closing.paragraph_format.line_spacing = Pt(1)
    out = io.BytesIO()
    save_reproducibly(package.part.package, out)
    return out.getvalue()
