"""Field types (forms/fields/): every type the spec accepts is one class that provides every rule,
and each rule does its type's job where it is used — validation (marshmallow and the fast path),
the JSON Schema, the template context, the web widget, the posted form and the uploaded
spreadsheet. Also: the names the engine puts into template contexts are refused as field names."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import jsonschema
import pytest
from openpyxl import Workbook
from werkzeug.datastructures import MultiDict

from forms.authoring import checks
from forms.catalogue.spec import ENGINE_NAMES, FIELD_TYPES, SpecError, check_file, load_version
from forms.fields import PERSON, TYPES, FieldType, field_type, iin
from forms.rendering.context import build_context
from forms.validation import fastcheck
from forms.validation import validate as validation
from forms.validation.jsonschema import json_schema
from service.web import formdata, upload
from service.web.i18n import Translator
from service.web.widgets import Builder
from support.cases import ROOT
from support.synthetic import make_data_dir

LABEL = "{kk: Мән, ru: Значение, en: Value}"
IIN = iin.make(dt.date(2001, 2, 3), True, 12)  # "010203600123": a spreadsheet drops the 0
NAME = {"last_name": "Сейітова", "first_name": "Айгүл"}  # no patronymic: many people have none

# Per type: the field's spec (named v, required), a valid JSON value and its clean value, one
# invalid value and its error code, what templates get, the widget's kind, the posted fields and
# the payload they give, the spreadsheet (headers, cells) and the row it gives.
CASES = {
    "string": dict(
        spec="pattern: '[A-Z]{2}[0-9]+'",
        value=" AB12 ",
        clean="AB12",
        bad="ab",
        code="pattern",
        template="AB12",
        widget="input",
        posted={"v": "AB12"},
        payload={"v": "AB12"},
        sheet=(["v"], ["AB12"]),
        row={"v": "AB12"},
    ),
    "text": dict(
        spec="max_length: 20",
        value="one\r\ntwo ",
        clean="one\ntwo",
        bad="x" * 21,
        code="max_length",
        template="one\ntwo",
        widget="textarea",
        posted={"v": "one\ntwo"},
        payload={"v": "one\ntwo"},
        sheet=(["v"], ["one\ntwo"]),
        row={"v": "one\ntwo"},
    ),
    "date": dict(
        spec="past: true",
        value="2024-09-30",
        clean=dt.date(2024, 9, 30),
        bad="30.09.2024",
        code="invalid_date",
        template=dt.date(2024, 9, 30),
        widget="date",
        posted={"v.day": "30", "v.month": "9", "v.year": "2024"},
        payload={"v": "2024-09-30"},
        sheet=(["v"], ["30.09.2024"]),
        row={"v": "2024-09-30"},
    ),
    "integer": dict(
        spec="min: 0\n    max: 10",
        value="7",
        clean=7,
        bad=11,
        code="out_of_range",
        template=7,
        widget="input",
        posted={"v": "7"},
        payload={"v": "7"},
        sheet=(["v"], [7]),
        row={"v": "7"},
    ),
    "boolean": dict(
        spec="",
        value="yes",
        clean=True,
        bad="maybe",
        code="invalid_type",
        template=True,
        widget="select",
        posted={"v": "true"},
        payload={"v": "true"},
        sheet=(["v"], ["иә"]),
        row={"v": "true"},
    ),
    "enum": dict(
        spec="choices:\n      - {value: a, label: {kk: Бірінші, ru: Первый, en: First}}\n"
        "      - {value: b, label: {kk: Екінші, ru: Второй, en: Second}}",
        value="b",
        clean="b",
        bad="c",
        code="invalid_choice",
        template="b",
        widget="select",
        posted={"v": "b"},
        payload={"v": "b"},
        sheet=(["v"], ["Второй"]),
        row={"v": "b"},
    ),
    "iin": dict(
        spec="",
        value=IIN,
        clean=IIN,
        bad="12345",
        code="iin_format",
        template=IIN,
        widget="input",
        posted={"v": IIN},
        payload={"v": IIN},
        sheet=(["v"], [int(IIN)]),
        row={"v": IIN},
    ),
    "person": dict(
        spec="",
        value=NAME,
        clean=NAME,
        bad={"first_name": "Айгүл"},
        code="required",
        template={**NAME, "patronymic": None},
        widget="person",
        posted={"v.last_name": "Сейітова", "v.first_name": "Айгүл", "v.patronymic": " "},
        payload={"v": NAME},
        sheet=(["v.last_name", "v.first_name"], ["Сейітова", "Айгүл"]),
        row={"v": NAME},
    ),
    "list": dict(
        spec="min_items: 1\n    item:\n      - {name: w, type: string, required: true, label: " + LABEL + "}",
        value=[{"w": "A"}],
        clean=[{"w": "A"}],
        bad=[],
        code="too_few_items",
        template=[{"w": "A"}],
        widget="list",
        posted={"v[0].w": "A", "v[1].w": ""},
        payload={"v": [{"w": "A"}]},
        sheet=None,
        row=None,
    ),
    "object": dict(
        spec="fields:\n      - {name: w, type: string, required: true, label: " + LABEL + "}",
        value={"w": "A"},
        clean={"w": "A"},
        bad={"w": "A", "x": "B"},
        code="unknown_field",
        template={"w": "A"},
        widget="object",
        posted={"v.w": "A"},
        payload={"v": {"w": "A"}},
        sheet=(["v.w"], ["A"]),
        row={"v": {"w": "A"}},
    ),
}
# The rules a type must define itself (the base class has no sensible default for them).
OWN_RULES = ("marshmallow", "fast_check", "json_schema", "widget")
RULES = OWN_RULES + (
    "template_value",
    "template_attributes",
    "choice_labels",
    "example_tag",
    "posted",
    "from_cell",
    "columns",
)

SPEC = """\
id: {form}
version: "1"
title: {{kk: СЫНАҚ, ru: ТЕСТ}}
legal_basis:
  act: {{kk: Сынақ бұйрығы, ru: Тестовый приказ, en: Test order}}
  number: "T-1"
  date: 2020-01-01
