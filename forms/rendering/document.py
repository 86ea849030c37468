"""A validated payload made into a document: context, then the HTML, PDF or DOCX template."""

from __future__ import annotations

import json
from typing import Any, cast

from forms.catalogue.registry import Registry
from forms.catalogue.spec import FormVersion
from forms.pdfa import Archival
from forms.rendering.context import build_context, document_date
from forms.rendering.docx import render_docx
from forms.rendering.pdf import html_to_pdf
from forms.rendering.request import RenderRequest
from forms.rendering.templating import environment

# What a Russian document says of itself when the spec has ru_text: translation (the act's Russian
# text was not used): the web form says the same beside the choice of the document's language.
TRANSLATION_NOTE = "Русский текст формы — перевод Nysan, а не текст акта на русском языке."

# What a template may read of ``document`` besides its metadata: the registration number (None
# unless the register issues the document).
REGISTRATION_KEYS = ("number",)


def render(reg: Registry, request: RenderRequest) -> bytes:
    """The document ``request`` asks for (its data has passed validation: ``request.prepare``)."""
    spec = reg.form(request.form).version(request.version)
    clean, lang, fmt = request.clean, request.lang, request.fmt
    codelists = {ref.partition("@")[0]: reg.codelist(ref) for ref in spec.codelists}
    context = build_context(spec, clean, lang, codelists)
    meta = metadata(spec, clean, lang)
    context["document"] = {**meta, "created": meta["created"].isoformat(), "number": request.number}
    # Carried by a DOCX and a PDF/A-3b only (a long journal's JSON is not made for nothing).
    carries = fmt == "docx" or (fmt == "pdf" and request.pdfa == "3b")
    payload = "null"
    if carries:
        payload = (
            request.carried
            if request.carried is not None
            else carried_json(clean if request.data is None else request.data)
        )
    if fmt == "docx":
        return render_docx(
            reg.template_path(spec, lang, "docx"), context, {**meta, "data": payload}, finish=request.finish
        )
    context["inline_css"] = fmt == "html"
    html = environment(reg.templates_dir).get_template(f"{lang}/{spec.id}/{spec.version}.html").render(context)
    if fmt == "html":
        return html.encode("utf-8")
    envelope = '{"form": %s, "version": %s, "lang": %s, "data": %s}' % (
        carried_json(spec.id),
        carried_json(spec.version),
        carried_json(lang),
        payload,
    )
    archival = Archival(request.pdfa, envelope.encode("utf-8"), meta["created"].isoformat())
    return html_to_pdf(
        html,
        reg.templates_dir / "_layout" / "form.css",
        reg.settings.pdf_engine,
        archival,
        form=spec.id,
        processes=cast(int, reg.settings.typeset_processes),  # Settings parses "auto" into a number
    )


def carried_json(value: Any) -> str:
    """JSON as a document carries it (dates, from a Python caller, as ISO text)."""
    return json.dumps(value, ensure_ascii=False, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))


def metadata(spec: FormVersion, clean: dict, lang: str) -> dict:
    """What every document says about itself: form id, version and legal basis."""
    keywords = [
        f"nysan-form:{spec.id}",
        f"version:{spec.version}",
        f"lang:{lang}",
        f"order:{spec.legal_basis.get('number')}",
        f"effective:{spec.effective_from.isoformat()}",
    ]
    if not spec.official:
        keywords.append("designed-form")
    subject = spec.basis_text(lang)
    if lang == "ru" and spec.ru_text == "translation":  # first, so that a property cut at its limit keeps it
        subject = f"{TRANSLATION_NOTE} {subject}"
    return {
        "title": f"{spec.title.get(lang) or spec.title['kk']} ({spec.id}, v{spec.version})",
        "subject": subject,
        "keywords": ", ".join(keywords),
        "identifier": f"{spec.id}@{spec.version}",
        "version": spec.version,
        "language": lang,
        "category": spec.id,
        "created": document_date(spec, clean),
    }
