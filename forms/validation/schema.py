"""Spec → marshmallow schema, built at load time.

Field errors travel through marshmallow as ``code`` or ``code|{json params}`` strings, so that
``validation`` can turn them into stable codes with messages in kk, ru and en.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from forms.fields import dates

from forms.fields import iin
from forms.catalogue.spec import PERSON_PARTS, FieldSpec, FormVersion

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
REQUIRED = {"required": "required", "null": "required"}


def coded(code: str, **params: Any) -> str:
    return f"{code}|{json.dumps(params, ensure_ascii=False, default=str)}" if params else code


def decode(text: str) -> tuple[str, dict]:
    code, _, params = str(text).partition("|")
    return code, (json.loads(params) if params else {})


class Text(fields.Field):
    """A trimmed, NFC-normalised string; empty means absent."""

    def __init__(self, *, max_length: int | None, multiline: bool = False, pattern: str | None = None, **kw):
        super().__init__(**kw)
        self.max_length, self.multiline = max_length, multiline
        self.pattern = re.compile(pattern) if pattern else None

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError(coded("invalid_type", expected="string"))
        value = unicodedata.normalize("NFC", value).strip()
        value = value.replace("\r\n", "\n") if self.multiline else " ".join(value.split())
        if CONTROL_RE.search(value.replace("\n", "").replace("\t", "")):
            raise ValidationError(coded("control_characters"))
        if not value:
            if self.required:
                raise ValidationError("required")
            return None
        if self.max_length and len(value) > self.max_length:
            raise ValidationError(coded("max_length", max=self.max_length))
        if self.pattern and not self.pattern.fullmatch(value):
            raise ValidationError(coded("pattern"))
        return value


class Date(fields.Field):
    def __init__(self, *, past: bool = False, **kw):
        super().__init__(**kw)
        self.past = past

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip() and not self.required:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValidationError(coded("invalid_date"))
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(coded("invalid_date")) from None
        if self.past and day > dates.today():
            raise ValidationError(coded("future_date"))
        return day


class Integer(fields.Field):
    def __init__(self, *, minimum: int | None, maximum: int | None, **kw):
        super().__init__(**kw)
        self.minimum, self.maximum = minimum, maximum

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
            value = int(value)
        if isinstance(value, str) and not value.strip() and not self.required:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(coded("invalid_integer"))
        low = self.minimum if self.minimum is not None else -(10**12)
        high = self.maximum if self.maximum is not None else 10**12
        if not low <= value <= high:
            raise ValidationError(coded("out_of_range", min=low, max=high))
        return value


class Boolean(fields.Field):
    TRUE, FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in self.TRUE | self.FALSE:
            return value.strip().lower() in self.TRUE
        raise ValidationError(coded("invalid_type", expected="boolean"))


class Choice(fields.Field):
    def __init__(self, *, choices: list[str], **kw):
        super().__init__(**kw)
        self.choices = choices

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and not value.strip() and not self.required:
            return None
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise ValidationError(coded("invalid_choice", choices=self.choices))
        return value.strip()


class IIN(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:012d}"
        if not isinstance(value, str):
            raise ValidationError(coded("iin_format"))
        value = "".join(value.split())
        if not value and not self.required:
            return None
        try:
            iin.check(value)
        except iin.IINError as err:
            raise ValidationError(coded(err.code)) from None
        return value


class Items(fields.List):
    def __init__(self, inner, *, min_items: int | None, max_items: int | None, **kw):
        super().__init__(inner, **kw)
        self.min_items, self.max_items = min_items, max_items

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError(coded("invalid_type", expected="list"))
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(coded("too_many_items", max=self.max_items))
        if self.min_items and len(value) < self.min_items:
            raise ValidationError(coded("too_few_items", min=self.min_items))
        return super()._deserialize(value, attr, data, **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown_field", "type": coded("invalid_type", expected="object")}


def build_schema(spec: FormVersion) -> Schema:
    """The marshmallow schema of a version; cached on the spec object."""
    cached = spec.__dict__.get("_marshmallow")
    if cached is None:
        cached = _schema_class(spec.fields, f"{spec.id}_{spec.version}")()
        spec.__dict__["_marshmallow"] = cached
    return cached


def _schema_class(specs: list[FieldSpec], name: str) -> type[Schema]:
    attrs: dict[str, Any] = {f.name: _field(f, f"{name}_{f.name}") for f in specs}
    checks = [f for f in specs if f.not_before or f.birth_date_field]
    if checks:
        attrs["_cross_checks"] = validates_schema(skip_on_field_errors=False)(_cross_checker(specs, checks))
    return type(re.sub(r"\W", "_", name), (StrictSchema,), attrs)


def _field(spec: FieldSpec, name: str) -> fields.Field:
    common = {"required": spec.required, "allow_none": not spec.required, "error_messages": dict(REQUIRED)}
    kind = spec.type
    if kind in ("string", "text"):
        return Text(max_length=spec.max_length, multiline=kind == "text", pattern=spec.pattern, **common)
    if kind == "date":
        return Date(past=spec.past, **common)
    if kind == "integer":
        return Integer(minimum=spec.min, maximum=spec.max, **common)
    if kind == "boolean":
        return Boolean(**common)
    if kind == "enum":
        return Choice(choices=spec.choice_values, **common)
    if kind == "iin":
        return IIN(**common)
    if kind == "person":
        parts = {
            part: Text(max_length=spec.max_length, required=part != "patronymic", allow_none=part == "patronymic",
                       error_messages=dict(REQUIRED))
            for part in PERSON_PARTS
        }
        person = type(re.sub(r"\W", "_", name), (StrictSchema,), parts)
        return fields.Nested(person, **common)
    if kind == "object":
        return fields.Nested(_schema_class(spec.children, name), **common)
    if kind == "list":
        inner = fields.Nested(_schema_class(spec.children, name), error_messages=dict(REQUIRED))
        return Items(inner, min_items=spec.min_items, max_items=spec.max_items, **common)
    raise ValueError(f"unknown field type {kind}")


def _cross_checker(siblings: list[FieldSpec], checks: list[FieldSpec]):
    labels = {f.name: f.label for f in siblings}

    def cross_checks(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        for spec in checks:
            value = data.get(spec.name)
            if spec.not_before and isinstance(value, dt.date):
                other = data.get(spec.not_before)
                if isinstance(other, dt.date) and value < other:
                    label = labels[spec.not_before]
                    errors.setdefault(spec.name, []).append(coded(
                        "date_before", other=label.get("en"), other_kk=label.get("kk"), other_ru=label.get("ru")))
            if spec.birth_date_field and isinstance(value, str):
                born = data.get(spec.birth_date_field)
                if isinstance(born, dt.date) and iin.birth_date(value) != born:
                    errors.setdefault(spec.name, []).append(coded("iin_birth_date_mismatch", birth_date=born.isoformat()))
        if errors:
            raise ValidationError(errors)

    return cross_checks
