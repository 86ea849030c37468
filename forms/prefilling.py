"""Fields filled from the issuing organisation's record: a spec's ``prefill:`` maps a field path to a
value of the record (``organisation.name``, ``organisation.head.name`` ...), in the document's
language unless the path ends in ``.kk`` or ``.ru``. Only fields the data leaves out are filled, so
what a clerk or a caller typed always wins.

The record comes as a plain mapping (the register's ``organisations.as_dict``): texts that differ by
language are ``{"kk": ..., "ru": ...}``. The engine never reads the register itself.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from forms.fields import field_type
from forms.fields.compound import PersonType

if TYPE_CHECKING:
    from forms.catalogue.spec import FormVersion  # the spec checks its mapping with this module's names

ORGANISATION_PATHS = (
    "organisation.name",
    "organisation.short_name",
    "organisation.bin",
    "organisation.address",
    "organisation.head.name",
    "organisation.head.position",
)
PREFILL_TYPES = ("string", "text", "person")
LANGUAGES = ("kk", "ru")


def organisation_path(source: Any) -> tuple[list[str], str | None] | None:
    """(the steps into the record, the language pinned or None); None for no value of the record."""
    if not isinstance(source, str):
        return None
    base, _, last = source.rpartition(".")
    lang = last if last in LANGUAGES else None
    path = base if lang else source
    if path not in ORGANISATION_PATHS:
        return None
    return path.split(".")[1:], lang


def organisation_value(organisation: dict, source: str, lang: str) -> str | None:
    """The record's text at ``source`` in ``lang`` (or the pinned language); None when it has none."""
    found = organisation_path(source)
    if found is None:
        return None
    steps, pinned = found
    value: Any = organisation
    for step in steps:
        value = value.get(step) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = value.get(pinned or lang)
    return value.strip() or None if isinstance(value, str) else None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == {}


def prefill(spec: FormVersion, data: Any, organisation: dict | None, lang: str) -> Any:
    """A copy of ``data`` with each field of ``spec.prefill`` that it leaves out (absent, null or
    empty) filled from ``organisation``; ``data`` itself when there is nothing to fill."""
    if not spec.prefill or not organisation or not isinstance(data, dict):
        return data
    filled = None
    for path, source in spec.prefill.items():
        value = organisation_value(organisation, source, lang)
        if value is None:
            continue
        steps = path.split(".")
        if not _missing(_at(filled if filled is not None else data, steps)):
            continue
        if filled is None:
            filled = copy.deepcopy(data)  # the caller's data is never changed
        parent = _parent(filled, steps[:-1])
        if parent is not None:
            parent[steps[-1]] = _as_field(spec, steps, value)
    return data if filled is None else filled


def _at(data: Any, steps: list[str]) -> Any:
    for step in steps:
        if not isinstance(data, dict):
            return object()  # not an object where the spec has one: left to validation
        data = data.get(step)
    return data


def _parent(data: dict, steps: list[str]) -> dict | None:
    """The object holding the field (an object left out is made, so that its field can be filled)."""
    for step in steps:
        inner = data.get(step)
        if inner is None:
            inner = data[step] = {}
        if not isinstance(inner, dict):
            return None
        data = inner
    return data


def _as_field(spec: FormVersion, steps: list[str], value: str) -> Any:
    """A text as the field holds it: a person's name split into its parts."""
    fields, kind = spec.fields, None
    for step in steps:
        found = next((f for f in fields if f.name == step), None)
        kind, fields = (found.type, found.children) if found else (None, [])
    if kind != "person":
        return value
    person = field_type("person")
    assert isinstance(person, PersonType)  # the registered type of "person"
    return person.from_whole_name(value)
