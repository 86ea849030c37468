"""Text the bundled fonts cannot print is refused at its field (``unsupported_character``), named by
U+ code and Unicode name in kk, ru and en; what they print — soft hyphens, letters NFC composes,
quotes, dashes, № — is accepted. The repertoire is the fonts' own cmaps."""

from __future__ import annotations

import copy
import unicodedata

import pytest
from fontTools.ttLib import TTFont

import forms
from forms.fields import repertoire


@pytest.fixture
def example():
    return forms.example("referral")


def with_last_name(data, value, member=0):
    data = copy.deepcopy(data)
    data["members"][member]["name"]["last_name"] = value
    return data


@pytest.mark.parametrize(
    "text, code, name",
    [
        ("Нұрланова😀", "U+1F600", "GRINNING FACE"),
        ("王", "U+738B", "CJK UNIFIED IDEOGRAPH-738B"),
        ("Бат ᠮ", "U+182E", "MONGOLIAN LETTER MA"),
        ("محمد", "U+0645", "ARABIC LETTER MEEM"),
        ("כהן", "U+05DB", "HEBREW LETTER KAF"),  # in the font, but right to left
        ("a\u0310", "U+0310", "COMBINING CANDRABINDU"),  # a mark that composes with no letter
        ("Ахме\u0301дова", "U+0301", "COMBINING ACUTE ACCENT"),  # no "е" with acute: the typesetter places no marks
        ("a\u206ab", "U+206A", "INHIBIT SYMMETRIC SWAPPING"),  # a format character the font maps
        ("a\ue000", "U+E000", "UNNAMED CHARACTER"),
    ],
)
def test_unprintable_text_is_refused_at_its_field_in_three_languages(example, text, code, name):
    data = with_last_name(example, text, member=1)
    found = {lang: forms.validate("referral", data, lang=lang) for lang in ("en", "ru", "kk")}
    for _lang, errors in found.items():
        assert [(e["path"], e["code"]) for e in errors] == [("members[1].name.last_name", "unsupported_character")]
        assert code in errors[0]["message"] and name in errors[0]["message"]
    assert "cannot be printed" in found["en"][0]["message"]
    assert "не может быть напечатан" in found["ru"][0]["message"]
    assert "басып шығару мүмкін емес" in found["kk"][0]["message"]
    with pytest.raises(forms.ValidationFailed):
        forms.render("referral", data, fmt="pdf")


@pytest.mark.parametrize(
    "text",
    [
        "Нұр\u00adла\u00adно\u00adва",
        "Rene\u0301",
        "Ж\u0306",
        "Е\u0308лкина",
        "«Гүлнұр» “Әйгерім” „x“ ‘y’",
        "Баян-Өлгий — № 5 – x",
        "Шарипова-Оспанова-Абдрахманова-Қожахметова",
        "Ёлкина",
        "d'Artagnan",
        "Müller-Øster",
        "Σοφία",
    ],
)
def test_what_the_fonts_print_is_accepted(example, text):
    data = with_last_name(example, text)
    assert forms.validate("referral", data) == []


def test_the_repertoire_is_the_bundled_fonts_cmaps():
    faces = sorted(repertoire.FONTS_DIR.glob("*.ttf"))
    assert len(faces) == 4
    mapped = set.intersection(*(set(TTFont(str(path), lazy=True).getBestCmap()) for path in faces))
    points = repertoire.code_points()
    assert points - mapped == {ord(c) for c in "\t\n\r"}  # white space text values keep
    left_out = {chr(code) for code in mapped - points}
    assert left_out and all(not repertoire.printable(c) for c in left_out)  # marks, format, RTL, private
    assert {unicodedata.category(c) for c in left_out} <= {"Cf", "Co", "Mn", "Me", "Lo", "Pd", "Po"}
    # Kazakh, Russian, Latin letters, digits and the forms' punctuation are all in.
    assert set(map(ord, "ӘәҒғҚқҢңӨөҰұҮүҺһІіЁё№«»–—…“”„‘’\u00a0\u00ad0123456789AZaz")) <= points
