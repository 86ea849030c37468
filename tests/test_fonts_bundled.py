"""No system font, ever: whatever text reaches WeasyPrint, the PDF embeds only the bundled Liberation
faces (as poppler's pdffonts lists them), because WeasyPrint's fontconfig sees only forms/assets/fonts."""

from __future__ import annotations

import copy
import random
import re
import subprocess

import pytest

import forms
from forms.fields import repertoire
from forms.rendering import pdf
from support.cases import use_engine

# The bundled faces, under the names WeasyPrint gives them: the @font-face family ("Nysan Serif")
# or, for text outside that family, the file's own name.
BUNDLED = re.compile(r"^(?:[A-Z]{6}\+)?(?:Nysan-Serif|Liberation-?Serif)(?:-Bold|-Italic|-Bold-?Italic|-BoldItalic)?$")


def embedded_fonts(document: bytes, tmp_path) -> list[str]:
    path = tmp_path / "document.pdf"
    path.write_bytes(document)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]


def random_text(rng: random.Random, length: int) -> str:
    points = sorted(repertoire.code_points() - {ord(c) for c in "\t\n\r"})
    return "".join(chr(rng.choice(points)) for _ in range(length)).strip() or "x"


@pytest.mark.parametrize("seed", range(3))
def test_any_accepted_text_rendered_by_weasyprint_embeds_only_the_bundled_fonts(monkeypatch, tmp_path, seed):
    use_engine(monkeypatch, "weasyprint")
    rng = random.Random(seed)
    data = copy.deepcopy(forms.example("referral"))
    data["applicant"]["last_name"] = random_text(rng, 60)
    for member in data["members"]:
        member["name"]["first_name"] = random_text(rng, 60)
    assert forms.validate("referral", data) == []
    fonts = embedded_fonts(forms.render("referral", data, fmt="pdf"), tmp_path)
    assert fonts and all(BUNDLED.match(name) for name in fonts), fonts


def test_text_the_fonts_lack_falls_back_to_no_system_font(tmp_path):
    # HTML straight to WeasyPrint, past validation: CJK, emoji, Arabic, Mongolian, in serif and sans-serif.
    html = (
        "<html><body><p>Әбенов 王 😀 محمد ᠮᠣᠩᠭᠣᠯ</p>"
        "<p style='font-family: sans-serif'>王 😀 محمد</p><p style='font-family: monospace'>x 王</p></body></html>"
    )
    fonts = embedded_fonts(pdf.plain_html_to_pdf(html), tmp_path)
    assert fonts and all(BUNDLED.match(name) for name in fonts), fonts
