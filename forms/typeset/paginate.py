"""Bands → pages: each band goes on the current page if it fits, else the page ends at the last
place a break is allowed (``break-*: avoid``, orphans and widows, a table heading kept with its
first row), and a table continuing on the new page gets its heading rows again."""

from __future__ import annotations

from dataclasses import dataclass, field

from .css import Stylesheet
from .errors import NotSupported
from .layout import Band

EPSILON = 1e-6


@dataclass
class Page:
    name: str
    size: tuple
    margins: tuple
    placed: list = field(default_factory=list)  # (band, y) with y from the page's top edge
    # Where the page starts: (its first band's index, whether its top margin is kept, the rooms of
    # the splits that made its first band the rest of a row broken across pages), for a paginator
    # that takes over from this page on (forms.typeset.parallel).
    start: tuple = (0, True, ())

    @property
    def bottom(self) -> float:
        return self.size[1] - self.margins[2]


def paginate(bands: list[Band], sheet: Stylesheet, first_page: str, start: tuple | None = None) -> list[Page]:
    """The pages; from ``start`` (a band's index, whether the page keeps its top margin, the ids of
    the tables whose heading rows are to repeat): the pages from a page that starts with that band,
    as the paginator would have made them had it broken the page before it."""
    boxes: dict[str, tuple] = {}

    def new_page(name: str) -> Page:
        if name not in boxes:
            boxes[name] = sheet.page_box(name)
        size, margins = boxes[name]
        return Page(name, size, margins)

    index, keep_margin, seen = start or (0, True, ())  # the margin is kept at the start, after a forced break
    pages = [new_page(bands[index].page if bands else first_page)]
    page = pages[0]
    page.start = (index, keep_margin, ())
    y = page.margins[0]
    first_index = index  # the first band of the current page
    seen_tables: set[int] = set(seen)
    splits: dict[int, tuple] = {}  # a band's index -> the rooms of the splits that left its rest there
    while index < len(bands):
        band = bands[index]
        if page.placed and (band.forced_before or band.page != page.name):
            page, y, first_index, keep_margin = _next(pages, new_page(band.page), index, True, splits)
        margin = band.margin if (page.placed or keep_margin) else 0.0
        repeat = None
        if not page.placed and band.table is not None and band.table.band is not band and id(band.table) in seen_tables:
            repeat = band.table.band if band.top_edge is None else Band(band.top_edge, [])
        height = margin + band.height + (repeat.height if repeat else 0.0)
        exact = False  # whether the row's own pieces decided that it moves whole
        if (
            y + height > page.bottom + EPSILON
            and band.parts is not None
            and _starts_at_or_before(bands, index, first_index)
        ):
            top = y + (repeat.height if repeat else 0.0) + margin
            room = page.bottom - top
            pieces = band.parts.split(room, band, band.table.bottom)
            if pieces is not None:  # WeasyPrint breaks the row: its first part here, the rest next
                if repeat is not None:
                    page.placed.append((repeat, y))
                page.placed.append((pieces[0], top))
                bands[index] = pieces[1]
                splits[index] = splits.get(index, ()) + (room,)
                page, y, first_index, keep_margin = _next(pages, new_page(band.page), index, False, splits)
                continue
            exact = True
        if y + height <= page.bottom + EPSILON or not page.placed:
            if y + height > page.bottom + EPSILON:
                raise NotSupported("a band taller than the page")  # WeasyPrint would split it
            if repeat is not None:
                page.placed.append((repeat, y))
                y += repeat.height
            page.placed.append((band, y + margin))
            y += margin + band.height
            if band.table is not None and band.table.band is band:
                seen_tables.add(id(band.table))
            index += 1
            continue
        if (
            not exact
            and band.split is not None
            and y + margin + band.split <= page.bottom + EPSILON
            and _starts_at_or_before(bands, index, first_index)
        ):
            raise NotSupported("a block or table row split across pages")  # WeasyPrint splits it
        back = index
        while back > first_index and bands[back].avoid_before:
            back -= 1
        if back == first_index:
            # Nothing on this page may move: break where the content overflows, or before the
            # table that avoids breaks inside it (WeasyPrint moves such a table whole, unless it
            # starts the page).
            back = index
            while band.keep is not None and back > first_index and bands[back - 1].keep is band.keep:
                back -= 1
            if back == first_index:
                back = index
        while page.placed and page.placed[-1][0] is not bands[back - 1]:
            page.placed.pop()
        if not page.placed:
            raise NotSupported("a band taller than the page")
        index = back
        page, y, first_index, keep_margin = _next(pages, new_page(bands[index].page), index, False, splits)
    return pages


def _starts_at_or_before(bands: list[Band], index: int, first_index: int) -> bool:
    """Whether the band's table of break-inside: avoid (if any) starts this page or an earlier one:
    WeasyPrint then lays it out as any table; one starting lower on the page moves whole."""
    keep = bands[index].keep
    if keep is None:
        return True
    while index > first_index and bands[index - 1].keep is keep:
        index -= 1
    return index == first_index


def _next(pages: list[Page], page: Page, index: int, forced: bool, splits: dict):
    pages.append(page)
    page.start = (index, forced, splits.get(index, ()))
    return page, page.margins[0], index, forced
