"""Limits on the shape of data that comes from outside: the API's request bodies, the web's posts and
the data a reopened document carries (``forms.extract``) are held to the same nesting depth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 32  # objects and lists inside one another: a form nests a few levels, a bomb thousands


def _nested(value: Any) -> Iterator[tuple[dict | list, int]]:
    """Every object and list in ``value`` (itself included, at depth 1) with its depth, depth first.
    The stack holds one iterator per level: memory grows with the depth, not with the size."""
    if not isinstance(value, (dict, list)):
        return
    yield value, 1
    stack = [iter(value.values() if isinstance(value, dict) else value)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, (dict, list)):
                yield child, len(stack) + 1
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                break
        else:
            stack.pop()


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether objects and lists nest deeper than ``limit`` (iteratively, stopping at the first too deep)."""
    return any(depth > limit for _node, depth in _nested(value))


def longest_list(value: Any) -> int:
    """The length of the longest list at any depth of ``value`` (0 without lists)."""
    return max((len(node) for node, _depth in _nested(value) if isinstance(node, list)), default=0)
