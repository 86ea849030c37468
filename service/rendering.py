"""Rendering in the service, installed once for the app and used by both blueprints: the registry,
the render gate, and the renders with their metrics.

A request validates its data itself, then hands the clean data to one of ``RENDER_SLOTS`` render
processes (``renderpool.py``) and waits at most ``RENDER_TIMEOUT`` seconds. Past the deadline the
process is killed, so ``RenderTimeout`` means nothing is still running for that request, and the
slot is free again; with every slot taken a new render is refused at once (``Busy``) instead of
piling up. Each blueprint answers these its own way (the API's JSON envelope, the web's "try again"
page), both 503 with ``Retry-After``. A render process pauses its cyclic garbage collector while it
renders (a long journal renders a third faster).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

import forms
from forms.rendering import document as engine_document
from forms.rendering.gcpause import gc_paused
from forms.rendering.request import Renderer, RenderOptions, RenderRequest
from forms.rendering.request import prepare as engine_prepare

from . import metrics
from .renderpool import Pool, RenderFailed, worker_registry

NO_STORE = {"Cache-Control": "no-store"}  # documents and their data hold personal data


class RenderRefused(Exception):
    """The gate's answer instead of a document; ``timeout`` is the gate's time allowed, in seconds."""

    code = "render_refused"

    def __init__(self, timeout: float):
        super().__init__(self.code)
        self.timeout = timeout

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.timeout))

    @property
    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


class Busy(RenderRefused):
    """Every slot is taken."""

    code = "busy"


class RenderTimeout(RenderRefused):
    """The render did not finish in time; its process was killed (nothing goes on for it)."""

    code = "render_timeout"


class RenderGate:
    """At most ``slots`` renders at once, each in a process of its own, killed at the deadline."""

    def __init__(self, slots: int, timeout: float, registry: forms.Registry | None = None):
        self.timeout = float(timeout)
        self.pool = Pool(slots, registry)

    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    def run(self, work: Callable, *args: Any, deadline: float | None = None) -> Any:
        """``work(*args)`` in a render process (``work`` a module-level function: it is sent by name);
        ``Busy`` or ``RenderTimeout`` when it cannot be had before the deadline."""
        deadline = self.deadline() if deadline is None else deadline
        worker = self.pool.take()
        if worker is None:
            raise Busy(self.timeout)
        try:
            reply = worker.call(work, args, deadline - time.monotonic())
        except BaseException:
            self.pool.discard(worker)
            raise
        if reply is None:
            self.pool.discard(worker)  # killed now: the CPU is free when the client hears 503
            raise RenderTimeout(self.timeout)
        self.pool.give_back(worker)
        status, value = reply
        if status == "ok":
            return value
        if status == "error":
            raise value
        raise RenderFailed(value)


def render_jobs(requests: list[RenderRequest], reg: forms.Registry | None = None) -> list[tuple[bytes, float]]:
    """Each document and the seconds it took (in a render process, with its registry, unless given one)."""
    reg = reg or worker_registry()
    done = []
    for request in requests:
        started = time.perf_counter()
        done.append((engine_document.render(reg, request), time.perf_counter() - started))
    return done


def rows(value: Any) -> int:
    """Entries of every list in clean data (nested at most ``MAX_DEPTH``: the request was checked)."""
    count, stack = 0, [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            count += len(node)
            stack.extend(node)
    return count


def install_rendering(app: Flask) -> None:
    """The registry (the engine's settings from the app's configuration) and the render gate."""
    settings = forms.Settings.from_config(app.config)
    try:
        shared = settings == forms.default_settings()
    except forms.SettingsError:  # the environment's are bad, and the app's mapping has overridden them
        shared = False
    # The process's registry when the settings are the process's: its specs are loaded once.
    app.extensions["nysan.registry"] = forms.default_registry() if shared else forms.Registry(settings=settings)
    app.extensions["nysan.render_gate"] = RenderGate(
        app.config["RENDER_SLOTS"], app.config["RENDER_TIMEOUT"], app.extensions["nysan.registry"]
    )


def registry(app: Flask | None = None) -> forms.Registry:
    return (app or current_app).extensions["nysan.registry"]


def gate(app: Flask | None = None) -> RenderGate:
    return (app or current_app).extensions["nysan.render_gate"]


# The service's validation, as its renders, with the collector paused: a long journal's clean data is
# all kept, and a full collection amid it cost a 4,000-row journal ~100 ms.
validate = gc_paused()(forms.validate)


def prepare(reg: forms.Registry, form_id: str, data: Any, options: RenderOptions) -> tuple[RenderRequest, Any]:
    """The engine's ``prepare`` (raising its errors), its validation with the collector paused as
    ``validate`` above."""
    with gc_paused():
        return engine_prepare(reg, form_id, data, options)


def render_many(requests: list[RenderRequest], app: Flask | None = None) -> list[bytes]:
    """Documents rendered within one deadline, recording the render metrics. One short document (at most
    ``RENDER_INLINE_ROWS`` rows: a few milliseconds, its size bounded by its fields' lengths) renders
    here, sparing the hand-over to a render process, which halved the one-page throughput on two busy
    cores; anything longer goes through the gate, whose process is killed at the deadline."""
    app = app or current_app._get_current_object()
    if len(requests) == 1 and rows(requests[0].clean) <= app.config["RENDER_INLINE_ROWS"]:
        with gc_paused():
            done = render_jobs(requests, registry(app))
    else:
        done = gate(app).run(render_jobs, requests)
    for request, (_document, seconds) in zip(requests, done):
        metrics.observe_render(request.form, request.fmt, request.lang, seconds)
    return [document for document, _seconds in done]


def render(form_id: str, data: Any, options: RenderOptions) -> tuple[bytes, Any]:
    """One document through the app's gate (call within a request)."""
    request, spec = prepare(registry(), form_id, data, options)
    return render_many([request])[0], spec


def gated_renderer(app: Flask) -> Renderer:
    """The register's renderer: each issued document made like any other render (in one of the
    gate's render processes, under the request's deadline, unless it is short)."""
    return lambda request: render_many([request], app)[0]


def filename(spec, lang: str, fmt: str) -> str:
    return f"{spec.id}-v{spec.version}-{lang}.{fmt}"
