"""Pages → PDF bytes: content streams, subset CID fonts with ToUnicode maps, outline, metadata.

Coordinates stay CSS px with y downwards (one ``cm`` per page maps them to PDF points), text is
written as glyph ids with the fonts' kerning in ``TJ`` arrays, and every object is numbered in a
fixed order, so the same pages always give the same bytes.
"""

from __future__ import annotations

import builtins
import re
import zlib
from functools import lru_cache

from forms.pdfa import Archival, full_date

from . import pdfa
from .errors import NotSupported
from .fonts import face
from .paginate import Page

PX = 0.75  # PDF points per CSS px
PRODUCER = "Nysan typesetter"
FONT_NAMES = {(False, False): "F0", (True, False): "F1", (False, True): "F2", (True, True): "F3"}  # (bold, italic)


def _number(value: float) -> str:
    text = "%.3f" % value
    return "0" if text == "-0.000" else text


def _number_fine(value: float) -> str:
    """A matrix entry: six decimals (a rotation's 1 and 0 stay exact, positions to 1/10⁶ px)."""
    text = "%.6f" % value
    return "0" if text in ("-0.000000", "0.000000") else text.rstrip("0").rstrip(".")


def _text_string(value: str) -> bytes:
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


class Writer:
    def __init__(self, first: int = 1):
        # Object 0 is the free head; ``first`` > 1 numbers objects after a file's own (an
        # incremental update's objects, forms.postprocess.increment).
        self.objects: list[bytes | None] = [None] * first
        self.fonts: dict[tuple, dict] = {}  # (bold, italic) -> {"name", "glyphs": {gid: char}}
        self._grids: dict = {}
        self.archival: Archival | None = None  # a PDF/A document
        self._text_objects: dict = {}  # style -> (the text object's start, the font's glyphs and chars)

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects) - 1

    def set(self, number: int, body: bytes) -> None:
        self.objects[number] = body

    def add(self, body: bytes) -> int:
        number = self.reserve()
        self.set(number, body)
        return number

    def stream(self, data: bytes) -> int:
        return self.packed_stream(zlib.compress(data, 6))

    def packed_stream(self, packed: bytes) -> int:
        """A stream object of already deflated bytes (cached font programs and maps, pages' contents)."""
        return self.add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")

    def _font(self, key: tuple) -> dict:
        entry = self.fonts.get(key)
        if entry is None:
            # A face's name does not depend on which pages drew it first: pages written by another
            # process (forms.typeset.parallel) name their fonts alike.
            entry = self.fonts[key] = {"name": FONT_NAMES[key], "glyphs": {}, "chars": set()}
        return entry

    def font_name(self, style) -> tuple[str, dict, builtins.set]:  # builtins: the method set hides it here
        entry = self._font((style.bold, style.italic))
        return entry["name"], entry["glyphs"], entry["chars"]

    def learn_glyphs(self, earlier: dict) -> None:
        """Glyphs drawn on pages before this writer's (another process's): theirs win, as if this
        writer had drawn those pages first (a glyph shared by two characters keeps the first one's)."""
        for key, glyphs in earlier.items():
            entry = self._font(key)
            entry["glyphs"] = {**entry["glyphs"], **glyphs}

    # -- page content ---------------------------------------------------------------------------
    def content(self, page: Page) -> bytes:
        out: list[str] = [f"{PX} 0 0 -{PX} 0 {_number(page.size[1] * PX)} cm"]
        deferred: list = []
        for band, y in page.placed:
            # Each band in its own coordinates: its drawing (a table row's grid) is then the same
            # text wherever the band lands, and is written once.
            out.append("q 1 0 0 1 0 %.3f cm" % y)
            self._ops(band.ops, 0.0, out, deferred, y)
            out.append("Q")
        # Transformed blocks are stacking contexts: WeasyPrint paints them after the rest of the page.
        for y, (_, matrix, ops) in deferred:
            out.append("q 1 0 0 1 0 %.3f cm %s cm" % (y, " ".join(map(_number_fine, matrix))))
            self._ops(ops, 0.0, out, None, y)
            out.append("Q")
        return "\n".join(out).encode("latin-1")

    def _ops(self, ops, y: float, out: list[str], deferred: list | None, band_y: float) -> None:
        for op in ops:
            kind = op[0]
            if kind == "shift":
                self._ops(op[2], y + op[1], out, deferred, band_y)
            elif kind == "transform":
                if deferred is None:
                    raise NotSupported("a transform inside a transformed block")
                deferred.append((band_y + y, op))
            elif kind == "line":
                self._line(op, y, out)
            elif kind == "grid":
                key = (op, y)
                drawn = self._grids.get(key)
                if drawn is None:
                    _, x, top, width, height, rule = op
                    drawn = self._grids[key] = "%.3f w %.3f %.3f %.3f %.3f re S" % (rule, x, y + top, width, height)
                out.append(drawn)
            elif kind == "box":
                _, x, top, width, height, border = op
                above, right, below, left = border  # the border's widths, CSS's order
                top += y
                for rect in (
                    (x, top, width, above),
                    (x + width - right, top, right, height),
                    (x, top + height - below, width, below),
                    (x, top, left, height),
                ):
                    if rect[2] > 0 and rect[3] > 0:
                        out.append(" ".join(_number(v) for v in rect) + " re f")

    def _line(self, op, y: float, out: list[str]) -> None:
        _, x, baseline, line, (offset, extra) = op
        base = y + baseline
        start = x + offset
        runs = line.runs
        if len(runs) == 1 and not extra and not runs[0].style.underline:  # most lines: one text object
            run = runs[0]
            style = run.style
            found = self._text_objects.get(style)
            if found is None:  # the font and size part of the text object, once per style
                name, glyphs, seen = self.font_name(style)
                found = self._text_objects[style] = ("BT /%s %.3f Tf 1 0 0 -1 " % (name, style.font_size), glyphs, seen)
            prefix, glyphs, seen = found
            array, chars = _tj(style.bold, style.italic, run.text, 0.0, run.kerns)
            out.append("%s%.3f %.3f Tm %s ET" % (prefix, start + run.x, base, array))
            if not chars <= seen:
                self._learn(style, chars, glyphs, seen)
            return
        spaces_before = 0
        out.append("BT")
        current = None
        for run in line.runs:
            style = run.style
            name, glyphs, seen = self.font_name(style)
            size = style.font_size
            if (name, size) != current:
                out.append("/%s %.3f Tf" % (name, size))
                current = (name, size)
            run_x = start + run.x + spaces_before * extra
            array, chars = _tj(style.bold, style.italic, run.text, -extra / size * 1000 if extra else 0.0)
            out.append("1 0 0 -1 %.3f %.3f Tm %s" % (run_x, base, array))
            if not chars <= seen:
                self._learn(style, chars, glyphs, seen)
            spaces = run.text.count(" ") if extra or style.underline else 0
            if style.underline:
                font = face(style.bold, style.italic)
                width = run.width + spaces * extra
                thickness = font.underline_thickness * size
                position = base + font.underline_position * size - thickness / 2
                out.append("ET %.3f %.3f %.3f %.3f re f BT" % (run_x, position, width, thickness))
                current = None
            spaces_before += spaces
        out.append("ET")

    @staticmethod
    def _learn(style, chars: frozenset, glyphs: dict, seen: builtins.set) -> None:
        """Records the glyphs of the characters a text draws, for its font's subset and ToUnicode
        map; ``seen``: the characters recorded already."""
        new = chars - seen
        if new:
            seen |= new
            font = face(style.bold, style.italic)
            for char in sorted(new):  # sorted: of two characters drawn by one glyph, the same one is its text
                glyphs.setdefault(font.char_gid[char], char)

    # -- fonts ----------------------------------------------------------------------------------
    def font_objects(self, common: bool = True) -> dict[str, int]:
        """The fonts' objects; ``common=False`` embeds only the glyphs drawn (a few lines' worth)."""
        resources = {}
        for (bold, italic), entry in sorted(self.fonts.items()):
            font = face(bold, italic)
            glyphs = entry["glyphs"]
            if common and len(glyphs) >= 24:  # a face of running text (a title's few letters stay small)
                glyphs = {**font.common_glyphs(), **glyphs}
            tag, packed, widths, cmap = _font_parts(bold, italic, frozenset(glyphs.items()))
            base = f"{tag}+{font.base_name}"
            program = self.packed_stream(packed)
            flags = 4 | (64 if italic else 0)
            descriptor = self.add(
                (
                    f"<< /Type /FontDescriptor /FontName /{base} /Flags {flags} /FontBBox "
                    f"[{' '.join(map(str, font.bbox))}] /ItalicAngle {_number(font.italic_angle)} "
                    f"/Ascent {round(font.ascent * 1000)} /Descent {-round(font.descent * 1000)} "
                    f"/CapHeight {round(font.cap_height * 1000)} /StemV 80 /FontFile2 {program} 0 R"
                ).encode()
                + (
                    pdfa.cid_set(self, bold, italic, frozenset(glyphs))
                    if self.archival and self.archival.part == 1
                    else b""
                )
                + b" >>"
            )
            cid = self.add(
                (
                    f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} /CIDSystemInfo << /Registry "
                    f"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R "
                    f"/W [{widths}] /CIDToGIDMap /Identity >>"
                ).encode()
            )
            to_unicode = self.packed_stream(cmap)
            resources[entry["name"]] = self.add(
                (
                    f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H "
                    f"/DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
                ).encode()
            )
        return resources

    def serialise(self, root: int, info: int, identifier: bytes) -> bytes:
        version = self.archival.pdf_version.encode() if self.archival else b"1.7"
        chunks = [b"%PDF-" + version + b"\n%\xb5\xed\xae\xfb\n"]
        offsets = [0]
        position = len(chunks[0])
        for number, body in enumerate(self.objects[1:], start=1):
            if body is None:
                raise ValueError(f"object {number} was reserved but never written")
            offsets.append(position)
            chunk = b"%d 0 obj\n" % number + body + b"\nendobj\n"
            chunks.append(chunk)
            position += len(chunk)
        xref = [b"xref\n0 %d\n0000000000 65535 f \n" % len(self.objects)]
        xref += [b"%010d 00000 n \n" % offset for offset in offsets[1:]]
        ident = identifier.hex().encode()
        trailer = b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(self.objects),
            root,
            info,
            ident,
            ident,
            position,
        )
        return b"".join(chunks) + b"".join(xref) + trailer


