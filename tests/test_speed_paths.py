"""The fast paths give the documents of the plain paths.

DOCX: the fast path (forms/rendering/docx/fast.py) has the same paragraphs, tables and properties as
docxtpl's own rendering (more in test_docx_fast.py). PDF: the typesetter is compared with WeasyPrint
in test_typeset.py, which takes its long journals from here; its line-break opportunities found
without Pango are compared with Pango's here.
"""

from __future__ import annotations

import copy
import io
import random

import docx
import pytest

import forms
from forms.rendering.context import build_context
from forms.rendering.document import metadata
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


@pytest.mark.parametrize(
    "form_id,rows", [("referral-journal", ROWS), ("referral", None), ("placement-application", None)]
)
def test_fast_docx_has_the_plain_text_tables_and_properties(form_id, rows):
    data = journal(rows) if rows else forms.example(form_id)
    fast, plain = _docx_both(form_id, data)
    assert docx_blocks(fast) == docx_blocks(plain)
    fast_doc, plain_doc = docx.Document(io.BytesIO(fast)), docx.Document(io.BytesIO(plain))
    assert [len(t.rows) for t in fast_doc.tables] == [len(t.rows) for t in plain_doc.tables]
    for name in ("title", "subject", "keywords", "identifier", "created"):
        assert getattr(fast_doc.core_properties, name) == getattr(plain_doc.core_properties, name)
    assert [(s.page_width, s.orientation) for s in fast_doc.sections] == [
        (s.page_width, s.orientation) for s in plain_doc.sections
    ]
    assert _docx_both(form_id, data)[0] == fast, "not reproducible"


SIMPLE = "aZ Ааәөүі059,.\u00a0№ ..,,"  # the characters of texts whose breaks are found without Pango
INSIDE_NOWRAP = "-/(«:"  # anything may be inside a nowrap run


@pytest.mark.parametrize("seed", range(3))
def test_break_opportunities_found_without_pango_are_pangos(seed):
    """Most of a journal's cells are letters, digits, spaces, commas, full stops, № and no-break
    spaces, some with a nowrap run of anything (№ 01-17/12): the typesetter finds where their lines
    may end without Pango (forms/typeset/text.py). On random such texts, with and without nowrap
    runs, and on a journal's own cells, the places must be Pango's."""
    from forms.typeset import text

    rng = random.Random(seed)
    cases = [
        ("Алматы облысы, Қарасай ауданы, 12.03.1961", None),
        ("27.12.2023, №\u00a001-17/12001", (12, 27)),
        ("№\u00a012, 01.02.2021", (0, 5)),
        ("Баян-Өлгий аймағы", (0, 10)),
        ("1.2.3 a.5 ,,7 №№ .№", None),
    ]
    for _ in range(15000):
        value = "".join(rng.choice(SIMPLE) for _ in range(rng.randint(1, 24)))
        if rng.random() < 0.6:
            a = rng.randint(0, len(value))
            b = rng.randint(a, len(value))
            value = value[:a] + "".join(rng.choice(SIMPLE + INSIDE_NOWRAP) for _ in range(b - a)) + value[b:]
            cases.append((value, (a, b)))
        else:
            cases.append((value, None))
    without_pango = 0
    for value, run in cases:
        nowrap = masked = None
        if run:
            a, b = run
            nowrap = [a <= index < b for index in range(len(value))]
            masked = text.masked_runs([(value[:a], False), (value[a:b], True), (value[b:], False)])
        found = text._opportunities(value, nowrap, masked)
        assert found == text._pango_opportunities(value, nowrap), (value, run)
        without_pango += bool(text._SIMPLE.fullmatch(value) or (masked and text._SIMPLE.fullmatch(masked)))
    assert without_pango > len(cases) * 0.7, "the texts did not take the path the test is about"
