"""A form version's shared partial (templates/_shared/<form>/<version>.html): the style and macros its
kk and ru HTML templates share, written once; `nysan forms check` follows it, `new-version` copies it."""

from __future__ import annotations

from pathlib import Path

import pytest

import forms
from forms.authoring import checks
from support.cases import ROOT
from support.cli import nysan
from support.datadir import copy_data, edit

FORM = "violence-application"
PARTIAL = f"templates/_shared/{FORM}/1.html"


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path / "data", (FORM,))


def test_both_languages_import_the_partial_and_do_not_repeat_it():
    partial = (ROOT / PARTIAL).read_text(encoding="utf-8")
    assert "{% macro style() %}" in partial and "{% macro lines(" in partial
    for lang in ("kk", "ru"):
        template = (ROOT / "templates" / lang / FORM / "1.html").read_text(encoding="utf-8")
        assert f'{{% from "_shared/{FORM}/1.html" import lines, style with context %}}' in template
        assert "{% macro" not in template and "{% block style %}{{ style() }}{% endblock %}" in template


def test_a_style_edited_in_the_partial_reaches_both_languages(data):
    edit(data / PARTIAL, ".declined { text-decoration: line-through; }", ".declined { color: #555; }")
    registry = forms.Registry(data)
    for lang in ("kk", "ru"):
        html = forms.render(FORM, registry.example(FORM), lang, "html", registry=registry).decode("utf-8")
        assert ".declined { color: #555; }" in html and "line-through" not in html


def test_check_follows_the_partial(data):
    assert checks.run(data, [FORM], render=False).ok
    edit(data / PARTIAL, "{%- endmacro %}", "{%- endmacr %}")
    found = checks.run(data, [FORM], render=False).problems
    assert {(p.file, p.code) for p in found} == {(PARTIAL, "template-syntax")}


def test_a_required_field_printed_by_a_partial_macro_counts_as_printed(tmp_path):
    """special-services-journal marks its organisation type in a shared macro (type_part)."""
    data = copy_data(tmp_path / "data", ("special-services-journal",))
    assert checks.run(data, ["special-services-journal"], render=False).ok


def test_a_partial_without_its_spec_is_an_orphan(data):
    (data / PARTIAL).rename(data / f"templates/_shared/{FORM}/7.html")
    found = checks.run(data, [FORM], render=False).problems
    assert (f"templates/_shared/{FORM}/7.html", "orphan-file") in {(p.file, p.code) for p in found}
    assert (f"templates/kk/{FORM}/1.html", "template-missing") in {(p.file, p.code) for p in found}


def test_new_version_copies_the_partial_and_the_templates_import_the_new_one(data, capsys):
    code, out = nysan(
        capsys,
        "forms",
        "new-version",
        FORM,
        "--effective",
        "2027-01-01",
        "--basis",
        "Order No. 512 of 2026-12-01",
        "--data-dir",
        str(data),
    )
    assert code == 0, out
    assert f"templates/_shared/{FORM}/2.html" in out and f"schemas/{FORM}/2.legal.kk.txt" in out
    assert (data / f"templates/_shared/{FORM}/2.html").read_bytes() == (data / PARTIAL).read_bytes()
    for lang in ("kk", "ru"):
        text = (data / f"templates/{lang}/{FORM}/2.html").read_text(encoding="utf-8")
        assert f'"_shared/{FORM}/2.html"' in text and f'"_shared/{FORM}/1.html"' not in text
    edit(
        data / f"templates/_shared/{FORM}/2.html",
        ".declined { text-decoration: line-through; }",
        ".declined { color: #555; }",
    )
    registry = forms.Registry(data)
    old = forms.render(FORM, registry.example(FORM, "1"), "kk", "html", version="1", registry=registry)
    new = forms.render(FORM, registry.example(FORM, "2"), "kk", "html", version="2", registry=registry)
    assert b"line-through" in old and b"color: #555" in new and b"line-through" not in new
    assert checks.run(data, [FORM]).ok
