"""The web form generated from a spec: one view-model node per field, rendered by the recursive
macro in ``templates/web/_fields.html``. Nothing here knows a particular form.

Nodes carry the input's name (the data path, as in the engine's errors), its id, the label and help
in the interface language, the value as the clerk typed it, and the errors for that path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from forms.catalogue.spec import FieldSpec
from forms.fields import field_type

from .formdata import join
from .i18n import Translator

ROW_PLACEHOLDER = "__ROW{depth}__"


def dom_id(path: str) -> str:
    """The element id of a data path; web.js computes the same (``domId``)."""
    return "f-" + re.sub(r"[\[\].]", "-", path)


@dataclass
class Node:
    kind: str  # input | textarea | select | date | person | object | list
    spec: FieldSpec
    path: str
    label: str
    help: str = ""
    errors: list[str] = field(default_factory=list)
    value: Any = ""
    input_type: str = "text"
    attrs: dict = field(default_factory=dict)
    options: list = field(default_factory=list)  # [(value, label)] for selects
    parts: list = field(default_factory=list)  # person: [(part, label, value, errors)]
    children: list = field(default_factory=list)  # object: nodes
    rows: list = field(default_factory=list)  # list: [Row]
    template: Any = None  # list: the blank Row with a placeholder index
    table: bool = False  # list printed as a table (journals, reports)
    depth: int = 0  # list nesting depth (placeholder per depth)

    @property
    def id(self) -> str:
        return dom_id(self.path)

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def invalid(self) -> bool:
        return bool(self.errors) or any(p[3] for p in self.parts)

    def described_by(self, extra: str = "") -> str:
        ids = [f"{self.id}-help"] if self.help else []
        ids += [f"{self.id}-error"] if self.errors else []
        return " ".join(ids + ([extra] if extra else []))


@dataclass
class Row:
    prefix: str  # members[1]
    number: str  # "2", or the placeholder in the template row
    children: list

    @property
    def id(self) -> str:
        return dom_id(self.prefix)


class Builder:
    def __init__(self, t: Translator, errors: dict[str, list[str]], rows_field: str | None = None):
        self.t, self.errors, self.rows_field = t, errors, rows_field

    def nodes(self, specs: list[FieldSpec], data: Any, prefix: str = "", depth: int = 0) -> list[Node]:
        data = data if isinstance(data, dict) else {}
        return [self.node(s, data.get(s.name), join(prefix, s.name), depth) for s in specs]

    def node(self, spec: FieldSpec, value: Any, path: str, depth: int) -> Node:
        node = Node(
            kind="input",
            spec=spec,
            path=path,
            label=self.t.pick(spec.label),
            help=self.t.pick(spec.help),
            errors=self.errors.get(path, []),
        )
        widget = field_type(spec).widget(spec, value, self.t)
        node.kind, node.value, node.input_type = widget.kind, widget.value, widget.input_type
        node.attrs, node.options = widget.attrs, widget.options
        if widget.kind in ("person", "date"):
            node.parts = [(p, label, typed, self.errors.get(f"{path}.{p}", [])) for p, label, typed in widget.parts]
        elif widget.kind == "object":
            node.children = self.nodes(spec.children, value, path, depth)
        elif widget.kind == "list":
            self._list(node, value, depth)
        return node

    def _list(self, node: Node, value: Any, depth: int) -> None:
        spec = node.spec
        rows = value if isinstance(value, list) else []
        # Without JavaScript the clerk still needs somewhere to type: at least one blank row, or as
        # many as the list's minimum.
        blank_rows = max(spec.min_items or 0, 1) - len(rows)
        rows = list(rows) + [{}] * max(blank_rows, 0)
        node.kind, node.depth = "list", depth
        node.table = node.path == self.rows_field and not any(c.type == "list" for c in spec.children)
        node.rows = [self.row(spec, node.path, i, r, depth) for i, r in enumerate(rows)]
        placeholder = ROW_PLACEHOLDER.format(depth=depth)
        blank = Builder(self.t, {}, self.rows_field)
        node.template = Row(
            f"{node.path}[{placeholder}]",
            placeholder,
            blank.nodes(spec.children, {}, f"{node.path}[{placeholder}]", depth + 1),
        )

    def row(self, spec: FieldSpec, path: str, i: int, data: Any, depth: int) -> Row:
        prefix = f"{path}[{i}]"
        return Row(prefix, str(i + 1), self.nodes(spec.children, data, prefix, depth + 1))


def errors_by_path(errors: list[dict]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error["path"], []).append(error["message"])
    return grouped
