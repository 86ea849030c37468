"""The mark on a PDF: a vector QR code (one filled path of the code's dark modules), the
explanation and the URL in the bundled Liberation Serif, drawn below everything page 1 paints.

The mark is drawn by the typesetter's own writer (subset fonts with ToUnicode maps, so the text
extracts, Kazakh letters included) as a form XObject laid over page 1: the form's own content
streams are kept as they are, only wrapped in q/Q. The document's XMP gains the verification URL
and room for the registration number (forms.pdfa). Both reach the file as an
incremental update (forms.postprocess.increment): the rendered bytes stay as they were, first.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from types import SimpleNamespace

import pikepdf
import segno

from forms.pdfa import Archival, registered_xmp
from forms.postprocess import increment
from forms.postprocess.pdfextent import drawn_extent
from forms.typeset.fonts import face
from forms.typeset.pdfwrite import PRODUCER as TYPESETTER
from forms.typeset.pdfwrite import Writer, _number, _tj

MM = 72 / 25.4
OFFSET = 4 * MM  # the code's lower edge above the page's: clear of a printer's unprintable border
GAP = 1.5 * MM  # between the code and the lowest thing the form draws: the code's quiet zone
LOWEST = 1.5 * MM  # how low the code goes where the margin is narrow
LARGEST = 14 * MM  # the code's side: at most what a 20 mm margin holds
MODULE = 0.33 * MM  # the smallest module that scans reliably (zbar at 200 dpi: 2.6 pixels; a phone on paper)
TEXT_GAP = 3 * MM  # between the code and its text
FONT_SIZE, LEADING, SMALLEST_FONT = 7.0, 9.0, 5.0
MARK = "/NysanVerificationMark"  # the overlay's resource name: fixed, so the bytes are reproducible
REGULAR = SimpleNamespace(bold=False, italic=False)
DARK_RUN = re.compile(b"\x01+")
URL_CHARACTERS = frozenset(chr(code) for code in range(0x21, 0x7F))
# Where and what the mark draws: the page's width and height, the code's left, bottom and side, the
# code, the URL and the explanation's line (the arguments of _mark_content and _mark_page).
Place = tuple[float, float, float, float, float, segno.QRCode, str, str]


def add_mark(document: bytes, code: segno.QRCode, url: str, line: str, lang: str) -> bytes:
    """``document`` with the mark over page 1 and the URL in its XMP (with room for the number).
    Appended as an incremental update when the file allows (every PDF the typesetter writes), else
    the file is rewritten with pikepdf (WeasyPrint's output joined from parts, foreign files)."""
    with pikepdf.open(io.BytesIO(document)) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        low, left = _content_extent(pdf, page)
        low = min(low, y1) - y0
        left = min(max(left - x0, 10 * MM), (x1 - x0) / 4)
        room = low - GAP
        side = max(MODULE * len(code.matrix), min(LARGEST, room - OFFSET))
        bottom = max(LOWEST, min(OFFSET, room - side))
        place: Place = (x1 - x0, y1 - y0, left, bottom, side, code, url, line)
        # The form's content may leave its coordinate system changed (WeasyPrint's does): q/Q around it.
        after = b"Q q 1 0 0 1 %s %s cm %s Do Q" % (_number(x0).encode(), _number(y0).encode(), MARK.encode())
        if increment.appendable(document, pdf):
            return _appended(document, pdf, page, place, after, url)
        return _rewritten(pdf, page, place, after, url, lang)


def _content_extent(pdf: pikepdf.Pdf, page: pikepdf.Page) -> tuple[float, float]:
    """(lowest y, leftmost x) of the form's content on the page: the art box the typesetter gives
    every page it writes (the extent of its bands; a referral's mark is then placed without
    reading its drawing, a millisecond of each issue); for any other PDF, what the page paints."""
    art = page.obj.get("/ArtBox")
    if art is not None and str(pdf.docinfo.get("/Producer", "")) == TYPESETTER:
        return float(art[1]), float(art[0])
    return drawn_extent(page)


def _appended(document: bytes, pdf: pikepdf.Pdf, page: pikepdf.Page, place: Place, after: bytes, url: str) -> bytes:
    metadata = pdf.Root.get("/Metadata")
    packet = metadata.read_bytes() if metadata is not None and metadata.is_indirect else None
    writer = Writer(first=int(pdf.trailer.Size))
    writer.archival = Archival("1b") if packet and b"<pdfaid:part>1<" in packet else None  # PDF/A-1: a CIDSet
    ops, fonts = _mark_content(writer, *place)
    width, height = place[0], place[1]
    packed = zlib.compress(ops, 6)
    font_dict = " ".join(f"/{font} {number} 0 R" for font, number in fonts.items())
    xobject = writer.add(
        (
            f"<< /Type /XObject /Subtype /Form /BBox [0 0 {_number(width)} {_number(height)}] "
            f"/Resources << /Font << {font_dict} >> >> /Length {len(packed)} /Filter /FlateDecode >>\nstream\n"
        ).encode()
        + packed
        + b"\nendstream"
    )
    opening, closing = writer.stream(b"q"), writer.stream(after)
    objects = {(number, 0): body for number, body in enumerate(writer.objects) if body is not None}
    objects[page.obj.objgen] = _marked_page(page, opening, closing, xobject)
    registered = registered_xmp(packet, url) if packet is not None else None
    if registered is not None and metadata is not None:  # a packet is read from metadata only
        objects[metadata.objgen] = (
            b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(registered) + registered + b"\nendstream"
        )
    return increment.append(document, pdf, objects)


def _marked_page(page: pikepdf.Page, before: int, after: int, xobject: int) -> bytes:
    """Page 1's dictionary again, its content wrapped in q/Q and followed by the mark, its
    resources its own (another page sharing them is not changed)."""
    entries = []
    for key in page.obj.keys():
        if key not in ("/Contents", "/Resources"):
            entries.append(pikepdf.Name(key).unparse() + b" " + page.obj[key].unparse())
    contents = page.obj.get("/Contents")
    streams = (
        []
        if contents is None
        else [item.unparse() for item in contents]
        if isinstance(contents, pikepdf.Array)
        else [contents.unparse()]
    )
    entries.append(b"/Contents [%d 0 R %s %d 0 R]" % (before, b" ".join(streams), after))
    resources = _inherited_resources(page)
    own = [
        pikepdf.Name(key).unparse() + b" " + resources[key].unparse() for key in resources.keys() if key != "/XObject"
    ]
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    named = [pikepdf.Name(key).unparse() + b" " + xobjects[key].unparse() for key in xobjects.keys() if key != MARK]
    own.append(b"/XObject << %s %s %d 0 R >>" % (b" ".join(named), MARK.encode(), xobject))
    entries.append(b"/Resources << %s >>" % b" ".join(own))
    return b"<< " + b" ".join(entries) + b" >>"


def _inherited_resources(page: pikepdf.Page) -> pikepdf.Object:
    node: pikepdf.Object | None = page.obj
    while node is not None:
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return pikepdf.Dictionary()


def _rewritten(pdf: pikepdf.Pdf, page: pikepdf.Page, place: Place, after: bytes, url: str, lang: str) -> bytes:
    overlay = pikepdf.open(io.BytesIO(_mark_page(*place, lang)))
    mark = pdf.copy_foreign(overlay.pages[0].as_form_xobject())
    _own_resources(page).XObject[MARK] = mark
    page.contents_add(b"q", prepend=True)
    page.contents_add(after)
    metadata = pdf.Root.get("/Metadata")
    packet = None if metadata is None else registered_xmp(metadata.read_bytes(), url)
    if packet is not None:
        stream = pikepdf.Stream(pdf, packet)
        stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = pdf.make_indirect(stream)
    out = io.BytesIO()
    # deterministic_id: the file identifier derives from the content, so reruns give the same bytes;
    # no stream is decoded: the form's own streams are copied as they are. qpdf leaves the XMP
    # uncompressed, so that the number's room stays findable.
    pdf.save(out, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def _own_resources(page: pikepdf.Page) -> pikepdf.Dictionary:
    """Page 1's resources with an XObject dictionary of its own: a resource dictionary shared with
    other pages is copied first, so that no other page changes."""
    shared = page.obj.get("/Resources", pikepdf.Dictionary())
    resources = pikepdf.Dictionary({key: shared[key] for key in shared.keys()})
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    resources.XObject = pikepdf.Dictionary({key: xobjects[key] for key in xobjects.keys()})
    page.obj.Resources = resources
    return resources


def _modules(code: segno.QRCode, x: float, y: float, side: float) -> str:
    """The dark modules as rectangles of one path (one fill: no seams between rows), each row's
    runs merged, in module units (row 0 at the top) under one matrix that scales and places them."""
    module = side / len(code.matrix)
    parts = ["q %s 0 0 %s %s %s cm" % (_number(module), _number(-module), _number(x), _number(y + side))]
    for r, row in enumerate(code.matrix):  # rows of 0 (light) and 1 (dark), without the quiet zone
        parts += ["%d %d %d 1 re" % (run.start(), r, len(run.group())) for run in DARK_RUN.finditer(row)]
    return "\n".join(parts) + "\nf Q"


def _mark_content(
    writer: Writer,
    width: float,
    height: float,
    left: float,
    bottom: float,
    side: float,
    code: segno.QRCode,
    url: str,
    line: str,
) -> tuple[bytes, dict[str, int]]:
    """The mark's drawing and its fonts' objects (added to ``writer``)."""
    name, glyphs, seen = writer.font_name(REGULAR)
    text_x = left + side + TEXT_GAP
    room = width - text_x - left
    widest = max(face(False, False).width(text) for text in (line, url))
    size = max(SMALLEST_FONT, min(FONT_SIZE, room / widest))
    leading = LEADING * size / FONT_SIZE
    baseline = bottom + side / 2 + leading * 0.3
    ops = ["q 0 g", _modules(code, left, bottom, side), "BT"]
    for index, text in enumerate((line, url)):
        array, chars = _tj(False, False, text, 0.0)
        Writer._learn(REGULAR, chars, glyphs, seen)
        ops.append(
            "/%s %s Tf 1 0 0 1 %s %s Tm %s"
            % (name, _number(size), _number(text_x), _number(baseline - index * leading), array)
        )
    ops += ["ET", "Q"]
    # Every character a URL may hold is in the subset, whichever the URL: the subset is then the
    # same for every document of a language, and made once (pdfwrite caches subsets by glyph set).
    face(False, False).learn("".join(URL_CHARACTERS))
    Writer._learn(REGULAR, URL_CHARACTERS, glyphs, seen)
    return "\n".join(ops).encode("latin-1"), writer.font_objects(common=False)  # the mark's few glyphs


def _mark_page(
    width: float,
    height: float,
    left: float,
    bottom: float,
    side: float,
    code: segno.QRCode,
    url: str,
    line: str,
    lang: str,
) -> bytes:
    """A one-page PDF of the page's size holding only the mark."""
    writer = Writer()
    ops, fonts = _mark_content(writer, width, height, left, bottom, side, code, url, line)
    content = writer.stream(ops)
    font_dict = " ".join(f"/{font} {number} 0 R" for font, number in fonts.items())
    pages = writer.reserve()
    page = writer.add(
        (
            f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {_number(width)} {_number(height)}] "
            f"/Resources << /Font << {font_dict} >> >> /Contents {content} 0 R >>"
        ).encode()
    )
    writer.set(pages, f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>".encode())
    root = writer.add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    info = writer.add(b"<< >>")
    identifier = hashlib.sha256("\n".join((url, line, lang)).encode()).hexdigest()[:32].encode()
    return writer.serialise(root, info, identifier)
