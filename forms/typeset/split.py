"""A table row broken across pages as WeasyPrint breaks it (``table_layout``, with each cell laid
out by ``block_container_layout`` down to the page's bottom).

Each cell keeps the pieces of its content (lines, blocks) that fit, breaking only where a page may
break (orphans, widows, break-after: avoid); a cell whose first piece does not fit keeps nothing.
On the first page every cell loses its bottom padding, on the next one its top padding, and the
cells are aligned again in the height of each part; the collapsed borders at the break are not
drawn. Rows whose cells have a specified or minimum height, or align on the baseline, are not
split here (the paginator declines them where WeasyPrint would split them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NotSupported
from .layout import Band

EPSILON = 1e-6


@dataclass
class Piece:
    height: float
    margin: float  # the collapsed margin above it, inside the cell
    avoid_before: bool  # no page break between it and the piece before
    ops: list  # drawn from its own top
    below: float = 0.0  # what must fit under it too: it ends a child block (its bottom margin)
    # Above it at the top of a new page: the top margin of the cell's child it starts (the one
    # before ends with its page), none inside a broken child (margin-break: auto truncates it
    # when nothing is above on the page).
    top: float | None = None


@dataclass
class CellParts:
    pieces: list  # Piece, in order
    above: float  # top border and padding
    below: float  # bottom padding and border
    trailing: float  # the last child's bottom margin, inside the cell
    share: float  # vertical-align: 0 top, 0.5 middle, 1 bottom
    grid: tuple = ()  # (x, width, used border widths) when the cell has borders to draw


class RowParts:
    """What is left of a row to lay out: per cell, the pieces from ``starts[i]`` on."""

    def __init__(
        self,
        cells: list[CellParts],
        starts: list[int] | None = None,
        fresh: bool = True,
        truncate: bool = False,
        offset: float = 0.0,
    ):
        self.cells = cells
        self.starts = starts or [0] * len(cells)
        self.fresh = fresh  # the row's first part: cells keep their top padding and border
        self.truncate = truncate  # the part starts its page: margins inside a broken child go
        # A continued part under repeated heading rows starts below their bottom border.
        self.offset = offset
        self.tail = 0.0  # the table's bottom border, after its last row

    def band(self, like: Band) -> Band:
        """The rest of the row as one band (all of it fits, or it is split again); a continued
        table without heading rows has no top border above it (the cells lost theirs)."""
        ops, height = self._lay([len(cell.pieces) for cell in self.cells], True)
        return Band(
            height + self.tail,
            ops,
            table=like.table,
            page=like.page,
            split=None,
            top_edge=None if like.top_edge is None else 0.0,
            keep=like.keep,
            parts=self,
        )

    def split(self, room: float, like: Band, header_bottom: float) -> tuple[Band, Band] | None:
        """The part that fits in ``room`` (from the row's top) and the rest, or None when no cell
        keeps anything (WeasyPrint then moves the whole row). ``header_bottom``: the bottom
        border of the heading rows the rest will be under."""
        ends = []
        for cell, start in zip(self.cells, self.starts):
            ends.append(self._fit(cell, start, room))
        if all(end == start for end, start in zip(ends, self.starts)):
            return None  # no cell keeps anything: the row moves whole
        if all(end == len(cell.pieces) for end, cell in zip(ends, self.cells)):
            raise NotSupported("a table's bottom border past the page's bottom")
        ops, height = self._lay(ends, False, room)
        first = Band(height, ops, table=like.table, page=like.page, top_edge=like.top_edge, keep=like.keep)
        # The rest starts the next page, below the repeated heading rows if the table has some.
        headed = like.top_edge is None
        parts = RowParts(self.cells, ends, fresh=False, truncate=not headed, offset=header_bottom if headed else 0.0)
        parts.tail = self.tail
        return first, parts.band(like)

    def _top(self, cell: CellParts) -> float:
        return cell.above if self.fresh else self.offset

    def _margin(self, piece: Piece, index: int, start: int) -> float:
        if index != start or self.fresh:
            return piece.margin
        if piece.top is not None:
            return piece.top
        return 0.0 if self.truncate else piece.margin

    def _fit(self, cell: CellParts, start: int, room: float) -> int:
        """How far the cell's pieces fit: a piece ending one of the cell's children fits with that
        child's bottom margin, the cell's own last line with the cell's bottom padding."""
        y = self._top(cell)
        count = len(cell.pieces)
        for index in range(start, count):
            piece = cell.pieces[index]
            y += self._margin(piece, index, start) + piece.height
            if y + piece.below > room + EPSILON:
                end = index
                while end > start and cell.pieces[end].avoid_before:
                    end -= 1
                return end
        return count

    def _lay(self, ends: list[int], last: bool, room: float = 0.0) -> tuple[list, float]:
        """Drawing operations and height of the part made of each cell's pieces up to ``ends``;
        ``last``: the row's last part, where the cells keep their bottom padding; otherwise a
        cell broken here fills the page down to ``room`` (WeasyPrint's fragmented box fills the
        page, without its bottom decoration)."""
        laid = []
        for cell, start, end in zip(self.cells, self.starts, ends):
            y = self._top(cell)
            drawn = []
            for index in range(start, end):
                piece = cell.pieces[index]
                y += self._margin(piece, index, start)
                drawn.append(("shift", y, piece.ops))
                y += piece.height
            if end == len(cell.pieces) and end > start:
                y += cell.trailing
            if last:
                y += cell.below
            elif start < end < len(cell.pieces):  # broken here (a cell that moves whole stays empty)
                y = max(y, room)
            laid.append((cell.share, drawn, y))
        height = max(y for _, _, y in laid)
        ops: list[tuple] = []  # ("box", x, y, width, height, borders) and ("shift", dy, ops)
        for cell, (share, drawn, y) in zip(self.cells, laid):
            if cell.grid:  # the borders of this part: none where the row is broken
                x, width, (top, right, bottom, left) = cell.grid
                top, bottom = (top if self.fresh else 0.0), (bottom if last else 0.0)
                ops.append(
                    (
                        "box",
                        x - left,
                        self.offset - top if not self.fresh else -top,
                        width + left + right,
                        height - (self.offset if not self.fresh else 0.0) + top + bottom,
                        (2 * top, 2 * right, 2 * bottom, 2 * left),
                    )
                )
            ops.append(("shift", (height - y) * share, drawn))
        return ops, height
