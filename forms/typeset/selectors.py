"""Selectors the typesetter matches: compounds of a type (or ``*``) and classes, joined by the
descendant, child (``>``), next-sibling (``+``) and subsequent-sibling (``~``) combinators.

An element is known by its path from the root: one entry per ancestor, ``(tag, classes)``, or,
when the stylesheet has sibling combinators, ``(tag, classes, near, far)`` where ``near`` holds
the keys of the closest previous siblings (nearest first, as many as the longest ``+`` run needs)
and ``far`` the set of the keys before those. Entries stay few and hashable however long a table
is, so the matches are still computed once per distinct path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import NotSupported

_COMPOUND = re.compile(r"^([a-z][a-z0-9]*|\*)?((?:\.[\w-]+)*)$")
_SPLIT = re.compile(r"\s*([>+~])\s*|\s+")
SIBLING = ("+", "~")


def parse(text: str) -> tuple[list, tuple]:
    """Compounds right to left, each ``(tag or None, classes, combinator to its left)``, and the
    specificity (0, classes, types)."""
    parts = [part for part in _SPLIT.split(text.strip()) if part]
    compounds, combinator = [], " "
    tags = classes = 0
    expect_compound = True
    for part in parts:
        if part in (">", "+", "~"):
            if expect_compound:
                raise NotSupported(f"selector {text!r}")
            combinator, expect_compound = part, True
            continue
        match = _COMPOUND.match(part)
        if not match or (not match.group(1) and not match.group(2)):
            raise NotSupported(f"selector {text!r}")
        tag = match.group(1) if match.group(1) != "*" else None
        names = frozenset(name for name in match.group(2).split(".") if name)
        tags += tag is not None
        classes += len(names)
        compounds.append((tag, names, combinator))
        combinator, expect_compound = " ", False
    if expect_compound:
        raise NotSupported(f"selector {text!r}")
    compounds.reverse()
    _check_sibling_runs(compounds, text)
    return compounds, (0, classes, tags)


def _check_sibling_runs(compounds: list, text: str) -> None:
    # Past a '~' the path no longer says which sibling matched, so no sibling step may follow it.
    for index in range(len(compounds) - 1):
        if compounds[index][2] == "~" and compounds[index + 1][2] in SIBLING:
            raise NotSupported(f"selector {text!r}")


def sibling_needs(compounds: list) -> tuple[int, bool]:
    """(previous siblings a path entry must name, whether the keys before those are needed)."""
    depth = run = 0
    far = False
    for compound in compounds[:-1]:
        combinator = compound[2]
        if combinator == "+":
            run += 1
            depth = max(depth, run)
        else:
            run = 0
        far = far or combinator == "~"
    return depth, far


def _compound_matches(compound, key) -> bool:
    tag, names, _ = compound
    return (tag is None or tag == key[0]) and names <= key[1]


def matches(compounds: list, path: Sequence) -> bool:
    return _match(compounds, 0, path, len(path) - 1, path[-1], 0)


def _match(compounds: list, position: int, path: Sequence, index: int, key, depth) -> bool:
    """Whether ``compounds[position:]`` match the element ``key``: the entry ``path[index]`` when
    ``depth`` is 0, its ``depth``-th previous sibling otherwise (``None``: one of the far ones)."""
    compound = compounds[position]
    if not _compound_matches(compound, key):
        return False
    if position + 1 == len(compounds):
        return True
    combinator = compound[2]
    following = position + 1
    if combinator == ">":
        return index > 0 and _match(compounds, following, path, index - 1, path[index - 1], 0)
    if combinator == " ":
        return any(_match(compounds, following, path, up, path[up], 0) for up in range(index - 1, -1, -1))
    entry = path[index]
    near, far = (entry[2], entry[3]) if len(entry) > 2 else ((), frozenset())
    if combinator == "+":
        if depth is None or depth >= len(near):
            return False
        return _match(compounds, following, path, index, near[depth], depth + 1)
    # '~': any earlier sibling; nothing after it needs to know which one (see _check_sibling_runs).
    for step in range(depth, len(near)):
        if _match(compounds, following, path, index, near[step], step + 1):
            return True
    return any(_match(compounds, following, path, index, other, None) for other in far)


class Siblings:
    """The previous siblings of the children of one element, as path entries need them."""

    __slots__ = ("depth", "far", "keep_far", "near")

    def __init__(self, depth: int, keep_far: bool):
        self.depth, self.keep_far = depth, keep_far
        self.near: tuple = ()
        self.far: frozenset = frozenset()

    def entry(self, key: tuple) -> tuple:
        """The path entry of the next child (``key``: its tag and classes), then counts it."""
        entry = (*key, self.near, self.far)
        if self.depth:
            near = (key, *self.near)
            if len(near) > self.depth:
                dropped = near[-1]
                near = near[:-1]
                if self.keep_far and dropped not in self.far:
                    self.far = self.far | {dropped}  # a new set only for a new key: few per table
            self.near = near
        elif self.keep_far and key not in self.far:
            self.far = self.far | {key}
        return entry
