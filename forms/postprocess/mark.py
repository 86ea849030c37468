"""The verification mark of a registered document: a QR code holding the verification URL, the URL
as text and one line saying what they are, in the bottom margin of the first page (PDF) or in the
first page's footer (DOCX), outside the form's own text.

The QR code is segno's (the ecosystem's QR library); the same inputs always give the same bytes.
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path

import segno
import yaml

from forms.internals import fast_qr_masks

LINES = Path(__file__).with_name("mark.yaml")


fast_qr_masks()  # segno's mask evaluation, row at a time: the same codes (forms/internals.py)


@lru_cache(maxsize=1)
def _lines() -> dict[str, str]:
    return yaml.safe_load(LINES.read_text(encoding="utf-8"))


def explanation(lang: str) -> str:
    """The line beside the code, in the document's language (kk or ru)."""
    lines = _lines()
    if lang not in lines:
        raise ValueError(f"no verification line in language {lang!r}")
    return lines[lang]


@lru_cache(maxsize=64)
def qr_code(verify_url: str) -> segno.QRCode:
    """A regular QR code of the URL: segno picks the smallest version, then raises the error
    correction as far as that version allows (a printed code survives some wear), and the mask by
    the standard's penalty rules. That choice is most of the mark's time, and needs only the URL:
    the register may call this before it takes the document's number, so that the transaction
    holding the number does not wait for it (the code is remembered for the mark)."""
    return segno.make_qr(verify_url, error="L", boost_error=True)


def add_verification_mark(document: bytes, fmt: str, verify_url: str, lang: str) -> bytes:
    """``document`` (a rendered PDF or DOCX) with the mark added; nothing else changes."""
    line = explanation(lang)
    if fmt == "pdf":
        from forms.postprocess import pdfmark

        return pdfmark.add_mark(document, qr_code(verify_url), verify_url, line, lang)
    if fmt == "docx":
        from forms.postprocess import docxmark

        return docxmark.add_mark(document, qr_code(verify_url), verify_url, line)
    raise ValueError(f"a verification mark is added to PDF and DOCX documents, not {fmt!r}")


def docx_finish(verify_url: str, lang: str):
    """The mark as a DOCX writer's finishing step (forms/rendering/docx/package.py ``Finish``): the
    same parts ``add_verification_mark`` gives a finished DOCX, written while the package is. A
    partial of this module's function, so that it travels to a render process."""
    explanation(lang)  # an unknown language refused here, as add_verification_mark does
    return partial(_docx_parts, verify_url, lang)


def _docx_parts(verify_url: str, lang: str, read, names) -> dict[str, bytes]:
    from forms.postprocess import docxmark

    return docxmark.marked_parts(read, names, qr_code(verify_url), verify_url, explanation(lang))


def add_number(document: bytes, fmt: str, number: str) -> bytes:
    """A marked PDF with its registration number written into its XMP (``xmp:Identifier``), in the
    room the mark left for it: the same length, nothing else moves. Other formats as they are."""
    if fmt != "pdf":
        return document
    from forms.pdfa import with_number

    return with_number(document, number)