@lru_cache(maxsize=128)
def _font_parts(bold: bool, italic: bool, glyphs: frozenset) -> tuple[str, bytes, str, bytes]:
    """Subset tag, compressed font program, /W widths and compressed ToUnicode map of a glyph set.
    Every subset holds the common letters (``fonts.COMMON_TEXT``), so documents of any form mostly
    share one: this is computed once per face rather than per document."""
    font = face(bold, italic)
    mapping = dict(glyphs)
    used = set(mapping)
    widths = " ".join(f"{gid} [{_number(font.advances[gid] * 1000 / font.units)}]" for gid in sorted(used))
    return (
        font.subset_tag(used),
        zlib.compress(font.subset_program(used), 6),
        widths,
        zlib.compress(_cmap(mapping), 6),
    )


_TJ_MEMO: dict = {}
_TJ_KEPT = 4000  # entries that outlive a document (as text.forget_rows)


def forget_rows() -> None:
    if len(_TJ_MEMO) > _TJ_KEPT:
        _TJ_MEMO.clear()


def _tj(bold: bool, italic: bool, text: str, spacing: float, kerns: list | None = None) -> tuple[str, frozenset]:
    """A TJ array (glyph ids in hex, kerning and justification as position adjustments) and the
    characters it draws; remembered, as a form's own text recurs in every document and a table's
    heading rows on every page. ``kerns``: the text's kerned pairs when the layout has them."""
    key = (bold, italic, text, spacing)
    found = _TJ_MEMO.get(key)
    if found is None:
        if len(_TJ_MEMO) > 50000:
            _TJ_MEMO.clear()
        found = _TJ_MEMO[key] = (_tj_array(face(bold, italic), text, spacing, kerns), frozenset(text))
    return found


