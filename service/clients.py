"""Who is asking, and how often: the client's address (behind ``TRUSTED_PROXIES`` proxies) and the
per-address rate limit of public verification, shared by its JSON (``api/``) and its page (``web/``)."""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, current_app, request

from .errors import RequestError


class RateLimit:
    """At most ``per_minute`` requests per client address in each minute (a fixed window)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._window = 0
        self._counts: dict[str, int] = {}

    def check(self, address: str) -> float | None:
        """None when allowed; else the seconds until the next window."""
        if self.per_minute <= 0:
            return None
        now = time.time()
        window = int(now // 60)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            count = self._counts[address] = self._counts.get(address, 0) + 1
        return None if count <= self.per_minute else (window + 1) * 60 - now


def verify_limit(app: Flask) -> RateLimit:
    found = app.extensions.get("nysan.verify_limit")
    if found is None:
        found = app.extensions["nysan.verify_limit"] = RateLimit(app.config["VERIFY_RATE_LIMIT"])
    return found


def client_address() -> str:
    """The client's address: behind ``TRUSTED_PROXIES`` proxies, the one the outermost of them saw."""
    proxies = current_app.config["TRUSTED_PROXIES"]
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.remote_addr or ""


def check_verify_rate() -> None:
    """429 with ``Retry-After`` past ``VERIFY_RATE_LIMIT`` verifications a minute from this address."""
    wait = verify_limit(current_app).check(client_address())
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise RequestError(429, "too_many_requests", headers={"Retry-After": str(seconds)}, seconds=seconds)
