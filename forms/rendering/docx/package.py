"""A ZIP archive written from entries whose deflated bytes are ready.

A DOCX template's unchanging parts (styles alone are ~800 kB) are deflated once per template, not at
every render; ``zipfile`` cannot write bytes that are already deflated, so the archive is written
here: local headers, data, central directory, as ``zipfile`` lays them out. Every entry carries the
same fixed time (1980-01-01 00:00, the earliest a ZIP can hold) and rw-r--r-- permissions, so the
same parts give the same bytes.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

DOS_DATE = (1 << 5) | 1  # 1980-01-01
DOS_TIME = 0
VERSION = 20  # what zipfile writes for deflated entries
UNIX = 3
PERMISSIONS = 0o644 << 16
UTF8_NAME = 0x800
LIMIT = 0xFFFFFFFF  # beyond this a ZIP needs ZIP64 records, which this writer does not write


class TooLarge(Exception):
    """A part or the archive is too large for a ZIP without ZIP64 records."""


@dataclass(frozen=True)
class Entry:
    name: str
    crc: int
    size: int
    deflated: bytes


def entry(name: str, blob: bytes, level: int) -> Entry:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Entry(name, zlib.crc32(blob), len(blob), compressor.compress(blob) + compressor.flush())


def archive(entries: list[Entry]) -> bytes:
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for item in entries:
        try:
            name, flags = item.name.encode("ascii"), 0
        except UnicodeEncodeError:
            name, flags = item.name.encode("utf-8"), UTF8_NAME
        if max(item.size, len(item.deflated), offset) > LIMIT:
            raise TooLarge(item.name)
        fields = (flags, zlib.DEFLATED, DOS_TIME, DOS_DATE, item.crc, len(item.deflated), item.size, len(name))
        local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", VERSION, 0, *fields, 0)
        chunks += (local, name, item.deflated)
        directory += (struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", VERSION, UNIX, VERSION, 0, *fields,
                                  0, 0, 0, 0, PERMISSIONS, offset), name)
        offset += len(local) + len(name) + len(item.deflated)
    central = b"".join(directory)
    if offset > LIMIT:
        raise TooLarge("archive")
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), offset, 0)
    chunks += (central, end)
    return b"".join(chunks)
