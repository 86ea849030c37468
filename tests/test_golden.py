"""Golden tests on extracted text.

- ``<version>.legal.<lang>.txt``: the form's printed text, one fragment per line, as the act prints it
  (kk, beside the spec: ``schemas/<form>/``, where `nysan forms check` reads it too) or as translated
  (ru, here). Every fragment must be in the PDF and in the DOCX.
- ``<version>.<lang>.<fmt>.txt``: the whole normalised text of the example's document. A change to a
  template shows up here; rewrite with ``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

import collections
import datetime as dt

import pytest

import forms
from forms.fields import dates
from support.cases import TESTS, matrix, registry_cases, rendered
from support.text import docx_text, normalise, pdf_pages, pdf_text, pdftotext, words

GOLDEN = TESTS / "golden"
LANG_CASES = [pytest.param(f, v, lang, id=f"{f}-v{v}-{lang}") for f, v in registry_cases() for lang in ("kk", "ru")]


def legal_fragments(form_id: str, version: str, lang: str) -> list[str]:
    folder = TESTS.parent / "schemas" / form_id if lang == "kk" else GOLDEN / form_id
    path = folder / f"{version}.legal.{lang}.txt"
    assert path.exists(), f"missing {path.relative_to(TESTS.parent)}: the form's text, one fragment per line"
    return [normalise(line) for line in path.read_text(encoding="utf-8").splitlines() if normalise(line)]


@pytest.mark.parametrize("form_id,version,lang", LANG_CASES)
def test_legal_text_verbatim_in_pdf_and_docx(form_id, version, lang):
    fragments = legal_fragments(form_id, version, lang)
    for fmt, text in (
        ("pdf", pdf_text(rendered(form_id, version, lang, "pdf"))),
        ("docx", docx_text(rendered(form_id, version, lang, "docx"))),
    ):
        missing = [f for f in fragments if f not in text]
        assert not missing, f"{fmt} lacks {len(missing)} fragment(s) of the form's text, first: {missing[:3]}"


@pytest.mark.parametrize("form_id,version,lang", LANG_CASES)
def test_pdftotext_reads_the_same_text(form_id, version, lang):
    text = pdftotext(rendered(form_id, version, lang, "pdf"))
    missing = [f for f in legal_fragments(form_id, version, lang) if f not in text]
    assert not missing, missing[:3]


def expected_values(spec_fields, data, lang):
    """What the clerk typed, as it must appear in the document: (description, candidates)."""
    for field in spec_fields:
        value = data.get(field.name)
        if value is None or value == "" or value == []:
            continue
        if field.type == "list":
            for item in value:
                yield from expected_values(field.children, item, lang)
        elif field.type == "object":
            yield from expected_values(field.children, value, lang)
        elif field.type == "person":
            name = " ".join(p for p in (value.get("last_name"), value.get("first_name"), value.get("patronymic")) if p)
            yield field.name, [name]
        elif field.type == "date":
            day = dt.date.fromisoformat(value)
            filled = dates.form_date(day, lang)
            # Some forms print "20__ жыл" (not "жылғы") before the day: the act's words are kept.
            yield (
                field.name,
                [dates.short_date(day, lang), filled, filled.replace(" жылғы ", " жыл "), dates.long_date(day, lang)],
            )
        elif field.type == "enum":
            yield field.name, [field.choice_label(str(value), lang)]
        elif field.type in ("string", "text", "iin", "integer"):
            yield field.name, [str(value)]


@pytest.mark.parametrize("form_id,version,lang", LANG_CASES)
def test_filled_data_printed(form_id, version, lang):
    spec = forms.default_registry().form(form_id).version(version)
    data = forms.example(form_id, version)
    texts = {
        "pdf": pdf_text(rendered(form_id, version, lang, "pdf")),
        "docx": docx_text(rendered(form_id, version, lang, "docx")),
    }
    checked = 0
    for name, candidates in expected_values(spec.fields, data, lang):
        for fmt, text in texts.items():
            assert any(normalise(c) in text for c in candidates), f"{fmt}: {name} = {candidates[0]!r} not printed"
        checked += 1
    assert checked, "the example fills nothing that could be checked"


@pytest.mark.parametrize("form_id,version,lang", LANG_CASES)
def test_pdf_and_docx_carry_the_same_words(form_id, version, lang):
    pdf = rendered(form_id, version, lang, "pdf")
    pdf_words = words(" ".join(pdf_pages(pdf)))
    docx_words = words(docx_text(rendered(form_id, version, lang, "docx")))
    if len(pdf_pages(pdf)) == 1:
        difference = collections.Counter(pdf_words)
        difference.subtract(collections.Counter(docx_words))
        assert {w: n for w, n in difference.items() if n} == {}
    else:  # repeated table headings make counts differ across pages
        assert set(pdf_words) == set(docx_words)


@pytest.mark.parametrize("form_id,version,lang,fmt", matrix(("pdf", "docx")))
def test_snapshot(form_id, version, lang, fmt, update_golden):
    data = rendered(form_id, version, lang, fmt)
    text = pdf_text(data) if fmt == "pdf" else docx_text(data)
    path = GOLDEN / form_id / f"{version}.{lang}.{fmt}.txt"
    if update_golden or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace(" ", "\n") + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"wrote a new snapshot {path.name}; review and commit it")
    expected = " ".join(path.read_text(encoding="utf-8").split())
    assert text == expected, f"{path.name} differs; if the change is intended, run pytest --update-golden"
