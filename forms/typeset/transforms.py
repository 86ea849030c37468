"""CSS transforms of a block (the adaptation report's headings turned bottom to top): ``rotate``
by a multiple of 90° and ``translate``, about ``transform-origin``, as WeasyPrint applies them.

A transform changes nothing in the layout: the block is laid out in place, then drawn through the
matrix (``anchors.gather_anchors`` in WeasyPrint computes the same one). Matrices are WeasyPrint's
and PDF's (a, b, c, d, e, f): a point (x, y) goes to (a·x + c·y + e, b·x + d·y + f).
"""

from __future__ import annotations

import math

import tinycss2

from .css import _length, _tokens
from .errors import NotSupported

_ANGLE_UNITS = {"deg": math.pi / 180, "rad": 1.0, "grad": math.pi / 200, "turn": 2 * math.pi}
_ORIGIN_KEYWORDS = {
    "left": ("x", 0.0),
    "right": ("x", 100.0),
    "top": ("y", 0.0),
    "bottom": ("y", 100.0),
    "center": (None, 50.0),
}


def parse_transform(tokens: list, font_size: float) -> tuple:
    """``transform``: () for none, else the functions in order, each (name, arguments)."""
    if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value == "none":
        return ()
    functions: list[tuple[str, int | tuple[float, float]]] = []  # rotate: quarter turns; translate: (x, y)
    for token in tokens:
        if token.type != "function":
            raise NotSupported(f"transform: {tinycss2.serialize([token])}")
        arguments = [
            argument for argument in _tokens(token.arguments) if argument.type != "literal" or argument.value != ","
        ]
        name = token.lower_name
        if name == "rotate" and len(arguments) == 1:
            functions.append(("rotate", _quarter_turns(arguments[0])))
        elif name in ("translate", "translatex", "translatey") and 1 <= len(arguments) <= (
            2 if name == "translate" else 1
        ):
            lengths = [_length(argument, font_size) for argument in arguments]
            x, y = (lengths + [0.0])[:2] if name != "translatey" else (0.0, lengths[0])
            functions.append(("translate", (x, y)))
        else:
            raise NotSupported(f"transform function {name}")
    return tuple(functions)


def _quarter_turns(token) -> int:
    """A rotation as a number of quarter turns (clockwise, y downwards); other angles are declined."""
    if token.type == "number" and token.value == 0:
        return 0
    if token.type != "dimension" or token.lower_unit not in _ANGLE_UNITS:
        raise NotSupported("rotation angle")
    turns = token.value * _ANGLE_UNITS[token.lower_unit] / (math.pi / 2)
    if abs(turns - round(turns)) > 1e-9:
        raise NotSupported("rotation other than a multiple of 90 degrees")
    return round(turns) % 4


def parse_origin(tokens: list, font_size: float) -> tuple:
    """``transform-origin``: (x, y); one value sets x (or y for top/bottom), two values are x then
    y, or two keywords in either order."""

    def axis(token):
        return _ORIGIN_KEYWORDS[token.lower_value][0] if token.type == "ident" else None

    def value(token):
        if token.type != "ident":
            return _length(token, font_size)
        if token.lower_value not in _ORIGIN_KEYWORDS:
            raise NotSupported("transform-origin")
        return ("%", _ORIGIN_KEYWORDS[token.lower_value][1])

    if len(tokens) == 1:
        found = value(tokens[0])
        return (("%", 50.0), found) if axis(tokens[0]) == "y" else (found, ("%", 50.0))
    if len(tokens) != 2:
        raise NotSupported("transform-origin")
    first, second = tokens
    x, y = value(first), value(second)
    if first.type == second.type == "ident" and (axis(first) == "y" or axis(second) == "x"):
        first, second, x, y = second, first, y, x
    if axis(first) == "y" or axis(second) == "x":
        raise NotSupported("transform-origin")
    return x, y


def _resolve(value, reference: float) -> float:
    return value[1] * reference / 100 if isinstance(value, tuple) else value


# (cos, sin) of 0, 90, 180 and 270 degrees
_QUARTERS: tuple[tuple[float, float], ...] = ((1, 0), (0, 1), (-1, 0), (0, -1))


def matrix(style, x: float, y: float, width: float, height: float) -> tuple:
    """The matrix of the block whose border box is at (x, y), ``width`` by ``height``."""
    origin_x = x + _resolve(style.transform_origin[0], width)
    origin_y = y + _resolve(style.transform_origin[1], height)
    # WeasyPrint: M = T(-origin) · Fn · … · F1 · T(origin) in row-vector form; points are rows.
    current = (1.0, 0.0, 0.0, 1.0, origin_x, origin_y)
    for name, argument in style.transform:
        if name == "rotate":
            cos, sin = _QUARTERS[argument]
            step = (cos, sin, -sin, cos, 0.0, 0.0)
        else:
            step = (1.0, 0.0, 0.0, 1.0, _resolve(argument[0], width), _resolve(argument[1], height))
        current = _multiply(step, current)
    return _multiply((1.0, 0.0, 0.0, 1.0, -origin_x, -origin_y), current)


def _multiply(first: tuple, second: tuple) -> tuple:
    """``first`` then ``second``: the row-vector product first · second."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def apply(matrix_: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix_
    return a * x + c * y + e, b * x + d * y + f
