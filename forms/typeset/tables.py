"""Tables in the collapsing border model: one band per body row.

Borders collapse as in WeasyPrint (``collapse_table_borders``: on each grid line the widest cell
border wins, each cell keeps half of it), columns get WeasyPrint's fixed or automatic widths
(``columns``), rows are laid out once (``rows``), and the heading rows become a band the paginator
repeats at the top of every page the table continues on.
"""

from __future__ import annotations

from .boxes import Row, Table
from .columns import auto_layout, fixed_layout
from .errors import NotSupported
from .layout import Band, Flow, TableHeader, _resolve
from .rows import Geometry, lay_row


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
    geometry = Geometry(edges, _uniform(halves))
    avoid = style.break_inside == "avoid"

    flow.margins.append(margin[0])
    heading_ops, y = [], top_edge
    for row, row_halves in zip(table.header, halves):
        ops, height, _, _ = lay_row(row, geometry, row_halves)
        heading_ops.append(("shift", y, ops))
        y += height
    # The heading rows' bottom border: a row broken across pages continues below it.
    header_bottom = max(cell[2] for cell in halves[len(table.header) - 1]) if table.header else 0.0
    header = TableHeader(Band(y, heading_ops), top_edge, header_bottom)
    header.band.table = header
    keep = header if avoid else None
    header.band.keep = keep
    flow.add(header.band)
    body_halves = halves[len(table.header) :]
    page = table.page if table.page != "auto" else flow.page

    def make(index: int) -> Band:
        """Body row ``index``'s band. The first row stays with the table's opening (its heading
        rows, or its top border): a table that places no row on a page moves whole."""
        row_halves = body_halves[index]
        row = table.body[index]
        ops, height, split, parts = lay_row(row, geometry, row_halves)
        for cell in row.cells:  # the bands hold all that is drawn: the boxes can go (a long table's memory)
            cell.release()
        return Band(
            height,
            ops,
            table=header,
            avoid_before=avoid or index == 0,
            split=split,
            page=page,
            top_edge=None if table.header else max(cell[0] for cell in row_halves),
            keep=keep,
            parts=parts,
        )

    handoff = flow.handoff
    if not (
        handoff is not None
        and handoff.wants(len(table.body), keep)
        and handoff.lay_rows(flow, header, make, len(table.body))
    ):  # with a second process
        for index in range(len(table.body)):
            flow.add(make(index))
    flow.bands[-1].height += bottom_edge  # the table's bottom border, after its last row
    if flow.bands[-1].parts is not None:
        flow.bands[-1].parts.tail = bottom_edge
    flow.margins.append(margin[2])


def _collapse(rows: list[Row]) -> list[list[tuple]]:
    """Each cell's used border widths (top, right, bottom, left): half the widest border of the
    cells meeting on that grid line (only cells have borders here; rows, groups, columns and the
    table itself are refused with borders). A grid of cells all bordered alike shares one tuple."""
    count, height = len(rows[0].cells), len(rows)
    borders = {cell.style.border for row in rows for cell in row.cells}
    if len(borders) == 1:
        only = borders.pop()
        if len(set(only)) == 1:
            alike = [(only[0] / 2,) * 4] * count
            return [alike] * height
    vertical = [[0.0] * (count + 1) for _ in range(height)]
    horizontal = [[0.0] * count for _ in range(height + 1)]
    for y, row in enumerate(rows):
        for x, cell in enumerate(row.cells):
            top, right, bottom, left = cell.style.border
            vertical[y][x] = max(vertical[y][x], left)
            vertical[y][x + 1] = max(vertical[y][x + 1], right)
            horizontal[y][x] = max(horizontal[y][x], top)
            horizontal[y + 1][x] = max(horizontal[y + 1][x], bottom)
    return [
        [
            (horizontal[y][x] / 2, vertical[y][x + 1] / 2, horizontal[y + 1][x] / 2, vertical[y][x] / 2)
            for x in range(count)
        ]
        for y in range(height)
    ]


def _uniform(halves: list) -> float | None:
    """The half width of a grid whose lines are all alike (drawn as one stroked rectangle per
    cell), or None."""
    first = halves[0][0]
    if all(row is halves[0] for row in halves) and all(cell is first for cell in halves[0]):
        return first[0] or None  # one shared tuple (see _collapse)
    found = {side for row in halves for cell in row for side in cell}
    return found.pop() or None if len(found) == 1 else None
