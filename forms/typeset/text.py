"""Inline text: white space, break opportunities, greedy lines, alignment.

Lines break where Pango breaks them for the texts of our forms (UAX #14 for spaces, hyphens and
dashes), measured with the bundled fonts' advances and kerning, so a line holds the same words as
in WeasyPrint's rendering.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import add

from forms.internals import ffi, pango

from .css import Style
from .fonts import HYPHEN, SOFT_HYPHEN, face

_SPACES = re.compile(r"[ \t\n\r\f]+")
_BREAK_FLAGS = bytes(0x31 if value & 1 else 0x30 for value in range(256))  # bit 0 set -> b"1"
_ONE = re.compile(b"1")
FORCED = "\u2028"  # a <br> (LINE SEPARATOR: not white space the parser keeps from the HTML)


@dataclass(slots=True)
class Run:
    """Text of one style on one line; ``x`` from the line's start, in px. ``kerns``: the text's
    kerned pairs (``Face.kerns``) when the layout has them already (a text that is one line as it
    is), so that the PDF writer does not measure them again."""

    style: Style
    text: str
    x: float
    width: float
    kerns: list | None = None


@dataclass(slots=True)
class Line:
    runs: list
    width: float
    spaces: int  # U+0020 inside the line, the gaps justification widens
    last: bool  # the paragraph's last line or one ended by <br>: never justified


def collapse_spaces(items: list[tuple[Style, str]], after_space: bool) -> list[tuple[Style, str]]:
    """WeasyPrint's white space processing of a run of inline content (white-space: normal and
    nowrap): runs of white space become one space, a space after a space (or after ``after_space``,
    or after a <br>) is dropped, and emptied texts disappear. Trailing spaces are kept."""
    out = []
    for style, text in items:
        if text == FORCED:
            out.append((style, FORCED))
            after_space = True
            continue
        if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text:
            text = _SPACES.sub(" ", text)  # else every run of white space is one space already
        if after_space and text.startswith(" "):
            text = text[1:]
        if text:
            out.append((style, text))
            after_space = text.endswith(" ")
    return out


def collapse(items: list[tuple[Style, str]]) -> list[tuple[Style, str]]:
    """The block's inline content as lines see it: ``collapse_spaces`` from the block's start, and
    no space at the end of the block or before a <br>."""
    out = collapse_spaces(items, after_space=True)
    for index, (style, text) in enumerate(out):
        if text.endswith(" ") and (index + 1 == len(out) or out[index + 1][1] == FORCED):
            out[index] = (style, text[:-1])
    return [(style, text) for style, text in out if text]


# Texts of letters (Latin, Cyrillic), digits, spaces, commas, full stops, № and no-break spaces, the
# most of a journal's cells: UAX #14 classes AL, NU, SP, IS, PR and GL only. Among them Pango ends
# a line after a space, but not before a space, comma or full stop (LB7, LB13, LB18), and after
# commas and full stops before a digit or №, unless a digit comes first in that run of digits,
# commas and full stops (a number: LB25), and between two № (LB31). The tests compare this with
# Pango on every such text.
_SIMPLE = re.compile("[0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0400-\u0482\u048a-\u04ff ,.\u00a0\u2116]*")
_AFTER_SPACE = re.compile("(?<= )[^ ,.]")
_AFTER_STOPS = re.compile("(?<![0-9.,])[.,]+(?=[0-9\u2116])|\u2116(?=\u2116)")


def _opportunities(text: str, nowrap: list[bool] | None, masked: str | None = None) -> list[int]:
    """Indexes ``i`` where a line may end before ``text[i]``: Pango's own UAX #14 analysis (the one
    WeasyPrint breaks lines with), minus the places inside ``white-space: nowrap``; for a simple
    text (``_SIMPLE``), or one whose nowrap runs read as ``masked`` (``masked_runs``) is, the same
    places found without Pango."""
    simple = text if _SIMPLE.fullmatch(text) else masked if masked and _SIMPLE.fullmatch(masked) else None
    if simple is None:
        return _pango_opportunities(text, nowrap)
    found = [match.start() for match in _AFTER_SPACE.finditer(simple)]
    if "," in simple or "." in simple or "\u2116\u2116" in simple:
        found = sorted(found + [match.end() for match in _AFTER_STOPS.finditer(simple)])
    if nowrap is not None:
        found = [index for index in found if not (nowrap[index - 1] and nowrap[index])]
    return found


def masked_runs(parts: list[tuple[str, bool]]) -> str:
    """The text of ``parts`` (text, whether nowrap) with what lies strictly inside each nowrap part
    read as a letter: no line ends inside, and at its edges only the edge characters decide —
    unless the part ends with a space, comma or full stop, after which the rules look back into
    it (such a part is kept as it is)."""
    return "".join(
        part[0] + "a" * (len(part) - 2) + part[-1] if nowrap and len(part) > 2 and part[-1] not in " ,." else part
        for part, nowrap in parts
    )


def _pango_opportunities(text: str, nowrap: list[bool] | None) -> list[int]:
    data = text.encode("utf-8")
    attrs = ffi.new("PangoLogAttr[]", len(text) + 1)
    pango.pango_get_log_attrs(ffi.from_buffer(data), len(data), -1, _language(), attrs, len(text) + 1)
    # is_line_break is bit 0 of each 32-bit entry: scan the low bytes in C rather than in a loop.
    flags = bytes(ffi.buffer(attrs))[::4].translate(_BREAK_FLAGS)
    found = [match.start() for match in _ONE.finditer(flags, 1, len(text))]
    if nowrap is not None:
        found = [index for index in found if not (nowrap[index - 1] and nowrap[index])]
    if FORCED in text:
        found = [index for index in found if FORCED not in (text[index], text[index - 1])]
    return found


@lru_cache(maxsize=1)
def _language():
    return pango.pango_language_get_default()


_MEMO: dict = {}
_MEMO_SIZE = 20000
_MEMO_KEPT = 4000  # entries that outlive a document: a form's own text, not a long table's rows


def forget_rows() -> None:
    """After a document: the lines of a long table's rows are not kept for the next one (their
    memory would be the next document's); a short document's, mostly the form's own text, are."""
    if len(_MEMO) > _MEMO_KEPT:
        _MEMO.clear()


