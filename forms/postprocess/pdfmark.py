"""The mark on a PDF: a vector QR code (one filled path of the code's dark modules), the
explanation and the URL in the bundled Liberation Serif, drawn below everything page 1 paints.

The mark is written as a one-page PDF by the typesetter's own writer (the same subset fonts with
ToUnicode maps, so the text extracts, Kazakh letters included) and laid over page 1 as a form
XObject with pikepdf: the form's own content streams are kept as they are, only wrapped in q/Q.
"""
from __future__ import annotations

import hashlib
import io
import re
from types import SimpleNamespace

import pikepdf
import segno

from forms.postprocess.pdfextent import drawn_extent
from forms.typeset.fonts import face
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


def add_mark(document: bytes, code: segno.QRCode, url: str, line: str, lang: str) -> bytes:
    pdf = pikepdf.open(io.BytesIO(document))
    page = pdf.pages[0]
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    low, left = drawn_extent(page)
    low = min(low, y1) - y0
    left = min(max(left - x0, 10 * MM), (x1 - x0) / 4)
    room = low - GAP
    side = max(MODULE * len(code.matrix), min(LARGEST, room - OFFSET))
    bottom = max(LOWEST, min(OFFSET, room - side))
    overlay = pikepdf.open(io.BytesIO(_mark_page(x1 - x0, y1 - y0, left, bottom, side, code, url, line, lang)))
    mark = pdf.copy_foreign(overlay.pages[0].as_form_xobject())
    _own_resources(page).XObject[MARK] = mark
    # The form's content may leave its coordinate system changed (WeasyPrint's does): q/Q around it.
    page.contents_add(b"q", prepend=True)
    page.contents_add(b"Q q 1 0 0 1 %s %s cm %s Do Q" % (_number(x0).encode(), _number(y0).encode(), MARK.encode()))
    out = io.BytesIO()
    # deterministic_id: the file identifier derives from the content, so reruns give the same bytes;
    # no stream is decoded: the form's own streams are copied as they are.
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


def _mark_page(width: float, height: float, left: float, bottom: float, side: float, code: segno.QRCode, url: str,
               line: str, lang: str) -> bytes:
    """A one-page PDF of the page's size holding only the mark."""
    writer = Writer()
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
        ops.append("/%s %s Tf 1 0 0 1 %s %s Tm %s"
                   % (name, _number(size), _number(text_x), _number(baseline - index * leading), array))
    ops += ["ET", "Q"]
    # Every character a URL may hold is in the subset, whichever the URL: the subset is then the
    # same for every document of a language, and made once (pdfwrite caches subsets by glyph set).
    face(False, False).learn("".join(URL_CHARACTERS))
    Writer._learn(REGULAR, URL_CHARACTERS, glyphs, seen)
    content = writer.stream("\n".join(ops).encode("latin-1"))
    fonts = writer.font_objects(common=False)  # the mark's few glyphs, not the shared subset
    font_dict = " ".join(f"/{font} {number} 0 R" for font, number in fonts.items())
    pages = writer.reserve()
    page = writer.add((f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {_number(width)} {_number(height)}] "
                       f"/Resources << /Font << {font_dict} >> >> /Contents {content} 0 R >>").encode())
    writer.set(pages, f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>".encode())
    root = writer.add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    info = writer.add(b"<< >>")
    identifier = hashlib.sha256("\n".join((url, line, lang)).encode()).hexdigest()[:32].encode()
    return writer.serialise(root, info, identifier)
