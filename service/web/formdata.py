"""Posted form fields → the JSON payload the engine validates, and the row actions of the
no-JavaScript form (add, remove, move a row), done on the server.

Every input is named by its data path, the same path the engine puts in its errors:
``applicant.last_name``, ``members[1].birth_date``. Values stay strings: the engine parses them,
and an invalid value goes back to the page exactly as typed.
"""

from __future__ import annotations

import re
from typing import Any

from forms.catalogue.spec import FieldSpec
from forms.fields import field_type

TOKEN_RE = re.compile(r"[^.\[\]]+|\[\d+\]")


def tokens(path: str) -> list[str | int]:
    """``members[1].name`` → ["members", 1, "name"]."""
    return [int(t[1:-1]) if t.startswith("[") else t for t in TOKEN_RE.findall(path)]


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


MAX_NAME = 256  # characters of a posted name: a spec's paths are far shorter


class TooManyRows(Exception):
    """More rows posted under ``path`` than the service renders in one list (``max``)."""

    def __init__(self, path: str, limit: int):
        super().__init__(path)
        self.path, self.max = path, limit


def parse(form, specs: list[FieldSpec], keep_blank_rows: bool = False, max_rows: int | None = None) -> dict:
    """The payload from a MultiDict of posted fields. Blank optional values are left out; rows with
    nothing typed are dropped unless ``keep_blank_rows`` (for the row actions, which work on the
    rows as the page shows them). More than ``max_rows`` rows in a list raise ``TooManyRows``."""
    return PostedForm(form, keep_blank_rows, specs, max_rows).object(specs, "")


class PostedForm:
    """Reads the posted fields; each field's type reads its own value and asks back for nested ones."""

    def __init__(self, form, keep_blank_rows: bool, specs: list[FieldSpec] | None = None, max_rows: int | None = None):
        self.form, self.keep_blank_rows = form, keep_blank_rows
        self.indexes = _row_indexes(form.keys(), specs, max_rows)

    def object(self, specs: list[FieldSpec], prefix: str) -> dict:
        result: dict[str, Any] = {}
        for spec in specs:
            value = field_type(spec).posted(self.form, spec, join(prefix, spec.name), self)
            if value is not None:
                result[spec.name] = value
        return result

    def rows(self, specs: list[FieldSpec], path: str) -> list[dict]:
        """The rows posted under ``path`` in index order (without the blank ones, unless kept)."""
        rows = [self.object(specs, f"{path}[{i}]") for i in sorted(self.indexes.get(path, ()))]
        return rows if self.keep_blank_rows else [r for r in rows if r]


def max_inputs(specs: list[FieldSpec], max_rows: int) -> int:
    """How many inputs a post of this form may hold: each list's rows up to its ``max_items`` + 1 (and
    ``MAX_ROWS``), each row's inputs; a person is three."""
    count = 0
    for spec in specs:
        if spec.type == "list":
            rows = min(max_rows, (spec.max_items if spec.max_items is not None else max_rows) + 1)
            count += rows * max_inputs(spec.children, max_rows)
        elif spec.children:
            count += max_inputs(spec.children, max_rows)
        else:
            count += 3 if spec.type == "person" else 1
    return count


def _row_indexes(keys, specs: list[FieldSpec] | None, max_rows: int | None) -> dict[str, set[int]]:
    """For every list of the spec, the row indexes present among the posted names.

    Each name is read once, token by token along the spec, and dropped at the first token the spec
    does not have: the work is linear in the post, whatever names a client invents. A list keeps at
    most one row more than its ``max_items`` (enough for the engine to say "too many").
    """
    found: dict[str, set[int]] = {}
    for key in keys:
        if len(key) <= MAX_NAME:
            _index_name(key, specs or [], found, max_rows)
    return found


def _index_name(key: str, specs: list[FieldSpec], found: dict[str, set[int]], max_rows: int | None) -> None:
    path, steps = "", TOKEN_RE.findall(key)
    at = 0
    while at < len(steps):
        spec = next((s for s in specs if s.name == steps[at]), None)
        if spec is None or not spec.children:
            return
        path, at = join(path, spec.name), at + 1
        if spec.type == "list":
            if at >= len(steps) or not steps[at].startswith("["):
                return
            rows = found.setdefault(path, set())
            index = int(steps[at][1:-1])
            if index not in rows:
                if spec.max_items is not None and len(rows) > spec.max_items:
                    return
                if max_rows is not None and len(rows) >= max_rows:
                    raise TooManyRows(path, max_rows)
                rows.add(index)
            path, at = f"{path}[{index}]", at + 1
        specs = spec.children


# --- row actions (without JavaScript) -----------------------------------------------------------

ACTIONS = ("add", "remove", "up", "down")


def parse_action(value: str) -> tuple[str, str] | None:
    """``"add:members"`` → ("add", "members"); None for the document actions."""
    verb, _, path = (value or "").partition(":")
    return (verb, path) if verb in ACTIONS and path else None


def apply_action(data: dict, specs: list[FieldSpec], verb: str, path: str) -> str | None:
    """Change ``data`` in place; returns the error code when refused (the list's cap)."""
    steps = tokens(path)
    if verb == "add":
        spec = _spec_at(specs, steps)
        if spec is None or spec.type != "list":
            return None
        rows = _container(data, steps, create=True)
        if spec.max_items is not None and len(rows) >= spec.max_items:
            return "too_many_items"
        rows.append({})
        return None
    if not steps or not isinstance(steps[-1], int):
        return None
    rows = _container(data, steps[:-1], create=False)
    position = steps[-1]
    if rows is None or not 0 <= position < len(rows):
        return None
    spec = _spec_at(specs, steps[:-1])
    if verb == "remove":
        if spec is not None and spec.min_items and len(rows) <= spec.min_items:
            return "too_few_items"
        rows.pop(position)
    elif verb == "up" and position > 0:
        rows[position - 1], rows[position] = rows[position], rows[position - 1]
    elif verb == "down" and position < len(rows) - 1:
        rows[position + 1], rows[position] = rows[position], rows[position + 1]
    return None


def _spec_at(specs: list[FieldSpec], steps: list) -> FieldSpec | None:
    spec = None
    for step in steps:
        if isinstance(step, int):
            continue
        spec = next((s for s in specs if s.name == step), None)
        if spec is None:
            return None
        specs = spec.children
    return spec


def _container(data: dict, steps: list, create: bool) -> list | None:
    """The list at ``steps`` inside ``data`` (made when ``create``)."""
    node: Any = data
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None
            node = node[step]
            continue
        if not isinstance(node, dict):
            return None
        if step not in node:
            if not create:
                return None
            node[step] = [] if last else {}
        node = node[step]
    return node if isinstance(node, list) else None
