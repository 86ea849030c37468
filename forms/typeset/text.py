"""Inline text: white space, break opportunities, greedy lines, alignment.

Lines break where Pango breaks them for the texts of our forms (UAX #14 for spaces, hyphens and
dashes), measured with the bundled fonts' advances and kerning, so a line holds the same words as
in WeasyPrint's rendering.
"""
from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from weasyprint.text.ffi import ffi, pango

from .css import Style
from .errors import NotSupported
from .fonts import face

_SPACES = re.compile(r"[ \t\n\r\f]+")
_LINE_BREAK = 1  # is_line_break: the first bit field of PangoLogAttr
FORCED = "\u2028"  # a <br> (LINE SEPARATOR: not white space the parser keeps from the HTML)


@dataclass
class Run:
    """Text of one style on one line; ``x`` from the line's start, in px."""
    style: Style
    text: str
    x: float
    width: float


@dataclass
class Line:
    runs: list
    width: float
    spaces: int  # U+0020 inside the line, the gaps justification widens
    last: bool   # the paragraph's last line or one ended by <br>: never justified


def collapse(items: list[tuple[Style, str]]) -> list[tuple[Style, str]]:
    """white-space: normal/nowrap — runs of white space become one space, across elements too."""
    out = []
    previous_space = True  # drops the leading space of the block
    for style, text in items:
        if text == FORCED:
            if out and out[-1][1].endswith(" "):
                out[-1] = (out[-1][0], out[-1][1][:-1])
            out.append((style, FORCED))
            previous_space = True
            continue
        text = _SPACES.sub(" ", text)
        if previous_space and text.startswith(" "):
            text = text[1:]
        if text:
            out.append((style, text))
            previous_space = text.endswith(" ")
    while out and out[-1][1].endswith(" "):
        style, text = out.pop()
        if text[:-1]:
            out.append((style, text[:-1]))
            break
    return [(style, text) for style, text in out if text]


def _opportunities(text: str, nowrap: list[bool]) -> list[int]:
    """Indexes ``i`` where a line may end before ``text[i]``: Pango's own UAX #14 analysis (the one
    WeasyPrint breaks lines with), minus the places inside ``white-space: nowrap``."""
    data = text.encode("utf-8")
    attrs = ffi.new("PangoLogAttr[]", len(text) + 1)
    pango.pango_get_log_attrs(ffi.from_buffer(data), len(data), -1, _language(), attrs, len(text) + 1)
    words = array("I", bytes(ffi.buffer(attrs)))  # one 32-bit word of bit fields per position
    found = []
    for index in range(1, len(text)):
        if words[index] & _LINE_BREAK and not (nowrap[index - 1] and nowrap[index]):
            if text[index] != FORCED and text[index - 1] != FORCED:
                found.append(index)
    return found


@lru_cache(maxsize=1)
def _language():
    return pango.pango_language_get_default()


