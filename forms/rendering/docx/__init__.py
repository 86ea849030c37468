"""DOCX with docxtpl: autoescaped, sandboxed, with metadata and reproducible bytes.

Two paths give the same document: ``forms/rendering/docx/fast.py`` (everything that does not depend on the data
done once per template) and the reference, ``render_reference``: docxtpl's own ``DocxTemplate``
rendering and python-docx's saving. The fast path is used, and any failure in it falls back to the
reference, so a document is never lost to the optimisation.
"""

from __future__ import annotations

import io
import logging
import zipfile
from functools import lru_cache
from pathlib import Path

from docxtpl import DocxTemplate

from forms.internals import write_package
from forms.rendering.docx import carried
from forms.rendering.docx import fast as docxfast
from forms.rendering.docx.package import Finish, rewrite
from forms.rendering.docx.properties import set_core_properties
from forms.rendering.templating import docx_environment

log = logging.getLogger(__name__)

# DOCX is a ZIP; its entries carry timestamps. A fixed one makes the bytes reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def render_docx(
    template: Path, context: dict, metadata: dict, fast: bool = True, finish: Finish | None = None
) -> bytes:
    """Fill the template; ``metadata``: title, subject, keywords, identifier, version, language,
    category, created, data (the payload as JSON, carried in a custom XML part). ``fast=False`` renders
    with the reference path only. ``finish`` changes parts at the end (forms/rendering/docx/package.py)."""
    if fast:
        try:
            return docxfast.render(template, context, metadata, finish)
        except Exception as err:  # noqa: BLE001 - whatever failed, the reference path renders it
            # The type only: a message could quote the data (names, IINs).
            log.warning("fast DOCX path failed (%s); rendering with docxtpl", type(err).__name__)
    document = render_reference(template, context, metadata)
    return document if finish is None else rewrite(document, finish)


@lru_cache(maxsize=64)
def _template_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def render_reference(template: Path, context: dict, metadata: dict) -> bytes:
    """docxtpl's DocxTemplate.render, then python-docx's package saved with fixed timestamps."""
    document = DocxTemplate(io.BytesIO(_template_bytes(template, template.stat().st_mtime)))
    document.render(context, jinja_env=docx_environment(), autoescape=True)
    set_core_properties(document.docx.core_properties, metadata)
    carried.add_part(document.docx, carried.item_xml(metadata))
    buffer = io.BytesIO()
    save_reproducibly(document.docx.part.package, buffer)
    return buffer.getvalue()


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
    write_package(writer, package, parts)
    writer.close()
