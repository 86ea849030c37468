"""The validation fast path (forms/validation/fastcheck.py) against the marshmallow reference, on every form
version: the same clean data (values, types, key order) for every valid payload, never a vouch for
an invalid one, and so the same errors from ``check`` as from the reference alone."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import unicodedata

import pytest

import forms
from forms.catalogue.spec import FieldSpec
from forms.fields import PERSON_PARTS, dates, iin
from forms.validation import fastcheck
from forms.validation import validate as validation
from support.cases import registry_cases
from support.synthetic import make_data_dir

MUTANTS = 120  # mutated payloads per version


def spec_of(form_id, version):
    return forms.default_registry().form(form_id).version(version)


def shape(value):
    """Clean data as nested tuples with every type and key order spelled out."""
    if isinstance(value, dict):
        return ("dict", tuple((k, shape(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(shape(v) for v in value))
    return (type(value).__name__, value)


def errors(found):
    return [(e.path, e.code, json.dumps(e.params, sort_keys=True, default=str)) for e in found]


def assert_same(spec, data):
    """check == reference; the fast path vouches exactly for the valid payloads. Returns whether valid."""
    before = copy.deepcopy(data)
    ref_clean, ref_errors = validation.reference_check(spec, data)
    fast = fastcheck.load(spec, data)
    clean, found = validation.check(spec, data)
    assert data == before  # neither path changes the payload
    assert errors(found) == errors(ref_errors)
    assert shape(clean) == shape(ref_clean)
    if ref_errors:
        assert fast is None, f"the fast path vouched for invalid data: {errors(ref_errors)}"
    else:
        # Every payload here is plain JSON, which the fast path must take (or it is not fast).
        assert fast is not None and shape(fast) == shape(ref_clean)
    return not ref_errors


# --- mutations ------------------------------------------------------------------------------------


def slots(fields, data):
    """(container, field) for every field of the spec wherever the payload has its container."""
    for field in fields:
        yield data, field
        value = data.get(field.name)
        if field.type == "object" and isinstance(value, dict):
            yield from slots(field.children, value)
        elif field.type == "list" and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    yield from slots(field.children, row)
        elif field.type == "person" and isinstance(value, dict):
            for part in PERSON_PARTS:
                yield (
                    value,
                    FieldSpec(
                        name=part, type="string", label={}, required=part != "patronymic", max_length=field.max_length
                    ),
                )


def candidates(field, container, current):
    """Values for one field: valid variants (whitespace, NFC, numbers as text) and every kind of fault."""
    today = dates.today()
    common = [None, True, [], {}, 1.5]
    kind, n = field.type, field.max_length or 0
    if kind in ("string", "text"):
        text = current if isinstance(current, str) and current.strip() else "Әбенов"
        return common + [
            f"  {text}  ",
            unicodedata.normalize("NFD", text),
            f"{text}\t x",
            "a\u0301 b",
            42,
            4.5,
            "",
            "   ",
            "x" * n,
            f" {'x' * n} ",
            "x" * (n + 1),
            "a\x00b",
            "a\u200bb",
            "Баян-Өлгий",
            "line\r\nline",
            "+7 (701) 123-45-67",
            "\x1c",
            "nan",
            float("inf"),
            # the fonts' repertoire: refused (emoji, CJK, Arabic, a mark no face attaches) and accepted
            "Нұр😀",
            "王",
            "محمد",
            "a\u0310",
            "a\ue000",
            "Нұр\u00adла\u00adнов",
            "Ахме\u0301дова",
            "№ 5 — «x»",
        ]
    if kind == "date":
        values = common + [
            "1990-05-17",
            " 1990-05-17 ",
            "",
            "  ",
            "1990-02-30",
            "1990-13-01",
            "90-01-01",
            "1990-1-1",
            "1990/01/01",
            19900101,
            today.isoformat(),
            (today + dt.timedelta(days=1)).isoformat(),
            "2999-01-01",
            "\uff11\uff19\uff19\uff10-01-01",
            "2024-02-29",
        ]
        other = container.get(field.not_before) if field.not_before else None
        if isinstance(other, str) and len(other) == 10:
            try:
                day = dt.date.fromisoformat(other)
                values += [(day - dt.timedelta(days=1)).isoformat(), other]
            except ValueError:
                pass
        return values
    if kind == "iin":
        good = current if isinstance(current, str) and len(current) == 12 else "900101300017"
        values = common + [
            good,
            f"{good[:4]} {good[4:8]} {good[8:]}",
            int(good),
            good[:11],
            good[:11] + str((int(good[11]) + 1) % 10),
            good[:6] + "0" + good[7:],
            "9001013000a7",
            "901301300017",
            "",
            " ",
            "１２３",
        ]
        for days in (1, -1, 365):
            born = dt.date(1990, 1, 1) + dt.timedelta(days=days)
            made = iin.make(born, False, 1)
            if made:
                values.append(made)
        return values
    if kind == "integer":
        low = field.min if field.min is not None else -5
        high = field.max if field.max is not None else 5
        return common + [
            low,
            high,
            high + 1,
            low - 1,
            str(high),
            f" {low} ",
            "",
            "  ",
            "x",
            5.0,
            "\uff11\uff12",
            "1" * 13,
            10**13,
        ]
    if kind == "boolean":
        return common + [False, "yes", " On ", "", "0", "maybe", 1, "TRUE"]
    if kind == "enum":
        first = field.choice_values[0]
        values = common + [first, f" {first} ", "nope", 7, "", " "]
        if first.isdigit():
            values.append(int(first))
        return values
    if kind == "person":
        return common + [
            {"last_name": " Әбенов ", "first_name": "Қайрат"},
            {"last_name": "Ә"},
            {"last_name": "Ә", "first_name": "Қ", "patronymic": ""},
            {"last_name": "Ә", "first_name": "Қ", "patronymic": None},
            {"last_name": "Ә", "first_name": "Қ", "middle": "x"},
            "Әбенов Қайрат",
            {"last_name": "", "first_name": "Қ"},
        ]
    if kind == "object":
        return common + [{}, "x"]
    if kind == "list":
        rows = current if isinstance(current, list) else []
        values = common + [[], rows + [None], rows + [[]], rows + [{}], "x", rows[:1], rows + rows[:1]]
        if field.max_items is not None and rows:
            values.append((rows * (field.max_items + 1))[: field.max_items + 1])
            values.append((rows * field.max_items)[: field.max_items])
        return values
    raise AssertionError(kind)


def mutate(rng, spec, data):
    pairs = list(slots(spec.fields, data))
    container, field = rng.choice(pairs)
    action = rng.random()
    if field.type == "iin" and field.birth_date_field and action < 0.3:
        # A valid IIN with a leading zero, as text or as a JSON number, and its birth date.
        container[field.birth_date_field] = "2006-12-11"
        container[field.name] = rng.choice([61211600012, "061211600012", " 0612 1160 0012 "])
    elif action < 0.08:
        container.pop(field.name, None)
    elif action < 0.14:
        container[rng.choice(["zzz", "Name", "entries_", "1"])] = "x"
    else:
        current = container.get(field.name)
        container[field.name] = copy.deepcopy(rng.choice(candidates(field, container, current)))


def mutants(spec, example):
    rng = random.Random(f"{spec.id}@{spec.version}")  # deterministic per version
    for _ in range(MUTANTS):
        data = copy.deepcopy(example)
        for _ in range(rng.choice([1, 1, 2, 3])):
            mutate(rng, spec, data)
        yield data


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("form_id,version", registry_cases())
def test_example_takes_the_fast_path_with_the_same_clean_data(form_id, version):
    assert assert_same(spec_of(form_id, version), forms.example(form_id, version))


@pytest.mark.parametrize("form_id,version", registry_cases())
def test_mutated_payloads_give_the_reference_result(form_id, version):
    check_mutants(spec_of(form_id, version), forms.example(form_id, version))


def check_mutants(spec, example):
    assert assert_same(spec, example)
    outcomes = [assert_same(spec, data) for data in mutants(spec, example)]
    assert len(outcomes) == MUTANTS, f"{len(outcomes)} mutated payloads compared, not {MUTANTS}"
    # The mutations reach both sides: some payloads stay valid, most do not.
    assert 0 < outcomes.count(True) < len(outcomes)


# No shipped spec has a `text` field or an unbounded integer: a synthetic form has them.
TEXT_SPEC = """\
id: text-form
version: "1"
title: {kk: Т, ru: Т}
legal_basis:
  act: {kk: Т, ru: Т, en: T}
  number: "T-2"
  date: 2020-01-01
  annex: {kk: [Нысан], ru: [Форма]}
