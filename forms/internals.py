"""Other libraries' internals, reached from this module alone, each checked against the versions
Nysan was verified with.

- WeasyPrint's Pango binding (``weasyprint.text.ffi``): the typesetter asks Pango where lines may
  break, as WeasyPrint does (``forms/typeset/text.py``).
- python-docx's package writer (``docx.opc``, its ``PackageWriter``'s private steps, and the XML
  element behind a part): a DOCX written with fixed ZIP times (reproducible), and a template's
  parts recorded once for the fast path (``forms/rendering/docx``).
- markupsafe's ``_escape_inner``: a ``str`` escaped without building a ``Markup`` (the DOCX fast
  path); outside the verified versions the public ``markupsafe.escape`` does it (the same text).

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
}


class UnverifiedVersion(ImportError):
    pass


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"\d+(?:\.\d+)*", text).group(0).split("."))


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
            "see forms/internals.py)")


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

__all__ = ["CONTENT_TYPE", "CoreProperties", "PackURI", "Part", "RELATIONSHIP_TYPE", "UnverifiedVersion", "escape_str", "ffi", "pango",
           "parse_xml", "require", "serialize_part_xml", "verified", "write_package", "xml_element"]
