"""What every field type provides, and the pieces its rules share.

A field type (``forms.fields.types``) holds every rule of the spec's ``type:`` — the marshmallow
field, the fast check, the JSON Schema, the value templates get, the web widget, the posted value
and the spreadsheet cell — so that a new type is one class. The modules that walk a spec (the
schema, the fast path, the web form …) dispatch to it; where a rule needs the fields inside a list
or an object, the walker passes itself in as ``inner``, and the type never walks a spec itself.

Nothing here imports the catalogue, the rendering or the service: the spec's field is only read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, fields

if TYPE_CHECKING:
    from forms.catalogue.spec import FieldSpec

Loader = Callable[[Any], Any]  # the fast path: a value (neither missing nor None) → clean value
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
REQUIRED = {"required": "required", "null": "required"}
MISSING = object()
FAST_STATE = threading.local()  # .today (Asia/Almaty) for the fast check in progress


class Unsure(Exception):
    """The fast path cannot vouch for the payload; the marshmallow schema decides."""


def coded(code: str, **params: Any) -> str:
    """A field error as it travels through marshmallow: ``code`` or ``code|{json params}``."""
    return f"{code}|{json.dumps(params, ensure_ascii=False, default=str)}" if params else code


def decode(text: str) -> tuple[str, dict]:
    code, _, params = str(text).partition("|")
    return code, (json.loads(params) if params else {})


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown_field", "type": coded("invalid_type", expected="object")}


@dataclass
class Widget:
    """What the web form needs to draw a field (``service/web/widgets.py`` and ``_fields.html``)."""

    kind: str  # input | textarea | select | date | person | object | list
    value: str = ""  # as the clerk typed it
    input_type: str = "text"
    attrs: dict = field(default_factory=dict)
    options: list = field(default_factory=list)  # select: [(value, label)]
    parts: list = field(default_factory=list)  # person, date: [(part, label, value)]


def load_mapping(entries: Sequence[tuple], cross: Callable[[dict], None] | None = None) -> Loader:
    """The fast path of a nested schema: (name, loader, required, allow_none) per field."""
    names = frozenset(entry[0] for entry in entries)
    entries = tuple(entries)

    def load(value):
        if type(value) is not dict or not names.issuperset(value):  # unknown_field, invalid_type
            raise Unsure
        out = {}
        for name, loader, required, allow_none in entries:
            raw = value.get(name, MISSING)
            if raw is MISSING:
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

    return load


def as_text(value: Any) -> str:
    """A value as an input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plain_cell(cell: Any) -> str:
    """A CSV/XLSX cell as text: whole numbers without '.0', dates as YYYY-MM-DD."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


class FieldType:
    """One ``type:`` of the spec. Subclasses set ``name`` and override the rules that differ."""

    name: str = ""
    default_max_length: int | None = None
    children_key: str | None = None  # the spec key listing the fields inside (list: item, object: fields)
    marked: bool = False  # printed as a ☒/☐ mark: shown by an {% if %} counts as printed
    tag_filter: str = ""  # the filter of the example tag `forms check` suggests
    options: tuple[str, ...] = ()  # spec keys whose values the type checks itself (spec_problems)

    # --- the spec ----------------------------------------------------------------------------
    def spec_problems(self, item: dict) -> list[tuple[str, str]]:
        """(key, what to change) for each of the type's own spec keys that is wrong in ``item``
        (the field as the YAML holds it); the spec loader and `nysan forms check` report them."""
        return []

    # --- validation ----------------------------------------------------------------------
    def marshmallow(self, spec: FieldSpec, common: dict, inner: Callable) -> fields.Field:
        """The marshmallow field; ``common`` holds required/allow_none/error_messages,
        ``inner(children)`` builds the schema class of nested fields."""
        raise NotImplementedError

    def fast_check(self, spec: FieldSpec, inner: Callable) -> Loader:
        """The fast path's loader: exactly the marshmallow field's rules, raising Unsure at any doubt;
        ``inner(children)`` is the loader of nested fields."""
        raise NotImplementedError

    def json_schema(self, spec: FieldSpec, inner: Callable) -> dict:
        """The JSON Schema of a present value (before null and labels are added);
        ``inner(children)`` is the schema of nested fields."""
        raise NotImplementedError

    # --- rendering -----------------------------------------------------------------------
    def template_value(self, spec: FieldSpec, value: Any, inner: Callable) -> Any:
        """What templates get for the clean value (``none`` when absent);
        ``inner(children, data)`` fills nested fields."""
        return value

    def choice_labels(self, spec: FieldSpec, lang: str) -> dict[str, str] | None:
        """value → label in ``lang``, for the ``choice`` filter; None for a type without choices."""
        return None

    def template_attributes(self, spec: FieldSpec) -> set[str] | None:
        """The attributes a template may ask of the value (``applicant.last_name``); None: not checked."""
        return None

    def example_tag(self, spec: FieldSpec) -> str:
        return "{{ " + spec.name + self.tag_filter + " }}"

    # --- the web form and uploads ----------------------------------------------------------
    def widget(self, spec: FieldSpec, value: Any, t: Callable[[str], str]) -> Widget:
        """The input drawn for the value as posted or stored; ``t`` gives interface words."""
        raise NotImplementedError

    def posted(self, form, spec: FieldSpec, path: str, inner) -> Any:
        """The payload value from the posted fields (a MultiDict); None when nothing was typed.
        ``inner`` reads nested fields (``service/web/formdata.py``)."""
        value = form.get(path)
        if value is None or not value.strip():
            return None
        return value

    def from_cell(self, spec: FieldSpec, cell: Any) -> str:
        """One CSV/XLSX cell as the web form would post it."""
        return plain_cell(cell)

    def columns(self, spec: FieldSpec, column: Callable, inner: Callable) -> list:
        """The upload's columns of this field: ``column(part, required)`` makes one (part None for the
        whole value; required: when the field is), ``inner(children)`` gives nested fields' columns."""
        return [column(None, True)]
