"""First DOCX templates of the model contracts of Order No. 391, read from their HTML templates.

The contracts are long legal texts; typing them a second time in Python would invite differences
between the PDF and the DOCX. So the builder walks the HTML template of the same form, language and
version, and turns each of its blocks into the Word equivalent. The HTML templates of the contracts
use only these blocks, one per line (anything else is an error, never silently dropped):

- ``{{ annex(form.annex) }}``: the annex block at the top right;
- ``<h1>title</h1>``;
- ``{{ contract.slot(value, "caption", before="...", after="...", width=N) }}``: a captioned blank
  on its own line (borderless table: text, blank, text; the caption under the blank);
- ``<p>``, ``<p class="section">`` (bold heading), ``<p class="note">``: paragraphs with text,
  ``{{ contract.inline(value, N) }}`` blanks and ``<br>``;
- ``{{ contract.parties(("label", name, "name caption", "signature caption"), (...)) }}``: the two
  signature blocks side by side.
"""
from __future__ import annotations

import ast
import html
import re
from functools import lru_cache
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from fontTools.ttLib import TTFont

from docxbuild import ALIGN, Builder, Value

ROOT = Path(__file__).resolve().parents[2]
INDENT_CM = 1.25          # first-line indent of the clauses, as the act prints them
TEXT_WIDTH_CM = 17.0      # A4 minus the 25 mm and 15 mm side margins
CELL_MARGIN_CM = 0.19     # Word's default left and right cell margins (108 twips)
BLOCK = re.compile(r"\{\{.*?\}\}|<h1>.*?</h1>|<p[^>]*>.*?</p>", re.S)
PARAGRAPH = re.compile(r'<p(?: class="(section|note)")?>(.*)</p>', re.S)
INLINE = re.compile(r"(\{\{.*?\}\}|<br>)", re.S)


def build(form_id: str, lang: str, version: str = "1") -> Builder:
    source = (ROOT / "templates" / lang / form_id / f"{version}.html").read_text(encoding="utf-8")
    body = source.split("{% block content %}", 1)[1].rsplit("{% endblock %}", 1)[0]
    b = Builder()
    last_was_table = False
    for match in BLOCK.finditer(body):
        block = match.group(0)
        is_table = block.startswith("{{ contract.")
        if is_table and last_was_table:
            _spacer(b)  # Word merges two adjacent tables into one
        if block == "{{ annex(form.annex) }}":
            b.annex()
        elif block.startswith("<h1>"):
            b.title(_text(block[4:-5]).strip())
        elif block.startswith("{{ contract.slot("):
            args, kwargs = _call(block, "contract.slot")
            _slot(b, *args, **kwargs)
        elif block.startswith("{{ contract.parties("):
            _parties(b, *_call(block, "contract.parties")[0])
        elif block.startswith("<p"):
            _paragraph(b, block)
        else:
            raise ValueError(f"{form_id}/{lang}: no DOCX equivalent for {block[:60]!r}")
        last_was_table = is_table
    _check_nothing_left(form_id, lang, BLOCK.sub("", body))
    return b


# --- reading the HTML template -------------------------------------------------------------------
def _call(block: str, name: str) -> tuple[list, dict]:
    """The arguments of a macro call: string literals as text, anything else as a Jinja expression
    (the call is read with Python's parser: Jinja's ``a|f`` parses as an expression there too)."""
    source = block[2:-2].strip()
    assert source.startswith(name + "("), block
    call_source = "f" + source[len(name):]
    tree = ast.parse(call_source, mode="eval").body

    def value(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple):
            return tuple(value(item) for item in node.elts)
        return Expr(ast.get_source_segment(call_source, node))

    return [value(a) for a in tree.args], {k.arg: value(k.value) for k in tree.keywords}


class Expr(str):
    """A Jinja expression taken from the template (printed as ``{{ expr|blank(n) }}``)."""


def _text(fragment: str) -> str:
    """Literal text: white space collapsed as HTML collapses it (edges kept), entities decoded."""
    if "<" in fragment or "{" in fragment:
        raise ValueError(f"markup left in text: {fragment!r}")
    return html.unescape(re.sub(r"\s+", " ", fragment))


def _check_nothing_left(form_id: str, lang: str, rest: str) -> None:
    rest = re.sub(r"\{%.*?%\}|\{#.*?#\}", "", rest, flags=re.S)
    if rest.strip():
        raise ValueError(f"{form_id}/{lang}: template text with no DOCX equivalent: {rest.strip()[:80]!r}")


