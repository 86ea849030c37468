"""`nysan forms check` compares the words of the HTML and the DOCX template of each language, and
finds the act's kk text (schemas/<form>/<version>.legal.kk.txt) in the kk templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.authoring import checks
from support.cli import nysan
from support.datadir import copy_data, edit, edit_docx

ACT_LINE = "Қандастарды бейімдеу және ықпалдастыру Орталықтарында тұру үшін жолданады"


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path / "data")


def test_a_word_changed_in_the_kk_docx_only_is_reported(data, capsys):
    edit_docx(data / "templates/kk/referral/1.docx", "тұру үшін жолданады", "тұру үшін жіберіледі")
    found = checks.run(data, ["referral"]).problems
    # The DOCX no longer prints the act's line either: both are said, of the DOCX only.
    assert sorted((p.file, p.code) for p in found) == [
        ("templates/kk/referral/1.docx", "legal-fragment-missing"),
        ("templates/kk/referral/1.docx", "wording-html-docx"),
    ]
    [problem] = [p for p in found if p.code == "wording-html-docx"]
    assert "«жіберіледі»" in problem.message and "«жолданады»" in problem.message
    assert "templates/kk/referral/1.html" in problem.message and "Орталықтарында тұру үшін" in problem.message
    code, out = nysan(capsys, "forms", "check", "--data-dir", str(data))
    assert code == 1 and "[wording-html-docx]" in out and "how to fix:" in out


def test_a_legal_fragment_deleted_from_both_templates_is_reported(data):
    edit(data / "templates/kk/referral/1.html", f"<p>{ACT_LINE}</p>", "<p></p>")
    edit_docx(data / "templates/kk/referral/1.docx", ACT_LINE, "")
    found = checks.run(data, ["referral"]).problems
    assert {(p.file, p.code) for p in found} == {
        ("templates/kk/referral/1.html", "legal-fragment-missing"),
        ("templates/kk/referral/1.docx", "legal-fragment-missing"),
    }
    assert all(ACT_LINE in p.message and "schemas/referral/1.legal.kk.txt, line" in p.message for p in found)


def test_the_ru_templates_need_not_print_the_kk_act(data):
    edit(data / "templates/ru/referral/1.html", "Направляется для проживания", "Направляется для временного проживания")
    edit_docx(
        data / "templates/ru/referral/1.docx", "Направляется для проживания", "Направляется для временного проживания"
    )
    assert checks.run(data, ["referral"]).ok


def test_the_shipped_forms_print_the_same_words_in_html_and_docx():
    report = checks.run()
    wording = [str(p) for p in report.problems if p.code in ("wording-html-docx", "legal-fragment-missing")]
    assert not wording, "\n".join(wording)
    assert report.documents == 6 * report.versions


def test_a_legal_text_without_its_spec_is_an_orphan(data):
    (data / "schemas/referral/1.legal.kk.txt").rename(data / "schemas/referral/7.legal.kk.txt")
    [problem] = checks.run(data, ["referral"], render=False).problems
    assert (problem.file, problem.code) == ("schemas/referral/7.legal.kk.txt", "orphan-file")
