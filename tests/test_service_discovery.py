"""Another system's view: discover, validate and render every registered form using only
/openapi.json, the paths it names and the JSON Schemas in its components."""

from __future__ import annotations

import io

import jsonschema
import pytest
from openapi_spec_validator import validate
from pypdf import PdfReader

import forms
from service import create_app

client = create_app({"API_KEYS": []}).test_client()
DOCUMENT = client.get("/openapi.json").json


def documented_forms() -> list[str]:
    parameter = next(p for p in DOCUMENT["paths"]["/api/v1/forms/{form}"]["get"]["parameters"] if p["name"] == "form")
    return parameter["schema"]["enum"]


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"] == "3.1.0"
    validate(DOCUMENT)


def test_the_document_names_every_registered_form():
    assert set(documented_forms()) == set(forms.default_registry().forms)
    assert {"referral", "placement-application"} <= set(documented_forms())
    body = DOCUMENT["paths"]["/api/v1/forms/{form}/render"]["post"]["requestBody"]["content"]["application/json"]
    refs = {r["$ref"] for r in body["schema"]["anyOf"]}
    assert "#/components/schemas/referral.v1" in refs
    jsonschema.Draft202012Validator.check_schema(DOCUMENT["components"]["schemas"]["referral.v1"])


@pytest.mark.parametrize("form_id", documented_forms())
def test_discover_validate_and_render_from_the_document_alone(form_id):
    described = client.get(f"/api/v1/forms/{form_id}").json
    latest = described["versions"][-1]
    version = latest["version"]
    schema = DOCUMENT["components"]["schemas"][f"{form_id}.v{version}"]
    example = client.get(f"/api/v1/forms/{form_id}/example", query_string={"version": version}).json
    # The published JSON Schema accepts the published example ...
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(example)] == []
    # ... and rejects what breaks it, as the API does.
    broken = {**example, "not_a_field": 1}
    assert not validator.is_valid(broken)
    as_of = latest["effective_to"] or latest["effective_from"]  # inside the window, repealed forms too
    query = {"version": version, "as_of": as_of}
    assert client.post(f"/api/v1/forms/{form_id}/validate", query_string=query, json=broken).status_code == 422
    checked = client.post(f"/api/v1/forms/{form_id}/validate", query_string=query, json=example)
    engine_errors = forms.validate(form_id, example, version=version, as_of=as_of)
    assert engine_errors == [] and checked.status_code == 200, engine_errors
    response = client.post(
        f"/api/v1/forms/{form_id}/render", query_string={**query, "lang": "kk", "format": "pdf"}, json=example
    )
    assert response.status_code == 200
    assert response.headers["X-Nysan-Form"] == form_id and response.headers["X-Nysan-Form-Version"] == version
    assert response.headers["Content-Disposition"] == f'attachment; filename="{form_id}-v{version}-kk.pdf"'
    metadata = PdfReader(io.BytesIO(response.data)).metadata
    assert f"({form_id}, v{version})" in metadata.title
