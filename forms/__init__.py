"""Nysan: the official forms annexed to Kazakhstan's orders, validated and rendered.

    import forms
    forms.list_forms()
    forms.example("referral")
    forms.schema("referral")
    forms.validate("referral", data, lang="kk")
    forms.render("referral", data, lang="kk", fmt="pdf")
    forms.prefill(spec, data, organisation, lang="kk")  # fields filled from the issuer's record

Settings (``forms.Settings``: PDF engine, data folder) come from ``NYSAN_*`` variables, read once, or
are given: ``forms.render(..., registry=forms.Registry(settings=forms.Settings(pdf_engine="weasyprint")))``.
"""

from forms.api import (
    describe,
    example,
    list_forms,
    render,
    render_document,
    schema,
    validate,
)
from forms.catalogue.registry import Registry, default_registry
from forms.errors import FormNotFound, NotInForce, NysanError, ValidationFailed, VersionNotFound
from forms.languages import DOCUMENT_LANGUAGES
from forms.pdfa import VARIANTS as PDFA_VARIANTS
from forms.prefilling import prefill
from forms.rendering.request import (
    FORMATS,
    MEDIA_TYPES,
    Renderer,
    RenderOptions,
    RenderRequest,
    UnsupportedOption,
    prepare,
)
from forms.settings import Settings, SettingsError, default_settings

__all__ = [
    "DOCUMENT_LANGUAGES",
    "FORMATS",
    "MEDIA_TYPES",
    "PDFA_VARIANTS",
    "FormNotFound",
    "NotInForce",
    "NysanError",
    "Registry",
    "RenderOptions",
    "RenderRequest",
    "Renderer",
    "Settings",
    "SettingsError",
    "UnsupportedOption",
    "ValidationFailed",
    "VersionNotFound",
    "default_registry",
    "default_settings",
    "describe",
    "example",
    "list_forms",
    "prefill",
    "prepare",
    "render",
    "render_document",
    "schema",
    "validate",
]
__version__ = "0.1.0"
