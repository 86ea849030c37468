"""An incremental update: objects appended after a PDF's last byte, with a cross-reference section
of their own whose trailer points back to the file's (``/Prev``), as PDF 1.7 §7.5.6 describes.

The mark is added this way: the file as rendered stays byte for byte at the start of the issued
one, and marking costs what the mark's few objects cost, whatever the length of the document (a
4,000-row journal is not parsed and written again). PDF/A allows incremental updates (signatures
are made so). Only a file whose last cross-reference section is a classic table, without an
``/XRefStm`` or encryption, is updated here (every PDF the typesetter writes); ``appendable`` says
so, and the caller rewrites any other file whole.
"""

from __future__ import annotations

import hashlib
import re

import pikepdf

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def previous_xref(document: bytes) -> int | None:
    """The offset of the file's last cross-reference section when it is a classic table, else None."""
    found = STARTXREF.search(document[-64:])
    if not found:
        return None
    offset = int(found.group(1))
    return offset if document[offset : offset + 4] == b"xref" else None


def appendable(document: bytes, pdf: pikepdf.Pdf) -> bool:
    trailer = pdf.trailer
    return (
        previous_xref(document) is not None
        and "/XRefStm" not in trailer
        and "/Encrypt" not in trailer
        and "/ID" in trailer
    )


def append(document: bytes, pdf: pikepdf.Pdf, objects: dict[tuple[int, int], bytes]) -> bytes:
    """``document`` with ``objects`` ((number, generation) → the object's body) appended: new
    numbers from the trailer's /Size on, or existing ones to replace those objects."""
    prev = previous_xref(document)
    if prev is None:  # callers ask ``appendable`` first
        raise ValueError("the document ends in no classic cross-reference table: it cannot be appended to")
    trailer = pdf.trailer
    size = max(int(trailer.Size), max(number for number, _ in objects) + 1)
    chunks = [b"" if document.endswith(b"\n") else b"\n"]
    position = len(document) + len(chunks[0])
    offsets = {}
    for (number, generation), body in sorted(objects.items()):
        offsets[number] = (position, generation)
        chunk = b"%d %d obj\n%s\nendobj\n" % (number, generation, body)
        chunks.append(chunk)
        position += len(chunk)
    update = b"".join(chunks)
    xref = [b"xref\n"]
    for start, run in _runs(sorted(offsets)):
        xref.append(b"%d %d\n" % (start, len(run)))
        xref += [b"%010d %05d n \n" % offsets[number] for number in run]
    # The first identifier stays the file's; the second changes with the update (§14.4).
    first = bytes(trailer.ID[0])
    second = hashlib.sha256(first + update).digest()[:16]
    entries = b" /Root %s" % trailer.Root.unparse()
    if "/Info" in trailer:
        entries += b" /Info %s" % trailer.Info.unparse()
    xref.append(
        b"trailer\n<< /Size %d%s /ID [<%s> <%s>] /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (size, entries, first.hex().encode(), second.hex().encode(), prev, position)
    )
    return document + update + b"".join(xref)


def _runs(numbers: list[int]):
    """Consecutive numbers grouped: the subsections of a cross-reference section."""
    run: list[int] = []
    for number in numbers:
        if run and number != run[-1] + 1:
            yield run[0], run
            run = []
        run.append(number)
    if run:
        yield run[0], run
