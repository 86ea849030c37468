"""Authoring aid for the DOCX templates (docxtpl) of the forms.

The committed ``templates/<lang>/<form>/<version>.docx`` files are the templates; legal staff edit
them in Word or LibreOffice afterwards. These builders only make the first version of each, so that
all DOCX templates share one layout: A4, Times New Roman 12 pt, the annex block at the top right,
captions in 9 pt under their blanks, tables with repeated heading rows and rows that never split.

Text passed to the builder is literal; ``{{ ... }}`` and ``{% ... %}`` parts are docxtpl/Jinja tags.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
FONT = "Times New Roman"


class Value(str):
    """A template expression printed underlined, like a filled blank: Value("{{ x|blank(20) }}")."""


class Builder:
    def __init__(self, landscape: bool = False, size: int = 12):
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(25), Mm(15)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
            section.top_margin = section.bottom_margin = Mm(15)
            section.left_margin, section.right_margin = Mm(15), Mm(10)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(size)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        # The body starts empty: python-docx's default document has no paragraphs, keep it so.

    # --- paragraphs ---------------------------------------------------------------------------
    def para(self, *parts: str, align: str = "justify", size: float | None = None, bold: bool = False,
             indent_cm: float | None = None, space_after: float = 4, container=None):
        container = container or self.doc
        paragraph = container.add_paragraph()
        paragraph.alignment = ALIGN[align]
        paragraph.paragraph_format.space_after = Pt(space_after)
        if indent_cm is not None:
            paragraph.paragraph_format.left_indent = Cm(indent_cm)
        for part in parts:
            run = paragraph.add_run(part)
            run.bold = bold
            if isinstance(part, Value):
                run.underline = True
            if size:
                run.font.size = Pt(size)
        return paragraph

    def tag(self, text: str, container=None):
        """A paragraph holding only a docxtpl paragraph tag such as ``{%p for m in members %}``."""
        return self.para(text, align="left", space_after=0, container=container)

    def title(self, text: str):
        return self.para(text, align="center", bold=True, space_after=8)

    def caption(self, text: str, align: str = "center", container=None, indent_cm: float | None = None):
        return self.para(text, align=align, size=9, space_after=4, container=container, indent_cm=indent_cm)

    def fill(self, expr: str, caption: str | None = None, align: str = "left", container=None,
             indent_cm: float | None = None, prefix: str = ""):
        """A blank: the value (underlined) on its line, the caption in small type under it."""
        parts = [prefix] if prefix else []
        self.para(*parts, Value(expr), align=align, space_after=0 if caption else 4, container=container,
                  indent_cm=indent_cm)
        if caption:
            self.caption(caption, container=container, indent_cm=indent_cm)

    # --- the annex reference block ------------------------------------------------------------
    def annex(self, indent_cm: float = 9.5):
        """The annex block from the spec (``form.annex``), one line per item, at the top right."""
        self.tag("{%p for line in form.annex %}")
        self.para("{{ line }}", align="left", indent_cm=indent_cm, space_after=0, size=11)
        self.tag("{%p endfor %}")
        self.para("", space_after=6)

    # --- tables -------------------------------------------------------------------------------
    def grid(self, headers: list[str], cells: list[str], loop: str, widths_cm: list[float] | None = None,
             numbers: bool = True, size: float = 10, header_rows: list[list[tuple[str, int]]] | None = None):
        """A table of any length: heading rows and the column-number row repeat on every page,
        one row per item of ``loop`` (e.g. ``row in rows``), rows never split across pages.

        ``header_rows``: optional extra heading rows above ``headers``, as (text, span) cells.
        """
        columns = len(headers)
        extra = header_rows or []
        table = self.doc.add_table(rows=len(extra) + 1 + (1 if numbers else 0) + 3, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        row_index = 0
        for spec in extra:
            col = 0
            for text, span in spec:
                cell = table.cell(row_index, col)
                if span > 1:
                    cell = cell.merge(table.cell(row_index, col + span - 1))
                _cell_text(cell, text, size, "center")
                col += span
            _repeat_header(table.rows[row_index])
            row_index += 1
        for col, text in enumerate(headers):
            _cell_text(table.cell(row_index, col), text, size, "center")
        _repeat_header(table.rows[row_index])
        row_index += 1
        if numbers:
            for col in range(columns):
                _cell_text(table.cell(row_index, col), str(col + 1), size - 1, "center")
            _repeat_header(table.rows[row_index])
            row_index += 1
        _cell_text(table.cell(row_index, 0), "{%tr for " + loop + " %}", size, "left")
        for col, expr in enumerate(cells):
            _cell_text(table.cell(row_index + 1, col), expr, size, "left")
        _no_split(table.rows[row_index + 1])
        _cell_text(table.cell(row_index + 2, 0), "{%tr endfor %}", size, "left")
        if widths_cm:
            for row in table.rows:
                for col, width in enumerate(widths_cm):
                    row.cells[col].width = Cm(width)
        return table

    def signatures(self, left: list, right: list, size: float = 12):
        """Two columns without borders (the parties' blocks); items are strings, Value()s, or
        ("caption", text) pairs."""
        table = self.doc.add_table(rows=1, cols=2)
        for cell, items in zip(table.rows[0].cells, (left, right)):
            cell.paragraphs[0].text = ""
            first = True
            for item in items:
                if isinstance(item, tuple):
                    paragraph = cell.add_paragraph() if not first else cell.paragraphs[0]
                    run = paragraph.add_run(item[1])
                    run.font.size = Pt(9)
                    paragraph.alignment = ALIGN["center"]
                else:
                    paragraph = cell.add_paragraph() if not first else cell.paragraphs[0]
                    run = paragraph.add_run(item)
                    run.underline = isinstance(item, Value)
                    run.font.size = Pt(size)
                first = False
        return table

    def save(self, path: Path | str) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.core_properties.author = "Nysan"
        self.doc.save(str(path))


def _cell_text(cell, text: str, size: float, align: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    paragraph.alignment = ALIGN[align]


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)
    _no_split(row)


def _no_split(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    properties.append(element)
