"""Validation: all errors at once, each with a field path, a stable code and a message in kk/ru/en."""

import copy
import json

import pytest

import forms
from support.synthetic import make_data_dir


@pytest.fixture
def registry(tmp_path):
    return forms.Registry(make_data_dir(tmp_path))


@pytest.fixture
def example(registry):
    return registry.example("test-form")


def errors_of(registry, data, lang="en"):
    return forms.validate("test-form", data, registry=registry, lang=lang)


def codes(errors):
    return {(e["path"], e["code"]) for e in errors}


def test_example_is_valid(registry, example):
    assert errors_of(registry, example) == []


def test_every_error_at_once_with_paths(registry, example):
    data = copy.deepcopy(example)
    data.update({"note": "x" * 11, "count": 9, "kind": "z", "agreed": "maybe", "unknown": 1, "born": "1990-02-30"})
    data["person"] = {"last_name": "  "}
    data["rows"].append({"name": {"last_name": "A", "first_name": "B"}, "birth_date": "2999-01-01"})
    found = codes(errors_of(registry, data))
    assert found == {
        ("person.last_name", "required"),
        ("person.first_name", "required"),
        ("note", "max_length"),
        ("count", "out_of_range"),
        ("kind", "invalid_choice"),
        ("agreed", "invalid_type"),
        ("unknown", "unknown_field"),
        ("born", "no_such_day"),
        ("rows[1].birth_date", "future_date"),
    }


def test_messages_in_three_languages(registry):
    by_lang = {lang: errors_of(registry, {"issued": "2024-01-01"}, lang) for lang in ("kk", "ru", "en")}
    messages = {lang: {e["path"]: e["message"] for e in errs} for lang, errs in by_lang.items()}
    assert messages["en"]["person"] == "This field is required."
    assert messages["kk"]["person"] == "Бұл өрісті толтыру міндетті."
    assert messages["ru"]["person"] == "Это поле обязательно для заполнения."
    assert [e["code"] for e in by_lang["kk"]] == [e["code"] for e in by_lang["en"]]


@pytest.mark.parametrize(
    "value,code",
    [
        ("123456789012", "iin_century"),
        ("900101300018", "iin_checksum"),
        ("90010130001", "iin_format"),
        ("9001013000a7", "iin_format"),
        ("901301300017", "iin_date"),
    ],
)
def test_iin_rules(registry, example, value, code):
    data = dict(example, iin=value)
    assert ("iin", code) in codes(errors_of(registry, data))


@pytest.mark.parametrize("value", ["900101300017", "061211600012", "791028302728"])
def test_valid_iins(value):
    from forms.fields import iin

    iin.check(value)


def test_iin_must_agree_with_birth_date(registry, example):
    data = dict(example, born="1990-01-02")
    assert codes(errors_of(registry, data)) == {("iin", "iin_birth_date_mismatch")}
    data = copy.deepcopy(example)
    data["rows"][0]["birth_date"] = "2006-12-12"
    assert codes(errors_of(registry, data)) == {("rows[0].iin", "iin_birth_date_mismatch")}


def test_issue_date_not_before_application_date(registry, example):
    data = dict(example, applied="2024-10-01")
    errs = errors_of(registry, data, "ru")
    assert codes(errs) == {("issued", "date_before")}
    assert "Дата заявления" in errs[0]["message"]


def test_lists_are_capped(registry, example):
    data = dict(example, rows=example["rows"] * 4)
    assert codes(errors_of(registry, data)) == {("rows", "too_many_items")}


def test_strings_trimmed_and_nfc_normalised(registry, example):
    from forms.validation.validate import check

    spec = registry.resolve("test-form")
    decomposed = "Қайрат".replace("Қ", "К\u0301")  # not a real NFC pair (a mark the fonts attach); checks NFC runs
    data = dict(example, note="  a\u0301  ", person={"last_name": " Әбенов ", "first_name": decomposed})
    clean, errors = check(spec, data)
    assert errors == []
    assert clean["note"] == "\u00e1"
    assert clean["person"]["last_name"] == "Әбенов"


def test_control_characters_refused(registry, example):
    data = dict(example, note="a\x00b")
    assert codes(errors_of(registry, data)) == {("note", "control_characters")}


def test_data_is_never_changed(registry, example):
    data = dict(example, note="  x  ", unknown=1)
    before = json.dumps(data, sort_keys=True)
    errors_of(registry, data)
    assert json.dumps(data, sort_keys=True) == before


def test_not_an_object(registry):
    assert codes(errors_of(registry, ["x"])) == {("", "invalid_type")}


def test_render_raises_with_the_error_list(registry, example):
    with pytest.raises(forms.ValidationFailed) as info:
        forms.render("test-form", dict(example, note="x" * 50), registry=registry)
    assert info.value.as_dicts("kk")[0]["path"] == "note"
    assert info.value.as_dicts("kk")[0]["code"] == "max_length"


def test_real_form_caps_family_members():
    data = forms.example("referral")
    member = data["members"][0]
    data = dict(data, members=[member] * 7)
    assert {(e["path"], e["code"]) for e in forms.validate("referral", data)} == {("members", "too_many_items")}
