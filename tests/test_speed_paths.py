"""The fast paths give the documents of the plain paths.

DOCX: the fast path (forms/rendering/docx/fast.py) has the same paragraphs, tables and properties as
docxtpl's own rendering (more in test_docx_fast.py). PDF: the typesetter is compared with WeasyPrint
in test_typeset.py, which takes its long journals from here.
"""
from __future__ import annotations

import copy
import io

import docx
import pytest

import forms
from forms.rendering.document import metadata
from forms.rendering.context import build_context
from forms.rendering.docx import render_docx
from forms.validation.validate import check
from support.text import docx_blocks

ROWS = 300


def journal(rows: int) -> dict:
    """Example rows, varied so that rows differ in height (1 to 3 lines), as in a real journal."""
    data = forms.example("referral-journal")
    base = data["entries"]
    entries = []
    for i in range(rows):
        row = copy.deepcopy(base[i % len(base)])
        if i % 3 == 0:
            row.pop("birth_place", None)
        if i % 4 == 0:
            row["applicant"].pop("patronymic", None)
        row["application_number"] = f"01-17/{i + 1}"
        entries.append(row)
    data["entries"] = entries
    return data


def _docx_both(form_id: str, data: dict, lang: str = "kk") -> tuple[bytes, bytes]:
    registry = forms.default_registry()
    spec = registry.form(form_id).latest
    clean, errors = check(spec, data)
    assert not errors
    context = build_context(spec, clean, lang, {c: registry.codelist(c) for c in spec.codelists})
    meta = metadata(spec, clean, lang)
    context["document"] = {**meta, "created": meta["created"].isoformat()}
    template = registry.template_path(spec, lang, "docx")
    return render_docx(template, context, meta, fast=True), render_docx(template, context, meta, fast=False)


@pytest.mark.parametrize("form_id,rows", [("referral-journal", ROWS), ("referral", None),
                                          ("placement-application", None)])
def test_fast_docx_has_the_plain_text_tables_and_properties(form_id, rows):
    data = journal(rows) if rows else forms.example(form_id)
    fast, plain = _docx_both(form_id, data)
    assert docx_blocks(fast) == docx_blocks(plain)
    fast_doc, plain_doc = docx.Document(io.BytesIO(fast)), docx.Document(io.BytesIO(plain))
    assert [len(t.rows) for t in fast_doc.tables] == [len(t.rows) for t in plain_doc.tables]
    for name in ("title", "subject", "keywords", "identifier", "created"):
        assert getattr(fast_doc.core_properties, name) == getattr(plain_doc.core_properties, name)
    assert [(s.page_width, s.orientation) for s in fast_doc.sections] == \
        [(s.page_width, s.orientation) for s in plain_doc.sections]
    assert _docx_both(form_id, data)[0] == fast, "not reproducible"
