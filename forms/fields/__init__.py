"""Field types: the values a form holds (text, dates, IINs, persons, lists) and all their rules.

``TYPES`` maps each spec ``type:`` to its class (``forms.fields.text``, ``scalars``, ``compound``);
``field_type(spec)`` gives the one instance that the schema, the fast path, the JSON Schema, the
template context, the template checks and the web form ask. A new type is a new class listed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forms.fields.base import FieldType, Widget
from forms.fields.compound import ListType, ObjectType, PersonType
from forms.fields.scalars import BooleanType, DateType, EnumType, IINType, IntegerType
from forms.fields.text import StringType, TextType

if TYPE_CHECKING:
    from forms.catalogue.spec import FieldSpec

TYPES: dict[str, type[FieldType]] = {
    cls.name: cls
    for cls in (
        StringType,
        TextType,
        DateType,
        IntegerType,
        BooleanType,
        EnumType,
        IINType,
        PersonType,
        ListType,
        ObjectType,
    )
}
_INSTANCES = {name: cls() for name, cls in TYPES.items()}
PERSON = _INSTANCES["person"]
PERSON_PARTS = PersonType.PARTS


def field_type(spec: FieldSpec | str) -> FieldType:
    """The type of a spec's field (or of a type name); KeyError for a type no class provides."""
    return _INSTANCES[spec if isinstance(spec, str) else spec.type]


__all__ = ["TYPES", "PERSON", "PERSON_PARTS", "FieldType", "Widget", "field_type"]
