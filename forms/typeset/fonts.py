"""The bundled faces: advance widths, kerning and per-document subsets for the PDF.

Widths and kerning come from the font files themselves (hmtx and the GPOS ``kern`` pairs), the
same numbers HarfBuzz gives WeasyPrint, so that lines break at the same words. A document embeds
only the glyphs it draws, with their original glyph ids (the ids are the PDF's CIDs), which makes a
subset a matter of copying byte ranges rather than rebuilding the font.
"""

from __future__ import annotations

import hashlib
import re
import struct
import threading
from itertools import accumulate, compress
from operator import add
from pathlib import Path
from typing import cast

from fontTools.ttLib import TTFont

from forms.catalogue.locations import ASSETS_DIR

from .errors import NotSupported

FONT_FILES = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
# PostScript names as WeasyPrint writes them, so a document names the same fonts on either path.
BASE_NAMES = {
    (False, False): "Nysan-Serif",
    (True, False): "Nysan-Serif-Bold",
    (False, True): "Nysan-Serif-Italic",
    (True, True): "Nysan-Serif-Bold-Italic",
}
# Tables a TrueType font program needs inside a PDF (no cmap: the PDF maps CIDs to glyphs itself).
SUBSET_TABLES = (b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"prep")
COMMON_TEXT = (
    "".join(chr(code) for code in range(0x20, 0x7F))
    + "№«»–—…“”„‘’\u00a0"
    + "".join(chr(code) for code in range(0x410, 0x450))
    + "Ёё"
    + "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
)
SOFT_HYPHEN, HYPHEN = "\u00ad", "\u2010"  # HYPHEN: WeasyPrint's hyphenate-character at a soft hyphen's break
# Marks and scripts that need shaping beyond pair kerning go to WeasyPrint instead.
_SHAPED = [
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0590, 0x08FF),
    (0x0900, 0x0DFF),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
]


