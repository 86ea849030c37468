"""The routes of API version 1, the OpenAPI document, health and metrics."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, url_for

import forms

from .. import limits, metrics, rendering
from ..errors import RequestError
from ..rendering import NO_STORE, filename, registry
from . import batch, inputs, openapi
from .errors import error_response, language

# An HTML document holds the client's data: opened in a browser it must run nothing and fetch nothing
# (its styles are inline), and never be sniffed as another type.
DOCUMENT_HTML_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox",
}


def document_response(document: bytes, spec, lang: str, fmt: str, name: str) -> Response:
    """A rendered document as a download (HTML shown inline, under DOCUMENT_HTML_HEADERS)."""
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        document,
        headers={
            "Content-Type": forms.MEDIA_TYPES[fmt],
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "X-Nysan-Form": spec.id,
            "X-Nysan-Form-Version": spec.version,
            "X-Nysan-Language": lang,
            **NO_STORE,
            **(DOCUMENT_HTML_HEADERS if fmt == "html" else {}),
        },
    )


def _links(form_id: str) -> dict:
    return {name: url_for(f"api.{name}", form=form_id) for name in ("schema", "example", "validate", "render")}


def describe(form_id: str) -> dict:
    return {**forms.describe(form_id, registry()), "links": _links(form_id)}


def install_routes(bp: Blueprint) -> None:
    @bp.get("/api/v1/forms")
    def list_forms():
        return jsonify({"forms": [describe(form_id) for form_id in registry().forms]})

    @bp.get("/api/v1/forms/<form>")
    def form(form):
        return jsonify(describe(form))

    @bp.get("/api/v1/forms/<form>/schema")
    def schema(form):
        query = inputs.Query()
        version = query.version()
        query.done()
        return jsonify(forms.schema(form, version, registry()))

    @bp.get("/api/v1/forms/<form>/example")
    def example(form):
        query = inputs.Query()
        version = query.version()
        query.done()
        return jsonify(forms.example(form, version, registry()))

    @bp.post("/api/v1/forms/<form>/validate")
    def validate(form):
        query = inputs.Query()
        version, as_of = query.version(), query.as_of()
        query.done()
        spec = registry().resolve(form, version, as_of)  # 404 unknown, 422 not in force (repealed)
        data = inputs.json_body()
        limits.check_rows(data)
        errors = rendering.validate(form, data, spec.version, as_of, lang=language(), registry=registry())
        if errors:
            return error_response(422, "invalid_data", {"count": len(errors)}, errors, NO_STORE)
        return jsonify({"valid": True, "form": spec.id, "version": spec.version}), 200, NO_STORE

    @bp.post("/api/v1/forms/<form>/render")
    def render(form):
        options = inputs.render_options()
        registry().resolve(form, options.version, options.as_of)  # before reading the body: 404 / 422 first
        data = inputs.json_body()
        limits.check_request_rows(limits.check_rows(data))
        document, spec = rendering.render(form, data, options)
        lang, fmt = options.lang, options.fmt
        return document_response(document, spec, lang, fmt, filename(spec, lang, fmt))

    bp.add_url_rule("/api/v1/render/batch", "render_batch", batch.render_batch, methods=["POST"])

    @bp.post("/api/v1/extract")
    def extract():
        from .extract import extract_document

        return extract_document()

    @bp.get("/openapi.json")
    def openapi_document():
        return jsonify(openapi.document(current_app._get_current_object()))

    @bp.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @bp.get("/readyz")
    def readyz():
        loaded = registry().forms
        if not loaded:
            raise RequestError(503, "not_ready", headers={"Retry-After": "5"})
        return jsonify({"status": "ready", "forms": len(loaded), "spec_errors": len(registry().errors)})

    @bp.get("/metrics")
    def prometheus():
        return metrics.exposition()
