"""Tables in the collapsing border model with fixed column widths: one band per body row.

Column widths are computed once for the whole table (WeasyPrint's ``table-layout: fixed`` rules:
``<col>`` widths, else the first row's cells, the rest shared equally), rows are measured once,
and the heading rows become a band the paginator repeats at the top of every page the table
continues on.
"""
from __future__ import annotations

from .boxes import Inline, Row, Table
from .errors import NotSupported
from .layout import Band, Flow, TableHeader, _resolve, line_offset, stack
from .text import layout_lines, line_metrics


def flow_table(table: Table, x: float, width: float, flow: Flow) -> None:
    style = table.style
    if style.border_collapse != "collapse":
        raise NotSupported("separated table borders")
    if any(style.border) or any(style.padding):
        raise NotSupported("table borders")
    margin = [_resolve(value, width) for value in style.margin]
    if style.width == "auto":
        raise NotSupported("table width auto")
    outer = _resolve(style.width, width - margin[1] - margin[3])
    rule = _rule_width(table)
    inner = outer - rule
    widths = _column_widths(table, inner)
    left = x + margin[3] + rule / 2
    edges = [left]
    for column in widths:
        edges.append(edges[-1] + column)

    flow.margins.append(margin[0])
    heading_ops, y = [], rule / 2
    for row in table.header:
        ops, height = _row(row, edges, rule)
        heading_ops.append(("shift", y, ops))
        y += height
    header = TableHeader(Band(y, heading_ops), rule / 2)
    header.band.table = header
    flow.add(header.band)
    for index, row in enumerate(table.body):
        ops, height = _row(row, edges, rule)
        band = Band(height, ops, table=header, avoid_before=index == 0 and bool(table.header))
        band.page = table.page if table.page != "auto" else flow.page
        flow.add(band)
    flow.bands[-1].height += rule / 2  # the table's bottom half border, after its last row
    flow.margins.append(margin[2])


def _rule_width(table: Table) -> float:
    """The single rule width of the grid (every cell bordered alike, or no borders)."""
    found = {side for row in table.header + table.body for cell in row.cells for side in cell.style.border}
    if len(found) > 1:
        raise NotSupported("mixed cell borders")
    return found.pop() if found else 0.0


def _column_widths(table: Table, inner: float) -> list[float]:
    rows = table.header + table.body
    count = max((len(row.cells) for row in rows), default=len(table.columns))
    if any(len(row.cells) != count for row in rows):
        raise NotSupported("rows of different lengths")
    specs = list(table.columns)
    if len(specs) != count:
        if specs:
            raise NotSupported("columns and cells disagree")
        specs = [cell.style.width for cell in rows[0].cells] if rows else []
    if table.style.table_layout != "fixed" and "auto" in specs:
        raise NotSupported("automatic table layout")
    widths = [None if spec == "auto" else _resolve(spec, inner) for spec in specs]
    fixed = sum(value for value in widths if value is not None)
    free = [index for index, value in enumerate(widths) if value is None]
    if free:
        share = max(inner - fixed, 0.0) / len(free)
        for index in free:
            widths[index] = share
    elif abs(fixed - inner) > 0.01:
        raise NotSupported("column widths do not fill the table")
    return widths


def _row(row: Row, edges: list[float], rule: float) -> tuple[list, float]:
    """Drawing operations and height of one row, each cell laid out at its column's width."""
    laid = []
    for index, cell in enumerate(row.cells):
        style = cell.style
        column = edges[index + 1] - edges[index]
        padding = [_resolve(value, column) for value in style.padding]
        inner = column - rule - padding[1] - padding[3]
        content_x = edges[index] + rule / 2 + padding[3]
        ops, height, first, last = _cell_content(cell.content, content_x, inner)
        for op in _lines(ops):
            if op[3].width > inner + 0.01:
                raise NotSupported("a word wider than its column")
        content = first + height + last
        if style.height != "auto":
            content = max(content, _resolve(style.height, column))
        content = max(content, _resolve(style.min_height, column))
        laid.append((style, padding, ops, first, content))
    height = max((rule + padding[0] + content + padding[2] for _, padding, _, _, content in laid), default=rule)
    drawn = []
    for index, (style, padding, ops, first, content) in enumerate(laid):
        free = height - rule - padding[0] - padding[2] - content
        offset = {"middle": free / 2, "bottom": free}.get(style.vertical_align, 0.0)
        if rule:
            drawn.append(("grid", edges[index], 0.0, edges[index + 1] - edges[index], height, rule))
        drawn.append(("shift", rule / 2 + padding[0] + first + offset, ops))
    return drawn, height


def _cell_content(content, x: float, width: float) -> tuple[list, float, float, float]:
    """A cell's content laid out; a cell of plain text (most cells) without the general block flow."""
    children = content.children
    if len(children) != 1 or not isinstance(children[0], Inline):
        return stack(content, x, width, {})
    inline = children[0]
    ops, y = [], 0.0
    for line in layout_lines(inline.items, width, inline.style):
        height, baseline = line_metrics(line, inline.style)
        ops.append(("line", x, y + baseline, line, line_offset(line, width, inline.style)))
        y += height
    return ops, y, 0.0, 0.0


def _lines(ops):
    for op in ops:
        if op[0] == "shift":
            yield from _lines(op[2])
        elif op[0] == "line":
            yield op
