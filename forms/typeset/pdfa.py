"""The typesetter's PDF/A objects: XMP metadata, the sRGB output intent, CIDSets (PDF/A-1) and the
data attached for PDF/A-3 (``forms.pdfa`` holds what every PDF path shares).

The profile's stream is deflated once per process and each subset's CIDSet is remembered with the
subset, so an archival document costs a few small objects more than a plain one.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from forms.pdfa import DATA_NAME, DATA_TYPE, OUTPUT_CONDITION, Archival, attachment_date, icc_packed, xmp

from .fonts import face


def _literal(text: str) -> bytes:
    return b"(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1") + b")"


def catalog_entries(writer, info: dict[str, str], lang: str, archival: Archival) -> bytes:
    """The catalog's /Metadata, /OutputIntents and (3b) /Names and /AF, their objects added to ``writer``."""
    packed = icc_packed()
    profile = writer.add(
        b"<< /N 3 /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    )
    condition = _literal(OUTPUT_CONDITION)
    intent = writer.add(
        b"<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier "
        + condition
        + b" /Info "
        + condition
        + b" /DestOutputProfile %d 0 R >>" % profile
    )
    packet = xmp(info, lang, archival.part)
    metadata = writer.add(
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(packet) + packet + b"\nendstream"
    )
    entries = b" /Metadata %d 0 R /OutputIntents [%d 0 R]" % (metadata, intent)
    data = archival.attachment
    if data is not None:
        packed = zlib.compress(data, 6)
        subtype = DATA_TYPE.replace("/", "#2F")
        stream = writer.add(
            (
                f"<< /Type /EmbeddedFile /Subtype /{subtype} /Params << /Size {len(data)} /ModDate "
                f"({attachment_date(archival)}) >> /Length {len(packed)} /Filter /FlateDecode >>\nstream\n"
            ).encode()
            + packed
            + b"\nendstream"
        )
        name = _literal(DATA_NAME)
        spec = writer.add(
            b"<< /Type /Filespec /F " + name + b" /UF " + name + b" /Desc (Nysan document data)"
            b" /AFRelationship /Source /EF << /F %d 0 R /UF %d 0 R >> >>" % (stream, stream)
        )
        entries += b" /Names << /EmbeddedFiles << /Names [" + name + b" %d 0 R] >> >> /AF [%d 0 R]" % (spec, spec)
    return entries


def cid_set(writer, bold: bool, italic: bool, used: frozenset) -> bytes:
    """`` /CIDSet n 0 R`` for a subset's font descriptor (PDF/A-1: every CID its program holds)."""
    return b" /CIDSet %d 0 R" % writer.packed_stream(_cid_set_bits(bold, italic, used))


@lru_cache(maxsize=128)
def _cid_set_bits(bold: bool, italic: bool, used: frozenset) -> bytes:
    glyphs = face(bold, italic).subset_glyphs(set(used))
    bits = bytearray(max(glyphs) // 8 + 1)
    for gid in glyphs:  # CID = glyph id (/CIDToGIDMap /Identity); the high bit is CID 0
        bits[gid // 8] |= 0x80 >> (gid % 8)
    return zlib.compress(bytes(bits), 6)
