"""Spec → JSON Schema (draft 2020-12), for other systems and for the OpenAPI document."""
from __future__ import annotations

from forms.catalogue.spec import PERSON_PARTS, FieldSpec, FormVersion

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(spec: FormVersion) -> dict:
    schema = _object(spec.fields)
    schema.update({
        "$schema": DIALECT,
        "$id": f"urn:nysan:form:{spec.id}:{spec.version}",
        "title": spec.title.get("ru") or spec.title["kk"],
        "description": spec.summary.get("en", ""),
        "x-nysan": {
            "form": spec.id, "version": spec.version, "title": spec.title,
            "effective_from": spec.effective_from.isoformat(),
            "effective_to": spec.effective_to.isoformat() if spec.effective_to else None,
            "status": spec.status, "official": spec.official, "ru_text": spec.ru_text,
        },
    })
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
    if spec.help:
        schema["description"] = spec.help.get("en") or ""
        schema["x-help"] = spec.help
    return schema


def _nullable(schema: dict, spec: FieldSpec) -> dict:
    if spec.required:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _property(spec: FieldSpec) -> dict:
    kind = spec.type
    if kind in ("string", "text"):
        body = {"type": "string"}
        if spec.max_length:
            body["maxLength"] = spec.max_length
        if spec.pattern:
            body["pattern"] = spec.pattern
        if spec.required:
            body["minLength"] = 1
    elif kind == "date":
        body = {"type": "string", "format": "date"}
    elif kind == "integer":
        body = {"type": "integer"}
        if spec.min is not None:
            body["minimum"] = spec.min
        if spec.max is not None:
            body["maximum"] = spec.max
    elif kind == "boolean":
        body = {"type": "boolean"}
    elif kind == "enum":
        body = {"type": "string", "enum": spec.choice_values,
                "x-choices": [{"value": c["value"], "label": c["label"]} for c in spec.choices]}
    elif kind == "iin":
        body = {"type": "string", "pattern": "^[0-9]{12}$", "x-format": "kz-iin"}
    elif kind == "person":
        body = {
            "type": "object",
            "properties": {p: {"type": "string", "minLength": 1, "maxLength": spec.max_length} for p in PERSON_PARTS},
            "required": ["last_name", "first_name"],
            "additionalProperties": False,
        }
        body["properties"]["patronymic"] = {"anyOf": [{"type": "string", "maxLength": spec.max_length}, {"type": "null"}]}
    elif kind == "object":
        body = _object(spec.children)
    elif kind == "list":
        body = {"type": "array", "items": _object(spec.children)}
        if spec.min_items:
            body["minItems"] = spec.min_items
        if spec.max_items is not None:
            body["maxItems"] = spec.max_items
    else:  # pragma: no cover - the spec checker refuses other types
        raise ValueError(kind)
    return _annotate(_nullable(body, spec), spec) if not spec.required else _annotate(body, spec)