def layout_lines(items: list[tuple[Style, str]], width: float, block: Style) -> list[Line]:
    """Greedy lines of at most ``width`` px (a word wider than the line overflows, or is split
    where overflow-wrap allows). Remembered: a form's own text is the same in every document,
    and a journal repeats its countries and places."""
    if len(items) == 1:  # most texts: a flat key, and as they are when no white space collapses
        style, text = items[0]
        key: tuple = (style, text, width, block)
        lines = _MEMO.get(key)
        if lines is None:
            lines = _layout_lines(items if _collapsed(text) else collapse(items), width, block)
            if len(_MEMO) >= _MEMO_SIZE:
                _MEMO.clear()
            _MEMO[key] = lines
        return lines
    key = (tuple(items), width, block)
    lines = _MEMO.get(key)
    if lines is None:
        lines = _layout_lines(collapse(items), width, block)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = lines
    return lines


def _collapsed(text: str) -> bool:
    """Whether ``collapse`` leaves a block's only text as it is: no white space at its ends, no run
    of it, no tab or line break."""
    return (
        text != ""
        and text[0] not in " \t\n\r\f"
        and text[-1] not in " \t\n\r\f"
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and "\f" not in text
    )


def _layout_lines(items: list[tuple[Style, str]], width: float, block: Style) -> list[Line]:
    if not items:
        return []
    measured = None
    if len(items) == 1:  # most texts: one style; one line when it fits, without per-character arrays
        line, measured = _one_line(items[0], width, block)
        if line is not None:
            return [line]
    text_parts, styles, starts = [], [], []
    position = 0
    for style, text in items:
        starts.append(position)
        text_parts.append(text)
        styles.append(style)
        position += len(text)
    text = "".join(text_parts)
    starts.append(len(text))
    advance = [0.0]  # advance[i]: x of character i from the text's start
    kern = [0.0] * len(text)  # kern[i]: the kerning of the pair (i - 1, i), inside one element only
    for index, (style, part) in enumerate(zip(styles, text_parts)):
        if part == FORCED:
            advance.append(advance[-1])
            continue
        font = face(style.bold, style.italic)
        scale = style.font_size / font.units
        widths, kerns = measured or (font.scaled_advances(part, scale), font.kerns(part))
        advance.extend(accumulate(widths, initial=advance[-1]))
        advance.pop(-len(part) - 1)  # accumulate repeats its initial value
        for offset, value in kerns:
            kern[starts[index] + offset] = value * scale
    if any(kern):  # a kerned pair moves every later character
        advance = list(map(add, advance, accumulate(kern, initial=0.0)))
    indent = block.text_indent if isinstance(block.text_indent, float) else 0.0
    if FORCED not in text and advance[-1] <= width - indent + 1e-9:
        return [_line(text, advance, kern, starts, styles, 0, len(text), True)]  # fits: no breaks needed
    nowrap = masked = None
    if any(style.white_space == "nowrap" for style in styles):
        nowrap = [False] * len(text)
        for index, style in enumerate(styles):
            if style.white_space == "nowrap":
                nowrap[starts[index] : starts[index + 1]] = [True] * (starts[index + 1] - starts[index])
        masked = masked_runs([(part, style.white_space == "nowrap") for part, style in zip(text_parts, styles)])
    length = len(text)
    candidates = _opportunities(text, nowrap, masked)
    forced = set()
    if FORCED in text:
        forced = {index + 1 for index, char in enumerate(text) if char == FORCED}
        candidates = sorted(set(candidates) | forced)
    if not candidates or candidates[-1] != length:
        candidates.append(length)
    wrap_anywhere = block.overflow_wrap in ("break-word", "anywhere")
    # Width of the line from ``start`` to each candidate end, without its trailing space.
    ends = [candidate - 1 if text[candidate - 1] in (" ", FORCED) else candidate for candidate in candidates]
    hyphens = {}  # soft hyphen break -> width of the hyphen drawn there
    if SOFT_HYPHEN in text:
        hyphens = {
            candidate: hyphen_width(
                styles[bisect_right(starts, candidate - 1) - 1], text[candidate - 2 : candidate - 1]
            )
            for candidate in candidates
            if text[candidate - 1] == SOFT_HYPHEN and candidate < length
        }

    lines: list[Line] = []
    start = 0
    pointer = 0
    count = len(candidates)
    while start < length:
        limit = width - (indent if not lines else 0.0) + 1e-9
        origin = advance[start] + kern[start]
        while pointer < count and candidates[pointer] <= start:
            pointer += 1
        # The furthest opportunity whose line fits; the first one when none does (it overflows).
        scan = pointer
        end = candidates[scan]
        while scan < count and advance[ends[scan]] - origin <= limit:
            end = candidates[scan]
            if end in forced:
                break
            scan += 1
        if (
            wrap_anywhere
            and _width(advance, kern, text, start, end) > limit
            and not (nowrap and any(nowrap[start:end]))
        ):  # WeasyPrint never splits inside nowrap
            end = _split_word(advance, kern, text, start, limit, candidates, pointer)
        if text[end - 1] == " " and end < length and advance[end] - origin > limit and end in starts:
            end = _first_word_only(text, starts, candidates, start, end)
        if hyphens:
            end = _soft_hyphen_break(advance, origin, limit, hyphens, candidates[pointer:], scan - pointer, end)
        line = _line(text, advance, kern, starts, styles, start, end, end in forced or end == length)
        if end in hyphens:
            line = _hyphenated(line, hyphens[end])
        lines.append(line)
        start = end
    return lines