def _tj_array(font, text: str, spacing: float, kerns: list | None = None) -> str:
    hexes = font.hex_table  # str.translate: every character to its glyph id in hex, in C
    hexed = text.translate(hexes)
    if len(hexed) != 4 * len(text):  # a character not seen yet (or a soft hyphen, drawn as nothing)
        font.learn(text)
        hexed = text.translate(hexes)
    adjust = {index: -value * 1000 / font.units for index, value in (font.kerns(text) if kerns is None else kerns)}
    if spacing:
        for index, char in enumerate(text[:-1]):
            if char == " ":
                adjust[index + 1] = adjust.get(index + 1, 0.0) + spacing
    if not adjust:
        return "[<" + hexed + ">] TJ"
    whole = len(hexed) == 4 * len(text)  # four hex digits a character: cut the hex string itself
    parts, start = [], 0
    for index in sorted(adjust):
        parts.append("<" + (hexed[4 * start : 4 * index] if whole else text[start:index].translate(hexes)) + ">")
        parts.append(_number(adjust[index]))
        start = index
    parts.append("<" + (hexed[4 * start :] if whole else text[start:].translate(hexes)) + ">")
    return "[" + " ".join(parts) + "] TJ"


def _cmap(glyphs: dict[int, str]) -> bytes:
    entries = sorted(glyphs.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        block = entries[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{gid:04X}> <{char.encode('utf-16-be').hex().upper()}>" for gid, char in block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def pdf_date(value: str) -> str | None:
    digits = re.sub(r"[^0-9]", "", value or "")[:14]
    return f"D:{digits}" if len(digits) >= 4 else None


def write(
    pages: list[Page], meta: dict, lang: str, outline: list, identifier: bytes, archival=None, before=None
) -> bytes:
    """The PDF file. ``outline``: (level, title, page index, y in px) in document order; ``archival``:
    a ``forms.pdfa.Archival`` for a PDF/A document; ``before``: the pages another process
    wrote, which come before ``pages`` (``forms.typeset.parallel.Before``: its ``collect()`` gives their
    ``contents``, their glyphs and their outline entries)."""
    writer = Writer()
    writer.archival = archival
    pages_root = writer.reserve()
    page_numbers = []
    written = contents(writer, pages)
    if before:  # the pages another process wrote come first (forms.typeset.parallel)
        earlier, glyphs, earlier_outline = before.collect()
        written = earlier + written
        writer.learn_glyphs(glyphs)
        outline = earlier_outline + outline
    numbers = [writer.packed_stream(packed) for packed, _, _ in written]
    fonts = writer.font_objects()
    font_dict = "<< " + " ".join(f"/{name} {number} 0 R" for name, number in fonts.items()) + " >>"
    for (_, size, art), content in zip(written, numbers):
        width, height = size[0] * PX, size[1] * PX
        page_numbers.append(
            writer.add(
                (
                    f"<< /Type /Page /Parent {pages_root} 0 R /MediaBox [0 0 {width:.6f} {height:.6f}]{art} "
                    f"/Resources << /Font {font_dict} /ProcSet [/PDF /Text] >> /Contents {content} 0 R >>"
                ).encode()
            )
        )
    kids = " ".join(f"{number} 0 R" for number in page_numbers)
    writer.set(pages_root, f"<< /Type /Pages /Kids [{kids}] /Count {len(page_numbers)} >>".encode())
    outlines = _outline(writer, outline, [size for _, size, _ in written], page_numbers)
    catalog = b"<< /Type /Catalog /Pages %d 0 R" % pages_root
    if outlines:
        catalog += b" /Outlines %d 0 R /PageMode /UseOutlines" % outlines
    if lang:
        catalog += b" /Lang " + _text_string(lang)
    texts = {"/Producer": PRODUCER, "/Title": meta.get("title", "")}
    for key, name in (
        ("author", "/Author"),
        ("description", "/Subject"),
        ("keywords", "/Keywords"),
        ("generator", "/Creator"),
    ):
        if meta.get(key):
            texts[name] = meta[key]
    dates = {}
    for key, name in (("dcterms.created", "/CreationDate"), ("dcterms.modified", "/ModDate")):
        date = pdf_date(meta.get(key, ""))
        if date:
            dates[name] = date
    if archival:
        dates = {name: full_date(date) for name, date in dates.items()}
        catalog += pdfa.catalog_entries(writer, {**texts, **dates}, lang, archival)
    root = writer.add(catalog + b" >>")
    info = [name.encode() + b" " + _text_string(text) for name, text in texts.items()]
    info += [name.encode() + b" (" + date.encode() + b")" for name, date in dates.items()]
    info_number = writer.add(b"<< " + b" ".join(info) + b" >>")
    return writer.serialise(root, info_number, identifier)


def _art_box(page: Page) -> str:
    """`` /ArtBox [...]``: the extent of what the page holds (PDF 14.11.2), from the left to the right
    margin and from its first band's top to its last band's bottom. The verification mark reads it
    for where the form's content ends (forms.postprocess.pdfmark) instead of reading the page's
    drawing; '' for a page without content."""
    if not page.placed:
        return ""
    top = min(y for _, y in page.placed)
    bottom = max(y + band.height for band, y in page.placed)
    width, height = page.size
    box = (page.margins[3], height - bottom, width - page.margins[1], height - top)
    return " /ArtBox [%s]" % " ".join(_number(value * PX) for value in box)


def page_outline(pages: list[Page], first: int = 0) -> list:
    """The outline entries of the headings on ``pages``, the first of which is page ``first``."""
    entries = []
    for number, page in enumerate(pages, start=first):
        for band, y in page.placed:
            for level, text, dy in band.anchors:
                entries.append((level, text, number, y + dy))
    return entries


def contents(writer: Writer, pages: list[Page]) -> list[tuple[bytes, tuple, str]]:
    """Each page's deflated content, size and art box."""
    return [(zlib.compress(writer.content(page), 6), page.size, _art_box(page)) for page in pages]


def _outline(writer: Writer, entries: list, sizes: list[tuple], page_numbers: list[int]) -> int | None:
    if not entries:
        return None
    root = writer.reserve()
    nodes = []  # (number, level, parent, children)
    stack: list = [(0, root, [])]
    top_children = stack[0][2]
    for level, title, page_index, y in entries:
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        number = writer.reserve()
        node = {
            "number": number,
            "title": title,
            "parent": stack[-1][1],
            "children": [],
            "dest": (page_numbers[page_index], sizes[page_index][1] - y),
        }
        stack[-1][2].append(node)
        nodes.append(node)
        stack.append((level, number, node["children"]))
    for siblings in [top_children] + [node["children"] for node in nodes]:
        for index, node in enumerate(siblings):
            page, top = node["dest"]
            parts = [
                f"/Parent {node['parent']} 0 R",
                f"/Dest [{page} 0 R /XYZ 0 {_number(top * PX)} 0]",
            ]
            if index:
                parts.append(f"/Prev {siblings[index - 1]['number']} 0 R")
            if index + 1 < len(siblings):
                parts.append(f"/Next {siblings[index + 1]['number']} 0 R")
            if node["children"]:
                parts.append(
                    f"/First {node['children'][0]['number']} 0 R /Last {node['children'][-1]['number']} 0 R "
                    f"/Count {len(node['children'])}"
                )
            body = b"<< /Title " + _text_string(node["title"]) + b" " + " ".join(parts).encode() + b" >>"
            writer.set(node["number"], body)
    writer.set(
        root,
        (
            f"<< /Type /Outlines /First {top_children[0]['number']} 0 R "
            f"/Last {top_children[-1]['number']} 0 R /Count {len(top_children)} >>"
        ).encode(),
    )
    return root
