"""A plain-Python fast path for validation, compiled once per spec version.

marshmallow's per-field machinery costs 70–100 µs a journal row (issue 7). Valid payloads are by far
the common case, so this module checks them with small closures, one per field, that apply exactly
the rules of ``schema.py`` (same normalisation, same regular expressions, same order) and build the
same clean data. It only ever *vouches* for valid data: at the first thing it cannot vouch for (an
error of any kind, an unusual type, an exception) it gives up, and ``validation.check`` runs the
marshmallow schema, which alone produces errors. So the errors, their paths, codes and order are the
reference path's by construction; ``tests/test_validation_fast.py`` checks that the clean data is
identical on every form version's example and on mutated payloads.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from typing import Any, Callable

from forms.fields import dates

from forms.fields import iin
from forms.validation.schema import CONTROL_RE, Boolean
from forms.catalogue.spec import PERSON_PARTS, FieldSpec, FormVersion

Loader = Callable[[Any], Any]
_MISSING = object()
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")       # schema.Date's pattern
_INTEGER_RE = re.compile(r"\s*-?\d{1,12}\s*")      # schema.Integer's pattern
_state = threading.local()                          # today (Asia/Almaty) for the call in progress


class Unsure(Exception):
    """The fast path cannot vouch for the payload; the marshmallow schema decides."""


def load(spec: FormVersion, data: Any) -> dict | None:
    """The clean data when the payload is valid, or None when the reference path must decide
    (the payload has an error, or something here is not supported or failed)."""
    loader = compiled(spec)
    if loader is None:
        return None
    try:
        _state.today = dates.today()
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


# --- one loader per field type; each takes a value that is neither missing nor None -------------

def _field(spec: FieldSpec) -> Loader:
    kind, required = spec.type, spec.required
    if kind in ("string", "text"):
        return _string(spec.max_length, spec.pattern, required, multiline=kind == "text")
    if kind == "date":
        return _date(spec.past, required)
    if kind == "integer":
        return _integer(spec.min, spec.max, required)
    if kind == "boolean":
        return _boolean()
    if kind == "enum":
        return _choice(spec.choice_values, required)
    if kind == "iin":
        return _iin(required)
    if kind == "person":
        parts = [(part, _string(spec.max_length, None, part != "patronymic"), part != "patronymic",
                  part == "patronymic") for part in PERSON_PARTS]
        return _mapping(parts, None)
    if kind == "object":
        return _object(spec.children)
    if kind == "list":
        return _items(_object(spec.children), spec.min_items, spec.max_items)
    raise ValueError(f"no fast path for field type {kind}")


def _object(specs: list[FieldSpec]) -> Loader:
    """A nested schema: (name, loader, required, allow_none) per field, as ``schema._field`` sets them."""
    entries = [(f.name, _field(f), f.required, not f.required) for f in specs]
    checks = [f for f in specs if f.not_before or f.birth_date_field]
    return _mapping(entries, _cross_checks(checks) if checks else None)


def _mapping(entries: list[tuple], cross: Callable[[dict], None] | None) -> Loader:
    names = frozenset(entry[0] for entry in entries)
    entries = tuple(entries)

    def load_mapping(value):
        if type(value) is not dict or not names.issuperset(value):  # unknown_field, invalid_type
            raise Unsure
        out = {}
        for name, loader, required, allow_none in entries:
            raw = value.get(name, _MISSING)
            if raw is _MISSING:
                if required:
                    raise Unsure
            elif raw is None:
                if not allow_none:
                    raise Unsure
                out[name] = None
            else:
                out[name] = loader(raw)
        if cross is not None:
            cross(out)
        return out

    return load_mapping


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


def _items(item: Loader, min_items: int | None, max_items: int | None) -> Loader:
    def load_items(value):
        if type(value) is not list:
            raise Unsure
        if max_items is not None and len(value) > max_items:
            raise Unsure
        if min_items and len(value) < min_items:
            raise Unsure
        return [item(row) for row in value]  # a null row is not a dict: Unsure

    return load_items


def _string(max_length: int | None, pattern: str | None, required: bool, multiline: bool = False) -> Loader:
    """schema.Text: NFC, trimmed; one line: whitespace runs to one space."""
    normalize, search = unicodedata.normalize, CONTROL_RE.search
    fullmatch = re.compile(pattern).fullmatch if pattern else None

    def load_string(value):
        if type(value) is not str:
            value = _number_text(value)
        if multiline:
            value = normalize("NFC", value).strip().replace("\r\n", "\n")
            faulty = search(value.replace("\n", "").replace("\t", ""))
        else:
            # strip() then split() in schema.Text: split() alone drops the same ends, and no \n or
            # \t is left after it for the control-character check to remove first.
            value = " ".join(normalize("NFC", value).split())
            faulty = search(value)
        if faulty:
            raise Unsure
        if not value:
            if required:
                raise Unsure
            return None
        if max_length and len(value) > max_length:
            raise Unsure
        if fullmatch is not None and not fullmatch(value):
            raise Unsure
        return value

    return load_string


def _number_text(value: Any) -> str:
    if type(value) in (int, float):  # schema.Text turns numbers into their text
        return str(value)
    raise Unsure


def _date(past: bool, required: bool) -> Loader:
    fullmatch, fromisoformat = _DATE_RE.fullmatch, dt.date.fromisoformat

    def load_date(value):
        if type(value) is not str:
            raise Unsure
        value = value.strip()
        if not value:
            if required:
                raise Unsure
            return None
        if not fullmatch(value):
            raise Unsure
        day = fromisoformat(value)  # ValueError: not a real date, the reference path says so
        if past and day > _state.today:
            raise Unsure
        return day

    return load_date


def _integer(minimum: int | None, maximum: int | None, required: bool) -> Loader:
    low = minimum if minimum is not None else -(10**12)
    high = maximum if maximum is not None else 10**12

    def load_integer(value):
        if type(value) is str:
            if not _INTEGER_RE.fullmatch(value):
                if value.strip() or required:
                    raise Unsure
                return None
            value = int(value)
        elif type(value) is not int:
            raise Unsure
        if not low <= value <= high:
            raise Unsure
        return value

    return load_integer


def _boolean() -> Loader:
    true, known = Boolean.TRUE, Boolean.TRUE | Boolean.FALSE

    def load_boolean(value):
        if type(value) is bool:
            return value
        if type(value) is str and value.strip().lower() in known:
            return value.strip().lower() in true
        raise Unsure

    return load_boolean


def _choice(choices: list[str], required: bool) -> Loader:
    def load_choice(value):
        if type(value) is int:
            value = str(value)
        elif type(value) is not str:
            raise Unsure
        value = value.strip()
        if not value and not required:
            return None
        if value not in choices:
            raise Unsure
        return value

    return load_choice


def _iin(required: bool) -> Loader:
    def load_iin(value):
        if type(value) is int:
            value = f"{value:012d}"
        elif type(value) is not str:
            raise Unsure
        value = "".join(value.split())
        if not value and not required:
            return None
        iin.check(value)  # IINError: the reference path reports its code
        return value

    return load_iin
