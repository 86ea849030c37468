"""POST /api/v1/render/batch: many documents in one request, as a ZIP or one merged PDF.

The whole batch is checked before anything is rendered (every fault reported at once, each path
prefixed with ``documents[i]``), then rendered within one render deadline.
"""

from __future__ import annotations

import io
import json
import zipfile

from flask import Response
from pypdf import PdfReader, PdfWriter

import forms
from forms import pdfa

from .. import limits
from ..errors import RequestError, field
from ..rendering import NO_STORE, filename, prepare, registry, render_many, validate
from . import inputs
from .errors import from_engine, language

TOP_KEYS = {"output", "lang", "format", "pdfa", "documents"}
DOCUMENT_KEYS = {"form", "version", "as_of", "lang", "format", "pdfa", "data"}


def _choice(value, choices, path: str, errors: list) -> None:
    if value is not None and value not in choices:
        errors.append(field(path, "invalid_choice", choices=", ".join(choices)))


def _check_document(index: int, item, defaults: dict, errors: list) -> dict | None:
    """One document's request, or None after recording its faults."""
    where = f"documents[{index}]"
    if not isinstance(item, dict):
        errors.append(field(where, "invalid_type", expected="object"))
        return None
    before = len(errors)
    errors.extend(field(f"{where}.{key}", "unknown_field") for key in sorted(set(item) - DOCUMENT_KEYS, key=str))
    for key in ("form", "data"):
        if key not in item:
            errors.append(field(f"{where}.{key}", "required"))
    for key in ("form", "version"):
        if key in item and not isinstance(item[key], str):
            errors.append(field(f"{where}.{key}", "invalid_type", expected="string"))
    if "data" in item and not isinstance(item["data"], dict):
        errors.append(field(f"{where}.data", "invalid_type", expected="object"))
    as_of = item.get("as_of")
    if as_of is not None and inputs.parse_date(as_of) is None:
        errors.append(field(f"{where}.as_of", "invalid_date"))
    _choice(item.get("lang"), forms.DOCUMENT_LANGUAGES, f"{where}.lang", errors)
    _choice(item.get("format"), forms.FORMATS, f"{where}.format", errors)
    _choice(item.get("pdfa"), forms.PDFA_VARIANTS, f"{where}.pdfa", errors)
    if len(errors) > before:
        return None
    doc = {
        "form": item["form"],
        "version": item.get("version"),
        "as_of": inputs.parse_date(as_of),
        "lang": item.get("lang") or defaults["lang"],
        "format": item.get("format") or defaults["format"],
        "pdfa": item.get("pdfa") or defaults["pdfa"],
        "data": item["data"],
    }
    if defaults["output"] == "pdf" and doc["format"] != "pdf":
        errors.append(field(f"{where}.format", "merge_needs_pdf", value=doc["format"]))
        return None
    if defaults["output"] == "pdf":  # the merged file's variant: its parts' fonts must already suit it
        doc["pdfa"] = "1b" if defaults["pdfa"] == "1b" else "2b"
    try:
        spec = registry().resolve(doc["form"], doc["version"], doc["as_of"])
    except forms.NysanError as err:
        errors.extend(
            {**e, "path": f"{where}.{'version' if isinstance(err, forms.VersionNotFound) else 'form'}"}
            for e in from_engine(err)[1]
        )
        return None
    faults = validate(doc["form"], doc["data"], spec.version, doc["as_of"], lang=language(), registry=registry())
    errors.extend({**e, "path": f"{where}.data.{e['path']}".rstrip(".")} for e in faults)
    return None if faults else doc


def parse() -> tuple[dict, list[dict]]:
    body = inputs.json_body()
    errors: list[dict] = []
    if not isinstance(body, dict):
        raise RequestError(422, "invalid_batch", [field("", "invalid_type", expected="object")], count=1)
    errors.extend(field(key, "unknown_field") for key in sorted(set(body) - TOP_KEYS, key=str))
    defaults = {
        "output": body.get("output") or "zip",
        "lang": body.get("lang") or "kk",
        "format": body.get("format") or "pdf",
        "pdfa": body.get("pdfa") or "2b",
    }
    _choice(body.get("output"), ("zip", "pdf"), "output", errors)
    _choice(body.get("lang"), forms.DOCUMENT_LANGUAGES, "lang", errors)
    _choice(body.get("format"), forms.FORMATS, "format", errors)
    _choice(body.get("pdfa"), forms.PDFA_VARIANTS, "pdfa", errors)
    items = body.get("documents")
    if items is None:
        errors.append(field("documents", "required"))
    elif not isinstance(items, list):
        errors.append(field("documents", "invalid_type", expected="array"))
    elif not items:
        errors.append(field("documents", "too_few_items", min=1))
    items = items if isinstance(items, list) else []
    limits.check_batch_size(len(items))
    # Rows per list and per request before anything is validated: the work grows with them.
    limits.check_request_rows(
        sum(
            limits.check_rows(item["data"], prefix=f"documents[{i}].data.")
            for i, item in enumerate(items)
            if isinstance(item, dict) and isinstance(item.get("data"), dict)
        )
    )
    docs = [_check_document(i, item, defaults, errors) for i, item in enumerate(items)]
    if errors:
        raise RequestError(422, "invalid_batch", errors, count=len(errors))
    return defaults, docs


def _zip(rendered: list[tuple[bytes, object, dict]]) -> bytes:
    buffer = io.BytesIO()
    manifest = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (document, spec, doc) in enumerate(rendered, start=1):
            name = f"{index:03d}-{filename(spec, doc['lang'], doc['format'])}"
            archive.writestr(name, document)
            manifest.append(
                {"file": name, "form": spec.id, "version": spec.version, "lang": doc["lang"], "format": doc["format"]}
            )
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def _merged(rendered: list[tuple[bytes, object, dict]], variant: str) -> bytes:
    """One PDF/A of every document's pages: 1b when asked, else 2b (each document's own data stays in
    the ZIP output's PDF/A-3b files; the merged file attaches none)."""
    writer = PdfWriter()
    for document, _spec, _doc in rendered:
        writer.append(PdfReader(io.BytesIO(document)))
    first = PdfReader(io.BytesIO(rendered[0][0])).metadata or {}
    writer.add_metadata(
        {
            "/Title": f"Nysan: {len(rendered)}",
            "/Producer": "Nysan",
            **({"/CreationDate": first["/CreationDate"]} if "/CreationDate" in first else {}),
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return pdfa.finish(buffer.getvalue(), pdfa.Archival("1b" if variant == "1b" else "2b"))


def render_batch() -> Response:
    defaults, docs = parse()
    reg = registry()
    prepared = [
        prepare(
            reg,
            doc["form"],
            doc["data"],
            forms.RenderOptions(doc["lang"], doc["format"], doc["version"], doc["as_of"], doc["pdfa"]),
        )
        for doc in docs
    ]
    documents = render_many([request for request, _spec in prepared])  # one process, one deadline
    rendered = [(document, spec, doc) for document, (_request, spec), doc in zip(documents, prepared, docs)]
    body = _merged(rendered, defaults["pdfa"]) if defaults["output"] == "pdf" else _zip(rendered)
    kind = defaults["output"]
    return Response(
        body,
        headers={
            "Content-Type": "application/pdf" if kind == "pdf" else "application/zip",
            "Content-Disposition": f'attachment; filename="nysan-batch.{kind}"',
            "X-Nysan-Documents": str(len(docs)),
            **NO_STORE,
        },
    )