# --- Word blocks ---------------------------------------------------------------------------------
def _paragraph(b: Builder, block: str) -> None:
    kind, inner = PARAGRAPH.fullmatch(block).groups()
    paragraph = b.doc.add_paragraph()
    paragraph.alignment = ALIGN["justify"]
    paragraph.paragraph_format.first_line_indent = Cm(INDENT_CM)
    paragraph.paragraph_format.space_after = Pt(3)
    if kind == "section":
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
    elif kind == "note":
        paragraph.paragraph_format.space_before = Pt(14)
    for part in INLINE.split(inner):
        if not part:
            continue
        if part == "<br>":
            paragraph.add_run().add_break()
        elif part.startswith("{{"):
            args, _ = _call(part, "contract.inline")
            run = paragraph.add_run(_blank(*args))
            run.underline = True
        else:
            run = paragraph.add_run(_text(part))
            run.bold = kind == "section"


def _blank(expr: Expr, width: int = 24) -> str:
    return "{{ %s|blank(%d) }}" % (expr, width)


def _slot(b: Builder, value: Expr, caption: str, before: str = "", after: str = "", width: int = 40) -> None:
    columns = [c for c in ("before" if before else None, "blank", "after" if after else None) if c]
    table = b.doc.add_table(rows=2, cols=len(columns))
    _indent(table, INDENT_CM)
    widths = {"before": _width(before), "after": _width(after)}
    widths["blank"] = TEXT_WIDTH_CM - INDENT_CM - sum(widths[c] for c in columns if c != "blank")
    _grid(table, [widths[c] for c in columns])
    for index, column in enumerate(columns):
        top, bottom = table.cell(0, index), table.cell(1, index)
        top.width = bottom.width = Cm(widths[column])
        paragraph = top.paragraphs[0]
        if column == "blank":
            paragraph.add_run(_blank(value, width)).underline = True
            caption_paragraph = bottom.paragraphs[0]
            caption_paragraph.alignment = ALIGN["center"]
            caption_paragraph.add_run(caption).font.size = Pt(9)
        else:
            paragraph.add_run(before if column == "before" else after)
            paragraph.alignment = ALIGN["right" if column == "before" else "left"]


@lru_cache(maxsize=1)
def _advances() -> tuple[dict, int]:
    font = TTFont(str(ROOT / "forms" / "assets" / "fonts" / "LiberationSerif-Regular.ttf"))
    metrics, cmap = font["hmtx"].metrics, font.getBestCmap()
    return {code: metrics[glyph][0] for code, glyph in cmap.items()}, font["head"].unitsPerEm


def _width(text: str) -> float:
    """Width of a text cell: the text at 12 pt in the bundled font, plus Word's cell margins."""
    if not text:
        return 0.0
    advances, units = _advances()
    points = sum(advances.get(ord(ch), units // 2) for ch in text) / units * 12
    return round(points / 72 * 2.54 + 2 * CELL_MARGIN_CM + 0.15, 2)


def _parties(b: Builder, left: tuple, right: tuple) -> None:
    table = b.doc.add_table(rows=1, cols=2)
    _grid(table, [TEXT_WIDTH_CM / 2] * 2)
    for cell, (label, name, name_caption, sign_caption) in zip(table.rows[0].cells, (left, right)):
        cell.width = Cm(TEXT_WIDTH_CM / 2)
        label_paragraph = cell.paragraphs[0]
        label_paragraph.add_run(label)
        label_paragraph.paragraph_format.space_after = Pt(8)
        b.para(Value(_blank(name, 34)), align="left", space_after=0, container=cell)
        b.caption(name_caption, container=cell)
        sign = b.para(Value(_blank(Expr("none"), 18)), align="left", space_after=0, container=cell)
        sign.paragraph_format.space_before = Pt(10)
        # centred under the 18 underscores of the signature blank
        b.caption(sign_caption, align="left", container=cell, indent_cm=1.4)
    _keep_together(table)


def _grid(table, widths_cm: list[float]) -> None:
    """Fixed column widths, in the table grid too: LibreOffice lays tables out from it, Word from
    the cells."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm):
        column.w = Cm(width)


def _indent(table, cm: float) -> None:
    properties = table._tbl.tblPr
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(round(cm * 567)))
    indent.set(qn("w:type"), "dxa")
    properties.append(indent)


def _keep_together(table) -> None:
    for row in table.rows:
        properties = row._tr.get_or_add_trPr()
        element = OxmlElement("w:cantSplit")
        element.set(qn("w:val"), "true")
        properties.append(element)


def _spacer(b: Builder) -> None:
    paragraph = b.doc.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.add_run("").font.size = Pt(2)
