"""DOCX with docxtpl: autoescaped, sandboxed, with metadata and reproducible bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import lru_cache
from pathlib import Path

from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate

from .templating import docx_environment

# DOCX is a ZIP; its entries carry timestamps. A fixed one makes the bytes reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@lru_cache(maxsize=64)
def _template_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def render_docx(template: Path, context: dict, metadata: dict) -> bytes:
    """Fill the template; ``metadata``: title, subject, keywords, identifier, version, language, created."""
    document = DocxTemplate(io.BytesIO(_template_bytes(template, template.stat().st_mtime)))
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
