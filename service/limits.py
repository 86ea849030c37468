"""Limits on the work one request may ask for: nesting depth, rows per document and per request,
documents per batch, the data a reopened document may carry.

(Render time and renders at once: the app's render gate, ``service/rendering.py``; the body size
limit is Flask's ``MAX_CONTENT_LENGTH``.)
"""

from __future__ import annotations

from typing import Any

from flask import current_app

import forms
from forms.extract import extract

# The engine's: a reopened document's data is held to the same depth.
from forms.limits import MAX_DEPTH, too_deep
from forms.rendering.gcpause import gc_paused

from .errors import RequestError, field


def check_depth(value: Any) -> None:
    """400 ``too_deep`` before any other work on a payload nested beyond ``MAX_DEPTH``."""
    if too_deep(value):
        raise RequestError(400, "too_deep", [field("", "too_deep", max=MAX_DEPTH)], max=MAX_DEPTH)


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
            stack.extend(
                (f"{path}[{index}]", item) for index, item in enumerate(value) if isinstance(item, (dict, list))
            )
    return sorted(found)


def check_rows(data: Any, prefix: str = "") -> int:
    """413 ``too_many_rows`` when any list of the document is longer than ``MAX_ROWS``; else its rows."""
    limit = current_app.config["MAX_ROWS"]
    lists = longest_lists(data)
    over = [(path, n) for path, n in lists if n > limit]
    if over:
        raise RequestError(
            413, "too_many_rows", [field(f"{prefix}{path}", "too_many_rows", max=limit) for path, _ in over], max=limit
        )
    return sum(n for _path, n in lists)


def check_request_rows(total: int) -> None:
    """413 ``too_many_rows_in_request`` when a request's rows (every list's entries, summed over its
    documents) exceed ``MAX_REQUEST_ROWS``: the rows are what a render's time grows with."""
    limit = current_app.config["MAX_REQUEST_ROWS"]
    if total > limit:
        raise RequestError(
            413, "too_many_rows_in_request", [field("", "too_many_rows_in_request", max=limit)], max=limit
        )


def check_batch_size(count: int) -> None:
    limit = current_app.config["MAX_BATCH"]
    if count > limit:
        raise RequestError(413, "too_many_documents", [field("documents", "too_many_documents", max=limit)], max=limit)


def read_document(content: bytes, reg: forms.Registry) -> dict:
    """``forms.extract`` with the limits of a request body: the data at most ``MAX_CONTENT_LENGTH``
    bytes (what it cost to check is then what a posted body costs), ``MAX_ROWS`` entries in a list,
    nested 32 deep; the collector paused, as for the service's validations. The API and the web's
    "Open a document" both read through here."""
    config = current_app.config
    with gc_paused():
        return extract(content, reg, max_rows=int(config["MAX_ROWS"]), max_data_bytes=int(config["MAX_CONTENT_LENGTH"]))
