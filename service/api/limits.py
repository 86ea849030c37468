"""Limits on the work one request may ask for: rows per document, documents per batch.

(Render time and renders at once: the app's render gate, ``service/rendering.py``; the body size
limit is Flask's ``MAX_CONTENT_LENGTH``.)
"""
from __future__ import annotations

from typing import Any

from flask import current_app

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
