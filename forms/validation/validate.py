"""Validate a payload against a version: every error at once, each with path, code and message."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from forms.catalogue.spec import FormVersion
from forms.errors import FieldError
from forms.validation import fastcheck
from forms.validation.schema import build_schema, decode


def check(spec: FormVersion, data: Any) -> tuple[dict | None, list[FieldError]]:
    """(clean data, []) when valid, else (None, errors). Never changes ``data``.

    Valid data takes the fast path (``fastcheck``); anything it cannot vouch for, every payload
    with an error included, is decided by the marshmallow schema, so the errors are always its own.
    """
    if isinstance(data, dict):
        clean = fastcheck.load(spec, data)
        if clean is not None:
            return clean, []
    return reference_check(spec, data)


def reference_check(spec: FormVersion, data: Any) -> tuple[dict | None, list[FieldError]]:
    """``check`` through the marshmallow schema alone: the reference the fast path must equal."""
    if not isinstance(data, dict):
        return None, [FieldError("", "invalid_type", {"expected": "object"})]
    try:
        return build_schema(spec).load(data), []
    except ValidationError as err:
        return None, sorted(set(_flatten(err.messages, "")), key=lambda e: _order(spec, e.path))


def _flatten(messages: Any, path: str) -> list[FieldError]:
    if isinstance(messages, dict):
        found: list[FieldError] = []
        for key, value in messages.items():
            if key == "_schema":
                found.extend(_flatten(value, path))
            elif isinstance(key, int):
                found.extend(_flatten(value, f"{path}[{key}]"))
            else:
                found.extend(_flatten(value, f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(messages, (list, tuple)):
        found = []
        for item in messages:
            found.extend(_flatten(item, path))
        return found
    code, params = decode(messages)
    return [FieldError(path, code, params)]


def _order(spec: FormVersion, path: str) -> tuple:
    """Sort errors in the order the fields appear on the form, then by row."""
    order = {f.name: i for i, f in enumerate(spec.fields)}
    head = path.split(".")[0].split("[")[0]
    return (order.get(head, len(order)), path)
