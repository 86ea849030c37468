"""Where a page's drawing ends: the lowest and leftmost point of everything a page's content
stream paints (text, strokes, fills, images), in default user space.

The mark is placed below this point, so it never covers what the form prints, whichever margins a
template sets and whichever engine drew the page. Text is measured without its font's metrics: a
glyph string is taken to reach one font size above and a third below its baseline, and as far
along it as one font size per byte, which overestimates (the mark then gets less room, never too
much).

A content stream is read by a small tokenizer when it holds only what such streams usually do
(numbers, names, hex strings, arrays, operators): pikepdf's parser makes a Python object of every
operand, the larger part of marking a one-page document. Anything else (literal strings, inline
images, dictionaries) is read by pikepdf's parser; both give the same instructions.
"""

from __future__ import annotations

import re

import pikepdf

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}
PATH = {"m", "l", "c", "v", "y"}
SHOW = {"Tj", "TJ", "'", '"'}
NUMERIC = PATH | {"cm", "re", "TL", "Td", "TD", "Tm"}
# The operators that move or paint; colours, line styles and graphics states are not even parsed.
WANTED = frozenset(PAINT | PATH | SHOW | NUMERIC | {"q", "Q", "n", "BT", "Tf", "T*", "Do"})
OPERATORS = " ".join(sorted(WANTED))


def _multiply(a, b):
    """a × b for PDF matrices (a applied first)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _apply(m, x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


_TOKEN = re.compile(
    rb"<<|>>|<[0-9A-Fa-f\s]*>|[\[\]]|/[^\s/\[\]()<>{}%]*|[-+]?(?:\d+\.?\d*|\.\d+)"
    rb"|[A-Za-z'\"*][A-Za-z0-9'\"*]*|[(%{}]"
)
_OTHER = frozenset(b"(%{}")  # literal strings, comments, PostScript: pikepdf's parser reads them
_NUMBER = frozenset(b"+-.0123456789")


def _content(page: pikepdf.Page) -> bytes:
    """The page's content streams, decoded and joined as one."""
    contents = page.obj.get("/Contents")
    streams = [] if contents is None else list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return b"\n".join(stream.read_bytes() for stream in streams)


def _instructions(page: pikepdf.Page) -> list[tuple[str, list]]:
    """(operator, operands) of the operators OPERATORS names: numbers as floats, a shown text as its
    byte count, Do's name as text."""
    data = _content(page)
    found = _tokenized(data) if data else []
    return found if found is not None else _parsed(page)


def _tokenized(data: bytes) -> list[tuple[str, list]] | None:
    out: list[tuple[str, list]] = []
    operands: list = []
    array: list[bytes] | None = None
    for token in _TOKEN.findall(data):
        first = token[0]
        if first in _OTHER or token in (b"<<", b">>", b"BI"):
            return None
        if first == 0x5B:  # [
            array = []
        elif first == 0x5D:  # ]
            operands.append(array)
            array = None
        elif array is not None:
            array.append(token)
        elif first in _NUMBER or first == 0x2F or first == 0x3C:  # number, /name, <hex>
            operands.append(token)
        else:
            op = token.decode("latin-1")
            if op in WANTED:
                try:
                    out.append((op, _values(op, operands)))
                except (ValueError, TypeError, IndexError):
                    return None
            operands = []
    return out


def _values(op: str, operands: list) -> list:
    if op in NUMERIC:
        return [float(value) for value in operands]
    if op == "Tf":
        return [float(operands[1])]
    if op in SHOW:
        texts = operands[0] if op == "TJ" else operands[-1:]
        return [sum((len(text.translate(None, b" \t\r\n\f<>")) + 1) // 2 for text in texts if text[:1] == b"<")]
    if op == "Do":
        return [operands[0].decode("latin-1")]
    return []


def _parsed(page: pikepdf.Page) -> list[tuple[str, list]]:
    out: list[tuple[str, list]] = []
    for instruction in pikepdf.parse_content_stream(page, OPERATORS):
        operands, op = instruction.operands, str(instruction.operator)
        values: list
        if op in NUMERIC:
            values = [float(v) for v in operands]
        elif op == "Tf":
            values = [float(operands[1])]
        elif op in SHOW:
            texts = operands[0] if op == "TJ" else operands[-1:]
            values = [sum(len(bytes(text)) for text in texts if isinstance(text, pikepdf.String))]
        elif op == "Do":
            values = [str(operands[0])]
        else:
            values = []
        out.append((op, values))
    return out


class _Extent:
    def __init__(self):
        self.low = self.left = float("inf")

    def add(self, matrix, points) -> None:
        for x, y in points:
            x, y = _apply(matrix, x, y)
            self.low, self.left = min(self.low, y), min(self.left, x)


def drawn_extent(page: pikepdf.Page) -> tuple[float, float]:
    """(lowest y, leftmost x) of what the page paints; (inf, inf) for an empty page."""
    extent = _Extent()
    ctm, stack = IDENTITY, []
    path: list[tuple[float, float]] = []
    text_matrix = line_matrix = IDENTITY
    size = leading = 0.0
    empty: dict[str, pikepdf.Object] = {}
    xobjects = page.obj.get("/Resources", empty).get("/XObject", empty)
    for op, values in _instructions(page):
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else IDENTITY
        elif op == "cm":
            ctm = _multiply(tuple(values), ctm)
        elif op in PATH:
            path += [_apply(ctm, values[i], values[i + 1]) for i in range(0, len(values), 2)]
        elif op == "re":
            x, y, w, h = values
            path += [_apply(ctm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
        elif op in PAINT:
            extent.add(IDENTITY, path)
            path = []
        elif op == "n":  # a clipping path only: nothing painted
            path = []
        elif op == "BT":
            text_matrix = line_matrix = IDENTITY
        elif op == "Tf":
            size = values[0]
        elif op == "TL":
            leading = values[0]
        elif op in ("Td", "TD", "T*", "'", '"'):
            dx, dy = (values[0], values[1]) if op in ("Td", "TD") else (0.0, -leading)
            if op == "TD":
                leading = -dy
            text_matrix = line_matrix = _multiply((1, 0, 0, 1, dx, dy), line_matrix)
        elif op == "Tm":
            text_matrix = line_matrix = tuple(values)
        if op in SHOW:
            if not (text_matrix[1] or text_matrix[2] or ctm[1] or ctm[2]):
                # Upright text (nearly all of it): its lowest point and its start, without matrices.
                d, scale = text_matrix[3] * ctm[3], ctm[3]
                y = text_matrix[5] * scale + ctm[5]
                extent.low = min(extent.low, y + d * size, y - d * size / 3)
                extent.left = min(extent.left, text_matrix[4] * ctm[0] + ctm[4])
                continue
            matrix = _multiply(text_matrix, ctm)
            # Along the baseline the text reaches right (or, rotated, down): measured only when the
            # baseline is not horizontal, where its length changes the lowest point.
            reach = size * values[0] if matrix[1] or matrix[2] else 0.0
            extent.add(matrix, ((0, -size / 3), (0, size), (reach, -size / 3), (reach, size)))
            if reach:
                text_matrix = _multiply((1, 0, 0, 1, reach, 0), text_matrix)
        elif op == "Do":
            xobject = xobjects.get(values[0])
            corners = ((0, 0), (1, 0), (0, 1), (1, 1))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                x0, y0, x1, y1 = (float(v) for v in xobject.BBox)
                matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                extent.add(_multiply(matrix, ctm), ((x0, y0), (x1, y0), (x0, y1), (x1, y1)))
            else:
                extent.add(ctm, corners)
    return extent.low, extent.left
