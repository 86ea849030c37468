"""Reopening a document: the data a Nysan PDF/A-3b (``nysan-data.json``) or DOCX (its custom XML part)
carries, checked again against the form version it names, so that it can be amended and issued again.

    forms.extract(open("referral.pdf", "rb").read())
    → {"form": "referral", "version": "1", "lang": "kk", "data": {...}}
"""
from __future__ import annotations

import json
from typing import Any

from forms.catalogue.registry import Registry, default_registry
from forms.errors import NysanError, ValidationFailed
from forms.rendering.docx import carried
from forms.pdfa import attached_data
from forms.validation.validate import check

# Beyond this a body is not one of our documents (the largest journals are a few MB).
MAX_BYTES = 64 * 1024 * 1024


class NotANysanDocument(NysanError):
    """Not a PDF or DOCX that Nysan made with its data: a foreign or broken file
    (``not_a_nysan_document``) or a PDF made without its data (``document_without_data``)."""

    code = "not_a_nysan_document"


class ExtractedDataInvalid(ValidationFailed):
    """The document's data no longer validates against the version it names."""

    code = "extracted_data_invalid"

    def __init__(self, errors, found: dict):
        super().__init__(errors)
        self.found = found  # what the document carries, to show it with its faults


def extract(content: bytes, registry: Registry | None = None) -> dict[str, Any]:
    """{"form", "version", "lang", "data"} of a Nysan PDF (PDF/A-3b) or DOCX; raises
    ``NotANysanDocument`` for anything else, ``ExtractedDataInvalid`` (with ``.errors``) when the data
    no longer validates, and the registry's errors for a form or version it no longer knows."""
    if len(content) > MAX_BYTES:
        raise NotANysanDocument()
    if content.startswith(b"%PDF-"):
        ours, raw = attached_data(content)
        if raw is None:
            raise NotANysanDocument("document_without_data" if ours else None)
        try:
            found = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise NotANysanDocument() from None
    elif content.startswith(b"PK"):
        found = carried.read(content)
        if found is None:
            raise NotANysanDocument()
    else:
        raise NotANysanDocument()
    if not (isinstance(found, dict) and all(isinstance(found.get(k), str) for k in ("form", "version", "lang"))
            and "data" in found):
        raise NotANysanDocument()
    spec = (registry or default_registry()).form(found["form"]).version(found["version"])
    _, errors = check(spec, found["data"])
    result = {"form": found["form"], "version": found["version"], "lang": found["lang"], "data": found["data"]}
    if errors:
        raise ExtractedDataInvalid(errors, result)
    return result


__all__ = ["ExtractedDataInvalid", "NotANysanDocument", "extract"]
