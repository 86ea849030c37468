"""The OpenAPI 3.1 document, generated with apispec from the registry: every form version's JSON
Schema (``forms.schema``) is a component, and the request bodies refer to them."""

from __future__ import annotations

from pathlib import Path

from apispec import APISpec
from flask import Flask

import forms
from recordkeeping.cases import flow_registry

from . import cases_spec, events_spec, register_spec
from . import schemas as s

ERROR_STATUSES = {
    "400": "Bad query parameter or unsupported option",
    "401": "Missing or invalid API key (when keys are configured)",
    "403": "The API key lacks the scope this operation needs",
    "404": "Unknown form or version, no such document or case",
    "413": "Body, rows or batch over the configured limits",
    "415": "The body is not sent as application/json (extract: as application/pdf or the DOCX media type)",
    "409": "The document is not in force, the Idempotency-Key was used with another body, "
    "or the case's step cannot be taken now",
    "410": "The document's data and file were erased at the end of its retention period",
    "422": "Invalid data, a form not in force on the date asked (e.g. repealed), "
    "or a file that is not a Nysan document",
    "429": "Too many verifications from this address; see Retry-After",
    "503": "Render took too long, or the service is busy; see Retry-After",
}


def component_name(form_id: str, version: str) -> str:
    return f"{form_id}.v{version}"


def _error_responses(*statuses: str) -> dict:
    return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}


def _ok(description: str, schema: dict, **extra) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def _example(registry, form) -> dict:
    """The latest version's shipped example, named like its schema (none while it is being written)."""
    try:
        value = forms.example(form.id, form.latest.version, registry)
    except (OSError, ValueError):
        return {}
    return {
        component_name(form.id, form.latest.version): {"summary": form.latest.title.get("kk", form.id), "value": value}
    }


