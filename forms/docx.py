"""DOCX with docxtpl: autoescaped, sandboxed, with metadata and reproducible bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import lru_cache
from pathlib import Path

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
    props.title = metadata["title"]
    props.subject = metadata["subject"]
    props.keywords = metadata["keywords"]
    props.identifier = metadata["identifier"]
    props.version = metadata["version"]
    props.language = metadata["language"]
    props.category = metadata["category"]
    props.author = "Nysan"
    props.last_modified_by = "Nysan"
    props.comments = metadata["subject"]
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Same entries, same order, fixed timestamps and permissions."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
