"""Nysan's typesetter (forms/typeset) gives WeasyPrint's pages.

For every registered form it accepts: the same page count, the same text on every page, the same
outline and metadata as WeasyPrint rendering the same HTML. Lines break alike on random text, a
long journal paginates alike (headings repeated), and what the typesetter does not support goes to
WeasyPrint.
"""
from __future__ import annotations

import html as html_escape
import io
import logging
import random

import pytest
from pypdf import PdfReader

import forms
from cases import as_of_for, registry_cases
from forms import pdf, typeset
from test_speed_paths import journal
from textutil import normalise, pdf_text, pdftotext

CSS = forms.default_registry().templates_dir / "_layout" / "form.css"
IDENTIFIER = b"0" * 32
# Forms whose templates are inside the typesetter's subset (the speed goals' documents among them).
MUST_TYPESET = {"referral", "referral-journal", "placement-application"}
KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def _pages(data: bytes) -> list[str]:
    return [normalise(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def _outline(reader: PdfReader) -> list[str]:
    titles = []
    for item in reader.outline:
        titles.extend(_outline_titles(item))
    return titles


def _outline_titles(item) -> list[str]:
    if isinstance(item, list):
        return [title for child in item for title in _outline_titles(child)]
    return [item.title]


def _both(html: str) -> tuple[bytes, bytes]:
    return typeset.render(html, CSS, IDENTIFIER), pdf.plain_html_to_pdf(html, CSS, IDENTIFIER)


def _assert_same_document(fast: bytes, plain: bytes) -> None:
    fast_pages, plain_pages = _pages(fast), _pages(plain)
    assert len(fast_pages) == len(plain_pages)
    for number, (mine, reference) in enumerate(zip(fast_pages, plain_pages), start=1):
        assert mine == reference, f"page {number} differs"
    fast_reader, plain_reader = PdfReader(io.BytesIO(fast)), PdfReader(io.BytesIO(plain))
    assert _outline(fast_reader) == _outline(plain_reader)
    for key in ("/Title", "/Subject", "/Keywords", "/Author"):
        assert fast_reader.metadata.get(key) == plain_reader.metadata.get(key)
    assert fast_reader.trailer["/Root"]["/Lang"] == plain_reader.trailer["/Root"]["/Lang"]
    assert [page.mediabox[2:] for page in fast_reader.pages] == [page.mediabox[2:] for page in plain_reader.pages]


@pytest.mark.parametrize("form_id,version", registry_cases())
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_typeset_example_has_weasyprints_pages(form_id, version, lang):
    html = forms.render(form_id, forms.example(form_id, version), fmt="html", lang=lang, version=version,
                        as_of=as_of_for(form_id, version)).decode("utf-8")
    try:
        fast = typeset.render(html, CSS, IDENTIFIER)
    except typeset.NotSupported as reason:
        assert form_id not in MUST_TYPESET, f"{form_id} declined: {reason}"
        pytest.skip(f"outside the typesetter's subset ({reason}): WeasyPrint renders it")
    _assert_same_document(fast, pdf.plain_html_to_pdf(html, CSS, IDENTIFIER))


@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_long_journal_paginates_like_weasyprint(lang):
    html = forms.render("referral-journal", journal(300), fmt="html", lang=lang).decode("utf-8")
    fast, plain = _both(html)
    _assert_same_document(fast, plain)
    pages = _pages(fast)
    assert len(pages) > 15
    heading = "№ р/с" if lang == "kk" else "№ п/п"
    assert all(heading in page for page in pages), "the table heading repeats on every page"
    assert "300 " in pages[-1]


def test_empty_journal_prints_blank_rows_like_weasyprint():
    data = forms.example("referral-journal")
    data["entries"] = []
    fast, plain = _both(forms.render("referral-journal", data, fmt="html").decode("utf-8"))
    _assert_same_document(fast, plain)


def _random_paragraphs(seed: int) -> str:
    rng = random.Random(seed)
    letters = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі" + "АБВГДЕЖЗӘҒҚҢӨҰҮҺІ" + "abcdefghijklmnopqrstuvwxyzTVWY"
    marks = [",", ".", ";", ":", "»", "«", "(", ")", "\"", "-", "–", "—", "/", "№", "?", "!", "%"]

    def word() -> str:
        text = "".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
        roll = rng.random()
        if roll < 0.1:
            return text + rng.choice(marks)
        if roll < 0.15:
            return rng.choice(marks) + text
        if roll < 0.22:
            return text + "-" + "".join(rng.choice(letters) for _ in range(rng.randint(1, 8)))
        if roll < 0.27:
            return str(rng.randint(1, 99999)) + rng.choice(["", "-17/12", ".04.1985", "/3"])
        return text

    paragraphs = []
    for _ in range(40):
        style = (f"width:{rng.choice(['100%', '40%', '25%', '60mm', '30mm'])};"
                 f"font-size:{rng.choice(['12pt', '10pt', '9pt', '11pt'])};"
                 f"text-align:{rng.choice(['left', 'justify', 'center', 'right'])};"
                 f"font-weight:{rng.choice(['normal', 'bold'])};overflow-wrap:break-word")
        text = html_escape.escape(" ".join(word() for _ in range(rng.randint(3, 40))))
        paragraphs.append(f'<p style="{style}">{text}</p>')
    return ("<!DOCTYPE html><html lang='kk'><head><meta charset='utf-8'><title>t</title></head><body>"
            + "\n".join(paragraphs) + "</body></html>")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_paragraphs_break_line_for_line_like_weasyprint(seed):
    fast, plain = _both(_random_paragraphs(seed))

    def lines(data: bytes) -> list[str]:
        return [" ".join(line.split()) for page in PdfReader(io.BytesIO(data)).pages
                for line in (page.extract_text() or "").split("\n")]
    assert lines(fast) == lines(plain)


def test_render_uses_the_typesetter_and_weasyprint_on_request(monkeypatch):
    data = forms.example("referral")
    data["applicant"]["last_name"] = KAZAKH
    fast = forms.render("referral", data)
    assert PdfReader(io.BytesIO(fast)).metadata.producer == "Nysan typesetter"
    assert KAZAKH in pdf_text(fast)
    extracted = pdftotext(fast)
    assert extracted is None or KAZAKH in extracted
    assert forms.render("referral", data) == fast, "not reproducible"
    monkeypatch.setenv("NYSAN_PDF_ENGINE", "weasyprint")
    plain = forms.render("referral", data)
    assert PdfReader(io.BytesIO(plain)).metadata.producer.startswith("WeasyPrint")
    assert _pages(plain) == _pages(fast)


def test_a_failing_typesetter_costs_no_document(monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("Нұрланов")  # a message quoting data must not reach the log
    monkeypatch.setattr(typeset, "render", broken)
    with caplog.at_level(logging.WARNING, logger="nysan.pdf"):
        data = forms.render("referral", forms.example("referral"))
    assert PdfReader(io.BytesIO(data)).metadata.producer.startswith("WeasyPrint")
    assert "RuntimeError" in caplog.text and "Нұрланов" not in caplog.text


@pytest.mark.parametrize("body", [
    '<img src="x.png">',
    "<ul><li>x</li></ul>",
    '<p style="position: absolute">x</p>',
    "<style>@media print { p { color: red } }</style><p>x</p>",
    "<style>p:first-child { margin: 0 }</style><p>x</p>",
    '<table><tr><td colspan="2">x</td></tr></table>',
    "<p>x\u0301</p>",  # a combining mark needs the full shaper
])
def test_what_the_typesetter_does_not_do_is_declined(body):
    html = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    with pytest.raises(typeset.NotSupported):
        typeset.render(html, CSS, IDENTIFIER)
    assert pdf.html_to_pdf(html, CSS).startswith(b"%PDF-")  # WeasyPrint renders it instead


def test_hostile_data_prints_literally_through_the_typesetter():
    hostile = "<b>x</b> & {{ 7*7 }} </p><script>alert(1)</script>"
    data = forms.example("referral")
    data["head_name"] = hostile
    pdf_bytes = forms.render("referral", data)
    assert PdfReader(io.BytesIO(pdf_bytes)).metadata.producer == "Nysan typesetter"
    assert normalise(hostile) in pdf_text(pdf_bytes)
