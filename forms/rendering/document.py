"""A validated payload made into a document: context, then the HTML, PDF or DOCX template."""
from __future__ import annotations

from forms.catalogue.registry import Registry
from forms.catalogue.spec import FormVersion
from forms.rendering.context import build_context, document_date
from forms.rendering.docx import render_docx
from forms.rendering.pdf import html_to_pdf
from forms.rendering.templating import environment


def render_clean(reg: Registry, spec: FormVersion, clean: dict, lang: str, fmt: str) -> bytes:
    """Render data that has passed validation."""
    codelists = {ref.partition("@")[0]: reg.codelist(ref) for ref in spec.codelists}
    context = build_context(spec, clean, lang, codelists)
    meta = metadata(spec, clean, lang)
    context["document"] = {**meta, "created": meta["created"].isoformat()}
    if fmt == "docx":
        return render_docx(reg.template_path(spec, lang, "docx"), context, meta)
    context["inline_css"] = fmt == "html"
    html = environment(reg.templates_dir).get_template(f"{lang}/{spec.id}/{spec.version}.html").render(context)
    if fmt == "html":
        return html.encode("utf-8")
    return html_to_pdf(html, reg.templates_dir / "_layout" / "form.css", form=spec.id)


def metadata(spec: FormVersion, clean: dict, lang: str) -> dict:
    """What every document says about itself: form id, version and legal basis."""
    keywords = [f"nysan-form:{spec.id}", f"version:{spec.version}", f"lang:{lang}",
                f"order:{spec.legal_basis.get('number')}", f"effective:{spec.effective_from.isoformat()}"]
    if not spec.official:
        keywords.append("designed-form")
    return {
        "title": f"{spec.title.get(lang) or spec.title['kk']} ({spec.id}, v{spec.version})",
        "subject": spec.basis_text(lang),
        "keywords": ", ".join(keywords),
        "identifier": f"{spec.id}@{spec.version}",
        "version": spec.version,
        "language": lang,
        "category": spec.id,
        "created": document_date(spec, clean),
    }