effective_from: 2020-01-01
effective_to: null
status: in_force
official: false
ru_text: translation
fields:
  - name: v
    type: {kind}
    required: true
    label: {label}
    {options}
"""


def write_spec(root: Path, form: str, kind: str, options: str) -> Path:
    path = root / form / "1.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(SPEC.format(form=form, kind=kind, label=LABEL, options=options), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def forms_by_type(tmp_path_factory):
    """One loaded spec per field type, with a required field ``v`` of that type."""
    root = tmp_path_factory.mktemp("schemas")
    return {kind: load_version(write_spec(root, f"t-{kind}", kind, case["spec"])) for kind, case in CASES.items()}


def test_every_spec_type_is_a_registered_class_and_tested_here():
    assert tuple(TYPES) == FIELD_TYPES
    assert set(CASES) == set(TYPES)
    for name, cls in TYPES.items():
        assert issubclass(cls, FieldType) and cls.name == name and isinstance(field_type(name), cls)


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_type_provides_every_rule(kind):
    cls = TYPES[kind]
    for rule in RULES:
        assert callable(getattr(cls, rule, None)), f"{kind} has no {rule}"
    for rule in OWN_RULES:
        assert getattr(cls, rule) is not getattr(FieldType, rule), f"{kind} does not define {rule}"


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_validation_marshmallow_and_fast_path_agree(kind, forms_by_type):
    spec, case = forms_by_type[kind], CASES[kind]
    clean, errors = validation.reference_check(spec, {"v": case["value"]})
    assert errors == [] and clean == {"v": case["clean"]}
    assert fastcheck.load(spec, {"v": case["value"]}) == clean

    clean, errors = validation.reference_check(spec, {"v": case["bad"]})
    assert clean is None or errors
    assert case["code"] in [e.code for e in errors]
    assert fastcheck.load(spec, {"v": case["bad"]}) is None  # the fast path never vouches for it
    assert [e.code for e in validation.check(spec, {"v": case["bad"]})[1]] == [e.code for e in errors]


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_json_schema_accepts_the_value_and_refuses_the_bad_one(kind, forms_by_type):
    spec, case = forms_by_type[kind], CASES[kind]
    validator = jsonschema.Draft202012Validator(json_schema(spec), format_checker=jsonschema.FormatChecker())
    good = case["clean"] if kind in ("string", "text", "integer", "boolean") else case["value"]
    assert list(validator.iter_errors({"v": good})) == []
    assert list(validator.iter_errors({"v": case["bad"]})) != []


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_templates_get_the_value_and_a_blank_when_absent(kind, forms_by_type):
    spec, case = forms_by_type[kind], CASES[kind]
    assert build_context(spec, {"v": case["clean"]}, "kk")["v"] == case["template"]
    absent = build_context(spec, {}, "kk")["v"]
    assert absent == ([] if kind == "list" else {"w": None} if kind == "object" else None)


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_web_widget_shows_the_value(kind, forms_by_type):
    spec, case = forms_by_type[kind], CASES[kind]
    [node] = Builder(Translator("ru"), {}).nodes(spec.fields, case["payload"])
    assert node.kind == case["widget"]
    if kind == "person":
        assert [(p, v) for p, _, v, _ in node.parts] == [
            ("last_name", "Сейітова"),
            ("first_name", "Айгүл"),
            ("patronymic", ""),
        ]
    elif kind == "list":
        assert [[child.value for child in row.children] for row in node.rows] == [["A"]]
    elif kind == "object":
        assert [child.value for child in node.children] == ["A"]
    elif kind == "enum":
        assert node.value == "b" and ("b", "Второй") in node.options
    elif kind == "boolean":
        assert node.value == "true" and [v for v, _ in node.options] == ["", "true", "false"]
    elif kind == "date":  # day, month, year: the GOV.UK date-input pattern, not the browser's picker
        assert [(p, v) for p, _, v, _ in node.parts] == [("day", "30"), ("month", "9"), ("year", "2024")]
    else:
        assert node.value == case["payload"]["v"]
    if kind == "iin":
        assert node.attrs["pattern"] == "[0-9]{12}" and node.attrs["maxlength"] == 12


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_posted_fields_give_the_payload_that_validates(kind, forms_by_type):
    spec, case = forms_by_type[kind], CASES[kind]
    payload = formdata.parse(MultiDict(case["posted"]), spec.fields)
    assert payload == case["payload"]
    clean, errors = validation.check(spec, payload)
    assert errors == []
    assert formdata.parse(MultiDict({}), spec.fields) == {}  # nothing typed: nothing posted


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_spreadsheet_cells_give_the_row(kind, forms_by_type):
    spec, case = forms_by_type[kind], CASES[kind]
    if case["sheet"] is None:  # a list inside a row: no flat-file column can hold it
        assert upload.columns(spec.fields) == []
        return
    book = Workbook()
    headers, cells = case["sheet"]
    book.active.append(headers)
    book.active.append(cells)
    data = io.BytesIO()
    book.save(data)
    rows = upload.parse("rows.xlsx", data.getvalue(), spec.fields, max_rows=10).rows
    assert rows == [case["row"]]
    assert validation.check(spec, rows[0])[1] == []


def test_person_patronymic_is_optional_everywhere_and_the_other_parts_required(forms_by_type):
    spec = forms_by_type["person"]
    assert PERSON.PARTS == ("last_name", "first_name", "patronymic") and PERSON.OPTIONAL == {"patronymic"}
    for value in (NAME, {**NAME, "patronymic": None}, {**NAME, "patronymic": ""}):
        assert validation.reference_check(spec, {"v": value})[1] == []
        assert fastcheck.load(spec, {"v": value}) is not None
    assert (
        list(jsonschema.Draft202012Validator(json_schema(spec)).iter_errors({"v": {**NAME, "patronymic": None}})) == []
    )
    assert json_schema(spec)["properties"]["v"]["required"] == ["last_name", "first_name"]
    posted = formdata.parse(MultiDict({"v.last_name": "Сейітова", "v.first_name": "Айгүл"}), spec.fields)
    assert validation.check(spec, posted) == ({"v": NAME}, [])
    assert [(c.key, c.required) for c in upload.columns(spec.fields)] == [
        ("v.last_name", True),
        ("v.first_name", True),
        ("v.patronymic", False),
    ]
    assert PERSON.from_whole_name("Сейітова Айгүл") == NAME

    for part in ("last_name", "first_name"):
        without = {k: v for k, v in NAME.items() if k != part}
        errors = validation.reference_check(spec, {"v": without})[1]
        assert [(e.path, e.code) for e in errors] == [(f"v.{part}", "required")]
        assert fastcheck.load(spec, {"v": without}) is None


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_engine_names_are_refused_as_field_names(tmp_path, name):
    path = write_spec(tmp_path, "t-reserved", "string", "")
    path.write_text(path.read_text(encoding="utf-8").replace("- name: v", f"- name: {name}"), encoding="utf-8")
    [problem] = check_file(path)
    assert (problem.code, problem.where, problem.line) == ("reserved-name", "fields[0].name", 14)
    with pytest.raises(SpecError, match=f"'{name}' is the engine's own name"):
        load_version(path)


@pytest.mark.parametrize(
    "options, key, words",
    [
        ("min: 1 January 1900", "min", "YYYY-MM-DD"),
        ("min: 1900", "min", "YYYY-MM-DD"),
        ("max_days_ahead: 0", "max_days_ahead", "past: true"),
        ("max_days_ahead: thirty", "max_days_ahead", "whole number"),
        ("past: true\n    max_days_ahead: 30", "max_days_ahead", "not both"),
    ],
)
def test_a_date_bound_that_is_wrong_is_a_spec_error_with_its_line(tmp_path, options, key, words):
    path = write_spec(tmp_path, "t-bounds", "date", options)
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if f"{key}:" in t)
    [problem] = check_file(path)
    assert (problem.where, problem.line) == (f"fields[0].{key}", line) and words in problem.problem
    with pytest.raises(SpecError):
        load_version(path)


def test_nysan_forms_check_reports_a_wrong_date_bound(tmp_path):
    data = make_data_dir(tmp_path / "data")
    spec = data / "schemas" / "test-form" / "1.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        "{name: born, type: date, past: true,", "{name: born, type: date, past: true, min: 19000101,"
    )
    spec.write_text(text, encoding="utf-8")
    found = [p for p in checks.run(data, render=False).problems if p.code == "spec"]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "min: 19000101" in t)
    assert [(p.file, p.line) for p in found] == [("schemas/test-form/1.yaml", line)]
    assert "fields[2].min" in found[0].message and "YYYY-MM-DD" in found[0].message + found[0].fix


def test_nysan_forms_check_reports_reserved_name_with_its_code(tmp_path):
    data = make_data_dir(tmp_path / "data")
    spec = data / "schemas" / "test-form" / "1.yaml"
    text = spec.read_text(encoding="utf-8")
    # A top-level field named `document`, and a row field named `form` (inside a row it hides nothing).
    text = text.replace("{name: note, type: string", "{name: document, type: string")
    text = text.replace(
        "{name: iin, type: iin, birth_date_field: birth_date", "{name: form, type: iin, birth_date_field: birth_date"
    )
    spec.write_text(text, encoding="utf-8")
    found = checks.run(data, render=False).problems
    reserved = [p for p in found if p.code == "reserved-name"]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "name: document" in t)
    assert [(p.file, p.line) for p in reserved] == [("schemas/test-form/1.yaml", line)]
    assert "'document'" in reserved[0].message and "choose another name" in reserved[0].fix
    assert "spec" not in {p.code for p in found}


def test_context_holds_no_engine_name_beyond_the_reserved_list(forms_by_type):
    spec = forms_by_type["string"]
    context = build_context(spec, {"v": "AB12"}, "kk")
    assert set(context) - {"v"} <= set(ENGINE_NAMES)
    # ... nor does rendering.document.render, which adds the document's own names before the template runs.
    added = re.findall(r'context\["(\w+)"\] =', (ROOT / "forms/rendering/document.py").read_text(encoding="utf-8"))
    assert added and set(added) <= set(ENGINE_NAMES)
