"""The legal staff's workflow, scripted: an order amends `referral`, a new version is made, checked,
reviewed and shipped with the `nysan` commands alone, in a temporary copy of the data."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import forms
from forms.authoring import checks
from forms.authoring.diff import diff_versions
from support.cases import ROOT
from support.cli import nysan
from support.datadir import NEW_FIELD, copy_data, edit, edit_docx
from support.text import docx_text, pdf_text

FINISHED = ("referral", "placement-application")
OLD_KK, NEW_KK = "тұру үшін жолданады", "тұру үшін жіберіледі"
OLD_RU, NEW_RU = "проживания в центрах адаптации", "проживания в центре адаптации"


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path / "data", ("referral",))


def problems(data_dir: Path, render: bool = True) -> list[checks.Problem]:
    return checks.run(data_dir, render=render).problems


def test_scripted_amendment(data, capsys):
    spec_v1 = data / "schemas/referral/1.yaml"
    edit(spec_v1, "effective_to: null", "effective_to: null   # open while in force")
    edit(spec_v1, "fields:\n", "# the fields, in the order of the paper form\nfields:\n")
    original = spec_v1.read_text(encoding="utf-8")

    code, out = nysan(
        capsys,
        "forms",
        "new-version",
        "referral",
        "--effective",
        "2027-01-01",
        "--basis",
        "Order No. 512 of 2026-12-01",
        "--data-dir",
        str(data),
    )
    assert code == 0, out
    for name in (
        "schemas/referral/2.yaml",
        "schemas/referral/2.example.json",
        "schemas/referral/2.legal.kk.txt",
        "templates/kk/referral/2.html",
        "templates/kk/referral/2.docx",
        "templates/ru/referral/2.html",
        "templates/ru/referral/2.docx",
    ):
        assert name in out and (data / name).exists()
    # The old version ends the day before; only that value changed, its comment and the rest kept.
    changed = [
        (a, b) for a, b in zip(original.splitlines(), spec_v1.read_text(encoding="utf-8").splitlines()) if a != b
    ]
    assert changed == [
        ("effective_to: null   # open while in force", "effective_to: 2026-12-31   # open while in force")
    ]
    spec_v2 = data / "schemas/referral/2.yaml"
    text_v2 = spec_v2.read_text(encoding="utf-8")
    assert "# the fields, in the order of the paper form" in text_v2
    v2 = forms.Registry(data).form("referral").version("2")
    assert v2.effective_from == dt.date(2027, 1, 1) and v2.effective_to is None
    assert v2.legal_basis["edition"]["en"] == "Order No. 512 of 2026-12-01"
    assert v2.legal_basis["edition"]["number"] == "512" and "№ 512" in v2.legal_basis["edition"]["kk"]
    assert checks.run(data, render=False).ok  # a plain copy is a valid version

    # The lawyer's edits: one field added, one clause reworded (kk and ru, HTML and DOCX, and the act's kk text).
    edit(spec_v2, "  - name: issue_date\n", NEW_FIELD + "  - name: issue_date\n")
    example = data / "schemas/referral/2.example.json"
    example.write_text(
        json.dumps(
            {**json.loads(example.read_text(encoding="utf-8")), "referral_number": "12-345"},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    edit(data / "schemas/referral/2.legal.kk.txt", OLD_KK, NEW_KK)
    edit(data / "templates/kk/referral/2.html", OLD_KK, NEW_KK)
    edit(data / "templates/ru/referral/2.html", OLD_RU, NEW_RU)
    edit_docx(data / "templates/kk/referral/2.docx", OLD_KK, NEW_KK)
    edit_docx(data / "templates/ru/referral/2.docx", OLD_RU, NEW_RU)

    # check fails until each of the four templates prints the new field.
    prints = {
        "templates/kk/referral/2.html": lambda p: edit(
            p, "<h1>ЖОЛДАМА</h1>\n", "<h1>ЖОЛДАМА</h1>\n<p>№ {{ referral_number }}</p>\n"
        ),
        "templates/ru/referral/2.html": lambda p: edit(
            p, "<h1>НАПРАВЛЕНИЕ</h1>\n", "<h1>НАПРАВЛЕНИЕ</h1>\n<p>№ {{ referral_number }}</p>\n"
        ),
        "templates/kk/referral/2.docx": lambda p: edit_docx(
            p, "", "", insert_after="ЖОЛДАМА", paragraph="№ {{ referral_number }}"
        ),
        "templates/ru/referral/2.docx": lambda p: edit_docx(
            p, "", "", insert_after="НАПРАВЛЕНИЕ", paragraph="№ {{ referral_number }}"
        ),
    }
    code, out = nysan(capsys, "forms", "check", "--data-dir", str(data))
    assert code == 1 and out.count("[template-required-missing]") == 4
    for done, (name, add_field) in enumerate(prints.items()):
        found = problems(data, render=done == 0)
        assert {p.code for p in found} == {"template-required-missing"}
        assert sorted(p.file for p in found) == sorted(list(prints)[done:])
        assert all("'referral_number'" in p.message and "{{ referral_number }}" in p.fix for p in found)
        add_field(data / name)
    code, out = nysan(capsys, "forms", "check", "--data-dir", str(data))
    assert code == 0, out
    assert out.startswith("OK")

    # The date chooses the version: the old wording to the last day, the new one from the first.
    registry = forms.Registry(data)
    old_data, new_data = registry.example("referral", "1"), registry.example("referral", "2")
    for lang, old, new in (("kk", OLD_KK, NEW_KK), ("ru", OLD_RU, NEW_RU)):
        for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
            before = read(forms.render("referral", old_data, lang, fmt, as_of="2026-12-31", registry=registry))
            after = read(forms.render("referral", new_data, lang, fmt, as_of="2027-01-01", registry=registry))
            assert old in before and new not in before and "12-345" not in before
            assert new in after and old not in after and "№ 12-345" in after
    with pytest.raises(forms.ValidationFailed):  # the new field is unknown to the old version
        forms.render("referral", new_data, "kk", "pdf", as_of="2026-12-31", registry=registry)

    # The review: exactly the added field, the act, and the two changes of wording.
    review = diff_versions("referral", "1", "2", registry=registry)
    assert review.added == ["referral_number (string, required) «Жолдаманың нөмірі» / «Номер направления»"]
    assert review.removed == [] and review.changed == {}
    assert {line.split(":")[0] for line in review.spec} == {
        f"legal_basis.edition.{k}" for k in ("kk", "ru", "en", "number", "date")
    }
    for (lang, kind), changes in review.wording.items():
        old_word, new_word = {"kk": ("жолданады", "жіберіледі"), "ru": ("центрах", "центре")}[lang]
        assert [(c.removed, c.added) for c in changes] == [("", "№ 12-345"), (old_word, new_word)], (lang, kind)
    code, out = nysan(capsys, "forms", "diff", "referral", "1", "2", "--data-dir", str(data))
    assert code == 0
    assert "+ added    referral_number" in out and "[-жолданады-] {+жіберіледі+}" in out and "{+№ 12-345+}" in out
    assert "[-центрах-] {+центре+}" in out


def test_unknown_variable_in_html(data):
    path = data / "templates/kk/referral/1.html"
    edit(path, "inline(head_name, 30)", "inline(head_nme, 30)")
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "head_nme" in text)
    [problem] = problems(data)
    assert (problem.file, problem.line, problem.code) == (
        "templates/kk/referral/1.html",
        line,
        "template-unknown-variable",
    )
    assert "'head_nme'" in problem.message and "did you mean 'head_name'" in problem.message
    assert "head_name" in problem.fix


def test_unknown_variable_in_docx_names_the_paragraph(data):
    edit_docx(data / "templates/ru/referral/1.docx", "{{ head_name", "{{ head_nme")
    [problem] = problems(data)
    assert (problem.file, problem.code) == ("templates/ru/referral/1.docx", "template-unknown-variable")
    assert "'head_nme'" in problem.message
    assert "in the paragraph «...области миграции населения {{ head_nme|blank(30) }}" in problem.message


def test_unknown_attribute(data):
    edit(data / "templates/ru/referral/1.html", "annex(form.annex)", "annex(form.anex)")
    [problem] = problems(data)
    assert problem.code == "template-unknown-attribute" and "form.anex" in problem.message and "annex" in problem.fix


def test_gap_overlap_and_open_windows(data, capsys):
    assert (
        nysan(
            capsys,
            "forms",
            "new-version",
            "referral",
            "--effective",
            "2027-01-01",
            "--basis",
            "Order No. 512 of 2026-12-01",
            "--data-dir",
            str(data),
        )[0]
        == 0
    )
    spec_v1, spec_v2 = data / "schemas/referral/1.yaml", data / "schemas/referral/2.yaml"
    line = next(
        i for i, t in enumerate(spec_v2.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("effective_from:")
    )

    edit(spec_v1, "effective_to: 2026-12-31", "effective_to: 2026-11-30")
    [gap] = problems(data, render=False)
    assert (gap.file, gap.line, gap.code) == ("schemas/referral/2.yaml", line, "window-gap")
    assert "from 2026-12-01 to 2026-12-31" in gap.message and "effective_to: 2026-12-31" in gap.fix
    code, out = nysan(capsys, "forms", "check", "--quick", "--data-dir", str(data))
    assert code == 1 and "schemas/referral/2.yaml:%d: [window-gap]" % line in out

    edit(spec_v1, "effective_to: 2026-11-30", "effective_to: 2027-01-05")
    [overlap] = problems(data, render=False)
    assert overlap.code == "window-overlap" and "until 2027-01-05" in overlap.message

    edit(spec_v1, "effective_to: 2027-01-05", "effective_to: null")
    [open_window] = problems(data, render=False)
    assert (open_window.file, open_window.code) == ("schemas/referral/1.yaml", "window-open")
    assert "effective_to: 2026-12-31" in open_window.fix


def test_missing_docx_template(data):
    (data / "templates/ru/referral/1.docx").unlink()
    [problem] = problems(data)
    assert (problem.file, problem.code) == ("templates/ru/referral/1.docx", "template-missing")
    assert "ru DOCX template" in problem.message


def test_syntax_errors_name_the_line_or_paragraph(data):
    path = data / "templates/kk/referral/1.html"
    edit(path, "{% endfor %}", "{% endfro %}")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "endfro" in t)
    edit_docx(data / "templates/ru/referral/1.docx", "{{ issue_date|fill_date", "{{ issue_date|fil_date")
    found = sorted(problems(data), key=lambda p: p.file)
    assert [(p.file, p.code) for p in found] == [
        ("templates/kk/referral/1.html", "template-syntax"),
        ("templates/ru/referral/1.docx", "template-syntax"),
    ]
    assert found[0].line == line and "endfro" in found[0].message
    assert "fil_date" in found[1].message and "«{{ issue_date|fil_date" in found[1].message


def test_spec_and_example_errors_all_at_once(data):
    edit(data / "schemas/referral/1.yaml", "max_length: 60", "max_length: sixty")
    example = data / "schemas/referral/1.example.json"
    edit(example, '"issue_date": "2026-03-10"', '"issue_date": "2026-13-10"')
    line = next(i for i, t in enumerate(example.read_text(encoding="utf-8").splitlines(), 1) if "issue_date" in t)
    (data / "templates/kk/referral/1.docx").unlink()
    found = problems(data)
    codes = {p.code for p in found}
    assert codes == {"spec", "template-missing"}  # a spec that does not load: its example waits
    [spec_problem] = [p for p in found if p.code == "spec"]
    assert (
        spec_problem.file == "schemas/referral/1.yaml" and spec_problem.line and "whole number" in spec_problem.message
    )

    edit(data / "schemas/referral/1.yaml", "max_length: sixty", "max_length: 60")
    found = problems(data)
    assert {p.code for p in found} == {"example-invalid", "template-missing"}
    [invalid] = [p for p in found if p.code == "example-invalid"]
    assert (
        invalid.file == "schemas/referral/1.example.json" and invalid.line == line and "issue_date" in invalid.message
    )


def test_repeal(data, capsys):
    code, out = nysan(
        capsys,
        "forms",
        "repeal",
        "referral",
        "--effective",
        "2027-07-01",
        "--basis",
        "Order No. 90 of 2027-06-01",
        "--data-dir",
        str(data),
    )
    assert code == 0, out
    spec = forms.Registry(data).form("referral").latest
    assert spec.status == "repealed" and spec.effective_to == dt.date(2027, 6, 30)
    assert spec.repealed_by["number"] == "90" and spec.repealed_by["effective"] == dt.date(2027, 7, 1)
    assert checks.run(data).ok
    with pytest.raises(forms.NotInForce) as err:
        forms.render(
            "referral",
            forms.example("referral", registry=forms.Registry(data)),
            as_of="2027-07-01",
            registry=forms.Registry(data),
        )
    assert err.value.code == "repealed"
    code, out = nysan(
        capsys,
        "forms",
        "new-version",
        "referral",
        "--effective",
        "2028-01-01",
        "--basis",
        "Order No. 1 of 2027-12-01",
        "--data-dir",
        str(data),
    )
    assert code == 1 and "repealed" in out

    spec_text = spec.path.read_text(encoding="utf-8")
    ru_line = next(line for line in spec_text.splitlines() if line.startswith("  ru: ") and "№ 90" in line)
    edit(spec.path, ru_line + "\n", "")
    [problem] = problems(data)
    assert problem.code == "repeal-unnamed" and "ru missing" in problem.message


def test_bad_arguments_are_refused(data, capsys):
    code, out = nysan(
        capsys,
        "forms",
        "new-version",
        "referral",
        "--effective",
        "2020-01-01",
        "--basis",
        "Order No. 1 of 2019-12-01",
        "--data-dir",
        str(data),
    )
    assert code == 1 and "must start after" in out
    code, out = nysan(
        capsys,
        "forms",
        "new-version",
        "referral",
        "--effective",
        "2027-01-01",
        "--basis",
        "the new order",
        "--data-dir",
        str(data),
    )
    assert code == 1 and "Order No. 123 of 2026-11-20" in out
    assert not (data / "schemas/referral/2.yaml").exists()


def test_finished_forms_pass_check(tmp_path, capsys):
    data = copy_data(tmp_path / "data", FINISHED)
    code, out = nysan(capsys, "forms", "check", "--data-dir", str(data))
    assert code == 0, out
    report = checks.run(data)
    assert (report.forms, report.versions, report.documents) == (2, 2, 12)
    assert report.seconds < 20


def test_required_field_only_tested_is_not_printed(data):
    path = data / "templates/kk/referral/1.html"
    edit(
        path,
        '{{ fill(issue_date|fill_date, "(берілген күні)", 30) }}',
        '{% if issue_date %}{{ fill(none, "(берілген күні)", 30) }}{% endif %}',
    )
    [problem] = problems(data, render=False)
    assert (problem.file, problem.code) == ("templates/kk/referral/1.html", "template-required-missing")
    assert "'issue_date'" in problem.message and "{{ issue_date|fill_date }}" in problem.fix


def test_every_check_code_is_explained_in_both_languages():
    guide = (ROOT / "docs" / "amending-a-form.md").read_text(encoding="utf-8")
    russian, kazakh = guide.split("## Қазақша")
    sources = "".join(
        (ROOT / "forms" / name).read_text(encoding="utf-8")
        for name in (
            "authoring/problems.py",
            "authoring/checks.py",
            "authoring/template_checks.py",
            "authoring/wording.py",
            "catalogue/spec.py",
            "calendar/data.py",
        )
    )
    used = set(
        re.findall(
            r'"((?:spec|reserved|window|repeal|template|example|render|codelist|orphan|wording|legal|calendar)'
            r'(?:-[a-z]+)+|spec)"[,)]',
            sources,
        )
    )
    assert "reserved-name" in used and "calendar-basis" in used
    assert used and used <= set(checks.CODES)
    for code in checks.CODES:
        assert f"| `{code}` |" in russian and f"| `{code}` |" in kazakh, code


@pytest.mark.parametrize("form_id", FINISHED)
@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_docx_reading_agrees_with_docxtpl(form_id, lang):
    """The check reads a DOCX as docxtpl does (plus line breaks): the same undeclared names."""
    from docxtpl import DocxTemplate

    from forms.authoring.template_analysis import analyse, docx_source
    from forms.rendering.templating import docx_environment

    path = ROOT / "templates" / lang / form_id / "1.docx"
    ours = set(analyse(docx_environment().parse(docx_source(path))).uses)
    assert ours and ours == DocxTemplate(str(path)).get_undeclared_template_variables(docx_environment())


def test_check_refuses_an_unknown_form_or_an_empty_folder(data, tmp_path, capsys):
    code, out = nysan(capsys, "forms", "check", "--form", "referal", "--data-dir", str(data))
    assert code == 1 and "there is no form 'referal'" in out and "referral" in out
    code, out = nysan(capsys, "forms", "check", "--data-dir", str(tmp_path / "empty"))
    assert code == 1 and "no form specs here" in out


def test_check_notes_a_template_that_leaves_the_typesetter(data, capsys):
    """A template edited outside the typesetter's subset still passes, with a note naming why its PDF
    is now WeasyPrint's (slower); the shipped referral has no note."""
    assert not checks.run(data, ["referral"]).notes
    edit(
        data / "templates/ru/referral/1.html",
        "{% block content %}",
        "{% block style %}h1 { letter-spacing: 1pt }{% endblock %}\n{% block content %}",
    )
    code, out = nysan(capsys, "forms", "check", "--data-dir", str(data))
    assert code == 0, out
    [note] = checks.run(data, ["referral"]).notes
    assert note.startswith("templates/ru/referral/1.html: the PDF is made by WeasyPrint") and "letter-spacing" in note
    assert "note: templates/ru/referral/1.html" in out
