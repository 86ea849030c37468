"""One JSON line per request, and the request metrics, with no personal data.

A line holds the route template (``/api/v1/forms/<form>/render``, never the URL as typed), the form
id when it is a registered one, the names of the query parameters (never their values), status,
duration, response size, error code and the first characters of the API key's digest. Bodies,
names, IINs and query values are never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, current_app, g, request

from . import metrics

ACCESS = logging.getLogger("nysan.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
QUERY_NAMES = ("as_of", "format", "lang", "pdfa", "version")  # a client's other parameter names are only counted


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        line.update(getattr(record, "fields", None) or {"message": record.getMessage()})
        return json.dumps(line, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """Give ``nysan.access`` one stderr handler writing JSON lines (once per process)."""
    ACCESS.setLevel(level.upper() if isinstance(level, str) else level)
    if not any(getattr(h, "_nysan", False) for h in ACCESS.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        handler._nysan = True
        ACCESS.addHandler(handler)
        ACCESS.propagate = False


def _start() -> None:
    g.nysan_started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.nysan_request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _known_form() -> str | None:
    form = (request.view_args or {}).get("form")
    registry = current_app.extensions.get("nysan.registry")
    try:
        return form if form and registry is not None and form in registry.forms else None
    except Exception:  # a broken registry must not break the log line
        return None


def _finish(response):
    started = g.get("nysan_started", time.perf_counter())
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    error = g.get("nysan_error")
    response.headers.setdefault("X-Request-ID", g.get("nysan_request_id", ""))
    metrics.observe_request(request.method, route, response.status_code, seconds, error)
    fields = {
        "event": "request",
        "request_id": g.get("nysan_request_id"),
        "method": metrics.method_label(request.method),
        "route": route,
        "form": _known_form(),
        "query": sorted(k for k in request.args.keys() if k in QUERY_NAMES),
        "other_query": sum(1 for k in request.args.keys() if k not in QUERY_NAMES),
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "bytes": response.calculate_content_length(),
        "error": error,
        "key": g.get("nysan_key"),
    }
    ACCESS.info("request", extra={"fields": fields})
    return response


def install_request_log(app: Flask) -> None:
    """For every request of the app, the API's and the web pages'."""
    configure(app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_start)
    app.after_request(_finish)
