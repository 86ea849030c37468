"""Legal details found in review (issue 11, item 9): each form prints what its act prints, and says
what it is: the annex's own name in the basis line, a Russian text that is Nysan's translation."""

from __future__ import annotations

import io

import docx
import pytest
from pypdf import PdfReader

import forms
from forms.rendering.document import TRANSLATION_NOTE
from service import create_app
from support.cases import rendered
from support.text import docx_tables, docx_text, pdf_text


def page(path: str, ui_lang: str) -> str:
    client = create_app({"TESTING": True, "SECRET_KEY": "test"}).test_client()
    client.get(f"/lang/{ui_lang}")
    return client.get(path).get_data(as_text=True)


def spec(form_id: str):
    return forms.default_registry().form(form_id).latest


@pytest.mark.parametrize(
    "lang,ending",
    [("kk", "көрсету стандартына 3-қосымша"), ("ru", "специальных социальных услуг жертвам бытового насилия")],
)
def test_the_basis_line_keeps_the_annex_own_name(lang, ending):
    """The violence-services contract's annex has no "Нысан"/"Форма" line: its last line is its name."""
    contract = spec("violence-services-contract")
    assert contract.basis_text(lang).endswith(ending)
    assert spec("referral").basis_text(lang).endswith({"kk": "1-қосымша", "ru": "интеграции кандасов"}[lang])
    assert ending in page("/forms/violence-services-contract", lang)


def document_subjects(form_id: str, lang: str) -> dict[str, str]:
    pdf = PdfReader(io.BytesIO(rendered(form_id, "1", lang, "pdf"))).metadata
    props = docx.Document(io.BytesIO(rendered(form_id, "1", lang, "docx"))).core_properties
    return {"pdf": pdf.subject, "docx subject": props.subject, "docx comments": props.comments}


def test_a_russian_translation_says_so_in_its_metadata():
    assert spec("referral").ru_text == "translation"
    for where, subject in document_subjects("referral", "ru").items():
        assert subject.startswith(TRANSLATION_NOTE), where
    for where, subject in document_subjects("referral", "kk").items():
        assert "перевод" not in subject, where


def test_the_web_form_says_the_russian_text_is_a_translation():
    ru, kk = page("/forms/referral", "ru"), page("/forms/referral", "kk")
    assert 'aria-describedby="doc-lang-help"' in ru
    assert "Русский текст формы — перевод Nysan" in ru and "Нысанның орысша мәтіні — Nysan аудармасы" in kk


def test_the_referral_journal_names_the_rules_as_its_sisters_do():
    wording = "к срокам и правилам пребывания кандасов и членов их семей в центре адаптации и интеграции кандасов"
    for form_id in ("referral", "placement-application", "referral-journal"):
        assert wording in pdf_text(rendered(form_id, "1", "ru", "pdf")), form_id
    assert "Правилам и срокам" not in docx_text(rendered("referral-journal", "1", "ru", "docx"))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_referral_journal_has_no_column_number_row(lang):
    html = rendered("referral-journal", "1", lang, "html").decode("utf-8")
    assert 'class="numbers"' not in html and "<th>1</th>" not in html
    [table] = docx_tables(rendered("referral-journal", "1", lang, "docx"))
    assert ["1", "2", "3", "4", "5", "6"] not in table
    assert table[0][0] == {"kk": "№ р/с", "ru": "№ п/п"}[lang]


@pytest.mark.parametrize("lang,label", [("kk", "ЖСН"), ("ru", "ИИН")])
def test_the_adaptation_application_prints_the_iin_bare(lang, label):
    data = forms.example("adaptation-application")
    iins = [
        p["iin"]
        for group in ("spouse", "parents", "children", "siblings")
        for p in data.get(group) or []
        if p.get("iin")
    ]
    assert iins, "the example has a family member with an IIN"
    for fmt, text in (
        ("pdf", pdf_text(rendered("adaptation-application", "1", lang, "pdf"))),
        ("docx", docx_text(rendered("adaptation-application", "1", lang, "docx"))),
    ):
        assert all(iin in text for iin in iins) and f"{label} " not in text, fmt
