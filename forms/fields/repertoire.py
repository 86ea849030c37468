"""The characters a text value may hold: those the bundled fonts print, read from their own cmaps.

A character is in the repertoire when every bundled face maps it (a value may be set in bold or
italic) and prints it left to right: a letter, digit, sign or space; the soft hyphen; a combining
mark that every face attaches to its letter (its GPOS ``mark`` feature covers it: NFC has already
made precomposed letters of the rest where Unicode has them). Format characters (joiners, bidi
controls), private-use code points, marks no face attaches and right-to-left letters are refused.
Adding a font file to ``forms/assets/fonts`` extends the repertoire; nothing else lists characters.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
WHITE_SPACE = "\t\n\r "                 # what text values keep of white space (one line: spaces only)
SOFT_HYPHEN = "\u00ad"
_UNLAID = {"Cc", "Cf", "Co", "Cs", "Cn"}
_MARKS = {"Mn", "Mc", "Me"}
_RIGHT_TO_LEFT = {"R", "AL", "AN"}


def printable(char: str, attached: frozenset[int] | set[int] = frozenset()) -> bool:
    """Whether ``char`` (mapped by the fonts) prints left to right; ``attached``: the marks the
    fonts attach to letters."""
    if char == SOFT_HYPHEN:
        return True
    category = unicodedata.category(char)
    if category in _MARKS:
        return ord(char) in attached and unicodedata.bidirectional(char) == "NSM" and \
            unicodedata.combining(char) != 0 and not 0x0590 <= ord(char) <= 0x08FF   # Hebrew points: RTL
    return category not in _UNLAID and unicodedata.bidirectional(char) not in _RIGHT_TO_LEFT


def _attached_marks(font) -> set[int]:
    """Code points of the marks the face's GPOS ``mark`` feature positions on a base letter."""
    gpos = font["GPOS"].table if "GPOS" in font else None
    if gpos is None or gpos.FeatureList is None:
        return set()
    names = set()
    for record in gpos.FeatureList.FeatureRecord:
        if record.FeatureTag != "mark":
            continue
        for index in record.Feature.LookupListIndex:
            lookup = gpos.LookupList.Lookup[index]
            for table in lookup.SubTable:
                table = table.ExtSubTable if lookup.LookupType == 9 else table
                if hasattr(table, "MarkCoverage"):
                    names.update(table.MarkCoverage.glyphs)
    return {code for code, name in font.getBestCmap().items() if name in names}


@lru_cache(maxsize=1)
def code_points() -> frozenset[int]:
    """Every code point of the repertoire (white space included)."""
    from fontTools.ttLib import TTFont

    mapped = attached = None
    for path in sorted(FONTS_DIR.glob("*.[ot]tf")):
        font = TTFont(str(path), lazy=True)
        cmap, marks = set(font.getBestCmap()), _attached_marks(font)
        mapped = cmap if mapped is None else mapped & cmap
        attached = marks if attached is None else attached & marks
    return frozenset({code for code in mapped or () if printable(chr(code), attached)}
                     | {ord(c) for c in WHITE_SPACE})


@lru_cache(maxsize=1)
def _outside():
    """A regular expression finding the first character outside the repertoire (scanned in C)."""
    ranges, start, previous = [], None, None
    for code in sorted(code_points()):
        if start is None:
            start = previous = code
        elif code == previous + 1:
            previous = code
        else:
            ranges.append((start, previous))
            start = previous = code
    if start is not None:
        ranges.append((start, previous))
    body = "".join(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
                   for low, high in ranges)
    return re.compile(f"[^{body}]").search


def first_unsupported(text: str) -> str | None:
    """The first character of ``text`` the fonts cannot print, or None."""
    found = _outside()(text)
    return found.group() if found else None


def describe(char: str) -> dict[str, str]:
    """The error's parameters: ``U+1F600`` and the Unicode name (``GRINNING FACE``)."""
    code = ord(char)
    return {"character": f"U+{code:04X}", "name": unicodedata.name(char, "UNNAMED CHARACTER")}
