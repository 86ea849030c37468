"""Fields made of other values: ``person`` (a name in parts), ``object`` and ``list``."""

from __future__ import annotations

from marshmallow import ValidationError, fields

from forms.fields.base import REQUIRED, FieldType, StrictSchema, Unsure, Widget, as_text, coded, load_mapping
from forms.fields.text import Text, load_text


class PersonType(FieldType):
    """A person's name: last name and first name required, the patronymic optional (many people
    have none). ``max_length`` applies to each part."""

    name = "person"
    default_max_length = 100
    tag_filter = "|fullname"
    PARTS = ("last_name", "first_name", "patronymic")
    OPTIONAL = frozenset({"patronymic"})

    def required_part(self, part: str) -> bool:
        return part not in self.OPTIONAL

    def marshmallow(self, spec, common, inner):
        parts = {
            part: Text(
                max_length=spec.max_length,
                required=self.required_part(part),
                allow_none=not self.required_part(part),
                error_messages=dict(REQUIRED),
            )
            for part in self.PARTS
        }
        return fields.Nested(type(f"Person_{spec.name}", (StrictSchema,), parts), **common)

    def fast_check(self, spec, inner):
        return load_mapping(
            [
                (
                    part,
                    load_text(spec.max_length, None, self.required_part(part)),
                    self.required_part(part),
                    not self.required_part(part),
                )
                for part in self.PARTS
            ]
        )

    def json_schema(self, spec, inner):
        properties = {}
        for part in self.PARTS:
            if self.required_part(part):
                properties[part] = {"type": "string", "minLength": 1, "maxLength": spec.max_length}
            else:
                properties[part] = {"anyOf": [{"type": "string", "maxLength": spec.max_length}, {"type": "null"}]}
        return {
            "type": "object",
            "properties": properties,
            "required": [p for p in self.PARTS if self.required_part(p)],
            "additionalProperties": False,
        }

    def template_value(self, spec, value, inner):
        return None if value is None else {part: value.get(part) for part in self.PARTS}

    def template_attributes(self, spec):
        return set(self.PARTS)

    def widget(self, spec, value, t):
        value = value if isinstance(value, dict) else {}
        return Widget("person", parts=[(p, t(p), as_text(value.get(p))) for p in self.PARTS])

    def posted(self, form, spec, path, inner):
        parts = {p: form.get(f"{path}.{p}", "") for p in self.PARTS}
        return {p: v for p, v in parts.items() if v.strip()} or None

    def columns(self, spec, column, inner):
        return [column(part, self.required_part(part)) for part in self.PARTS]

    def from_whole_name(self, text: str) -> dict:
        """'Сейітова Айгүл Маратқызы' in one cell → its parts (the first word is the last name,
        the third and any after it the patronymic)."""
        words = text.split()
        if not words:
            return {}
        found = dict(zip(self.PARTS, (words[0], " ".join(words[1:2]), " ".join(words[2:]))))
        return {part: value for part, value in found.items() if value}


class ObjectType(FieldType):
    """A group of fields (``fields:``), e.g. an address."""

    name = "object"
    children_key = "fields"

    def marshmallow(self, spec, common, inner):
        return fields.Nested(inner(spec.children), **common)

    def fast_check(self, spec, inner):
        return inner(spec.children)

    def json_schema(self, spec, inner):
        return inner(spec.children)

    def template_value(self, spec, value, inner):
        return inner(spec.children, value)

    def template_attributes(self, spec):
        return {c.name for c in spec.children}

    def widget(self, spec, value, t):
        return Widget("object")

    def posted(self, form, spec, path, inner):
        return inner.object(spec.children, path) or None

    def columns(self, spec, column, inner):
        return inner(spec.children)


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


class ListType(FieldType):
    """Rows of the same fields (``item:``): a family's members, a journal's entries."""

    name = "list"
    children_key = "item"

    def marshmallow(self, spec, common, inner):
        item = fields.Nested(inner(spec.children), error_messages=dict(REQUIRED))
        return Items(item, min_items=spec.min_items, max_items=spec.max_items, **common)

    def fast_check(self, spec, inner):
        load_item, min_items, max_items = inner(spec.children), spec.min_items, spec.max_items

        def load_items(value):
            if type(value) is not list:
                raise Unsure
            if max_items is not None and len(value) > max_items:
                raise Unsure
            if min_items and len(value) < min_items:
                raise Unsure
            return [load_item(row) for row in value]  # a null row is not a dict: Unsure

        return load_items

    def json_schema(self, spec, inner):
        body = {"type": "array", "items": inner(spec.children)}
        if spec.min_items:
            body["minItems"] = spec.min_items
        if spec.max_items is not None:
            body["maxItems"] = spec.max_items
        return body

    def template_value(self, spec, value, inner):
        return [inner(spec.children, item) for item in value or []]

    def example_tag(self, spec):
        return "{% for item in " + spec.name + " %}...{% endfor %}"

    def widget(self, spec, value, t):
        return Widget("list")

    def posted(self, form, spec, path, inner):
        return inner.rows(spec.children, path) or None

    def columns(self, spec, column, inner):
        return []  # rows inside a row cannot come from a flat file
