"""Every form × version × language × format renders its example, with metadata, reproducibly."""

import io
import zipfile

import docx
import pytest
from pypdf import PdfReader

import forms
from support.cases import as_of_for, matrix, rendered
from support.text import docx_text, normalise, pdf_text


@pytest.mark.parametrize("form_id,version,lang,fmt", matrix())
def test_renders_with_title(form_id, version, lang, fmt):
    data = rendered(form_id, version, lang, fmt)
    spec = forms.default_registry().form(form_id).version(version)
    title = normalise(spec.title[lang])
    if fmt == "pdf":
        assert data.startswith(b"%PDF-")
        assert title in pdf_text(data)
    elif fmt == "docx":
        assert zipfile.is_zipfile(io.BytesIO(data))
        assert title in docx_text(data)
    else:
        html = data.decode("utf-8")
        assert html.lstrip().lower().startswith("<!doctype html>")
        assert f'lang="{lang}"' in html


@pytest.mark.parametrize("form_id,version,lang,fmt", matrix(("pdf", "docx")))
def test_metadata_names_form_version_and_basis(form_id, version, lang, fmt):
    data = rendered(form_id, version, lang, fmt)
    spec = forms.default_registry().form(form_id).version(version)
    if fmt == "pdf":
        meta = PdfReader(io.BytesIO(data)).metadata
        title, subject, keywords = meta.title, meta.subject, meta["/Keywords"]
    else:
        props = docx.Document(io.BytesIO(data)).core_properties
        title, subject, keywords = props.title, props.subject, props.keywords
        assert props.identifier == f"{form_id}@{version}"
    assert form_id in title and f"v{version}" in title
    assert f"nysan-form:{form_id}" in keywords and f"version:{version}" in keywords
    assert spec.legal_basis["number"] in keywords
    assert spec.legal_basis["act"][lang] in subject


@pytest.mark.parametrize("form_id,version,lang,fmt", matrix())
def test_output_is_reproducible(form_id, version, lang, fmt):
    again = forms.render(
        form_id, forms.example(form_id, version), lang=lang, fmt=fmt, version=version, as_of=as_of_for(form_id, version)
    )
    assert again == rendered(form_id, version, lang, fmt)


@pytest.mark.parametrize("form_id,version,lang,fmt", matrix(("pdf",)))
def test_pdf_uses_only_the_bundled_font(form_id, version, lang, fmt):
    reader = PdfReader(io.BytesIO(rendered(form_id, version, lang, fmt)))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts, "no font in the PDF"
    assert all("Nysan-Serif" in name for name in fonts), fonts