def layout_lines(items: list[tuple[Style, str]], width: float, block: Style) -> list[Line]:
    """Greedy lines of at most ``width`` px (a word wider than the line overflows, or is split
    where overflow-wrap allows)."""
    items = collapse(items)
    if not items:
        return []
    text_parts, styles, starts = [], [], []
    position = 0
    for style, text in items:
        starts.append(position)
        text_parts.append(text)
        styles.append(style)
        position += len(text)
    text = "".join(text_parts)
    owner = []  # item index per character
    nowrap = []
    advance = [0.0] * (len(text) + 1)  # advance[i]: x of character i from the text's start
    kern = [0.0] * len(text)  # kern[i]: the kerning of the pair (i - 1, i), inside one element only
    x = 0.0
    for index, (style, part) in enumerate(zip(styles, text_parts)):
        owner.extend([index] * len(part))
        nowrap.extend([style.white_space == "nowrap"] * len(part))
        if part == FORCED:
            advance[starts[index] + 1] = x
            continue
        font = face(style.bold, style.italic)
        scale = style.font_size / font.units
        font.learn(part)
        widths = font.char_width
        position = starts[index]
        for value in map(widths.__getitem__, part):
            x += value * scale
            position += 1
            advance[position] = x
        for offset, value in font.kerns(part):
            kern[starts[index] + offset] = value * scale
    if any(kern):  # a kerned pair moves every later character
        advance = [x + shift for x, shift in zip(advance, accumulate(kern, initial=0.0))]
    breaks = set(_opportunities(text, nowrap))
    forced = {index + 1 for index, char in enumerate(text) if char == FORCED}
    wrap_anywhere = block.overflow_wrap in ("break-word", "anywhere")
    indent = block.text_indent if isinstance(block.text_indent, float) else 0.0

    lines = []
    start = 0
    length = len(text)
    candidates = sorted(breaks | forced | {length})
    pointer = 0
    while start < length:
        limit = width - (indent if not lines else 0.0)
        end = None
        # The furthest opportunity whose line (without its trailing spaces) fits.
        while pointer < len(candidates) and candidates[pointer] <= start:
            pointer += 1
        scan = pointer
        while scan < len(candidates):
            candidate = candidates[scan]
            if _width(advance, kern, text, start, candidate) <= limit + 1e-9:
                end = candidate
                if candidate in forced:
                    break
                scan += 1
                continue
            if end is None:
                end = candidate  # nothing fits: the word overflows (or is split below)
            break
        if wrap_anywhere and _width(advance, kern, text, start, end) > limit + 1e-9:
            end = _split_word(advance, kern, text, start, limit, candidates, pointer)
        lines.append(_line(text, advance, kern, owner, styles, start, end, end in forced or end == length))
        start = end
    return lines


def _width(advance, kern, text, start, end) -> float:
    """Width of the line [start, end): no trailing spaces, no kerning with the previous line."""
    trimmed = end
    while trimmed > start and text[trimmed - 1] in (" ", FORCED):
        trimmed -= 1
    return advance[trimmed] - advance[start] - kern[start]


def _split_word(advance, kern, text, start, limit, candidates, pointer) -> int:
    """overflow-wrap: the most characters of an overlong word that fit (at least one)."""
    next_break = candidates[pointer] if pointer < len(candidates) else len(text)
    end = start + 1
    while end < next_break and advance[end + 1] - advance[start] - kern[start] <= limit + 1e-9:
        end += 1
    return end


def _line(text, advance, kern, owner, styles, start, end, last) -> Line:
    trimmed = end
    while trimmed > start and text[trimmed - 1] in (" ", FORCED):
        trimmed -= 1
    runs = []
    position = start
    origin = advance[start] + kern[start]
    while position < trimmed:
        item = owner[position]
        stop = position
        while stop < trimmed and owner[stop] == item:
            stop += 1
        runs.append(Run(styles[item], text[position:stop], advance[position] + kern[position] - origin,
                        advance[stop] - advance[position] - kern[position]))
        position = stop
    spaces = text.count(" ", start, trimmed)
    return Line(runs, advance[trimmed] - origin, spaces, last)


def line_metrics(line: Line | None, block: Style) -> tuple[float, float]:
    """Height of the line box and its baseline from the top (CSS 2 inline formatting)."""
    above, below = _half_leading_split(block)
    for run in line.runs if line else ():
        run_above, run_below = _half_leading_split(run.style)
        above, below = max(above, run_above), max(below, run_below)
    return above + below, above


def _half_leading_split(style: Style) -> tuple[float, float]:
    font = face(style.bold, style.italic)
    ascent, descent = font.ascent * style.font_size, font.descent * style.font_size
    leading = style.line_px() - (ascent + descent)
    return ascent + leading / 2, descent + leading / 2


def check_characters(text: str, style: Style) -> None:
    font = face(style.bold, style.italic)
    for char in set(text):
        font.glyph(char)


__all__ = ["Line", "Run", "layout_lines", "line_metrics", "NotSupported", "check_characters"]
