"""Field mappings of flows: resolving a path against a form's (or a case's) fields, judging whether a
source field's values fit a target field, and copying the values.

A path is dotted names; ``[]`` after a list's name stands for each of its rows
(``entries[].applicant``). A person's parts are reachable as ``applicant.last_name``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from forms.catalogue.spec import FieldSpec
from forms.fields import field_type

PERSON_PARTS = ("last_name", "first_name", "patronymic")
# A one-line text column takes any value that prints on one line (a date as its day, an IIN, a code).
_INTO_STRING = ("string", "iin", "date", "integer", "enum")
_WIDTH = {"iin": 12, "date": 10}  # the characters such a value prints as


def resolve(fields: Sequence[FieldSpec], path: str) -> FieldSpec | str:
    """The field at ``path``, or why there is none."""
    current: Sequence[FieldSpec] = fields
    found: FieldSpec | None = None
    steps = path.split(".")
    for i, step in enumerate(steps):
        rows = step.endswith("[]")
        name = step[:-2] if rows else step
        if found is not None and found.type == "person":
            if name in PERSON_PARTS and i == len(steps) - 1 and not rows:
                return FieldSpec(name, "string", found.label, max_length=found.max_length)
            return f"{'.'.join(steps[:i])} is a person: its parts are {', '.join(PERSON_PARTS)}"
        found = next((f for f in current if f.name == name), None)
        if found is None:
            where = ".".join(steps[:i]) or "the top level"
            names = ", ".join(f.name for f in current)
            return f"no field {name!r} at {where} (there: {names})"
        if rows and found.type != "list":
            return f"{name} is a {found.type}, not a list: write it without []"
        if i < len(steps) - 1 and found.type == "list" and not rows:
            return f"{name} is a list: write {name}[] to reach its rows' fields"
        current = found.children
    assert found is not None
    if path.endswith("[]"):  # the rows themselves
        return FieldSpec(found.name, "object", found.label, children=found.children)
    return found


def _length(spec: FieldSpec) -> int | None:
    if spec.type in _WIDTH:
        return _WIDTH[spec.type]
    if spec.type == "enum":
        return max((len(v) for v in spec.choice_values), default=0)
    if spec.type == "integer":
        return None
    return spec.max_length or field_type(spec.type).default_max_length


def compatible(source: FieldSpec, target: FieldSpec) -> str | None:
    """Why values of ``source`` may not fit ``target``, or None when they always do."""
    kinds = (source.type, target.type)
    if source.type != target.type and not (
        kinds == ("string", "text") or (target.type == "string" and source.type in _INTO_STRING)
    ):
        return f"a {source.type} does not go into a {target.type}"
    if target.type in ("string", "text", "person"):
        wide, room = _length(source), _length(target)
        if wide and room and wide > room:
            return f"the source allows {wide} characters, the target only {room}"
    if kinds == ("enum", "enum"):
        extra = sorted(set(source.choice_values) - set(target.choice_values))
        if extra:
            return f"the target has no choice {', '.join(extra)}"
    if kinds == ("integer", "integer"):
        least, most = source.min, source.max
        if isinstance(target.min, int) and (not isinstance(least, int) or least < target.min):
            return f"the target's least value is {target.min}"
        if target.max is not None and (most is None or most > target.max):
            return f"the target's greatest value is {target.max}"
    if source.type in ("list", "object") and source.type == target.type:
        for child in source.children:
            other = next((c for c in target.children if c.name == child.name), None)
            if other is None:
                return f"the target has no {child.name}"
            reason = compatible(child, other)
            if reason:
                return f"{child.name}: {reason}"
        if source.type == "list" and target.max_items is not None and (source.max_items or 10**9) > target.max_items:
            return f"the target takes at most {target.max_items} rows"
    return None


# --- copying values ------------------------------------------------------------------------------


def _get(data: Any, path: str) -> Any:
    for name in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _put(data: dict, path: str, value: Any) -> None:
    names = path.split(".")
    for name in names[:-1]:
        data = data.setdefault(name, {})
    data[names[-1]] = copy.deepcopy(value)


def apply(mapping: Iterable[Any], sources: dict) -> dict:
    """The target data a mapping makes from ``sources`` ({"application": ..., "case": ...}).

    Plain paths copy one value; ``list[].x: other[].y`` pairs make one target row per source row, the
    pairs with the same two lists filling the same rows; rows from several source lists follow one
    another in the order the mapping names them. A missing source value leaves the target unset.
    """
    out: dict = {}
    rows: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for item in mapping:
        if "[]" in item.target:
            target_list, _, target_rest = item.target.partition("[].")
            source_list, _, source_rest = item.source.partition("[].")
            rows.setdefault((target_list, source_list), []).append((target_rest, source_rest))
            continue
        value = _get(sources, item.source)
        if value is not None:
            _put(out, item.target, value)
    for (target_list, source_list), pairs in rows.items():
        made = []
        for row in _get(sources, source_list) or []:
            new: dict = {}
            for target, source in pairs:
                value = _get(row, source) if source else row
                if value is not None:
                    if target:
                        _put(new, target, value)
                    else:
                        new.update(copy.deepcopy(value))
            made.append(new)
        if made:
            existing = _get(out, target_list)
            if isinstance(existing, list):
                existing.extend(made)
            else:
                _put(out, target_list, made)
    return out


def report_rows(report: Any, records: Iterable[dict]) -> list[dict]:
    """One report row per distinct key, each record's value in the column of its code."""
    rows: dict[str, dict] = {}
    code_field = report.code.partition(".")[2]
    value_field = report.value.partition(".")[2]
    for record in records:
        key_part = apply(report.key, {"record": record})
        key = repr(sorted(key_part.items()))
        row = rows.setdefault(key, key_part)
        code, value = record.get(code_field), record.get(value_field)
        if code is None or value is None:
            continue
        _put(row, cell_path(report.cell, code), str(value))
    return list(rows.values())


def cell_path(template: str, code: Any) -> str:
    """The column of a code: ``services.s{code:02d}`` with code "7" is ``services.s07``."""
    try:
        return template.format(code=int(code))
    except (ValueError, TypeError):
        return template.format(code=code)
