"""What a request can be refused with, whichever part of the service answers it: the API answers a
``RequestError`` with its JSON envelope (``api/errors.py``), the web with a page in the clerk's
language."""

from __future__ import annotations

MAX_ERRORS = 100  # field errors listed in one answer; ``count`` gives the total when there are more


class RequestError(Exception):
    """A refusal: HTTP status, a stable code, its message's parameters, field errors."""

    def __init__(self, status: int, code: str, errors: list[dict] | None = None, headers: dict | None = None, **params):
        super().__init__(code)
        self.status, self.code, self.params = status, code, params
        self.errors = errors or []  # [{"path", "code", "params"}]: messages made per language
        self.headers = headers or {}


def field(path: str, code: str, **params) -> dict:
    """One field's error as a ``RequestError`` lists it."""
    return {"path": path, "code": code, "params": params}