def build(app: Flask) -> dict:
    registry = app.extensions["nysan.registry"]
    secured = bool(app.config["API_KEYS"])
    spec = APISpec(
        title="Nysan",
        version=forms.__version__,
        openapi_version="3.1.0",
        info={
            "description": "Official Kazakh forms (kandas, special social services): discover, validate and render "
            "them as PDF, DOCX or HTML. Every error answers the `Error` envelope, its messages in the "
            "language of Accept-Language (kk, ru, en; default en)."
        },
    )
    spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer <key>`."}
    )
    for name, schema in s.COMPONENTS.items():
        spec.components.schema(name, schema)
    for status, text in ERROR_STATUSES.items():
        headers = {"Retry-After": {"schema": {"type": "string"}, "required": True}} if status in ("429", "503") else {}
        if status == "401":
            headers = {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}}
        spec.components.response(
            f"Error{status}",
            {"description": text, "headers": headers, "content": {"application/json": {"schema": s.ref("Error")}}},
        )

    refs, examples = [], {}
    for form in registry.forms.values():
        for version in form.versions:
            name = component_name(form.id, version.version)
            schema = {
                k: v for k, v in forms.schema(form.id, version.version, registry).items() if k not in ("$schema", "$id")
            }
            spec.components.schema(name, schema)
            refs.append(s.ref(name))
        examples.update(_example(registry, form))
    form_ids = list(registry.forms)
    payload = {
        "description": "The data of the form named in the path: it must match that form version's "
        "schema (`components/schemas/<form>.v<version>`, or GET .../schema). The "
        "schema is the strict form: text is trimmed and NFC-normalised before its "
        "length and pattern are checked, and a number is taken as a text field's text.",
        "required": True,
        "content": {"application/json": {"schema": {"anyOf": refs} if refs else {}, "examples": examples}},
    }

    form_param = {
        "name": "form",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": form_ids},
        "description": "Form id, as in GET /api/v1/forms",
        "example": "referral",
    }
    version_param = {
        "name": "version",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "pattern": r"^[0-9A-Za-z][0-9A-Za-z._-]*$"},
        "description": "A version of the form; default: the one in force on as_of (or the latest)",
    }
    as_of_param = {
        "name": "as_of",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "Choose the version in force on this date (YYYY-MM-DD; default today in Asia/Almaty)",
    }
    lang_header = {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "Language of error messages: kk, ru or en (default)",
    }
    security = [{"bearerAuth": []}] if secured else [{}]
    api_errors = ("401", "403") if secured else ()

    def op(summary: str, responses: dict, params=(), body=None, errors=(), tags=("forms",)) -> dict:
        operation = {
            "summary": summary,
            "tags": list(tags),
            "parameters": [*params, lang_header],
            "responses": {**responses, **_error_responses(*api_errors, *errors)},
            "security": security,
        }
        if body:
            operation["requestBody"] = body
        return operation

    spec.path(
        path="/api/v1/forms",
        operations={
            "get": op("Every form: id, titles, status, versions", {"200": _ok("The forms", s.ref("FormList"))})
        },
    )
    spec.path(
        path="/api/v1/forms/{form}",
        operations={
            "get": op(
                "One form with its versions and legal basis",
                {"200": _ok("The form", s.ref("Form"))},
                [form_param],
                errors=("404",),
            )
        },
    )
    spec.path(
        path="/api/v1/forms/{form}/schema",
        operations={
            "get": op(
                "JSON Schema (draft 2020-12) of a version's data",
                {"200": _ok("The schema", {"type": "object"})},
                [form_param, version_param],
                errors=("400", "404"),
            )
        },
    )
    spec.path(
        path="/api/v1/forms/{form}/example",
        operations={
            "get": op(
                "A realistic example payload of a version",
                {"200": _ok("The example", {"type": "object"})},
                [form_param, version_param],
                errors=("400", "404"),
            )
        },
    )
    spec.path(
        path="/api/v1/forms/{form}/validate",
        operations={
            "post": op(
                "Check data against a version: 200 when valid, 422 with every error",
                {"200": _ok("The data is valid", s.ref("Valid"))},
                [form_param, version_param, as_of_param],
                payload,
                errors=("400", "404", "413", "415", "422"),
            )
        },
    )
    spec.path(
        path="/api/v1/forms/{form}/render",
        operations={
            "post": op(
                "Render the document",
                {
                    "200": {
                        "description": "The document",
                        "headers": s.DOCUMENT_HEADERS,
                        "content": s.document_content(),
                    }
                },
                [form_param, version_param, as_of_param, *s.RENDER_PARAMS],
                payload,
                errors=("400", "404", "413", "415", "422", "503"),
            )
        },
    )
    spec.path(
        path="/api/v1/render/batch",
        operations={
            "post": op(
                "Render many documents: a ZIP of them, or one merged PDF",
                {
                    "200": {
                        "description": "A ZIP (with manifest.json) or one PDF",
                        "headers": s.BATCH_HEADERS,
                        "content": {"application/zip": {"schema": s.BINARY}, "application/pdf": {"schema": s.BINARY}},
                    }
                },
                body={"required": True, "content": {"application/json": {"schema": s.batch_request(form_ids)}}},
                errors=("400", "413", "415", "422", "503"),
            )
        },
    )

    register_spec.add_paths(spec, op, _ok, form_ids)
    cases_spec.add_paths(spec, op, _ok, sorted(flow_registry(Path(registry.data_dir)).flows))
    events_spec.add_paths(spec, op, _ok)
    spec.path(
        path="/api/v1/extract",
        operations={
            "post": op(
                "The data a Nysan document carries (a PDF/A-3b, or any Nysan DOCX), to amend and issue it again",
                {"200": _ok("The form, version, language and data", s.ref("Extracted"))},
                body={
                    "required": True,
                    "content": {
                        media: {"schema": s.BINARY} for media in (forms.MEDIA_TYPES["pdf"], forms.MEDIA_TYPES["docx"])
                    },
                },
                errors=("413", "415", "422"),
            )
        },
    )  # a form or version the catalogue lacks: 422, the document's fault

    plain = {"security": [{}], "tags": ["service"]}
    spec.path(
        path="/openapi.json",
        operations={
            "get": {"summary": "This document", **plain, "responses": {"200": _ok("OpenAPI 3.1", {"type": "object"})}}
        },
    )
    spec.path(
        path="/healthz",
        operations={
            "get": {
                "summary": "Liveness: the process answers",
                **plain,
                "responses": {"200": _ok("Alive", s.ref("Health"))},
            }
        },
    )
    spec.path(
        path="/readyz",
        operations={
            "get": {
                "summary": "Readiness: forms are loaded",
                **plain,
                "responses": {"200": _ok("Ready", s.ref("Health")), **_error_responses("503")},
            }
        },
    )
    spec.path(
        path="/metrics",
        operations={
            "get": {
                "summary": "Prometheus metrics",
                **plain,
                "responses": {
                    "200": {
                        "description": "Prometheus text format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    )
    return spec.to_dict()


def document(app: Flask) -> dict:
    """Built once per application (the registry is loaded once too)."""
    cached = app.extensions.get("nysan.openapi")
    if cached is None:
        cached = app.extensions["nysan.openapi"] = build(app)
    return cached