effective_from: 2020-01-01
status: in_force
official: true
ru_text: translation
fields:
  - {name: story, type: text, required: true, max_length: 40, label: {kk: а, ru: а, en: a}}
  - {name: remark, type: text, label: {kk: а, ru: а, en: a}}
  - {name: phone, type: string, pattern: "^[0-9+() -]{5,30}$", label: {kk: а, ru: а, en: a}}
  - {name: amount, type: integer, required: true, label: {kk: а, ru: а, en: a}}
  - {name: flag, type: boolean, required: true, label: {kk: а, ru: а, en: a}}
  - name: address
    type: object
    required: true
    label: {kk: а, ru: а, en: a}
    fields:
      - {name: city, type: string, required: true, label: {kk: а, ru: а, en: a}}
      - {name: since, type: date, past: true, label: {kk: а, ru: а, en: a}}
      - {name: until, type: date, not_before: since, label: {kk: а, ru: а, en: a}}
      - {name: note, type: text, max_length: 5, label: {kk: а, ru: а, en: a}}
  - name: lines
    type: list
    min_items: 1
    max_items: 4
    label: {kk: а, ru: а, en: a}
    item:
      - {name: text, type: text, required: true, label: {kk: а, ru: а, en: a}}
      - {name: count, type: integer, min: 1, label: {kk: а, ru: а, en: a}}
