"""Min-content and max-content widths, computed as WeasyPrint computes them for the automatic table
layout (``weasyprint/layout/preferred.py``), so that columns get the same widths.

WeasyPrint measures inline content one text box at a time: a text's min-content lines end at
Pango's break opportunities inside that text, and after it only when its last character may break
before a letter; a ``nowrap`` text is one piece; max-content is the sum of the texts. The same
rules are followed here, on the same white space processing, with the bundled fonts' widths.
"""

from __future__ import annotations

from itertools import pairwise

from .boxes import Block, Inline
from .css import Style
from .errors import NotSupported
from .fonts import HYPHEN, SOFT_HYPHEN, face
from .text import FORCED, _opportunities, collapse_spaces


def text_width(style: Style, text: str) -> float:
    """Advance of ``text`` in one style, kerning inside it included (one Pango layout)."""
    if not text:
        return 0.0
    return face(style.bold, style.italic).width(text) * style.font_size


def _text_boxes(items: list) -> list[tuple[Style, str]]:
    """The text boxes WeasyPrint measures for min/max-content: ``text.collapse_spaces`` of the run.
    Unlike ``text.collapse`` the last text keeps its trailing space: a text of one space still counts
    in WeasyPrint's min-content line."""
    if any(text == FORCED for _, text in items):
        raise NotSupported("a line break measured for an automatic table layout")
    return collapse_spaces(items, after_space=False)


def _min_pieces(style: Style, text: str, line_start: bool) -> list:
    """The min-content lines of one text box, ``None`` for an empty one, and a trailing ``None``
    when a line may end after the text (``inline_line_widths`` with ``minimum=True``)."""
    if line_start:
        text = text.lstrip(" ")
    if not text:
        return [None]
    if style.white_space == "nowrap":
        return [text_width(style, text) or None]
    pieces: list[float | None]  # a width, or None: an empty line, or where a line may end
    if not text.strip(" "):
        pieces = [text_width(style, text)]  # Pango's line of spaces alone keeps its width
    elif SOFT_HYPHEN in text:
        pieces = soft_hyphen_pieces(style, text)
    else:
        bounds = [0, *_opportunities(text, None), len(text)]
        pieces = [text_width(style, text[start:end].rstrip(" ")) or None for start, end in pairwise(bounds)]
    if _opportunities(text[-1] + "a", None):
        pieces.append(None)
    return pieces


def soft_hyphen_pieces(style: Style, text: str) -> list:
    """Min-content lines of a text with soft hyphens, as WeasyPrint measures them: hyphenated at
    each soft hyphen, spaces and all, up to the last one (its manual hyphenation tries soft hyphens
    before spaces when nothing fits); then a line per word."""
    last = text.rindex(SOFT_HYPHEN) + 1
    ends = [index + 1 for index, char in enumerate(text[:last]) if char == SOFT_HYPHEN]
    pieces: list[float | None] = [text_width(style, text[start:end] + HYPHEN) for start, end in pairwise([0, *ends])]
    rest = text[last:]
    if rest:
        bounds = [0, *_opportunities(rest, None), len(rest)]
        pieces += [text_width(style, rest[start:end].rstrip(" ")) or None for start, end in pairwise(bounds)]
    return pieces


def line_widths(inline: Inline, minimum: bool) -> list[float]:
    """The widths of the lines of ``inline`` broken at every opportunity (``minimum``) or only
    where forced; the first one with the text indent."""
    indent = inline.style.text_indent if isinstance(inline.style.text_indent, float) else 0.0
    boxes = _text_boxes(inline.items)
    widths, current, line_start = [], 0.0, True
    for index, (style, text) in enumerate(boxes):
        if minimum:
            pieces = _min_pieces(style, text, line_start)
        else:
            if line_start:
                text = text.lstrip(" ")
            if index == len(boxes) - 1:
                text = text.rstrip(" ")  # the trailing white space of the last text is not counted
            pieces = [text_width(style, text) or None]
        current += pieces[0] or 0.0
        if len(pieces) > 1:
            widths.append(current + indent)
            indent = 0.0
            widths.extend(piece or 0.0 for piece in pieces[1:-1])
            current = pieces[-1] or 0.0
        line_start = pieces[-1] is None
    widths.append(current + indent)
    return widths


def _resolve_fixed(value) -> float | None:
    """A length in px, or None for 'auto' and percentages (treated as auto when measuring)."""
    return None if value == "auto" or isinstance(value, tuple) else value


def outer(style: Style, width: float, borders: tuple | None = None) -> float:
    """``margin_width``: the width plus horizontal margins, paddings and borders; percentages of
    margins and paddings make the width a share of the containing block."""
    percent = 0.0
    for value in (style.margin[3], style.padding[3], style.margin[1], style.padding[1]):
        if isinstance(value, tuple):
            percent += value[1]
        elif value != "auto":
            width += value
    left, right = borders if borders is not None else (style.border[3], style.border[1])
    width += left + right
    if percent < 100:
        return width / (1 - percent / 100)
    return 0.0


def block_width(box: Block, minimum: bool, is_outer: bool = True, borders: tuple | None = None) -> float:
    """``_block_content_width``: a fixed width, else the widest child (outer widths)."""
    style = box.style
    width = _resolve_fixed(style.width)
    if width is None:
        width = max((_child_width(child, minimum) for child in box.children), default=0.0)
    elif style.box_sizing == "border-box":
        percent = 0.0
        for value in (style.padding[3], style.padding[1]):
            if isinstance(value, tuple):
                percent += value[1]
            else:
                width -= value
        left, right = borders if borders is not None else (style.border[3], style.border[1])
        width -= left + right
        width = (100 - min(100.0, percent)) * max(0.0, width) / 100
    return outer(style, width, borders) if is_outer else width


def _child_width(child, minimum: bool) -> float:
    if isinstance(child, Inline):
        return max(line_widths(child, minimum))
    if isinstance(child, Block):
        return block_width(child, minimum)
    raise NotSupported("a table measured for an automatic table layout")


def cell_widths(content: Block, borders: tuple) -> tuple[float, float]:
    """(min, max) outer content widths of a table cell with its used (collapsed) border widths."""
    smallest = max((_child_width(child, True) for child in content.children), default=0.0)
    smallest = outer(content.style, smallest, borders)
    largest = max(smallest, block_width(content, False, borders=borders))
    return smallest, largest
