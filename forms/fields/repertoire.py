"""The characters a text value may hold: those the bundled fonts print, read from their own cmaps.

A character is in the repertoire when every bundled face maps it (a value may be set in bold or
italic) and prints it left to right: a letter, digit, sign or space; the soft hyphen. A combining
mark is accepted where it composes with its letter: values are NFC-normalised first, so "Ж" + U+0306
arrives as "Ӂ". A mark left over after NFC (U+0301 over "е", which Unicode has no letter for) is
refused: printing it needs the fonts' mark positioning, which Nysan's typesetter does not do, and an
accepted value must never send a document off the typesetter. Format characters (joiners, bidi
controls), private-use code points and right-to-left letters are refused too.
Adding a font file to ``forms/assets/fonts`` extends the repertoire; nothing else lists characters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
WHITE_SPACE = "\t\n\r "  # what text values keep of white space (one line: spaces only)
SOFT_HYPHEN = "\u00ad"
_UNLAID = {"Cc", "Cf", "Co", "Cs", "Cn"}
_MARKS = {"Mn", "Mc", "Me"}
_RIGHT_TO_LEFT = {"R", "AL", "AN"}


def printable(char: str) -> bool:
    """Whether ``char`` (mapped by the fonts) prints left to right as a character of its own."""
    if char == SOFT_HYPHEN:
        return True
    category = unicodedata.category(char)
    return category not in _UNLAID and category not in _MARKS and unicodedata.bidirectional(char) not in _RIGHT_TO_LEFT


@lru_cache(maxsize=1)
def code_points() -> frozenset[int]:
    """Every code point of the repertoire (white space included)."""
    from fontTools.ttLib import TTFont

    mapped = None
    for path in sorted(FONTS_DIR.glob("*.[ot]tf")):
        with TTFont(str(path), lazy=True) as font:
            cmap = set(font.getBestCmap())
        mapped = cmap if mapped is None else mapped & cmap
    return frozenset({code for code in mapped or () if printable(chr(code))} | {ord(c) for c in WHITE_SPACE})


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
    body = "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges
    )
    return re.compile(f"[^{body}]").search


def first_unsupported(text: str) -> str | None:
    """The first character of ``text`` the fonts cannot print, or None."""
    found = _outside()(text)
    return found.group() if found else None


def describe(char: str) -> dict[str, str]:
    """The error's parameters: ``U+1F600`` and the Unicode name (``GRINNING FACE``)."""
    code = ord(char)
    return {"character": f"U+{code:04X}", "name": unicodedata.name(char, "UNNAMED CHARACTER")}
