"""DOCX with docxtpl: autoescaped, sandboxed, with metadata and reproducible bytes."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from lxml import etree

from .templating import docx_environment

# DOCX is a ZIP; its entries carry timestamps. A fixed one makes the bytes reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@lru_cache(maxsize=64)
def _template_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LISTING = re.compile("[\t\n\a\f]")


class FastTemplate(DocxTemplate):
    """docxtpl's rendering without its whole-document passes where they would change nothing.

    A 4,000-row journal spent most of its time in three of them: ``resolve_listing`` (regexes over
    every paragraph, run and text, looking for tabs and line breaks), ``fix_tables`` (Python loops over
    every row, looking for rows with more cells than the grid), and ``map_tree`` (moving the parsed
    body into the document, which walks every node). Here the listing pass runs only when the XML has
    one of its characters; the table pass only when a table's rows and grid disagree (checked with
    lxml's C loops); and the whole document is rendered and parsed, then becomes the part's root,
    so nothing is moved. Same text, tables and properties as ``DocxTemplate`` (tests compare them).
    """

    def get_xml(self):
        return self.xml_to_string(self.docx._element)

    def map_tree(self, tree):
        self.docx._part._element = tree

    def resolve_listing(self, xml):
        return super().resolve_listing(xml) if _LISTING.search(xml) else xml

    def fix_tables(self, xml):
        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        if all(_grid_matches(table) for table in tree.iter(W + "tbl")):
            return tree
        return super().fix_tables(xml)


def _grid_matches(table) -> bool:
    """True when docxtpl's fix_tables would leave this table as it is: no row has more cells than the
    grid has columns, and some row's cells (with their spans) fill every column."""
    grid = table.find(W + "tblGrid")
    if grid is None:
        return False
    columns = len(grid.findall(W + "gridCol"))
    widest = filled = 0
    for row in table.iter(W + "tr"):
        cells = row.findall(W + "tc")
        widest = max(widest, len(cells))
        if row.find(f"{W}tc/{W}tcPr/{W}gridSpan") is None:
            filled = max(filled, len(cells))
        else:
            filled = max(filled, sum(_span(cell) for cell in cells))
    return widest <= columns <= filled


def _span(cell) -> int:
    props = cell.find(W + "tcPr")
    span = None if props is None else props.find(W + "gridSpan")
    return 1 if span is None else int(span.get(W + "val"))


def render_docx(template: Path, context: dict, metadata: dict, fast: bool = True) -> bytes:
    """Fill the template; ``metadata``: title, subject, keywords, identifier, version, language, created.

    ``fast=False`` renders with docxtpl's own passes (the reference the tests compare with)."""
    kind = FastTemplate if fast else DocxTemplate
    document = kind(io.BytesIO(_template_bytes(template, template.stat().st_mtime)))
    document.render(context, jinja_env=docx_environment(), autoescape=True)
    props = document.docx.core_properties
    created = dt.datetime.combine(metadata["created"], dt.time(0, 0))
    props.title = _fit(metadata["title"], keep=f" ({metadata['category']}, v{metadata['version']})")
    props.subject = _fit(metadata["subject"])
    props.keywords = _fit(metadata["keywords"])
    props.identifier = metadata["identifier"]
    props.version = metadata["version"]
    props.language = metadata["language"]
    props.category = metadata["category"]
    props.author = "Nysan"
    props.last_modified_by = "Nysan"
    props.comments = _fit(metadata["subject"])
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1
    buffer = io.BytesIO()
    save_reproducibly(document.docx.part.package, buffer)
    return buffer.getvalue()


# python-docx refuses core properties longer than this (OOXML's limit for these fields).
PROPERTY_LIMIT = 255


def _fit(text: str, keep: str = "") -> str:
    """Cut at a word boundary to the property limit, keeping the ``keep`` ending (form id and version
    after a long title); in the subject the act's name comes first, so it stays."""
    if len(text) <= PROPERTY_LIMIT:
        return text
    body = text[: -len(keep)] if keep and text.endswith(keep) else text
    if body is text:
        keep = ""
    return body[: PROPERTY_LIMIT - len(keep) - 1].rsplit(" ", 1)[0] + "…" + keep


class _FixedTimeZipWriter:
    """python-docx's package writer interface, with fixed timestamps and permissions."""

    def __init__(self, target):
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, date_time=ZIP_EPOCH)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self._zip.writestr(entry, blob)

    def close(self) -> None:
        self._zip.close()


def save_reproducibly(package, target) -> None:
    """What ``OpcPackage.save`` does, through a writer whose ZIP entries carry no wall-clock time."""
    writer = _FixedTimeZipWriter(target)
    parts = list(package.iter_parts())
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
