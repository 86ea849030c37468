"""Other libraries' internals, reached from this module alone, each checked against the versions
Nysan was verified with.

- WeasyPrint's Pango binding (``weasyprint.text.ffi``): the typesetter asks Pango where lines may
  break, as WeasyPrint does (``forms/typeset/text.py``).
- python-docx's package writer (``docx.opc``, its ``PackageWriter``'s private steps, and the XML
  element behind a part): a DOCX written with fixed ZIP times (reproducible), and a template's
  parts recorded once for the fast path (``forms/rendering/docx``).
- markupsafe's ``_escape_inner``: a ``str`` escaped without building a ``Markup`` (the DOCX fast
  path); outside the verified versions the public ``markupsafe.escape`` does it (the same text).
- segno's ``encoder.apply_mask`` and ``encoder.evaluate_mask`` (``fast_qr_masks``): each data
  mask XORed onto a row at once instead of module by module, and the penalty score (ISO/IEC 18004
  7.8.3, segno's own rules and quirks) counted on whole rows and columns with bytes and regular
  expressions. A verification mark's QR code (segno tries all eight masks, as the standard wants)
  then costs a fraction of what it did; the same scores pick the same masks, so the codes are
  segno's (tests/test_mark.py compares them). Outside the verified versions segno's own stay.

At import, the installed versions are read (``importlib.metadata``): outside the verified range,
importing fails with what to do, or, where a public way exists, falls back to it.
``pyproject.toml`` bounds each library to the same range; a new series must be verified
(tests/test_typeset*.py, tests/test_docx_fast.py, tests/test_golden.py) before the bounds move.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

# distribution: (lowest verified, first unverified)
VERIFIED = {
    "weasyprint": ((70,), (71,)),
    "python-docx": ((1, 1), (2,)),
    "markupsafe": ((3, 0), (4,)),
    "segno": ((1, 6), (1, 7)),
}


class UnverifiedVersion(ImportError):
    pass


def _numbers(text: str) -> tuple[int, ...]:
    found = re.match(r"\d+(?:\.\d+)*", text)
    if found is None:  # not a release number ("unknown", a VCS tag): below every verified range
        return ()
    return tuple(int(part) for part in found.group(0).split("."))


def _spell(numbers: tuple[int, ...]) -> str:
    return ".".join(map(str, numbers))


def installed(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def verified(distribution: str, found: str | None = None) -> bool:
    low, high = VERIFIED[distribution]
    found = found or installed(distribution)
    return found is not None and low <= _numbers(found) < high


def require(distribution: str, found: str | None = None) -> None:
    """Refuse, saying what to do, a version of ``distribution`` whose internals were never verified."""
    found = found or installed(distribution)
    if not verified(distribution, found):
        low, high = (_spell(bound) for bound in VERIFIED[distribution])
        raise UnverifiedVersion(
            f"Nysan uses internals of {distribution} verified with versions {low} to <{high}, and {found} is "
            f"installed: pip install '{distribution}>={low},<{high}' (or verify Nysan with this version, "
            "see forms/internals.py)"
        )


require("weasyprint")
from weasyprint.text.ffi import ffi, pango  # noqa: E402  (after the check, on purpose)

require("python-docx")
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE  # noqa: E402
from docx.opc.coreprops import CoreProperties  # noqa: E402
from docx.opc.oxml import serialize_part_xml  # noqa: E402
from docx.opc.packuri import PackURI  # noqa: E402
from docx.opc.part import Part  # noqa: E402
from docx.opc.pkgwriter import PackageWriter  # noqa: E402
from docx.oxml.parser import parse_xml  # noqa: E402


def write_package(writer, package, parts) -> None:
    """What ``OpcPackage.save`` writes (content types, package relationships, parts), to any
    ``writer`` with ``write(pack_uri, blob)``."""
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)


def xml_element(proxy):
    """The XML element behind a python-docx part or core properties."""
    return proxy._element


def _str_escape():
    if verified("markupsafe"):
        import markupsafe

        return getattr(markupsafe, "_escape_inner", None)
    return None


# markupsafe's own escaping of a str, in C, returning a str; None: use the public markupsafe.escape.
escape_str = _str_escape()


def fast_qr_masks() -> bool:
    """Installs the faster ``apply_mask`` and ``evaluate_mask`` in segno's encoder (once); False
    where segno's version was not verified and its own functions are kept."""
    if not verified("segno"):
        return False
    from segno import encoder

    if getattr(encoder.apply_mask, "nysan", False):
        return True
    # Per mask function and symbol size, each row's mask over the encoding region as one integer
    # (a module is a byte, 0 or 1); the function patterns are the same for every symbol of a size.
    rows_of: dict = {}
    segno_score = encoder.evaluate_mask

    def apply_mask(matrix, mask_pattern, width, height, is_encoding_region):
        key = (mask_pattern.__code__, width, height)  # segno makes the functions anew for each symbol
        rows = rows_of.get(key)
        if rows is None:
            rows = rows_of[key] = tuple(
                int.from_bytes(
                    bytes(1 if is_encoding_region(i, j) and mask_pattern(i, j) else 0 for j in range(width)), "big"
                )
                for i in range(height)
            )
        for i, mask in enumerate(rows):
            row = matrix[i]
            row[:] = (int.from_bytes(row, "big") ^ mask).to_bytes(width, "big")

    def evaluate_mask(matrix, width, height):
        rows = [bytes(row) for row in matrix]
        if width != height or max(map(max, rows)) > 3:
            return segno_score(matrix, width, height)
        # Modules are bytes (0 to 3); lines are joined by a byte of value 4, so nothing runs on into
        # the next line, and read as one integer: comparisons of neighbours are shifts and XORs.
        rows_and_columns = rows + [bytes(column) for column in zip(*rows)]
        lines = _QR_SEPARATOR + _QR_SEPARATOR.join(rows_and_columns) + _QR_SEPARATOR
        whole = int.from_bytes(lines, "big")
        same = _qr_same(whole, whole >> 8, len(lines))  # a module equal to the next
        # N1: a run of 5 + i modules of one value in a row or column, 3 + i points: a run of L has
        # L - 4 windows of five, one of them at its start.
        five = same & (same >> 8) & (same >> 16) & (same >> 24)
        n1 = five.bit_count() + 2 * (five & ~(same << 8)).bit_count()
        # N2: each 2 × 2 block of one value, 3 points.
        grid = _QR_SEPARATOR + _QR_SEPARATOR.join(rows) + _QR_SEPARATOR
        whole, stride = int.from_bytes(grid, "big"), 8 * (width + 1)
        across = _qr_same(whole, whole >> 8, len(grid))
        n2 = 3 * (across & (across >> stride) & _qr_same(whole, whole >> stride, len(grid))).bit_count()
        # N3: 1:1:3:1:1 with four light modules before or after, 40 points; segno reads a line's
        # ends as light, as the four light modules between lines here are.
        n3 = 40 * _qr_finder_like(_QR_LIGHT + _QR_LIGHT.join(rows_and_columns) + _QR_LIGHT)
        percent = float(sum(map(sum, rows))) / (width**2)
        return n1 + n2 + n3 + 10 * int(abs(percent * 100 - 50) / 5)

    # Marks (``nysan``) and segno's originals (``segno``, for the tests' comparison) as function
    # attributes, through ``__dict__``: function types have no attributes of their own to a type checker.
    apply_mask.__dict__.update(nysan=True, segno=encoder.apply_mask)
    evaluate_mask.__dict__.update(nysan=True, segno=segno_score)
    encoder.apply_mask, encoder.evaluate_mask = apply_mask, evaluate_mask
    return True


