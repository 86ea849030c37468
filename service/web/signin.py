"""Sign-in's bounds, so that it can never take the CPU or the register's lock from rendering and
issuing: attempts per minute per client address and from all addresses together (429 with
``Retry-After``), and password hashes running at once (503 with ``Retry-After`` at once beyond,
never a queue). Each worker counts its own (in memory): the service as a whole allows ``WORKERS``
times as many; the lockout per name (recordkeeping/users.py) is in the database, shared by all.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app

from recordkeeping.users import SignIn, Users

from ..clients import client_address

EXTENSION = "nysan.sign_in_limits"
BUSY_RETRY = 1  # seconds: a hash takes ~0.1 s
PRUNE_AT = 10_000  # addresses remembered before the full buckets are forgotten
_clock = time.monotonic


class Buckets:
    """A token bucket per key: ``per_minute`` attempts at once, then one each ``60 / per_minute`` s
    (a fixed window would admit twice ``per_minute`` within seconds around its edge)."""

    def __init__(self, per_minute: int):
        self.capacity, self.rate = float(per_minute), per_minute / 60.0
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._prune_at = PRUNE_AT

    def take(self, key: str) -> float | None:
        """None when admitted (one token taken); else the seconds until the key has a token again."""
        now = _clock()
        with self._lock:
            tokens, then = self._keys.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            admitted = tokens >= 1
            self._keys[key] = (tokens - 1 if admitted else tokens, now)
            if len(self._keys) > self._prune_at:
                # Forget the keys whose buckets are full again (as a new key's); amortised by doubling.
                self._keys = {k: v for k, v in self._keys.items() if v[0] + (now - v[1]) * self.rate < self.capacity}
                self._prune_at = max(PRUNE_AT, 2 * len(self._keys))
        return None if admitted else (1 - tokens) / self.rate


@dataclass(frozen=True)
class Refusal:
    status: int
    text: str  # the key of the login page's message (service/web/i18n)
    retry_after: int


class Limits:
    def __init__(self, per_address: int, total: int, hashes: int):
        self.per_address = Buckets(per_address)
        self.total = Buckets(total)
        self.hashes = threading.BoundedSemaphore(hashes)

    def admit(self, address: str) -> Refusal | None:
        """None when this attempt may go on; the address's own limit first, so that one address's
        flood uses up its own share only, never everyone's."""
        wait = self.per_address.take(address)
        if wait is None:
            wait = self.total.take("")
        return None if wait is None else Refusal(429, "sign_in_too_many", max(1, math.ceil(wait)))


def install_sign_in_limits(app: Flask) -> None:
    """The worker's limits, made with the app (each gunicorn worker makes its own, after the fork)."""
    app.extensions[EXTENSION] = Limits(
        app.config["SIGN_IN_RATE_LIMIT"], app.config["SIGN_IN_TOTAL_RATE_LIMIT"], app.config["SIGN_IN_HASHES"]
    )


def attempt(users: Users, username: str, password: str) -> SignIn | Refusal:
    """One sign-in attempt within the limits: the result, or why it was refused before any hash."""
    limits: Limits = current_app.extensions[EXTENSION]
    refused = limits.admit(client_address())
    if refused is not None:
        return refused
    if not (username and password):
        return SignIn(None)
    result = users.sign_in(username, password, limits.hashes)
    if result.busy:
        return Refusal(503, "sign_in_busy", BUSY_RETRY)
    if result.locked:
        return Refusal(429, "sign_in_locked", result.retry_after)
    return result
