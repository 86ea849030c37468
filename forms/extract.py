"""Reopening a document: the data a Nysan PDF/A-3b (``nysan-data.json``) or DOCX (its custom XML part)
carries, checked again against the form version it names, so that it can be amended and issued again.

    forms.extract(open("referral.pdf", "rb").read())
    → {"form": "referral", "version": "1", "lang": "kk", "data": {...}}

The file comes from anyone, so every step is bounded before it is taken: the attached data's declared
and decoded size, each custom XML part's declared and inflated size and all of them together, the XML
(no DTD, no entities, no element but Nysan's two), the JSON's depth and lists, the form id (one of the
catalogue's). Whatever the file holds, the answer is the data or a ``NotANysanDocument`` naming why.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from typing import Any

from defusedxml.ElementTree import DefusedXMLParser

from forms.catalogue.registry import Registry, default_registry
from forms.errors import FormNotFound, NysanError, ValidationFailed, VersionNotFound
from forms.languages import DOCUMENT_LANGUAGES
from forms.limits import MAX_DEPTH, longest_list, too_deep
from forms.pdfa import DATA_NAME
from forms.rendering.docx.carried import NAMESPACE
from forms.validation.validate import check

# Beyond this a body is not one of our documents (the largest journals are a few MB).
MAX_BYTES = 64 * 1024 * 1024
# The data a document carries, decoded, unless the caller gives its own limit (the service: its body
# limit). A 10,000-row journal is about 3 MB; its objects take up to some 20 times this in memory.
MAX_DATA_BYTES = 8 * 1024 * 1024
PART_FACTOR = 2  # a custom XML part of a DOCX, inflated, to its data (XML escapes)
PARTS_FACTOR = 4  # every custom XML part read, together, to the data
CHUNK = 64 * 1024
SHOWN = 64  # characters of a document's unknown form id or version in a message


class NotANysanDocument(NysanError):
    """A file that cannot be reopened; its code says why: ``not_a_nysan_document`` (a foreign or broken
    file), ``document_without_data`` (a PDF made without its data), ``document_data_too_large``,
    ``too_deep``, ``too_many_rows`` (its data beyond the limits), ``unknown_form``, ``unknown_version``."""

    code = "not_a_nysan_document"


class ExtractedDataInvalid(ValidationFailed):
    """The document's data no longer validates against the version it names."""

    code = "extracted_data_invalid"

    def __init__(self, errors, found: dict):
        super().__init__(errors)
        self.found = found  # what the document carries, to show it with its faults


def extract(
    content: bytes, registry: Registry | None = None, max_rows: int | None = None, max_data_bytes: int = MAX_DATA_BYTES
) -> dict[str, Any]:
    """{"form", "version", "lang", "data"} of a Nysan PDF (PDF/A-3b) or DOCX; raises
    ``NotANysanDocument`` for anything else (data beyond ``max_data_bytes``, a list of it longer than
    ``max_rows`` too), ``ExtractedDataInvalid`` (with ``.errors``) when the data no longer validates."""
    if len(content) > MAX_BYTES:
        raise NotANysanDocument()
    if content.startswith(b"%PDF-"):
        found = _json(_pdf_data(content, max_data_bytes))
    elif content.startswith(b"PK"):
        found = _docx_data(content, max_data_bytes)
    else:
        raise NotANysanDocument()
    if not (
        isinstance(found, dict)
        and all(isinstance(found.get(k), str) for k in ("form", "version", "lang"))
        and "data" in found
        and found["lang"] in DOCUMENT_LANGUAGES
    ):
        raise NotANysanDocument()
    if too_deep(found["data"]):  # before any work walks it, as the API's bodies
        raise NotANysanDocument("too_deep", max=MAX_DEPTH)
    if max_rows is not None and longest_list(found["data"]) > max_rows:
        raise NotANysanDocument("too_many_rows", max=max_rows)
    registry = registry or default_registry()
    try:
        spec = registry.form(found["form"]).version(found["version"])
    except FormNotFound:
        raise NotANysanDocument("unknown_form", form=_shown(found["form"])) from None
    except VersionNotFound as err:
        raise NotANysanDocument("unknown_version", **{**err.params, "version": _shown(found["version"])}) from None
    _, errors = check(spec, found["data"])
    result = {"form": found["form"], "version": found["version"], "lang": found["lang"], "data": found["data"]}
    if errors:
        raise ExtractedDataInvalid(errors, result)
    return result


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def _too_large(limit: int) -> NotANysanDocument:
    return NotANysanDocument("document_data_too_large", max=f"{limit / 2**20:.3g}")


