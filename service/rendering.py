"""Rendering in the service, installed once for the app and used by both blueprints: the registry,
the render gate, and one render with its metrics.

A render runs in a daemon thread and the request waits at most ``RENDER_TIMEOUT`` seconds for it;
beyond that the gate raises ``RenderTimeout`` and the worker goes on serving. Python cannot kill a
thread, so a render that overran keeps its slot until it finishes: with ``RENDER_SLOTS`` renders
already running, a new one is refused at once (``Busy``) instead of piling up. Each blueprint
answers these its own way (the API's JSON envelope, the web's "try again" page), both 503 with
``Retry-After``. The gate pauses the worker's cyclic garbage collector while it renders (a long
journal renders a third faster): the worker process is the service's own.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable

from flask import Flask, current_app

import forms
from forms.rendering.gcpause import gc_paused

from . import metrics

NO_STORE = {"Cache-Control": "no-store"}   # documents and their data hold personal data


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
    """The render did not finish in time (it goes on in its thread, holding its slot)."""

    code = "render_timeout"


class RenderGate:
    """At most ``slots`` renders at once in this process, each awaited for at most ``timeout`` s."""

    def __init__(self, slots: int, timeout: float):
        self.timeout = float(timeout)
        self._slots = threading.BoundedSemaphore(max(1, int(slots)))

    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    def run(self, work: Callable[[], Any], deadline: float | None = None) -> Any:
        """``work()``'s result; ``Busy`` or ``RenderTimeout`` when it cannot be had before the deadline."""
        deadline = self.deadline() if deadline is None else deadline
        if not self._slots.acquire(blocking=False):
            raise Busy(self.timeout)
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def target():
            try:
                with gc_paused():
                    outcome["value"] = work()
            except BaseException as err:  # handed to the request thread, which raises it
                outcome["error"] = err
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=target, name="nysan-render", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            raise RenderTimeout(self.timeout)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


def install(app: Flask) -> None:
    """The registry (the engine's settings from the app's configuration) and the render gate."""
    settings = forms.Settings.from_config(app.config)
    try:
        shared = settings == forms.default_settings()
    except forms.SettingsError:   # the environment's are bad, and the app's mapping has overridden them
        shared = False
    # The process's registry when the settings are the process's: its specs are loaded once.
    app.extensions["nysan.registry"] = forms.default_registry() if shared else forms.Registry(settings=settings)
    app.extensions["nysan.render_gate"] = RenderGate(app.config["RENDER_SLOTS"], app.config["RENDER_TIMEOUT"])


def registry(app: Flask | None = None) -> forms.Registry:
    return (app or current_app).extensions["nysan.registry"]


def gate(app: Flask | None = None) -> RenderGate:
    return (app or current_app).extensions["nysan.render_gate"]


def render_one(reg: forms.Registry, form_id: str, data, lang: str, fmt: str, version=None,
               as_of=None, pdfa: str = forms.api.DEFAULT_VARIANT) -> tuple[bytes, Any]:
    """Validate and render one document, recording the render metrics. Runs in the render thread,
    outside the application context: everything it needs is passed in."""
    started = time.perf_counter()
    document, spec = forms.render_document(form_id, data, lang, fmt, version, as_of, reg, pdfa)
    metrics.observe_render(spec.id, fmt, lang, time.perf_counter() - started)
    return document, spec


def render(form_id: str, data, lang: str, fmt: str, version=None, as_of=None,
           pdfa: str = forms.api.DEFAULT_VARIANT) -> tuple[bytes, Any]:
    """One document through the app's gate (call within a request)."""
    reg = registry()   # looked up here: the render thread has no application context
    return gate().run(lambda: render_one(reg, form_id, data, lang, fmt, version, as_of, pdfa))


def filename(spec, lang: str, fmt: str) -> str:
    return f"{spec.id}-v{spec.version}-{lang}.{fmt}"
