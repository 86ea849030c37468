"""A plain-Python fast path for validation, compiled once per spec version.

marshmallow's per-field machinery costs 70–100 µs a journal row (issue 7). Valid payloads are by far
the common case, so this module checks them with small closures, one per field, that apply exactly
the rules of the marshmallow fields (same normalisation, same regular expressions, same order) and build the
same clean data. It only ever *vouches* for valid data: at the first thing it cannot vouch for (an
error of any kind, an unusual type, an exception) it gives up, and ``validation.check`` runs the
marshmallow schema, which alone produces errors. So the errors, their paths, codes and order are the
reference path's by construction; ``tests/test_validation_fast.py`` checks that the clean data is
identical on every form version's example and on mutated payloads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from forms.catalogue.spec import FieldSpec, FormVersion
from forms.fields import dates, field_type, iin
from forms.fields.base import FAST_STATE, Loader, Unsure, load_mapping


def load(spec: FormVersion, data: Any) -> dict | None:
    """The clean data when the payload is valid, or None when the reference path must decide
    (the payload has an error, or something here is not supported or failed)."""
    loader = compiled(spec)
    if loader is None:
        return None
    try:
        FAST_STATE.today = dates.today()
        return loader(data)
    except Exception:  # noqa: BLE001 - anything unexpected: the reference path decides
        return None


def compiled(spec: FormVersion) -> Loader | None:
    """The version's loader, built once and cached on the spec (None: no fast path for it)."""
    if "_fastcheck" not in spec.__dict__:
        try:
            spec.__dict__["_fastcheck"] = _object(spec.fields)
        except Exception:  # noqa: BLE001 - a spec this module does not know: always the reference
            spec.__dict__["_fastcheck"] = None
    return spec.__dict__["_fastcheck"]


# --- one loader per field; each takes a value that is neither missing nor None -----------------


def _field(spec: FieldSpec) -> Loader:
    return field_type(spec).fast_check(spec, _object)


def _object(specs: list[FieldSpec]) -> Loader:
    """A nested schema: (name, loader, required, allow_none) per field, as ``schema._field`` sets them."""
    entries = [(f.name, _field(f), f.required, not f.required) for f in specs]
    checks = [f for f in specs if f.not_before or f.birth_date_field]
    return load_mapping(entries, _cross_checks(checks) if checks else None)


def _cross_checks(checks: list[FieldSpec]) -> Callable[[dict], None]:
    """``schema._cross_checker``'s conditions, on the clean data."""
    date = dt.date

    def cross(out):
        for spec in checks:
            value = out.get(spec.name)
            if spec.not_before and isinstance(value, date):
                other = out.get(spec.not_before)
                if isinstance(other, date) and value < other:
                    raise Unsure
            if spec.birth_date_field and isinstance(value, str):
                born = out.get(spec.birth_date_field)
                if isinstance(born, date) and iin.birth_date(value) != born:
                    raise Unsure

    return cross
