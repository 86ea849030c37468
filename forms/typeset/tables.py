"""Tables in the collapsing border model: one band per body row.

Borders collapse as in WeasyPrint (``collapse_table_borders``: on each grid line the widest cell
border wins, each cell keeps half of it), columns get WeasyPrint's fixed or automatic widths
(``columns``), rows are measured once, and the heading rows become a band the paginator repeats
at the top of every page the table continues on.
"""
from __future__ import annotations

from .boxes import Inline, Row, Table
from .columns import auto_layout, fixed_layout
from .errors import NotSupported
from .layout import Band, Flow, TableHeader, _resolve, line_offset, stack
from .text import layout_lines, line_metrics


def flow_table(table: Table, x: float, width: float, flow: Flow) -> None:
    style = table.style
    if style.border_collapse != "collapse":
        raise NotSupported("separated table borders")
    if any(style.border) or any(style.padding):
        raise NotSupported("table borders")
    rows = table.header + table.body
    if not rows or not rows[0].cells or any(len(row.cells) != len(rows[0].cells) for row in rows):
        raise NotSupported("rows of different lengths")
    if table.columns and len(table.columns) != len(rows[0].cells):
        raise NotSupported("columns and cells disagree")
    halves = _collapse(rows)
    margin = [_resolve(value, width) for value in style.margin]
    left_edge, right_edge = halves[0][0][3], halves[0][-1][1]
    top_edge, bottom_edge = max(cell[0] for cell in halves[0]), max(cell[2] for cell in halves[-1])
    specified = None
    if style.width != "auto":
        specified = _resolve(style.width, width)
        if style.box_sizing == "border-box":  # tables are border-box in the UA stylesheet
            specified = max(0.0, specified - left_edge - right_edge)
    if style.table_layout == "fixed" and specified is not None:
        _, widths = fixed_layout(table, rows, halves, specified)
    else:
        available = width - margin[1] - margin[3] - left_edge - right_edge
        _, widths = auto_layout(table, rows, halves, available, specified)
    edges = [x + margin[3] + left_edge]
    for column in widths:
        edges.append(edges[-1] + column)
    uniform = _uniform(halves)
    avoid = style.break_inside == "avoid"

    flow.margins.append(margin[0])
    heading_ops, y = [], top_edge
    for row, row_halves in zip(table.header, halves):
        ops, height, _ = _row(row, edges, row_halves, uniform)
        heading_ops.append(("shift", y, ops))
        y += height
    header = TableHeader(Band(y, heading_ops), top_edge)
    header.band.table = header
    flow.add(header.band)
    for index, (row, row_halves) in enumerate(zip(table.body, halves[len(table.header):])):
        ops, height, breakable = _row(row, edges, row_halves, uniform)
        band = Band(height, ops, table=header, avoid_before=avoid or (index == 0 and bool(table.header)),
                    splittable=breakable and not avoid)
        band.page = table.page if table.page != "auto" else flow.page
        flow.add(band)
    flow.bands[-1].height += bottom_edge  # the table's bottom border, after its last row
    flow.margins.append(margin[2])


def _collapse(rows: list[Row]) -> list[list[tuple]]:
    """Each cell's used border widths (top, right, bottom, left): half the widest border of the
    cells meeting on that grid line (only cells have borders here; rows, groups, columns and the
    table itself are refused with borders)."""
    count, height = len(rows[0].cells), len(rows)
    vertical = [[0.0] * (count + 1) for _ in range(height)]
    horizontal = [[0.0] * count for _ in range(height + 1)]
    for y, row in enumerate(rows):
        for x, cell in enumerate(row.cells):
            top, right, bottom, left = cell.style.border
            vertical[y][x] = max(vertical[y][x], left)
            vertical[y][x + 1] = max(vertical[y][x + 1], right)
            horizontal[y][x] = max(horizontal[y][x], top)
            horizontal[y + 1][x] = max(horizontal[y + 1][x], bottom)
    return [[(horizontal[y][x] / 2, vertical[y][x + 1] / 2, horizontal[y + 1][x] / 2, vertical[y][x] / 2)
             for x in range(count)] for y in range(height)]


