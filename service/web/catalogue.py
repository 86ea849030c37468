"""Which forms the clerks are offered: the registry's forms in force today whose templates exist."""

from __future__ import annotations

from dataclasses import dataclass

import forms
from forms.catalogue.spec import FormVersion
from forms.errors import FormNotFound, NotInForce


@dataclass
class Offer:
    spec: FormVersion | None
    problem: str | None = None  # not_found | repealed | unavailable
    status: int = 200
    message: dict | None = None  # the engine's message params when not in force


def available(registry: forms.Registry, spec: FormVersion) -> bool:
    """Every template of the version is there (a form still being prepared has none yet)."""
    return all(
        registry.template_path(spec, lang, fmt).is_file()
        for lang in forms.DOCUMENT_LANGUAGES
        for fmt in ("html", "docx")
    )


def offer(registry: forms.Registry, form_id: str) -> Offer:
    try:
        spec = registry.resolve(form_id)
    except FormNotFound:
        return Offer(None, "not_found", 404)
    except NotInForce as err:
        return Offer(None, "repealed", 410, {"error": err})
    if spec.status != "in_force" or not available(registry, spec):
        return Offer(spec, "unavailable", 404)
    return Offer(spec)


def in_force(registry: forms.Registry) -> list[tuple[FormVersion, bool]]:
    """(today's version, available) of every form in force today; repealed forms are left out."""
    found = []
    for form_id in registry.forms:
        try:
            spec = registry.resolve(form_id)
        except NotInForce:
            continue
        if spec.status == "in_force":
            found.append((spec, available(registry, spec)))
    return found
