"""One table row laid out as WeasyPrint's ``table_layout`` lays it out: each cell at its column's
width inside its half of the collapsed borders, cell margins ignored, a specified cell height as a
minimum that moves the content (``vertical-align``), baseline cells moved down to the lowest first
baseline, the others aligned in the row's height.

What depends only on a cell's style and column is computed once per table (``Geometry``): a long
journal repeats a handful of cell styles in every row.
"""

from __future__ import annotations

from .boxes import Block, Inline, Row
from .errors import NotSupported
from .layout import Flow, _resolve, flow_child, line_offset, stack
from .split import CellParts, Piece, RowParts
from .text import layout_lines, line_metrics

_SHIFT = {"middle": 0.5, "bottom": 1.0}  # share of the free height above the content


class Geometry:
    """Column edges (x of each grid line) and the per-(column, style, borders) cell geometry."""

    def __init__(self, edges: list[float], uniform: float | None):
        self.edges = edges
        self.uniform = uniform  # the half width of a grid whose lines are all alike
        self._cells: dict = {}

    def cell(self, index: int, style, half: tuple) -> tuple:
        key = (index, style, id(half))
        found = self._cells.get(key)
        if found is None:
            padding = style.padding
            if any(isinstance(value, tuple) for value in padding):
                raise NotSupported("percentage paddings in a cell")
            top, right, bottom, left = half
            x, end = self.edges[index], self.edges[index + 1]
            column = end - x
            inner = column - left - right - padding[1] - padding[3]
            specified = None if style.height == "auto" else _resolve(style.height, column)
            found = self._cells[key] = (
                x + left + padding[3],
                inner,
                top + padding[0],
                top + padding[0] + padding[2] + bottom,
                _resolve(style.min_height, column),
                specified,
                _SHIFT.get(style.vertical_align, 0.0),
                style.vertical_align == "baseline",
                style.break_inside != "avoid",
                self._grid(x, column, half),
            )
        return found

    def _grid(self, x: float, width: float, half: tuple):
        if self.uniform:
            return None  # drawn per row: the row's height is part of the rectangle
        if any(half):
            top, right, bottom, left = half
            return (x - left, -top, width + left + right, top + bottom, (2 * top, 2 * right, 2 * bottom, 2 * left))
        return ()


def lay_row(row: Row, geometry: Geometry, halves: list[tuple]) -> tuple:
    """Drawing operations and height of the row, the least height of a first piece WeasyPrint
    could keep on a page when the row does not fit (None: it moves the row whole), and the row's
    pieces when the paginator can break it as WeasyPrint does (``split``). WeasyPrint lays each
    cell out down to the page's bottom: a cell whose first line fits stays, the others move,
    unless the row or one of its cells has break-inside: avoid."""
    laid = []
    split = None
    avoid = row.style.break_inside == "avoid"
    baselines = False
    parts: list[CellParts] | None = None if avoid else []
    for index, cell in enumerate(row.cells):
        content_x, inner, above, extra, minimum, specified, share, baseline, may_break, grid = geometry.cell(
            index, cell.style, halves[index]
        )
        content = cell.content
        ops, height, first, last, piece, source = _cell_content(content, content_x, inner)
        avoid = avoid or not may_break
        if parts is not None:
            pieces = (
                None
                if minimum or specified is not None or baseline
                else _pieces(content, content_x, inner, ops, source, extra - above)
            )
            if pieces is None:
                parts = None
            else:
                x = geometry.edges[index]
                half = halves[index]
                parts.append(
                    CellParts(
                        pieces,
                        above,
                        extra - above,
                        last,
                        share,
                        (x, geometry.edges[index + 1] - x, half) if any(half) else (),
                    )
                )
        if piece is not None:
            piece += above + first + (extra - above if piece == height else 0.0)  # alone: with the bottom
            split = piece if split is None else min(split, piece)
        # A line wider than its column (an unbreakable or nowrap word) overflows it, as in WeasyPrint.
        content = first + height + last
        content = max(content, minimum)
        box, shift = content, 0.0
        if specified is not None and specified > content:
            box, shift = specified, (specified - content) * share  # the content moves with the height
        if baseline:
            baselines = True
            line = next((op[2] for op in _lines(ops)), None)
            baseline = above + first + (box if line is None else line)
        laid.append([share, ops, above + first + shift, box + extra, baseline if baseline else None, grid])
    if baselines:  # baseline cells are moved down to the lowest first baseline among them
        lowest = max(cell[4] for cell in laid if cell[4] is not None)
        for cell in laid:
            if cell[4] is not None:
                cell[2] += lowest - cell[4]
                cell[3] += lowest - cell[4]
    height = max(cell[3] for cell in laid)
    drawn: list[tuple] = []  # ("grid" | "box", x, y, width, height, borders) and ("shift", dy, ops)
    edges, uniform = geometry.edges, geometry.uniform
    for index, (share, ops, y, cell_height, _, grid) in enumerate(laid):
        if uniform:
            drawn.append(("grid", edges[index], 0.0, edges[index + 1] - edges[index], height, 2 * uniform))
        elif grid:
            x, top, width, vertical, border = grid
            drawn.append(("box", x, top, width, height + vertical, border))
        if ops:  # an empty cell draws nothing but its borders
            drawn.append(("shift", y + (height - cell_height) * share, ops))
    if avoid:
        return drawn, height, None, None
    return drawn, height, split, (RowParts(parts) if parts else None)