"""
TEXT_EXAMPLE = {
    "story": "Бірінші жол\r\n  екінші жол\t",
    "phone": "+7 701 000 00 00",
    "amount": "12",
    "flag": "on",
    "address": {"city": "Алматы", "since": "2020-01-02", "until": "2020-01-02", "note": "a\nb"},
    "lines": [{"text": "жол", "count": 1}, {"text": " екі\nжол "}],
}


@pytest.fixture
def synthetic(tmp_path):
    folder = make_data_dir(tmp_path)
    (folder / "schemas" / "text-form").mkdir()
    (folder / "schemas" / "text-form" / "1.yaml").write_text(TEXT_SPEC, encoding="utf-8")
    registry = forms.Registry(folder)
    assert registry.errors == []
    return registry


def test_synthetic_forms_give_the_reference_result(synthetic):
    check_mutants(synthetic.resolve("test-form"), synthetic.example("test-form"))
    check_mutants(synthetic.resolve("text-form"), TEXT_EXAMPLE)


@pytest.mark.parametrize(
    "form_id,version",
    [c for c in registry_cases() if any(f.type == "iin" for _, f in slots(spec_of(*c).fields, forms.example(*c)))],
)
def test_iin_as_a_json_number_keeps_its_leading_zero(form_id, version):
    spec, data = spec_of(form_id, version), forms.example(form_id, version)
    for container, field in list(slots(spec.fields, data)):
        if field.type == "iin":
            container[field.name] = 61211600012  # 061211600012, born 2006-12-11
            if field.birth_date_field:
                container[field.birth_date_field] = "2006-12-11"
    assert assert_same(spec, data)


def test_long_journal_takes_the_fast_path():
    example = forms.example("referral-journal")
    rows = example["entries"]
    data = dict(example, entries=[copy.deepcopy(rows[i % len(rows)]) for i in range(500)])
    data["entries"][7]["applicant"]["last_name"] = "  Е\u0308лкина  "  # NFC: Ёлкина
    spec = forms.default_registry().resolve("referral-journal")
    assert assert_same(spec, data)
    data["entries"][499]["birth_date"] = (dates.today() + dt.timedelta(days=1)).isoformat()
    assert not assert_same(spec, data)
    assert errors(validation.check(spec, data)[1]) == [("entries[499].birth_date", "future_date", "{}")]


def test_valid_data_does_not_reach_the_reference(monkeypatch):
    spec = forms.default_registry().resolve("referral")
    data = forms.example("referral")
    expected = shape(validation.reference_check(spec, data)[0])

    def refuse(*args):
        raise AssertionError("the reference path ran for valid data")

    monkeypatch.setattr(validation, "reference_check", refuse)
    clean, found = validation.check(spec, data)
    assert found == [] and shape(clean) == expected


def test_any_exception_in_the_fast_path_falls_back_to_the_reference(monkeypatch):
    spec = forms.default_registry().resolve("referral")
    data = forms.example("referral")
    expected = shape(validation.reference_check(spec, data)[0])

    def broken(value):
        raise RuntimeError("a bug in the fast path")

    monkeypatch.setitem(spec.__dict__, "_fastcheck", broken)
    assert fastcheck.load(spec, data) is None
    clean, found = validation.check(spec, data)
    assert found == [] and shape(clean) == expected
    invalid = dict(data, issue_date="2024-13-01")
    assert errors(validation.check(spec, invalid)[1]) == errors(validation.reference_check(spec, invalid)[1])


def test_a_field_type_without_fast_path_always_uses_the_reference(monkeypatch):
    spec = forms.default_registry().resolve("referral")
    odd = copy.copy(spec)
    odd.__dict__.pop("_fastcheck", None)
    odd.__dict__.pop("_marshmallow", None)
    odd.fields = [FieldSpec(name="x", type="mystery", label={})]
    assert fastcheck.compiled(odd) is None
    assert fastcheck.load(odd, {"x": 1}) is None


def test_today_is_the_last_valid_past_date(monkeypatch):
    spec = forms.default_registry().resolve("referral-journal")
    data = forms.example("referral-journal")
    monkeypatch.setattr(dates, "today", lambda: dt.date(2025, 3, 1))
    data["entries"][0]["birth_date"] = "2025-03-01"
    data["entries"][0]["application_date"] = "2025-03-01"
    data["entries"][0]["referral_date"] = "2025-03-01"
    data["entries"] = data["entries"][:1]
    assert assert_same(spec, data)
    data["entries"][0]["birth_date"] = "2025-03-02"
    assert not assert_same(spec, data)
