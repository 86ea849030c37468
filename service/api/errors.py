"""One JSON error envelope for every failure: ``{"code", "message", "errors": [{"path", "code", "message"}]}``.

Messages come from ``forms/messages.yaml`` in the language of ``Accept-Language`` (kk, ru, en;
default en). Flask's own 404/405/413 and any unexpected exception get the same envelope on the
service's JSON paths, never an HTML page.
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

import forms
from forms.errors import LANGUAGES, message

from ..errors import MAX_ERRORS, RequestError, field
from ..rendering import Busy, RenderRefused

# Paths that always answer JSON. Other paths (the clerks' web pages) keep HTML errors for browsers.
JSON_PREFIXES = ("/api/", "/openapi.json", "/healthz", "/readyz", "/metrics")


# Engine errors → HTTP status.
STATUS = {
    forms.FormNotFound: 404,
    forms.VersionNotFound: 404,
    forms.NotInForce: 422,
    forms.ValidationFailed: 422,
    forms.UnsupportedOption: 400,
}

# Werkzeug's HTTP errors → a stable code with messages in forms/messages.yaml.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}


def language() -> str:
    """kk, ru or en from Accept-Language (``kk-KZ`` counts as kk); en when none matches."""
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def envelope(code: str, params: dict, errors: list[dict], lang: str) -> dict:
    return {"code": code, "message": message(code, lang, **params), "errors": errors}


def error_response(
    status: int, code: str, params: dict | None = None, errors: list[dict] | None = None, headers: dict | None = None
):
    lang = language()
    errors = errors or []
    # A payload may hold any number of faults (150,000 unknown keys): the first MAX_ERRORS, and how many.
    listed = [
        e
        if "message" in e
        else {"path": e["path"], "code": e["code"], "message": message(e["code"], lang, **e.get("params", {}))}
        for e in errors[:MAX_ERRORS]
    ]
    body = envelope(code, params or {}, listed, lang)
    if len(errors) > MAX_ERRORS:
        body["count"] = len(errors)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    g.nysan_error = code
    return response


def from_engine(err: forms.NysanError) -> tuple[int, list[dict]]:
    """Status and field errors of an engine error (ValidationFailed lists its faults)."""
    status = next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400)
    if isinstance(err, forms.ValidationFailed):
        return status, [{"path": e.path, "code": e.code, "params": e.params} for e in err.errors]
    return status, [field("", err.code, **err.params)]


def wants_json() -> bool:
    if request.path.startswith(JSON_PREFIXES) or request.path == "/api":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best != "text/html"


def install_error_handlers(app: Flask, blueprint: Blueprint) -> None:
    """The API's own errors on its blueprint; Flask's HTTP errors app-wide (routing 404/405 belong to
    no blueprint), as JSON on the service's paths and for clients that do not ask for HTML."""

    @blueprint.errorhandler(RequestError)
    def _api_error(err: RequestError):
        return error_response(err.status, err.code, err.params, err.errors, err.headers)

    @blueprint.errorhandler(RenderRefused)
    def _refused(err: RenderRefused):
        # busy: when to come back; render_timeout: the time allowed, as configured
        seconds = err.retry_after if isinstance(err, Busy) else f"{err.timeout:g}"
        return error_response(503, err.code, {"seconds": seconds}, headers=err.headers)

    @blueprint.errorhandler(forms.NysanError)
    def _engine_error(err: forms.NysanError):
        status, errors = from_engine(err)
        return error_response(status, err.code, err.params, errors)

    # Flask looks up handlers by code before class: a 404/405 handler registered by another
    # blueprint would take these over, which tests/test_service_errors.py would catch.
    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if err.code is None or err.code < 400 or not wants_json():
            return err  # redirects (e.g. to a trailing slash) stay redirects
        code = HTTP_CODES.get(err.code or 500, "bad_request" if (err.code or 500) < 500 else "internal_error")
        headers = {}
        if err.code == 405 and getattr(err, "valid_methods", None):
            headers["Allow"] = ", ".join(sorted(err.valid_methods))
        params = {"max": request.max_content_length} if err.code == 413 else {}  # the route's own limit
        # An unexpected exception reaches here as a 500 (Flask has logged it with its traceback).
        return error_response(err.code or 500, code, params, headers=headers)
