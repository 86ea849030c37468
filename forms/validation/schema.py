"""Spec → marshmallow schema, built at load time.

Field errors travel through marshmallow as ``code`` or ``code|{json params}`` strings, so that
``validation`` can turn them into stable codes with messages in kk, ru and en.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from forms.catalogue.spec import FieldSpec, FormVersion
from forms.fields import field_type, iin
from forms.fields.base import REQUIRED, StrictSchema, coded, decode  # noqa: F401 - decode: validate.py reads errors


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
    return field_type(spec).marshmallow(spec, common, lambda children: _schema_class(children, name))


def _cross_checker(siblings: list[FieldSpec], checks: list[FieldSpec]):
    labels = {f.name: f.label for f in siblings}

    def cross_checks(self, data: dict, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        for spec in checks:
            value = data.get(spec.name)
            if spec.not_before and isinstance(value, dt.date):
                other = data.get(spec.not_before)
                if isinstance(other, dt.date) and value < other:
                    label = labels[spec.not_before]
                    errors.setdefault(spec.name, []).append(
                        coded("date_before", other=label.get("en"), other_kk=label.get("kk"), other_ru=label.get("ru"))
                    )
            if spec.birth_date_field and isinstance(value, str):
                born = data.get(spec.birth_date_field)
                if isinstance(born, dt.date) and iin.birth_date(value) != born:
                    errors.setdefault(spec.name, []).append(
                        coded("iin_birth_date_mismatch", birth_date=born.isoformat())
                    )
        if errors:
            raise ValidationError(errors)

    return cross_checks