class Face:
    """One font file: metrics by character, kerning by glyph pair, glyph programs by id."""

    def __init__(self, path: Path, bold: bool, italic: bool):
        self.bold, self.italic = bold, italic
        self.base_name = BASE_NAMES[(bold, italic)]
        with TTFont(str(path), lazy=True) as font:  # read whole here; the file is closed after
            self.units = font["head"].unitsPerEm
            self.ascent = font["hhea"].ascent / self.units
            self.descent = -font["hhea"].descent / self.units
            self.cap_height = getattr(font["OS/2"], "sCapHeight", 0) / self.units or 0.66
            post = font["post"]
            self.underline_position = -post.underlinePosition / self.units
            self.underline_thickness = post.underlineThickness / self.units
            head = font["head"]
            self.bbox = [round(v * 1000 / self.units) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
            self.italic_angle = post.italicAngle
            order = font.getGlyphOrder()
            gid = {name: index for index, name in enumerate(order)}
            hmtx = font["hmtx"]
            self.advances = [hmtx[name][0] for name in order]
            self.glyph_of = {code: gid[name] for code, name in font.getBestCmap().items()}
            self.kerning = _kerning(font, gid)
            self.kerned_left = {left for left, _ in self.kerning}
            self._tables = {
                tag: font.reader[tag.decode("latin-1")] for tag in SUBSET_TABLES if tag.decode("latin-1") in font.reader
            }
            self._glyphs = _glyph_programs(self._tables[b"glyf"], font["loca"], len(order))
            self._padded = [len(program) + (-len(program) % 4) for program in self._glyphs]
        self.char_width: dict[str, int] = {}  # per character, in font units, filled lazily
        self.char_gid: dict[str, int] = {}
        self.char_hex: dict[str, str] = {}
        self.hex_table: dict[int, str] = {}  # the same by code point, for str.translate
        self._pair_kerning = {first + second: value for (first, second), value in self.kerning.items()}
        self._scaled: dict[float, dict[str, float]] = {}  # scale -> {char: advance in px}

    def glyph(self, char: str) -> int:
        found = self.char_gid.get(char)
        if found is None:
            code = ord(char)
            found = self.glyph_of.get(code)
            if found is None or any(low <= code <= high for low, high in _SHAPED):
                raise NotSupported(f"character U+{code:04X} needs the full shaper")
            self.char_gid[char] = found
            if char == SOFT_HYPHEN:  # invisible where the line does not break (the shaper hides it)
                self.char_width[char], self.char_hex[char] = 0, ""
                self.hex_table[code] = ""
            else:
                self.char_width[char] = self.advances[found]
                self.char_hex[char] = self.hex_table[code] = f"{found:04X}"
        return found

    def common_glyphs(self) -> dict[int, str]:
        """Glyphs every subset carries (Kazakh and Russian letters, digits, Latin, punctuation):
        documents then differ in their subsets only for rarer characters, and share one cached
        subset per face instead of each building its own."""
        found = self.__dict__.get("_common")
        if found is None:
            found = {self.glyph_of[ord(char)]: char for char in COMMON_TEXT if ord(char) in self.glyph_of}
            self._common = found
        return found

    def learn(self, text: str) -> None:
        """Fills the per-character caches for every character of ``text`` (or raises)."""
        for char in set(text).difference(self.char_gid):
            self.glyph(char)

    def scaled_advances(self, text: str, scale: float) -> list[float]:
        """Advance of each character times ``scale`` (font units to px), kerning not included:
        a table per scale, so that a line's characters cost a lookup each."""
        table = self._scaled.get(scale)
        if table is None:
            table = self._scaled[scale] = {}
        try:
            return list(map(table.__getitem__, text))
        except KeyError:
            self.learn(text)
            widths = self.char_width
            for char in set(text):
                table[char] = widths[char] * scale
            return list(map(table.__getitem__, text))

    def kerns(self, text: str) -> list[tuple[int, int]]:
        """(index, adjustment in font units) for each kerned pair ending at ``text[index]``."""
        if not self._pair_kerning:
            return []
        if SOFT_HYPHEN in text:
            # The shaper pairs glyphs across a hidden soft hyphen: "A\u00adV" kerns as "AV".
            kept = [index for index, char in enumerate(text) if char != SOFT_HYPHEN]
            return [(kept[index], value) for index, value in self.kerns(text.replace(SOFT_HYPHEN, ""))]
        # Every adjacent pair looked up at C speed (map), the few kerned ones kept.
        adjustments = [None, *map(self._pair_kerning.get, map(add, text, text[1:]))]
        # compress keeps the kerned pairs only, so no value is None (which mypy cannot follow)
        found = cast(
            "list[tuple[int, int]]", [(index, adjustments[index]) for index in compress(range(len(text)), adjustments)]
        )
        if found and _LATIN.search(text) and _NON_LATIN.search(text):
            runs = _script_runs(text)
            found = [(index, value) for index, value in found if runs[index - 1] == runs[index]]
        return found

    def advances_of(self, text: str) -> list[int]:
        """Advance of each character, in font units, kerning with the previous one included."""
        self.learn(text)
        widths = self.char_width
        steps = [widths[char] for char in text]
        for index, value in self.kerns(text):
            steps[index] += value
        return steps

    def width(self, text: str) -> float:
        """Advance of ``text`` in em units, kerning included."""
        return sum(self.advances_of(text)) / self.units

    def subset_program(self, used: set[int]) -> bytes:
        """A TrueType font with only ``used`` glyphs (and their components) drawn; ids unchanged."""
        wanted = self.subset_glyphs(used)
        lengths = [0] * len(self._glyphs)
        for index in wanted:
            lengths[index] = self._padded[index]
        glyf = b"".join(
            self._glyphs[index] + b"\0" * (self._padded[index] - len(self._glyphs[index])) for index in sorted(wanted)
        )
        loca = [0, *accumulate(lengths)]
        tables = dict(self._tables)
        tables[b"glyf"] = bytes(glyf)
        short = loca[-1] < 0x20000  # offsets / 2 fit 16 bits: half the size
        tables[b"loca"] = (
            struct.pack(f">{len(loca)}H", *(offset // 2 for offset in loca))
            if short
            else struct.pack(f">{len(loca)}I", *loca)
        )
        head = bytearray(tables[b"head"])
        head[8:12] = b"\0\0\0\0"  # checksum adjustment: recomputed by no PDF reader, zero is valid
        head[50:52] = struct.pack(">h", 0 if short else 1)  # indexToLocFormat
        tables[b"head"] = bytes(head)
        return _sfnt(tables)

    def subset_glyphs(self, used: set[int]) -> set[int]:
        """The glyphs a subset of ``used`` holds: them, their components and .notdef."""
        wanted = {0}
        stack = list(used)
        while stack:
            index = stack.pop()
            if index in wanted:
                continue
            wanted.add(index)
            stack.extend(_components(self._glyphs[index]))
        return wanted

    def subset_tag(self, used: set[int]) -> str:
        """Six capital letters naming the subset, derived from its glyphs (PDF 9.6.4)."""
        digest = hashlib.sha256(self.base_name.encode() + b"".join(i.to_bytes(2, "big") for i in sorted(used)))
        return "".join(chr(65 + b % 26) for b in digest.digest()[:6])


def _kerning(font: TTFont, gid: dict[str, int]) -> dict[tuple[str, str], int]:
    """Pair adjustments of the GPOS ``kern`` feature, by character pair (what the shaper applies)."""
    by_glyph: dict[tuple[int, int], int] = {}
    gpos = font["GPOS"].table
    lookups = sorted(
        {
            index
            for record in gpos.FeatureList.FeatureRecord
            if record.FeatureTag == "kern"
            for index in record.Feature.LookupListIndex
        }
    )
    for index in lookups:
        lookup = gpos.LookupList.Lookup[index]
        for table in lookup.SubTable:
            if lookup.LookupType == 9:
                table = table.ExtSubTable
            if getattr(table, "LookupType", 2) != 2:
                continue
            if table.Format != 1:
                raise NotSupported("class-based kerning")
            for first, pair_set in zip(table.Coverage.glyphs, table.PairSet):
                for record in pair_set.PairValueRecord:
                    value = getattr(record.Value1, "XAdvance", 0) if record.Value1 else 0
                    if value:
                        by_glyph.setdefault((gid[first], gid[record.SecondGlyph]), value)
    chars_of: dict[int, list[str]] = {}
    for code, name in font.getBestCmap().items():
        chars_of.setdefault(gid[name], []).append(chr(code))
    return {
        (a, b): value
        for (left, right), value in by_glyph.items()
        for a in chars_of.get(left, ())
        for b in chars_of.get(right, ())
    }


_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_NON_LATIN = re.compile("[\u0370-\u052f]")


def _script(char: str) -> str | None:
    code = ord(char)
    if 0x0400 <= code <= 0x052F:
        return "cyrl"
    if 0x0370 <= code <= 0x03FF:
        return "grek"
    if char.isalpha() and code <= 0x024F:
        return "latn"
    return None


def _script_runs(text: str) -> list[int]:
    """Run number per character: the shaper takes each script separately (spaces, digits and
    punctuation go with the run they are in), and no kerning crosses two runs."""
    runs, number, current = [], 0, None
    for char in text:
        script = _script(char)
        if script is not None and script != current:
            if current is not None:
                number += 1
            current = script
        runs.append(number)
    return runs


def _glyph_programs(glyf: bytes, loca, count: int) -> list[bytes]:
    return [glyf[loca[i] : loca[i + 1]] for i in range(count)]


def _components(program: bytes) -> list[int]:
    """Glyph ids a composite glyph is built from (TrueType composite records)."""
    if len(program) < 10 or struct.unpack_from(">h", program)[0] >= 0:
        return []
    found, offset = [], 10
    while True:
        flags, index = struct.unpack_from(">HH", program, offset)
        found.append(index)
        offset += 4 + (4 if flags & 0x0001 else 2)
        offset += 2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
        if not flags & 0x0020:
            return found


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    directory, body = [], []
    for tag in tags:
        data = tables[tag]
        padded = data + b"\0" * (-len(data) % 4)
        checksum = sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF
        directory.append(struct.pack(">4sIII", tag, checksum, offset, len(data)))
        body.append(padded)
        offset += len(padded)
    return header + b"".join(directory) + b"".join(body)


_lock = threading.Lock()
_FACES: dict[tuple[bool, bool], Face] = {}


def face(bold: bool, italic: bool) -> Face:
    found = _FACES.get((bold, italic))  # every line asks: the lock only while a face loads
    if found is None:
        with _lock:  # loading is not thread-safe; the lookups afterwards are
            found = _FACES.get((bold, italic))
            if found is None:
                found = _FACES[(bold, italic)] = Face(ASSETS_DIR / "fonts" / FONT_FILES[(bold, italic)], bold, italic)
    return found