def _json(text: bytes | str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:  # "[[[[…": deeper than the parser goes
        raise NotANysanDocument("too_deep", max=MAX_DEPTH) from None
    except (UnicodeDecodeError, ValueError):
        raise NotANysanDocument() from None


# --- PDF: the attached nysan-data.json ----------------------------------------------------------------


def _pdf_data(content: bytes, limit: int) -> bytes:
    """The attachment's bytes, decoded within ``limit``: its declared /Size first, then
    inflating no further than the limit (Nysan's attachment is one Flate stream, or none)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            ours = "nysan-form:" in str(pdf.docinfo.get("/Keywords", ""))
            attachment = pdf.attachments.get(DATA_NAME)
            if attachment is None:
                raise NotANysanDocument("document_without_data" if ours else None)
            stream = attachment.get_file().obj
            params = stream.get("/Params")
            declared = params.get("/Size") if isinstance(params, pikepdf.Dictionary) else None
            if isinstance(declared, int) and declared > limit:
                raise _too_large(limit)
            named = stream.get("/Filter")
            filters = list(named) if isinstance(named, pikepdf.Array) else [] if named is None else [named]
            raw = stream.read_raw_bytes()  # as stored: no larger than the file
    except (pikepdf.PdfError, ValueError, KeyError, AttributeError, TypeError):
        raise NotANysanDocument() from None
    if not filters:
        data = raw
    elif filters == [pikepdf.Name.FlateDecode] and "/DecodeParms" not in stream:
        inflate = zlib.decompressobj()
        try:
            data = inflate.decompress(raw, limit + 1)
        except zlib.error:
            raise NotANysanDocument() from None
    else:
        raise NotANysanDocument()
    if len(data) > limit:
        raise _too_large(limit)
    return data


# --- DOCX: the custom XML part ---------------------------------------------------------------------------

DOCUMENT, DATA = f"{{{NAMESPACE}}}document", f"{{{NAMESPACE}}}data"


class _Foreign(Exception):
    """A custom XML part that is not Nysan's (Word's own, a template's): skipped at its first element."""


class _NysanPart:
    """What the XML parser builds of a part: Nysan's is ``<document form version lang><data>JSON</data>
    </document>`` and nothing else, so any other element (an element bomb's first) ends the reading."""

    def __init__(self, limit: int):
        self.limit = limit
        self.depth, self.in_data, self.seen_data = 0, False, False
        self.attrib: dict[str, str] | None = None
        self.text: list[str] = []

    def start(self, tag: str, attrib: dict) -> None:
        self.depth += 1
        if self.depth == 1 and tag != DOCUMENT:
            raise _Foreign()
        if self.depth == 1:
            self.attrib = dict(attrib)
        elif self.depth == 2 and tag == DATA and not self.seen_data:
            self.in_data = self.seen_data = True
        else:
            raise NotANysanDocument()

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.in_data = False

    def data(self, text: str) -> None:
        if self.in_data:
            self.text.append(text)

    def close(self) -> dict:
        attrib = self.attrib or {}
        text = "".join(self.text)
        if len(text.encode("utf-8", "surrogatepass")) > self.limit:  # bytes, as the PDF's
            raise _too_large(self.limit)
        return {
            "form": attrib.get("form"),
            "version": attrib.get("version"),
            "lang": attrib.get("lang"),
            "data": _json(text or "null"),
        }


def _docx_data(content: bytes, limit: int) -> dict:
    """{"form", "version", "lang", "data"} of the DOCX's Nysan part, its data within ``limit``. Each
    part is refused beyond ``PART_FACTOR`` times that by its declared size and again while it inflates,
    all of them beyond ``PARTS_FACTOR`` times; a part is parsed as it inflates, and a foreign one left
    at its first element."""
    part_limit, budget = PART_FACTOR * limit, PARTS_FACTOR * limit
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if not info.filename.startswith("customXml/item") or "Props" in info.filename:
                    continue
                if info.file_size > part_limit:
                    raise _too_large(limit)
                part = _NysanPart(limit)
                parser = DefusedXMLParser(target=part, forbid_dtd=True)
                try:
                    with archive.open(info) as stream:
                        while chunk := stream.read(CHUNK):
                            budget -= len(chunk)
                            if budget < 0 or stream.tell() > part_limit:
                                raise _too_large(limit)
                            parser.feed(chunk)
                    return parser.close()
                except _Foreign:
                    continue
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
        SyntaxError,
    ):  # a broken ZIP or XML; a DTD or entity (defusedxml's are ValueErrors)
        raise NotANysanDocument() from None
    raise NotANysanDocument()


__all__ = ["ExtractedDataInvalid", "NotANysanDocument", "extract"]
