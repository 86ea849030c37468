"""What a clerk checks on the printed document: letters, dates, blanks, layout."""

import io

import pytest
from pypdf import PdfReader

import forms
from forms.fields import dates
from support.text import docx_blocks, docx_text, pdf_text, pdftotext

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def test_every_kazakh_letter_extracts_from_the_pdf():
    data = forms.example("referral")
    data["applicant"] = {"last_name": "ӘҒҚҢӨҰҮҺІ", "first_name": "әғқңөұүһі"}
    pdf = forms.render("referral", data, lang="kk", fmt="pdf")
    assert "ӘҒҚҢӨҰҮҺІ әғқңөұүһі" in pdf_text(pdf)
    assert "ӘҒҚҢӨҰҮҺІ әғқңөұүһі" in pdftotext(pdf)


def test_bundled_font_covers_every_kazakh_letter():
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    from forms.catalogue.locations import FONTS_DIR

    for path in FONTS_DIR.glob("*.ttf"):
        cmap = TTFont(path).getBestCmap()
        assert all(ord(ch) in cmap for ch in KAZAKH_LETTERS + "АаЯяЁё"), path.name
    assert (FONTS_DIR / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


@pytest.mark.parametrize(
    "day,kk,ru",
    [
        ("2024-09-30", '2024 жылғы "30" қыркүйек', "«30» сентября 2024 г."),
        ("2025-01-05", '2025 жылғы "05" қаңтар', "«05» января 2025 г."),
    ],
)
def test_dates_printed_as_official_texts_print_them(day, kk, ru):
    data = dict(forms.example("referral"), issue_date=day)
    assert kk in pdf_text(forms.render("referral", data, lang="kk", fmt="pdf"))
    assert ru in docx_text(forms.render("referral", data, lang="ru", fmt="docx"))


@pytest.mark.parametrize(
    "month,text", [(1, "қаңтардағы"), (4, "сәуірдегі"), (7, "шілдедегі"), (9, "қыркүйектегі"), (12, "желтоқсандағы")]
)
def test_kazakh_running_date(month, text):
    import datetime as dt

    assert dates.long_date(dt.date(2024, month, 30 if month != 2 else 28), "kk") == f"2024 жылғы 30 {text}"
    assert dates.long_date(dt.date(2024, 9, 30), "ru") == "30 сентября 2024 года"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_empty_optional_fields_print_as_blanks(fmt):
    data = forms.example("referral")
    data.pop("head_name")
    data["members"] = data["members"][:1]
    document = forms.render("referral", data, lang="kk", fmt=fmt)
    if fmt == "pdf":
        raw = " ".join(PdfReader(io.BytesIO(document)).pages[0].extract_text().split())
    else:
        raw = " ".join(docx_blocks(document))
    assert "басшысы ____" in raw
    assert raw.count("_" * 20) >= 5  # members 2-6 left for the pen


def test_pdf_is_a4_portrait():
    page = PdfReader(io.BytesIO(forms.render("referral", forms.example("referral")))).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1


def test_document_date_comes_from_the_data():
    data = dict(forms.example("referral"), issue_date="2025-02-03")
    meta = PdfReader(io.BytesIO(forms.render("referral", data))).metadata
    assert meta["/CreationDate"].startswith("D:20250203")
