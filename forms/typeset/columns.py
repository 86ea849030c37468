"""Column widths of a table, by WeasyPrint's algorithms (``weasyprint/layout/table.py``):
``fixed_table_layout`` and ``auto_table_layout`` with the preferred widths of
``table_and_columns_preferred_widths``, for tables without spanning cells or border spacing.

Widths are the columns' border-box widths (a cell's padding and its half of the collapsed borders
included), as WeasyPrint's ``column_widths``; ``table_width`` is the table's content width.
"""

from __future__ import annotations

from .boxes import Table
from .errors import NotSupported
from .intrinsic import cell_widths


def _percent(value) -> float:
    return value[1] if isinstance(value, tuple) else 0.0


def _fixed_length(value) -> float | None:
    return None if value == "auto" or isinstance(value, tuple) else value


def _resolve(value, reference: float) -> float | None:
    if value == "auto":
        return None
    return value[1] * reference / 100 if isinstance(value, tuple) else value


def fixed_layout(table: Table, rows: list, borders: list, table_width: float) -> tuple[float, list[float]]:
    """``table-layout: fixed``: <col> widths, else the first row's cells (border boxes), the rest
    shared equally; a table too narrow for its columns is widened."""
    count = len(rows[0].cells) if rows else len(table.columns)
    widths: list = [None] * max(count, len(table.columns))
    for index, spec in enumerate(table.columns):
        widths[index] = _resolve(spec, table_width)
    if rows:
        for index, cell in enumerate(rows[0].cells):
            width = _resolve(cell.style.width, table_width)
            if width is not None and widths[index] is None:
                _, right, _, left = borders[0][index]
                padding = [_resolve(value, table_width) or 0.0 for value in cell.style.padding]
                if cell.style.box_sizing != "border-box":
                    width += padding[1] + padding[3] + left + right
                widths[index] = width
    known = sum(width for width in widths if width is not None)
    free = [index for index, width in enumerate(widths) if width is None]
    if free and table_width >= known:
        share = (table_width - known) / len(free)
    else:
        share = 0.0
    widths = [share if width is None else width for width in widths]
    extra = table_width - sum(widths)
    if extra <= 0:
        table_width -= extra
    elif widths:
        widths = [width + extra / len(widths) for width in widths]
    return table_width, widths


def auto_layout(
    table: Table, rows: list, borders: list, available: float, table_width: float | None
) -> tuple[float, list[float]]:
    """``table-layout: auto``: columns from their cells' min- and max-content widths, percentages
    and fixed widths (CSS Tables 3 width distribution, as WeasyPrint implements it).
    ``available``: the containing block's width less the table's margins and borders;
    ``table_width``: the specified content width, None for 'auto'. A width in px is also the
    table's min- and max-content width as specified, before box-sizing takes the borders off
    (WeasyPrint's ``table_and_columns_preferred_widths``): such a table keeps its whole width."""
    count = len(rows[0].cells)
    minimum, maximum, percents = [0.0] * count, [0.0] * count, [0.0] * count
    constrained = [False] * count
    for index, spec in enumerate(table.columns[:count]):
        length = _fixed_length(spec)
        if length is not None:
            minimum[index] = maximum[index] = length
            constrained[index] = True
        percents[index] = _percent(spec)
    for row, row_borders in zip(rows, borders):
        for index, cell in enumerate(row.cells):
            _, right, _, left = row_borders[index]
            smallest, largest = cell_widths(cell.content, (left, right))
            minimum[index] = max(minimum[index], smallest)
            maximum[index] = max(maximum[index], largest)
            percents[index] = max(percents[index], _percent(cell.style.width))
            if _fixed_length(cell.style.width) is not None:
                constrained[index] = True
    total = 0.0
    for index, value in enumerate(percents):
        percents[index] = min(value, 100 - total)
        total += percents[index]

    table_min = sum(minimum)
    small = [maximum[i] / (percents[i] / 100) for i in range(count) if percents[i]]
    numerator = sum(maximum[i] for i in range(count) if percents[i] == 0)
    denominator = (100 - sum(percents)) / 100
    if denominator == 0:
        large = 0.0 if numerator == 0 else float(2**63 - 1)  # "an infinitely large number"
    else:
        large = numerator / denominator
    table_max = max(sum(maximum), large, *small)
    length = _fixed_length(table.style.width)
    if length is not None:
        table_min, table_max = max(table_min, length), max(table_max, length)

    if table_width is None:
        if available <= table_min:
            table_width = table_min
        elif available < table_max:
            table_width = available
        else:
            table_width = table_max
    elif table_width < table_min:
        table_width = table_min

    assignable = table_width
    min_guess = minimum[:]
    percent_guess = minimum[:]
    specified_guess = minimum[:]
    max_guess = maximum[:]
    for i in range(count):
        if percents[i]:
            percent_guess[i] = max(percents[i] / 100 * assignable, minimum[i])
            specified_guess[i] = percent_guess[i]
            max_guess[i] = percent_guess[i]
        elif constrained[i]:
            specified_guess[i] = maximum[i]
    guesses = (min_guess, percent_guess, specified_guess, max_guess)
    if assignable * (1 + 1e-9) < sum(max_guess):
        lower = upper = None
        for guess in guesses:
            if sum(guess) <= assignable * (1 + 1e-9):
                lower = guess
            else:
                break
        for guess in guesses[::-1]:
            if sum(guess) >= assignable * (1 - 1e-9):
                upper = guess
            else:
                break
        if lower is None or upper is None:
            raise NotSupported("automatic table layout without a fitting guess")
        if upper == lower:
            return table_width, list(upper)
        added = [upper[i] - lower[i] for i in range(count)]
        ratio = (assignable - sum(lower)) / sum(added)
        return table_width, [lower[i] + added[i] * ratio for i in range(count)]
    widths = max_guess[:]
    _distribute(assignable - sum(max_guess), widths, constrained, percents, maximum, rows)
    return table_width, widths


def _distribute(excess: float, widths: list, constrained: list, percents: list, maximum: list, rows: list) -> None:
    """``distribute_excess_width``: the first group of columns that exists takes the excess."""
    count = len(widths)
    groups = (
        ([i for i in range(count) if not constrained[i] and not percents[i] and maximum[i] > 0], "max"),
        ([i for i in range(count) if not constrained[i] and not percents[i]], "equal"),
        ([i for i in range(count) if constrained[i] and not percents[i] and maximum[i] > 0], "max"),
        ([i for i in range(count) if percents[i] > 0 and maximum[i] > 0], "percent"),
        ([i for i in range(count) if any(row.cells[i] for row in rows)], "equal"),
        (list(range(count)), "equal"),
    )
    for columns, share in groups:
        if not columns:
            continue
        if share == "max":
            ratio = excess / sum(maximum[i] for i in columns)
            for i in columns:
                widths[i] += maximum[i] * ratio
        elif share == "percent":
            ratio = excess / sum(percents[i] for i in columns)
            for i in columns:
                widths[i] += percents[i] * ratio
        else:
            for i in columns:
                widths[i] += excess / len(columns)
        return