def _one_line(item: tuple[Style, str], width: float, block: Style) -> tuple[Line | None, tuple | None]:
    """The text of one style as one line when it fits (the same sums, in the same order, as the
    general path's advances), else None and its advances and kerning, which the general path takes
    instead of measuring the text again."""
    style, text = item
    if FORCED in text or text.endswith(" "):
        return None, None
    font = face(style.bold, style.italic)
    scale = style.font_size / font.units
    widths, kerns = font.scaled_advances(text, scale), font.kerns(text)
    total = sum(widths)
    kerned = 0.0
    for _, value in kerns:
        kerned += value * scale
    total += kerned
    indent = block.text_indent if isinstance(block.text_indent, float) else 0.0
    if total > width - indent + 1e-9:
        return None, (widths, kerns)
    return Line([Run(style, text, 0.0, total, kerns)], total, text.count(" "), True), None


def _soft_hyphen_break(advance, origin, limit, hyphens, after, fitting, end) -> int:
    """Where WeasyPrint's manual hyphenation ends a line (``end``: Pango's break; ``after``: the
    opportunities from the line's start, the first ``fitting`` of them fit). Broken at a soft
    hyphen: the line's last soft hyphen whose text and hyphen fit, else its first one. When not even
    the first word fits, WeasyPrint hyphenates at the text's next soft hyphen, spaces and all."""
    if not fitting and advance[end] - origin > limit:
        return next((candidate for candidate in after if candidate in hyphens), end)
    if end not in hyphens:
        return end
    inside = [candidate for candidate in after if candidate in hyphens and candidate <= end]
    for candidate in reversed(inside):
        if advance[candidate] + hyphens[candidate] - origin <= limit:
            return candidate
    return inside[0]


