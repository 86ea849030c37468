"""Targeted edits of a YAML text: one value replaced in place, everything else left as typed.

Specs are edited by people: their comments, key order, quoting and line breaks must survive a
tool's change. So a value is located with ``yaml.compose`` (which knows where each node starts and
ends) and only those characters are rewritten; the result is read back and compared with what was
meant, so a wrong edit fails loudly instead of being written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


PLAIN_RE = re.compile(r"[a-z][a-z_]*")


class EditError(ValueError):
    pass


def set_value(text: str, path: list[str], value: Any, after: str | None = None) -> str:
    """``text`` with the value at ``path`` (mapping keys) replaced by ``value``.

    A missing last key is added to its mapping: after the key ``after`` if given, else at its end.
    """
    if _get(yaml.load(text, Loader=_LOADER), path) == value and _get(yaml.compose(text, Loader=_LOADER), path):
        return text  # already so: leave the text exactly as typed
    root = yaml.compose(text, Loader=_LOADER)
    parent = root
    for key in path[:-1]:
        parent = _child(parent, key)
        if parent is None:
            raise EditError(f"{'.'.join(path)}: {key!r} not found")
    if not isinstance(parent, yaml.MappingNode) or parent.flow_style:
        raise EditError(f"{'.'.join(path[:-1]) or 'the file'} is not a block mapping")
    pair = next(((k, v) for k, v in parent.value if k.value == path[-1]), None)
    if pair is not None:
        key_node, value_node = pair
        indent = key_node.start_mark.column + 2
        start, end = key_node.end_mark.index, _end(value_node)
        colon = text.index(":", start)
        edited = text[:colon] + ":" + _render(value, indent) + text[end:]
    else:
        anchor = next((v for k, v in parent.value if k.value == after), None) if after else None
        anchor = anchor if anchor is not None else parent.value[-1][1]
        indent = parent.value[0][0].start_mark.column
        at = _end(anchor)
        edited = text[:at] + "\n" + " " * indent + path[-1] + ":" + _render(value, indent + 2) + text[at:]
    check = _get(yaml.load(edited, Loader=_LOADER), path)
    if check != value:
        raise EditError(f"{'.'.join(path)}: the edit did not give the intended value ({check!r} != {value!r})")
    return edited


def _get(data: Any, path: list[str]) -> Any:
    """The value at ``path`` of loaded data, or of a composed node tree (then the node, or None)."""
    for key in path:
        data = _child(data, key) if isinstance(data, yaml.Node) else data.get(key) if isinstance(data, dict) else None
    return data


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    return None


def _end(node: yaml.Node) -> int:
    """Where a value's own text ends: a block collection's end mark lies on the next line."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end(last[1] if isinstance(node, yaml.MappingNode) else last)
    return node.end_mark.index


def _render(value: Any, indent: int) -> str:
    """The text after ``key:`` (with its leading space or line break)."""
    if isinstance(value, dict):
        pad = " " * indent
        return "".join(f"\n{pad}{k}:{_render(v, indent + 2)}" for k, v in value.items())
    return " " + scalar(value)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, int)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if PLAIN_RE.fullmatch(str(value)) and yaml.load(str(value), Loader=_LOADER) == value:
        return str(value)  # in_force, repealed: as people type them
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid double-quoted YAML string
