"""The public Python API: list, describe, validate and render forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms.catalogue.registry import Registry, default_registry
from forms.catalogue.spec import FormVersion
from forms.errors import FieldError, NotInForce
from forms.pdfa import DEFAULT_VARIANT
from forms.rendering import document
from forms.rendering.request import RenderOptions, prepare
from forms.validation.jsonschema import json_schema
from forms.validation.validate import check


def _registry(registry: Registry | None) -> Registry:
    return registry or default_registry()


def list_forms(registry: Registry | None = None) -> list[dict]:
    """Every form: id, titles, status, and its versions with their windows."""
    return [describe(form_id, registry) for form_id in _registry(registry).forms]


def describe(form_id: str, registry: Registry | None = None) -> dict:
    form = _registry(registry).form(form_id)
    latest = form.latest
    return {
        "id": form.id,
        "title": latest.title,
        "summary": latest.summary,
        "status": form.status,
        "official": latest.official,
        "repealed_by": latest.repealed_by and _jsonable(latest.repealed_by),
        "versions": [version_info(v) for v in form.versions],
    }


def version_info(spec: FormVersion) -> dict:
    return {
        "version": spec.version,
        "effective_from": spec.effective_from.isoformat(),
        "effective_to": spec.effective_to.isoformat() if spec.effective_to else None,
        "status": spec.status,
        "official": spec.official,
        "ru_text": spec.ru_text,
        "legal_basis": _jsonable(spec.legal_basis),
        "notes": spec.notes,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def example(form_id: str, version: str | None = None, registry: Registry | None = None) -> dict:
    """The shipped example payload of a version (default: the latest)."""
    return _registry(registry).example(form_id, version)


def schema(form_id: str, version: str | None = None, registry: Registry | None = None) -> dict:
    """The JSON Schema (draft 2020-12) of a version (default: the latest)."""
    reg = _registry(registry)
    spec = reg.form(form_id).version(version) if version else reg.form(form_id).latest
    return json_schema(spec)


def validate(
    form_id: str,
    data: Any,
    version: str | None = None,
    as_of: Any = None,
    lang: str = "en",
    registry: Registry | None = None,
) -> list[dict]:
    """Every error as {path, code, message}; [] when the data is valid for the chosen version.

    A form that is not in force on ``as_of`` (not yet, or repealed) is one error at path ''.
    """
    try:
        spec = _registry(registry).resolve(form_id, version, as_of)
    except NotInForce as err:
        return [FieldError("", err.code, err.params).as_dict(lang)]
    return [e.as_dict(lang) for e in check(spec, data)[1]]


def render(
    form_id: str,
    data: Any,
    lang: str = "kk",
    fmt: str = "pdf",
    version: str | None = None,
    as_of: Any = None,
    registry: Registry | None = None,
    pdfa: str = DEFAULT_VARIANT,
) -> bytes:
    """The document as bytes; raises ValidationFailed (with ``.errors``) for invalid data.

    A PDF is PDF/A: ``pdfa="2b"`` (default), ``"1b"`` for archives that take PDF/A-1 only, ``"3b"``
    to attach the data (``nysan-data.json``) so that ``extract`` gives it back. A DOCX always
    carries its data."""
    return render_document(form_id, data, lang, fmt, version, as_of, registry, pdfa)[0]


def render_document(
    form_id: str,
    data: Any,
    lang: str = "kk",
    fmt: str = "pdf",
    version: str | None = None,
    as_of: Any = None,
    registry: Registry | None = None,
    pdfa: str = DEFAULT_VARIANT,
) -> tuple[bytes, FormVersion]:
    """Like ``render``, also telling which version was used."""
    reg = _registry(registry)
    request, spec = prepare(reg, form_id, data, RenderOptions(lang, fmt, version, as_of, pdfa))
    return document.render(reg, request), spec
