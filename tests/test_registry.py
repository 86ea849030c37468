"""The registry: every spec loads, every form is listed, versions are chosen by date."""

import datetime as dt

import jsonschema
import pytest

import forms
from support.cases import registry_cases

FORM_IDS = {
    "referral",
    "placement-application",
    "referral-journal",
    "adaptation-application",
    "adaptation-report",
    "road-map",
    "rehabilitation-contract",
    "trafficking-rehabilitation-contract",
    "violence-application",
    "violence-services-contract",
    "special-services-journal",
}


def test_every_spec_loads():
    registry = forms.Registry()
    assert registry.forms
    assert [str(e) for e in registry.errors] == []


def test_engine_forms_are_registered():
    ids = {item["id"] for item in forms.list_forms()}
    assert {"referral", "placement-application"} <= ids
    assert ids <= FORM_IDS, f"unexpected form ids: {ids - FORM_IDS}"


def test_list_forms_describes_versions():
    listed = {item["id"]: item for item in forms.list_forms()}
    referral = listed["referral"]
    assert referral["title"]["kk"] == "ЖОЛДАМА"
    assert referral["status"] == "in_force"
    version = referral["versions"][0]
    assert version["legal_basis"]["number"] == "331-ө-м"
    assert version["effective_from"] == "2021-03-16"
    assert version["ru_text"] in ("translation", "official")


@pytest.mark.parametrize("form_id,version", registry_cases())
def test_example_validates(form_id, version):
    spec = forms.default_registry().form(form_id).version(version)
    as_of = spec.effective_to or None
    assert forms.validate(form_id, forms.example(form_id, version), version=version, as_of=as_of) == []


@pytest.mark.parametrize("form_id,version", registry_cases())
def test_json_schema_exported(form_id, version):
    schema = forms.schema(form_id, version)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["x-nysan"]["form"] == form_id and schema["x-nysan"]["version"] == version
    assert schema["additionalProperties"] is False
    spec = forms.default_registry().form(form_id).version(version)
    assert set(schema["properties"]) == {f.name for f in spec.fields}


def test_json_schema_accepts_the_example_and_refuses_garbage():
    for form_id, version in registry_cases():
        schema = forms.schema(form_id, version)
        jsonschema.Draft202012Validator(schema).validate(forms.example(form_id, version))
        assert list(jsonschema.Draft202012Validator(schema).iter_errors({"no_such_field": 1}))


def test_unknown_form_and_version():
    with pytest.raises(forms.FormNotFound):
        forms.render("no-such-form", {})
    with pytest.raises(forms.VersionNotFound) as info:
        forms.render("referral", forms.example("referral"), version="99")
    assert "99" in str(info.value)


def test_version_chosen_by_date():
    spec = forms.default_registry().resolve("referral", as_of="2025-01-01")
    assert spec.version == "1"
    with pytest.raises(forms.NotInForce) as info:
        forms.default_registry().resolve("referral", as_of="2010-01-01")
    assert info.value.code == "not_yet_in_force"
    assert "331-ө-м" in info.value.message("kk")


def test_as_of_defaults_to_today_in_almaty():
    from forms.fields import dates

    assert dates.today() == dt.datetime.now(dates.ALMATY).date()
