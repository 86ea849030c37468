"""The referral journal in Typst markup, for Typst as a peer (``typst`` from PyPI, the Rust compiler
in-process): the same text as Nysan's HTML (annex, title, headings, every row's cells, the dates
read from that HTML), A4 with the form's margins, the bundled Liberation Serif only, the same
column widths and text sizes, the heading rows repeated on every page.

The markup is built before timing, as Chromium gets Nysan's HTML ready-made.
"""

from __future__ import annotations

import re

import lxml.html

from forms.catalogue.locations import ASSETS_DIR

FONTS = str(ASSETS_DIR / "fonts")
# CSS line boxes: each line 1.25 em, Liberation Serif's hhea ascent (0.891 em) and descent (0.216 em)
# with half the leading above and below, as WeasyPrint (and so Nysan) stacks lines.
_HALF_LEADING = (1.25 - (0.891 + 0.216)) / 2

PREAMBLE = f"""#set page(paper: "a4", margin: (top: 20mm, right: 15mm, bottom: 20mm, left: 25mm))
#set text(font: "Liberation Serif", size: 12pt, lang: "kk", top-edge: {0.891 + _HALF_LEADING:.4f}em,
          bottom-edge: {-(0.216 + _HALF_LEADING):.4f}em)
#set par(leading: 0pt, spacing: 0pt)
"""


def _string(text: str) -> str:
    """A Typst string literal (data never becomes markup)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: a no-break space stays


def _text(element) -> str:
    return _SPACES.sub(" ", element.text_content()).strip(" ")


def _cell(element) -> str:
    """A table cell's content as a Typst expression: text as strings, a ``white-space: nowrap``
    span as an unbreakable box, as in the HTML."""
    parts = [element.text or ""]
    for child in element:
        parts.append(("box", _text(child)) if "nw" in (child.get("class") or "") else _text(child))
        parts.append(child.tail or "")
    out = []
    for part in parts:
        if isinstance(part, tuple):
            out.append(f"box({_string(part[1])})")
        elif _SPACES.sub(" ", part).strip(" ") or (part and out):
            out.append(_string(_SPACES.sub(" ", part)))
    return " + ".join(out) or '""'


def journal_markup(html: str) -> str:
    """Typst markup of Nysan's HTML of a referral journal."""
    root = lxml.html.document_fromstring(html)
    annex = [_text(div) for div in root.find_class("annex")[0]]
    title = _text(root.find(".//h1"))
    table = root.find_class("journal")[0]
    widths = [col.get("style").split(":")[1].strip() for col in table.iter("col")]
    # The heading's rows: the column titles, and in older templates a row of column numbers.
    heading, *numbers = [[_text(cell) for cell in row] for row in table.find("thead")]
    rows = [[_cell(cell) for cell in row] for row in table.find("tbody")]
    dates = [_text(p) for p in root.find_class("journal-dates")[0]]
    cells = []
    for row in rows:
        cells.append(", ".join([f"table.cell(align: center, {row[0]})", *row[1:]]))
    out = [PREAMBLE]
    out.append(
        "#pad(left: 55%, bottom: 6mm, text(size: 11pt)[" + " \\ ".join(f"#{_string(line)}" for line in annex) + "])"
    )
    out.append(f'#align(center, pad(top: 6mm, bottom: 4mm, text(size: 13pt, weight: "bold", {_string(title)})))')
    out.append("#[#set text(size: 10pt)")
    out.append(f"#table(columns: ({', '.join(widths)}), stroke: 0.6pt, inset: 1mm, align: top + left,")
    header = [", ".join(f"table.cell(align: center + horizon, {_string(text)})" for text in heading)]
    header += [
        ", ".join(f"table.cell(align: center + horizon, text(size: 9pt, {_string(text)}))" for text in row)
        for row in numbers
    ]
    out.append("  table.header(" + ",\n    ".join(header) + "),")
    out.append("  " + ",\n  ".join(cells) + ")]")
    out.append(
        "#block(breakable: false, above: 6mm)[" + " ".join(f"#par({_string(line)}) #v(2mm)" for line in dates) + "]"
    )
    return "\n".join(out) + "\n"


def compile_pdf(markup: str) -> bytes:
    import typst

    return typst.compile(markup.encode("utf-8"), font_paths=[FONTS], ignore_system_fonts=True)