def _uniform(halves: list) -> float | None:
    """The half width of a grid whose lines are all alike (drawn as one stroked rectangle per
    cell), or None."""
    found = {side for row in halves for cell in row for side in cell}
    return found.pop() if len(found) == 1 else None


def _row(row: Row, edges: list[float], halves: list[tuple], uniform: float | None) -> tuple[list, float, bool]:
    """Drawing operations and height of one row, each cell laid out at its column's width, as
    WeasyPrint's ``table_layout`` places cells (cell margins play no part), and whether WeasyPrint
    could break inside the row (no break-inside: avoid, a cell with a break opportunity)."""
    laid = []
    breakable = False
    for index, cell in enumerate(row.cells):
        style = cell.style
        if any(isinstance(value, tuple) for value in style.padding):
            raise NotSupported("percentage paddings in a cell")
        top, right, bottom, left = halves[index]
        column = edges[index + 1] - edges[index]
        padding = style.padding
        inner = column - left - right - padding[1] - padding[3]
        ops, height, first, last, cell_breakable = _cell_content(cell.content, edges[index] + left + padding[3], inner)
        breakable = breakable or (cell_breakable and style.break_inside != "avoid")
        for op in _lines(ops):
            if op[3].width > inner + 0.01:
                raise NotSupported("a word wider than its column")
        content = max(first + height + last, _resolve(style.min_height, column))
        specified = None if style.height == "auto" else _resolve(style.height, column)
        box = content if specified is None else max(content, specified)
        # A cell with a specified height has its content moved by the height it adds (middle: half).
        shift = 0.0
        if specified is not None and specified > content:
            shift = (specified - content) * {"middle": 0.5, "bottom": 1.0}.get(style.vertical_align, 0.0)
        above = top + padding[0]
        if style.vertical_align == "baseline":
            baseline = next((op[2] for op in _lines(ops)), None)
            baseline = above + first + (box if baseline is None else baseline)
        else:
            baseline = None
        laid.append([style, ops, above + first + shift, box + top + padding[0] + padding[2] + bottom, baseline])
    baselines = [cell[4] for cell in laid if cell[4] is not None]
    if baselines:  # baseline cells are moved down to the lowest first baseline among them
        lowest = max(baselines)
        for cell in laid:
            if cell[4] is not None:
                cell[2] += lowest - cell[4]
                cell[3] += lowest - cell[4]
    height = max(cell[3] for cell in laid)
    drawn = []
    for index, (style, ops, y, cell_height, _) in enumerate(laid):
        free = height - cell_height
        offset = {"middle": free / 2, "bottom": free}.get(style.vertical_align, 0.0)
        x, width = edges[index], edges[index + 1] - edges[index]
        if uniform:
            drawn.append(("grid", x, 0.0, width, height, 2 * uniform))
        elif any(halves[index]):
            top, right, bottom, left = halves[index]
            drawn.append(("box", x - left, -top, width + left + right, height + top + bottom,
                          (2 * top, 2 * right, 2 * bottom, 2 * left)))
        drawn.append(("shift", y + offset, ops))
    return drawn, height, breakable and row.style.break_inside != "avoid"


def _cell_content(content, x: float, width: float) -> tuple[list, float, float, float, bool]:
    """A cell's content laid out (as ``stack``); a cell of plain text (most cells) without the
    general block flow: a page may break inside it from four lines on (orphans and widows: 2)."""
    children = content.children
    if len(children) != 1 or not isinstance(children[0], Inline):
        return stack(content, x, width, {})
    inline = children[0]
    ops, y = [], 0.0
    for index, line in enumerate(layout_lines(inline.items, width, inline.style)):
        height, baseline = line_metrics(line, inline.style)
        ops.append(("line", x, y + baseline, line, line_offset(line, width, inline.style, index == 0)))
        y += height
    return ops, y, 0.0, 0.0, len(ops) >= 4


def _lines(ops):
    for op in ops:
        if op[0] == "shift":
            for inner in _lines(op[2]):
                yield (inner[0], inner[1], inner[2] + op[1], *inner[3:])
        elif op[0] == "line":
            yield op
