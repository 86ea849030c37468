"""Clean data → the context every template sees.

Every field of the spec is present (``none`` or ``[]`` when absent) so a template can print the
paper form's blank for it, and never fails on a field the clerk left empty.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from forms.fields import field_type

if TYPE_CHECKING:
    from forms.catalogue.spec import FieldSpec, FormVersion


def build_context(spec: FormVersion, data: dict, lang: str, codelists: dict[str, dict] | None = None) -> dict:
    context = _fill(spec.fields, data)
    context.update(
        {
            "lang": lang,
            "form": form_info(spec, lang),
            "codelists": codelists or {},
            "choice_labels": _choice_labels(spec.fields, lang),
        }
    )
    return context


def form_info(spec: FormVersion, lang: str) -> dict:
    basis = spec.legal_basis
    annex = basis.get("annex") or {}
    return {
        "id": spec.id,
        "version": spec.version,
        "title": spec.title.get(lang) or spec.title["kk"],
        "official": spec.official,
        "act": (basis.get("act") or {}).get(lang, ""),
        "annex": list(annex.get(lang) or annex.get("kk") or []),
        "basis": spec.basis_text(lang),
        "number": basis.get("number"),
        "effective_from": spec.effective_from,
        "effective_to": spec.effective_to,
    }


def document_date(spec: FormVersion, data: dict) -> dt.date:
    """The date a document carries in its metadata: its own date when it has one, so that the
    same data always gives the same bytes; otherwise the version's first day."""
    value = data.get(spec.date_field) if spec.date_field else None
    return value if isinstance(value, dt.date) else spec.effective_from


def _fill(specs: list[FieldSpec], data: dict | None) -> dict:
    data = data or {}
    return {spec.name: field_type(spec).template_value(spec, data.get(spec.name), _fill) for spec in specs}


def _choice_labels(specs: list[FieldSpec], lang: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for spec in specs:
        own = field_type(spec).choice_labels(spec, lang)
        if own is not None:
            labels[spec.name] = own
        labels.update(_choice_labels(spec.children, lang))
    return labels
