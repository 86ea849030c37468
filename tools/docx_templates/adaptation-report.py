"""First DOCX template of `adaptation-report` v1 (kk and ru): 27 columns on A4 landscape.

The 25 service columns are made from code list adaptation-services v1, in its order, with the list's
wording except where the form prints its own (``PRINTED``); the cells read ``row.services.sNN``
for the item with code n. The headings are rotated (bottom to top) and repeat on every page, with
the column-number row, as in the HTML template.
"""
from pathlib import Path

import yaml
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docxbuild import Builder

ROOT = Path(__file__).resolve().parents[2]
CODELIST = ROOT / "schemas" / "_codelists" / "adaptation-services" / "1.yaml"

TEXT = {
    "kk": {
        "title": "Бейімдеу және ықпалдастыру жоспарының іс-шаралары бойынша орындалған жұмыстар туралы ақпарат",
        "iin": "Қандастар мен олардың отбасы мүшелерінің жеке сәйкестендіру нөмірі",
    },
    "ru": {
        "title": "Информация о выполненных работах по мероприятиям плана адаптации и интеграции",
        "iin": "Индивидуальный идентификационный номер кандасов и членов их семей",
    },
}

# The form's headings that differ from the list's wording (see the spec's notes).
PRINTED = {
    "kk": {
        "4": "Тұрғын үй сатып алуға және/немесе салуға экономикалық мобильділік сертификаты бойынша қаражат алу "
             "үшін қоныстандыру өңірінде тұрғын үй іздеу, іріктеу",
        "11": "Алғашқы медициналық-санитариялық көмек көрсететін медициналық ұйымға тіркелу",
        "20": "Қазақстан Республикасының тілдерін, тарихын, мәдениеті мен дәстүрлерін, заңнама негіздерін оқыту "
              "курстарына бекіту",
    },
    "ru": {
        "4": "Поиск, подбор жилья в регионе расселения для получения средств по сертификату экономической "
             "мобильности на приобретение и/или строительство жилья",
        "20": "Прикрепление к курсам обучения языкам, истории, культуре и традициям Республики Казахстан, "
              "основам законодательства",
    },
}

SIZE = 6                     # pt, as in the PDF: a full date fits a service column on one line
HEADING_HEIGHT_MM = 46
WIDTHS_MM = [5, 13.6] + [10.3] * 25


def services() -> list[dict]:
    return yaml.safe_load(CODELIST.read_text(encoding="utf-8"))["items"]


def build(lang: str) -> Builder:
    t = TEXT[lang]
    items = services()
    b = Builder(landscape=True)
    section = b.doc.sections[0]
    section.left_margin = section.right_margin = Mm(10)
    section.top_margin = section.bottom_margin = Mm(12)
    b.annex(indent_cm=15.2)
    b.title(t["title"])
    headers = ["№", t["iin"]] + [PRINTED[lang].get(item["code"], item[lang]) for item in items]
    cells = ["{{ loop.index }}", "{{ row.iin }}"] + [
        "{{ row.services.s%02d or '' }}" % int(item["code"]) for item in items]
    table = b.grid(headers, cells, "row in rows", widths_cm=[w / 10 for w in WIDTHS_MM], size=SIZE)
    _narrow_margins(table)
    _grid_widths(table, WIDTHS_MM)
    heading = table.rows[0]
    heading.height = Mm(HEADING_HEIGHT_MM)
    heading.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    for index, cell in enumerate(heading.cells):
        if index:
            _rotate(cell)  # before vAlign: WordprocessingML fixes the order of a cell's properties
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        # Exact 6.6 pt lines (as the PDF's line-height 1.1): four lines of the longest heading fit a column.
        cell.paragraphs[0].paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        cell.paragraphs[0].paragraph_format.line_spacing = Pt(SIZE * 1.1)
    for row in table.rows[1:]:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for paragraph in cell.paragraphs:
                paragraph.alignment = 1  # centre, like the PDF
                for run in paragraph.runs:
                    run.font.size = Pt(SIZE)
    return b


def _rotate(cell) -> None:
    """Text read from bottom to top, as the PDF's rotated headings."""
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "btLr")
    cell._tc.get_or_add_tcPr().append(direction)


def _grid_widths(table, widths_mm: list[float]) -> None:
    """The table grid's column widths (Word lays out a fixed table by them, not by the cells')."""
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        column.set(qn("w:w"), str(round(Mm(width).twips)))
    total = table._tbl.tblPr.find(qn("w:tblW"))
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(round(Mm(sum(widths_mm)).twips)))


def _narrow_margins(table) -> None:
    """Cell margins of 0.25 mm (Word's default is 1.9 mm, wider than the text of a 10 mm column)."""
    table.autofit = False  # fixed layout: the column widths hold whatever the cells contain
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "14")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)  # tblCellMar comes before tblLook
    else:
        table._tbl.tblPr.append(margins)
