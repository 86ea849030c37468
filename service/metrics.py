"""Prometheus metrics: requests, renders by form/format/language, latency histograms, errors by code.

Labels take only bounded values (route templates, registered form ids, the fixed formats and
languages, error codes), never what a client typed. Under gunicorn with several workers,
``PROMETHEUS_MULTIPROC_DIR`` (set by ``nysan serve``) makes /metrics add up every worker.
"""

from __future__ import annotations

import os

from flask import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter("nysan_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "nysan_http_request_duration_seconds",
    "Time to answer a request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RENDERS = Counter("nysan_renders", "Documents rendered", ["form", "format", "lang"])
RENDER_LATENCY = Histogram(
    "nysan_render_duration_seconds",
    "Time to render one document",
    ["format"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
ERRORS = Counter("nysan_errors", "Error responses by code", ["code"])
# Which engine made each PDF: "typeset" (reason "none") or "weasyprint" with the reason the document
# left the typesetter (forms.rendering.pdf.reason_code: a construct's name, never data).
PDF_RENDERS = Counter(
    "nysan_pdf_renders", "PDF documents made, by engine and the reason for WeasyPrint", ["form", "engine", "reason"]
)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """A client may send any method name (405): the known ones, else ``other``, so that labels stay few."""
    return method if method in METHODS else "other"


def observe_request(method: str, route: str, status: int, seconds: float, error: str | None) -> None:
    method = method_label(method)
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    if error:
        ERRORS.labels(error).inc()


def observe_render(form: str, fmt: str, lang: str, seconds: float) -> None:
    RENDERS.labels(form, fmt, lang).inc()
    RENDER_LATENCY.labels(fmt).observe(seconds)


def observe_pdf_engine(form: str, engine: str, reason: str) -> None:
    PDF_RENDERS.labels(form or "-", engine, reason).inc()


def count_pdf_engines() -> None:
    """Listen to the rendering layer's engine reports (once per process)."""
    from forms.rendering import pdf

    if observe_pdf_engine not in pdf.ENGINE_LISTENERS:
        pdf.ENGINE_LISTENERS.append(observe_pdf_engine)


count_pdf_engines()


def exposition() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