def _cell_content(content, x: float, width: float) -> tuple:
    """A cell's content laid out (as ``stack``) with the height of its first line or block (None
    when empty) and what ``_pieces`` needs; a cell of plain text (most cells) without the general
    block flow."""
    children = content.children
    if not children:  # an empty cell (most of a report's): what ``stack`` gives for no content
        return [], 0.0, 0.0, 0.0, None, []
    if len(children) != 1 or not isinstance(children[0], Inline):
        ops, height, first, last, piece, _, bands = stack(content, x, width, {})
        return ops, height, first, last, piece, bands
    inline = children[0]
    ops, y, piece, heights = [], 0.0, None, []
    for index, line in enumerate(layout_lines(inline.items, width, inline.style)):
        height, baseline = line_metrics(line, inline.style)
        ops.append(("line", x, y + baseline, line, line_offset(line, width, inline.style, index == 0)))
        heights.append(height)
        if not index:
            piece = height
        y += height
    return ops, y, 0.0, 0.0, piece, heights


def _pieces(content, x: float, width: float, ops: list, source: list, below: float) -> list | None:
    """A cell's content as pieces for ``split``, made only for rows that may be broken: its own
    lines (no page break leaves fewer than two lines on either side: orphans, widows; the last
    fits with the cell's bottom padding ``below``) or its children's bands (a blank's line opened
    into its lines; None when another band could itself be broken), each child's last piece with
    the child's bottom margin."""
    if source and not isinstance(source[0], float):
        pieces = _expand(source)
        if pieces is None:
            return None
        index = 0
        for child in content.children:  # which pieces each child made: laid out again on its own
            flow = Flow()
            flow_child(child, x, width, flow, {})
            own = _expand(flow.bands)
            if not own:
                continue
            pieces[index].top = own[0].margin  # the child's own top margin(s)
            index += len(own)
            if isinstance(child, Block):
                pieces[index - 1].below = _resolve(child.style.margin[2], width)
        return pieces if index == len(pieces) else None
    pieces, top, count = [], 0.0, len(ops)
    for index, (op, height) in enumerate(zip(ops, source)):
        avoid = 0 < index < 2 or count - index < 2
        pieces.append(
            Piece(
                height,
                0.0,
                avoid and index > 0,
                [(op[0], op[1], op[2] - top, *op[3:])],
                below=below if index == count - 1 else 0.0,
            )
        )
        top += height
    return pieces


def _expand(bands: list) -> list | None:
    """Bands as pieces; a block with only a bottom border is opened into its children's bands,
    its border drawn under the last one (WeasyPrint draws it on the block's last part only)."""
    pieces = []
    for band in bands:
        if band.split is None:
            pieces.append(Piece(band.height, band.margin, band.avoid_before, band.ops))
            continue
        if band.flat is None:
            return None
        inner, border, x, width = band.flat
        opened = _expand(inner)
        if not opened:
            return None
        opened[0].margin, opened[0].avoid_before = band.margin, band.avoid_before
        if border:
            last = opened[-1]
            last.ops = [*last.ops, ("box", x, last.height, width, border, (0.0, 0.0, border, 0.0))]
            last.height += border
        pieces.extend(opened)
    return pieces


def _lines(ops):
    """The line operations of ``ops``, their baselines from the top of ``ops``."""
    for op in ops:
        if op[0] == "line":
            yield op
        elif op[0] == "shift":
            for inner in _lines(op[2]):
                yield (inner[0], inner[1], inner[2] + op[1], *inner[3:])
