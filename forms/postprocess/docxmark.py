"""The mark on a DOCX: the first page's own footer (never the body) holds a one-row table, the QR
code as a PNG picture on the left, the explanation and the URL on the right.

A DOCX has no fixed pages, so "the bottom margin of the first page" is the first section's
first-page footer (``w:titlePg``): the other pages keep their footers as they were. The first
``w:sectPr`` of document.xml is the first section's (a section's properties close it).

The package is edited as a ZIP, not loaded whole: the new footer, its picture and their
relationships are added, the first section's properties and the content types are edited, and
every other part keeps its deflated bytes. A registered DOCX gets its mark while it is written
(``marked_parts`` as the DOCX writer's finishing step): its document.xml, 5.6 MB in a 4,000-row
journal, is deflated once, not inflated and deflated again. Entries carry the same fixed time as
every DOCX Nysan writes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from functools import lru_cache, partial
from itertools import count
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape, quoteattr

import segno

from forms.rendering.docx.package import rewrite

FOOTER = Path(__file__).with_name("footer.xml")
PICTURE_MM = 14  # the code with a two-module quiet zone: modules of about 0.38 mm
FOOTER_DISTANCE = 283  # twips (5 mm): the footer's lower edge above the page's, so the mark fits a 20 mm margin
HALF_POINTS = 14  # 7 pt
TWIPS_PER_MM, EMU_PER_MM = 1440 / 25.4, 36000
DOCUMENT, RELS, TYPES = "word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
SECTION = re.compile(rb"<w:sectPr\b[^>]*?(?:/>|>.*?</w:sectPr>)", re.S)
# Children of w:sectPr that come after w:titlePg in the schema's order.
AFTER_TITLE_PAGE = re.compile(rb"<w:(?:textDirection|bidi|rtlGutter|docGrid|printerSettings|sectPrChange)\b")


@lru_cache(maxsize=1)
def _footer_template() -> Template:
    text = FOOTER.read_text(encoding="utf-8")
    return Template(re.sub(r"<!--.*?-->\n", "", text, flags=re.S))


def qr_png(code: segno.QRCode) -> bytes:
    """The code as a PNG: black modules of 5 pixels (over 300 dpi at the picture's size), a
    two-module white border; segno writes no timestamp, so the bytes depend on the code alone."""
    out = io.BytesIO()
    code.save(out, kind="png", scale=5, border=2)
    return out.getvalue()


def _free(names, pattern: str) -> str:
    return next(pattern % n for n in count(1) if pattern % n not in names)


def _twips(section: bytes, name: bytes, attribute: bytes, default: int) -> int:
    found = re.search(rb"<w:" + name + rb"\b[^>]*\bw:" + attribute + rb'="(\d+)"', section)
    return int(found.group(1)) if found else default


def _first_page_footer(section: bytes, relationship: str) -> bytes:
    """The first section's properties with a first-page footer, ``w:titlePg`` and the footer's
    distance; another first-page footer it named is replaced."""
    section = re.sub(rb'<w:footerReference\b[^>]*w:type="first"[^>]*/>', b"", section)
    if section.endswith(b"/>"):
        section = section[:-2] + b"></w:sectPr>"
    start = section.index(b">") + 1
    reference = b'<w:footerReference w:type="first" r:id="%s"/>' % relationship.encode()
    section = section[:start] + reference + section[start:]
    section = re.sub(rb"<w:titlePg\b[^>]*/>", b"", section)
    after = AFTER_TITLE_PAGE.search(section)
    at = after.start() if after else section.rindex(b"</w:sectPr>")
    section = section[:at] + b"<w:titlePg/>" + section[at:]
    return re.sub(rb'(<w:pgMar\b[^>]*\bw:footer=")\d+"', rb'\g<1>%d"' % FOOTER_DISTANCE, section)


def add_mark(document: bytes, code: segno.QRCode, url: str, line: str) -> bytes:
    """A finished DOCX with the mark: the changed parts deflated again, the others as they were."""
    return rewrite(document, partial(marked_parts, code=code, url=url, line=line))


def marked_parts(
    read: Callable[[str], bytes], names: Iterable[str], code: segno.QRCode, url: str, line: str
) -> dict[str, bytes]:
    """The parts the mark changes or adds (a ``Finish`` of forms/rendering/docx/package.py): also
    used while a registered DOCX is written, before anything is deflated."""
    names = set(names)
    footer_name, image_name = _free(names, "word/footer%d.xml"), _free(names, "word/media/nysan-mark%d.png")
    footer_file = footer_name.rsplit("/", 1)[1]
    rels = read(RELS).decode("utf-8")
    relationship = _free(set(re.findall(r'Id="([^"]+)"', rels)), "rIdNysanMark%d")
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{relationship}" Type="{RELATIONSHIP}footer" Target="{footer_file}"/></Relationships>',
    )

    body = read(DOCUMENT)
    section = SECTION.search(body)
    if section is None:
        raise ValueError("the DOCX has no section properties")
    width = _twips(section.group(), b"pgSz", b"w", 11906)
    margins = _twips(section.group(), b"pgMar", b"left", 1440) + _twips(section.group(), b"pgMar", b"right", 1440)
    body = body[: section.start()] + _first_page_footer(section.group(), relationship) + body[section.end() :]
    drawings = [int(n) for n in re.findall(rb'<wp:docPr\b[^>]*\bid="(\d+)"', body)] if b"<wp:docPr" in body else []

    picture_width = round((PICTURE_MM + 4) * TWIPS_PER_MM)
    table_width = max(width - margins, picture_width * 3)
    footer = _footer_template().substitute(
        table_width=table_width,
        picture_width=picture_width,
        text_width=table_width - picture_width,
        picture_emu=PICTURE_MM * EMU_PER_MM,
        drawing_id=max(drawings, default=0) + 1,
        image_file=escape(image_name.rsplit("/", 1)[1]),
        half_points=HALF_POINTS,
        line=escape(line),
        url=escape(url),
    )
    footer_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
        '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIP}image" Target={quoteattr("media/" + image_name.rsplit("/", 1)[1])}/>'
        "</Relationships>"
    )

    types = read(TYPES).decode("utf-8")
    if not re.search(r'<Default\b[^>]*Extension="png"', types, re.I):
        types = types.replace("</Types>", '<Default Extension="png" ContentType="image/png"/></Types>')
    types = types.replace("</Types>", f'<Override PartName="/{footer_name}" ContentType="{FOOTER_TYPE}"/></Types>')

    return {
        TYPES: types.encode("utf-8"),
        RELS: rels.encode("utf-8"),
        DOCUMENT: body,
        footer_name: footer.encode("utf-8"),
        f"word/_rels/{footer_file}.rels": footer_rels.encode("utf-8"),
        image_name: qr_png(code),
    }
