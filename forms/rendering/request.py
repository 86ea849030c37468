"""One document to render, decided once: ``prepare`` checks the options, resolves the version in
force and validates the data, and gives a ``RenderRequest``; ``forms.render``, the service's render
gate and the register's issuing all start from it, and ``rendering.document.render`` makes it.

A request is plain data (form id, version, clean data, choices), so that it can be sent to a render
process by value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from forms.catalogue.registry import Registry
from forms.catalogue.spec import FormVersion
from forms.errors import NysanError, ValidationFailed
from forms.languages import DOCUMENT_LANGUAGES
from forms.pdfa import DEFAULT_VARIANT
from forms.pdfa import VARIANTS as PDFA_VARIANTS
from forms.rendering.docx.package import Finish
from forms.validation.validate import check

FORMATS = ("pdf", "docx", "html")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


class UnsupportedOption(NysanError):
    """A language, format or PDF/A variant that Nysan does not make."""

    code = "unsupported_format"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What the caller chose: the document's language and format, the version (or the date whose
    version is in force: ``as_of``, default today) and a PDF's PDF/A variant."""

    lang: str = "kk"
    fmt: str = "pdf"
    version: str | None = None
    as_of: dt.date | str | None = None
    pdfa: str = DEFAULT_VARIANT
    in_force: bool = False  # issuing: never a version not yet in force today (a preview may render one)


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """A document to make from data that has passed validation."""

    form: str
    version: str
    clean: dict
    lang: str
    fmt: str
    pdfa: str = DEFAULT_VARIANT
    data: Any = None  # the payload as given, carried by a DOCX and a PDF/A-3b (default: clean)
    number: str | None = None  # a registered document's number, printed where the form has a place for it
    finish: Finish | None = None  # a DOCX's parts changed before it is written (the register's mark)
    carried: str | None = None  # the payload's JSON when the caller has made it (the register seals it too)


class Renderer(Protocol):
    """What makes a prepared document (the register is given one: the service's, bounded by its gate)."""

    def __call__(self, request: RenderRequest) -> bytes: ...


def check_options(lang: str, fmt: str, pdfa: str = DEFAULT_VARIANT) -> None:
    if lang not in DOCUMENT_LANGUAGES:
        raise UnsupportedOption("unsupported_language", choices=DOCUMENT_LANGUAGES, value=lang)
    if fmt not in FORMATS:
        raise UnsupportedOption("unsupported_format", choices=FORMATS, value=fmt)
    if pdfa not in PDFA_VARIANTS:
        raise UnsupportedOption("unsupported_pdfa", choices=PDFA_VARIANTS, value=pdfa)


def prepare(
    registry: Registry, form: str, data: Any, options: RenderOptions = RenderOptions()
) -> tuple[RenderRequest, FormVersion]:
    """The request for one document and the version it uses; raises ``UnsupportedOption``, the
    catalogue's errors (``FormNotFound``, ``NotInForce`` …) or ``ValidationFailed``.

    The caller's garbage collector is left as it is: a caller validating long journals may pause it
    around this (``forms.rendering.gcpause``), as the service and the register do."""
    check_options(options.lang, options.fmt, options.pdfa)
    resolve = registry.resolve_in_force if options.in_force else registry.resolve
    spec = resolve(form, options.version, options.as_of)
    clean, errors = check(spec, data)
    if clean is None:  # invalid: then errors says why
        raise ValidationFailed(errors)
    return RenderRequest(spec.id, spec.version, clean, options.lang, options.fmt, options.pdfa, data), spec
