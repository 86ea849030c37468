"""Limits on the work one request may ask for: rows per document, documents per batch, render time.

A render runs in a daemon thread and the request waits at most ``RENDER_TIMEOUT`` seconds for it;
beyond that the client gets 503 with ``Retry-After`` and the worker goes on serving. Python cannot
kill a thread, so a render that overran keeps its slot until it finishes: with ``RENDER_SLOTS``
renders already running, a new one is refused at once (503 ``busy``) instead of piling up.
(The body size limit is Flask's ``MAX_CONTENT_LENGTH``.)
"""
from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable

from flask import Flask, current_app

from .errors import ApiError, field


def longest_lists(data: Any) -> list[tuple[str, int]]:
    """(path, length) of every list in a payload, at any depth (iteratively: depth is the client's)."""
    found: list[tuple[str, int]] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            found.append((path, len(value)))
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value)
                         if isinstance(item, (dict, list)))
    return sorted(found)


def check_rows(data: Any, prefix: str = "") -> None:
    """413 ``too_many_rows`` when any list of the document is longer than ``MAX_ROWS``."""
    limit = current_app.config["MAX_ROWS"]
    over = [(path, n) for path, n in longest_lists(data) if n > limit]
    if over:
        raise ApiError(413, "too_many_rows", [field(f"{prefix}{path}", "too_many_rows", max=limit) for path, _ in over],
                       max=limit)


def check_batch_size(count: int) -> None:
    limit = current_app.config["MAX_BATCH"]
    if count > limit:
        raise ApiError(413, "too_many_documents", [field("documents", "too_many_documents", max=limit)], max=limit)


def retry_after(seconds: float) -> dict:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class RenderGate:
    """At most ``slots`` renders at once in this process, each awaited for at most ``timeout`` s."""

    def __init__(self, slots: int, timeout: float):
        self.timeout = float(timeout)
        self._slots = threading.BoundedSemaphore(max(1, int(slots)))

    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    def run(self, work: Callable[[], Any], deadline: float | None = None) -> Any:
        """``work()``'s result, or 503 when it does not finish before the deadline."""
        deadline = self.deadline() if deadline is None else deadline
        if not self._slots.acquire(blocking=False):
            raise ApiError(503, "busy", headers=retry_after(self.timeout), seconds=max(1, math.ceil(self.timeout)))
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def target():
            try:
                outcome["value"] = work()
            except BaseException as err:  # handed to the request thread, which raises it
                outcome["error"] = err
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=target, name="nysan-render", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            raise ApiError(503, "render_timeout", headers=retry_after(self.timeout), seconds=f"{self.timeout:g}")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


def gate(app: Flask | None = None) -> RenderGate:
    app = app or current_app
    return app.extensions["nysan.render_gate"]


def register(app: Flask) -> None:
    app.extensions["nysan.render_gate"] = RenderGate(app.config["RENDER_SLOTS"], app.config["RENDER_TIMEOUT"])
