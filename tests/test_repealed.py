"""A repealed form: `special-services-journal` (Order No. 472) lost force with Order No. 230 of
22.06.2023 from 01.07.2023. It renders for dates inside its window and is refused after it, by the
API, the validator and the command line, with a message naming the repealing act."""

import json
import subprocess
import sys

import pytest

import forms
from service.cli import main
from support.text import pdf_text

FORM = "special-services-journal"
INSIDE = "2022-06-15"
LAST_DAY = "2023-06-30"
FIRST_DAY_REPEALED = "2023-07-01"
AFTER = "2024-01-01"

# How each language names the repealing act: its number and its date.
REPEALING_ACT = {
    "kk": ["№ 230", "2023 жылғы 22 маусымдағы"],
    "ru": ["№ 230", "22 июня 2023 года"],
    "en": ["No. 230", "22 June 2023"],
}


@pytest.mark.parametrize("as_of", [INSIDE, LAST_DAY])
def test_renders_inside_its_window(as_of):
    pdf = forms.render(FORM, forms.example(FORM), lang="kk", fmt="pdf", as_of=as_of)
    text = pdf_text(pdf)
    assert "кезекке тіркеудің электрондық журналы" in text
    assert "Омаров Қанат Жақсыбекұлы" in text and "Тұрсынбаева Күлпаш Сәрсенқызы" in text
    assert forms.validate(FORM, forms.example(FORM), as_of=as_of) == []


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("as_of", [FIRST_DAY_REPEALED, AFTER])
def test_validate_after_the_repeal_names_the_repealing_act(lang, as_of):
    errors = forms.validate(FORM, forms.example(FORM), as_of=as_of, lang=lang)
    assert [(e["path"], e["code"]) for e in errors] == [("", "repealed")]
    message = errors[0]["message"]
    for words in REPEALING_ACT[lang]:
        assert words in message, f"{lang}: {message!r} lacks {words!r}"
    assert "2023-07-01" in message and as_of in message


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_render_after_the_repeal_raises_not_in_force(fmt):
    with pytest.raises(forms.NotInForce) as info:
        forms.render(FORM, forms.example(FORM), lang="ru", fmt=fmt, as_of=AFTER)
    assert info.value.code == "repealed"
    assert "No. 230" in str(info.value)
    for lang in ("kk", "ru"):
        assert all(words in info.value.message(lang) for words in REPEALING_ACT[lang])


def test_an_explicit_version_does_not_bypass_the_repeal():
    with pytest.raises(forms.NotInForce) as info:
        forms.render(FORM, forms.example(FORM), version="1", as_of=AFTER)
    assert info.value.code == "repealed" and "No. 230" in str(info.value)
    # Without a date, "today" (Asia/Almaty) is long after the repeal.
    with pytest.raises(forms.NotInForce):
        forms.render(FORM, forms.example(FORM), version="1")


def test_listed_as_repealed_with_its_window_and_repealing_act():
    listed = {item["id"]: item for item in forms.list_forms()}
    journal = listed[FORM]
    assert journal["status"] == "repealed"
    assert journal["repealed_by"]["number"] == "230"
    assert journal["repealed_by"]["date"] == "2023-06-22"
    assert journal["repealed_by"]["effective"] == FIRST_DAY_REPEALED
    assert "№ 230" in journal["repealed_by"]["kk"] and "№ 230" in journal["repealed_by"]["ru"]
    [version] = journal["versions"]
    assert version["status"] == "repealed" and version["effective_to"] == LAST_DAY
    assert listed["referral"]["status"] == "in_force"


def test_cli_lists_it_as_repealed(capsys):
    assert main(["forms", "list"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(FORM))
    assert "repealed" in line and LAST_DAY in line


def _example_file(tmp_path):
    path = tmp_path / "journal.json"
    path.write_text(json.dumps(forms.example(FORM), ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_render_inside_the_window(capsys, tmp_path):
    out = tmp_path / "journal.pdf"
    code = main(
        [
            "render",
            FORM,
            str(_example_file(tmp_path)),
            "--lang",
            "kk",
            "--format",
            "pdf",
            "-o",
            str(out),
            "--as-of",
            INSIDE,
        ]
    )
    assert code == 0
    assert "электрондық журналы" in pdf_text(out.read_bytes())


def test_cli_render_after_the_repeal_fails_with_exit_2(tmp_path):
    """As a user types it: a real process, its exit status and what it prints."""
    out = tmp_path / "journal.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service",
            "render",
            FORM,
            str(_example_file(tmp_path)),
            "--lang",
            "kk",
            "--format",
            "pdf",
            "-o",
            str(out),
            "--as-of",
            AFTER,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    payload = json.loads(result.stdout)
    assert payload["code"] == "repealed"
    assert "No. 230" in payload["message"] and "22 June 2023" in payload["message"]
    assert not out.exists()
