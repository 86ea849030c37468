"""Boxes → bands: the document as a column of slices the paginator can place or push to a page.

A band is a line of a paragraph, a whole unbreakable block (bordered, or ``break-inside: avoid``),
a table's heading rows or one of its body rows. Each band carries the collapsed margin above it
(dropped at the top of a page after an unforced break, as ``margin-break: auto`` does), whether a
page may break before it, and its drawing operations relative to its own top-left corner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .boxes import Block, Inline, Table
from .css import Style
from .errors import NotSupported
from .text import Line, layout_lines, line_metrics
from .transforms import matrix

if TYPE_CHECKING:  # split imports Band from here, parallel this module
    from .parallel import Handoff
    from .split import RowParts


@dataclass(slots=True)
class Band:
    height: float
    ops: list
    margin: float = 0.0  # collapsed margin above the band
    avoid_before: bool = False  # break-before/after: avoid, orphans, widows, a heading's first row
    forced_before: bool = False  # break-before: page
    page: str = "auto"
    table: object = None  # the TableHeader to repeat when a page break falls inside a table
    anchors: list = field(default_factory=list)  # headings starting in this band: (level, text, y)
    # WeasyPrint could break inside (a bordered block, a table row): exact only while the band
    # fits on its page, so the paginator declines the document when it does not and this much of
    # the band (a lower bound of the first piece WeasyPrint would keep) fits; None: it cannot.
    split: float | None = None
    # A row of a table without heading rows: the table's top border when a page starts with this
    # row (half its top grid line, as WeasyPrint sets it on a continued table).
    top_edge: float | None = None
    keep: object = None  # the table (its TableHeader) of break-inside: avoid it belongs to
    parts: RowParts | None = None  # a table row the paginator may break as WeasyPrint does
    # A block with only a bottom border that WeasyPrint could break inside (a long blank's line):
    # (its children's bands, the border's width, x, width), for a table row's pieces (rows._pieces).
    flat: tuple | None = None


@dataclass
class TableHeader:
    band: Band  # the heading rows, the table's top border included
    top_edge: float  # the half border that opens the table on each page
    bottom: float = 0.0  # the heading rows' bottom border (half the grid line under them)


def _resolve(value, reference: float) -> float:
    if isinstance(value, tuple):
        return value[1] * reference / 100
    return 0.0 if value == "auto" else value


def _collapse(margins: list) -> float:
    positive = max([m for m in margins if m > 0], default=0.0)
    negative = min([m for m in margins if m < 0], default=0.0)
    return positive + negative


class Flow:
    """Collects bands; margins between them collapse as CSS 2 block margins do."""

    # the document's own flow: a long table's first half may go to a second process (parallel)
    handoff: Handoff | None = None

    def __init__(self, page: str = "auto"):
        self.bands: list[Band] = []
        self.margins: list[float] = []
        self.avoid_next = False
        self.force_next = False
        self.anchors: list = []
        self.page = page

    def add(self, band: Band) -> None:
        band.margin = _collapse(self.margins)
        band.avoid_before = band.avoid_before or self.avoid_next
        band.forced_before = band.forced_before or self.force_next
        if band.page == "auto":
            band.page = self.page
        band.anchors = self.anchors + band.anchors
        self.margins, self.avoid_next, self.force_next, self.anchors = [], False, False, []
        self.bands.append(band)


def flow_block(box: Block, x: float, width: float, flow: Flow, headings: dict) -> None:
    style = box.style
    margin = [_resolve(value, width) for value in style.margin]
    padding = [_resolve(value, width) for value in style.padding]
    border = style.border
    inner_x = x + margin[3] + border[3] + padding[3]
    inner_width = width - margin[1] - margin[3] - border[1] - border[3] - padding[1] - padding[3]
    if style.width != "auto":
        inner_width = _resolve(style.width, width)
        if style.box_sizing == "border-box":
            inner_width = max(0.0, inner_width - padding[1] - padding[3] - border[1] - border[3])
    if style.break_before == "page":
        flow.force_next = True
    elif style.break_before == "avoid":
        flow.avoid_next = True
    heading = headings.get(id(box))
    previous_page = flow.page
    flow.page = box.page
    # Side paddings alone change neither the margins' collapsing nor where pages may break: such a
    # block flows like any other; borders, vertical paddings and heights make it one band.
    atomic = (
        any(border)
        or padding[0]
        or padding[2]
        or style.break_inside == "avoid"
        or style.height != "auto"
        or style.min_height
        or style.transform
    )
    if atomic:
        band, above, below = _atomic(
            box, x + margin[3], width - margin[1] - margin[3], inner_x, inner_width, padding, border, headings, heading
        )
        flow.margins.extend((margin[0], *above))
        flow.add(band)
        flow.margins.extend((*below, margin[2]))
    else:
        flow.margins.append(margin[0])
        if heading:
            flow.anchors.append((*heading, 0.0))
        for child in box.children:
            flow_child(child, inner_x, inner_width, flow, headings)
        flow.margins.append(margin[2])
    if style.break_after == "avoid":
        flow.avoid_next = True
    elif style.break_after == "page":
        flow.force_next = True
    flow.page = previous_page


def flow_child(child, x: float, width: float, flow: Flow, headings: dict) -> None:
    if isinstance(child, Block):
        flow_block(child, x, width, flow, headings)
    elif isinstance(child, Inline):
        flow_lines(child, x, width, flow)
    elif isinstance(child, Table):
        from .tables import flow_table

        flow_table(child, x, width, flow)
    else:
        raise NotSupported(type(child).__name__)


def flow_lines(inline: Inline, x: float, width: float, flow: Flow) -> None:
    lines = layout_lines(inline.items, width, inline.style)
    count = len(lines)
    for index, line in enumerate(lines):
        height, baseline = line_metrics(line, inline.style)
        # orphans: 2, widows: 2 (WeasyPrint's defaults): no break leaving one line alone
        avoid = 0 < index < 2 or count - index < 2
        flow.add(
            Band(
                height,
                [("line", x, baseline, line, line_offset(line, width, inline.style, index == 0))],
                avoid_before=avoid and index > 0,
            )
        )


_AT_START = (0.0, 0.0)  # most lines' offset: one tuple, not one per line (a long table's memory)


def line_offset(line: Line, width: float, style: Style, first: bool) -> tuple[float, float]:
    """Where the line starts and how much each space widens (text-indent, text-align)."""
    indent = 0.0
    if first and style.text_indent:
        if not isinstance(style.text_indent, float):
            raise NotSupported("percentage text-indent")  # the line breaking counts it as 0
        indent = style.text_indent
    free = width - indent - line.width
    if free > 0:
        align = style.text_align
        if align == "center":
            return indent + free / 2, 0.0
        if align == "right":
            return indent + free, 0.0
        if align == "justify" and not line.last and line.spaces:
            return indent, free / line.spaces
    # a line as wide as its box, or overflowing it, starts at its start (WeasyPrint)
    return (indent, 0.0) if indent else _AT_START


def stack(box: Block, x: float, width: float, headings: dict, page: str = "auto") -> tuple:
    """A block's children laid out in one piece: (ops, height, margin above, margin below, the
    least height of a first piece (None without content), whether a page could break inside,
    the children's bands); the first and last margins are returned separately so that the caller
    decides whether they collapse with its own."""
    flow = Flow(page)
    for child in box.children:
        flow_child(child, x, width, flow, headings)
    ops, y = [], 0.0
    first_margin = flow.bands[0].margin if flow.bands else 0.0
    for index, band in enumerate(flow.bands):
        y += band.margin if index else 0.0
        ops.append(("shift", y, band.ops))
        y += band.height
    trailing = _collapse(flow.margins)
    if not flow.bands:
        first_margin = trailing
    # The least height of a first piece WeasyPrint could keep on a page: the first band, or the
    # first piece of it (a lower bound); whether a page may break inside at all.
    piece = None
    if flow.bands:
        first = flow.bands[0]
        piece = first.height if first.split is None else min(first.height, first.split)
    breakable = any(band.split is not None for band in flow.bands) or any(
        not band.avoid_before for band in flow.bands[1:]
    )
    return ops, y, first_margin, trailing, piece, breakable, flow.bands


def _atomic(
    box: Block, x: float, width: float, inner_x: float, inner_width: float, padding, border, headings: dict, heading
) -> tuple[Band, tuple, tuple]:
    """One band for the whole box, and the children's margins that collapse through its edges."""
    style = box.style
    ops, height, first, last, piece, breakable, bands = stack(box, inner_x, inner_width, headings, box.page)
    above: tuple[float, ...] = ()
    below: tuple[float, ...] = ()
    content = height
    shift = 0.0
    if border[0] or padding[0]:
        content += first
        shift = first
    else:
        above = (first,)  # collapses with this box's own top margin
    if border[2] or padding[2] or style.height != "auto":
        content += last
    else:
        below = (last,)
    minimum = _resolve(style.min_height, width)
    if style.height != "auto":
        minimum = max(minimum, _resolve(style.height, width))
    if style.box_sizing == "border-box":  # the specified heights include padding and border
        minimum = max(0.0, minimum - padding[0] - padding[2] - border[0] - border[2])
    content = max(content, minimum)
    top = border[0] + padding[0]
    total = top + content + padding[2] + border[2]
    drawn: list[tuple] = [("shift", top + shift, ops)]  # operations: (kind, ...) of several shapes
    if style.width != "auto":  # the border box of a block of specified width (its margin-right gives way)
        width = inner_width + padding[1] + padding[3] + border[1] + border[3]
    if any(border):
        drawn.insert(0, ("box", x, 0.0, width, total, border))
    split = None
    if breakable and style.break_inside != "avoid":
        split = top + shift + piece
    if style.transform:
        # Drawn through its matrix, after the page's other content (a stacking context of its own).
        drawn = [("transform", matrix(style, x, 0.0, width, total), drawn)]
    band = Band(total, drawn, page=box.page, split=split)
    if (
        split is not None
        and not (border[0] or border[1] or border[3] or any(padding))
        and not last
        and style.height == "auto"
        and height >= minimum
        and not style.transform
    ):
        band.flat = (bands, border[2], x, width)
    if heading:
        band.anchors.append((*heading, 0.0))
    return band, above, below