def hyphen_width(style: Style, before: str) -> float:
    """The advance of the hyphen ending a line broken at a soft hyphen, kerned with ``before``."""
    font = face(style.bold, style.italic)
    return (font.width(before + HYPHEN) - font.width(before)) * style.font_size


def _hyphenated(line: Line, width: float) -> Line:
    """The line broken at a soft hyphen: its last run ends with the hyphen WeasyPrint draws there."""
    last = line.runs[-1]
    runs = [*line.runs[:-1], Run(last.style, last.text + HYPHEN, last.x, last.width + width)]
    return Line(runs, line.width + width, line.spaces, line.last)


def _first_word_only(text, starts, candidates, start, end) -> int:
    """The line would end with an element's text whose trailing space does not fit: WeasyPrint's
    ``split_first_line`` then keeps only that text's first word on the line when a space ends the
    word (the text measured with its space "does not fit", and the next word is tried alone)."""
    first = max(start, starts[bisect_right(starts, end - 1) - 1])  # where that text starts on the line
    word_end = candidates[bisect_right(candidates, first)]
    if word_end < end and text[word_end - 1] == " " and word_end - 1 > first:
        return word_end
    return end


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


def _line(text, advance, kern, starts, styles, start, end, last) -> Line:
    """The line [start, end) as runs of one style each (``starts``: where each style's text begins)."""
    trimmed = end
    while trimmed > start and text[trimmed - 1] in (" ", FORCED):
        trimmed -= 1
    runs = []
    origin = advance[start] + kern[start]
    item = bisect_right(starts, start) - 1
    position = start
    while position < trimmed:
        stop = min(starts[item + 1], trimmed)
        if stop > position and text[position:stop] != FORCED:
            runs.append(
                Run(
                    styles[item],
                    text[position:stop],
                    advance[position] + kern[position] - origin,
                    advance[stop] - advance[position] - kern[position],
                )
            )
        position = stop
        item += 1
    spaces = text.count(" ", start, trimmed)
    return Line(runs, advance[trimmed] - origin, spaces, last)


def line_metrics(line: Line | None, block: Style) -> tuple[float, float]:
    """Height of the line box and its baseline from the top (CSS 2 inline formatting)."""
    above, below = half_leading_split(block)
    if line is not None:
        for run in line.runs:
            style = run.style
            if style is not block:
                run_above, run_below = half_leading_split(style)
                if run_above > above:
                    above = run_above
                if run_below > below:
                    below = run_below
    return above + below, above


def half_leading_split(style: Style) -> tuple[float, float]:
    """Above and below the baseline of an inline box of ``style``: ascent and descent plus half
    the leading each (remembered on the style: every line asks)."""
    found = style.__dict__.get("_split")
    if found is None:
        font = face(style.bold, style.italic)
        ascent, descent = font.ascent * style.font_size, font.descent * style.font_size
        leading = style.line_px() - (ascent + descent)
        found = (ascent + leading / 2, descent + leading / 2)
        object.__setattr__(style, "_split", found)
    return found


__all__ = ["FORCED", "Line", "Run", "collapse", "collapse_spaces", "layout_lines", "line_metrics"]