_QR_SEPARATOR, _QR_LIGHT = b"\x04", b"\x00" * 4
_QR_FINDER = bytes((1, 0, 1, 1, 1, 0, 1))
_QR_ONES: dict[int, int] = {}


def _qr_same(a: int, b: int, length: int) -> int:
    """Byte-wise equality of two integers of bytes 0 to 4: 1 in each byte where they are equal."""
    ones = _QR_ONES.get(length)
    if ones is None:
        ones = _QR_ONES[length] = int.from_bytes(b"\x01" * length, "big")
    differ = a ^ b  # 0 to 7 in each byte
    return ones ^ ((differ | differ >> 1 | differ >> 2) & ones)


def _qr_finder_like(lines: bytes) -> int:
    """How many times segno's N3 rule counts the pattern (searching on 7 modules after a count, 4
    after a miss: the pattern does not overlap itself by 1 to 3 modules)."""
    count, index = 0, lines.find(_QR_FINDER)
    while index != -1:
        if lines[index - 4 : index] == _QR_LIGHT or lines[index + 7 : index + 11] == _QR_LIGHT:
            count, index = count + 1, lines.find(_QR_FINDER, index + 7)
        else:
            index = lines.find(_QR_FINDER, index + 4)
    return count


__all__ = [
    "CONTENT_TYPE",
    "CoreProperties",
    "PackURI",
    "Part",
    "RELATIONSHIP_TYPE",
    "UnverifiedVersion",
    "escape_str",
    "fast_qr_masks",
    "ffi",
    "pango",
    "parse_xml",
    "require",
    "serialize_part_xml",
    "verified",
    "write_package",
    "xml_element",
]
