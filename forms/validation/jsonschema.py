"""Spec → JSON Schema (draft 2020-12), for other systems and for the OpenAPI document."""

from __future__ import annotations

from forms.catalogue.spec import FieldSpec, FormVersion
from forms.fields import field_type

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(spec: FormVersion) -> dict:
    schema = _object(spec.fields)
    schema.update(
        {
            "$schema": DIALECT,
            "$id": f"urn:nysan:form:{spec.id}:{spec.version}",
            "title": spec.title.get("ru") or spec.title["kk"],
            "description": spec.summary.get("en", ""),
            "x-nysan": {
                "form": spec.id,
                "version": spec.version,
                "title": spec.title,
                "effective_from": spec.effective_from.isoformat(),
                "effective_to": spec.effective_to.isoformat() if spec.effective_to else None,
                "status": spec.status,
                "official": spec.official,
                "ru_text": spec.ru_text,
            },
        }
    )
    return schema


def _object(specs: list[FieldSpec]) -> dict:
    return {
        "type": "object",
        "properties": {f.name: _property(f) for f in specs},
        "required": [f.name for f in specs if f.required],
        "additionalProperties": False,
    }


def _annotate(schema: dict, spec: FieldSpec) -> dict:
    schema["title"] = spec.label.get("en", spec.name)
    schema["x-labels"] = spec.label
    if spec.help:  # the type's own words (a date's bounds) follow the help
        schema["description"] = " ".join(filter(None, (spec.help.get("en"), schema.get("description"))))
        schema["x-help"] = spec.help
    return schema


def _nullable(schema: dict, spec: FieldSpec) -> dict:
    if spec.required:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _property(spec: FieldSpec) -> dict:
    body = field_type(spec).json_schema(spec, _object)
    return _annotate(_nullable(body, spec), spec)
