"""The JSON API through Flask's test client: what another system reads and receives."""

from __future__ import annotations

import io
import json
import zipfile

import docx
import pytest
from pypdf import PdfReader

import forms
from service import create_app
from support.text import docx_text, pdf_text

CORE = ("referral", "placement-application")


@pytest.fixture(scope="module")
def app():
    return create_app({"API_KEYS": []})


@pytest.fixture
def client(app):
    return app.test_client()


def registry_forms():
    return list(forms.default_registry().forms)


def test_list_forms(client):
    response = client.get("/api/v1/forms")
    assert response.status_code == 200 and response.mimetype == "application/json"
    listed = {f["id"]: f for f in response.json["forms"]}
    assert set(CORE) <= set(listed)
    assert set(listed) == set(registry_forms())
    referral = listed["referral"]
    assert referral["title"]["kk"] == "ЖОЛДАМА"
    assert referral["status"] == "in_force"
    assert referral["versions"][0]["version"] == "1"
    assert referral["links"]["render"] == "/api/v1/forms/referral/render"


@pytest.mark.parametrize("form_id", registry_forms())
def test_every_form_is_described_with_schema_and_example(client, form_id):
    described = client.get(f"/api/v1/forms/{form_id}")
    assert described.status_code == 200
    assert described.json["id"] == form_id
    assert described.json["versions"] and "legal_basis" in described.json["versions"][-1]
    for version in (v["version"] for v in described.json["versions"]):
        schema = client.get(f"/api/v1/forms/{form_id}/schema?version={version}")
        assert schema.status_code == 200
        assert schema.json == forms.schema(form_id, version)
        assert schema.json["x-nysan"] == {**schema.json["x-nysan"], "form": form_id, "version": version}
        example = client.get(f"/api/v1/forms/{form_id}/example", query_string={"version": version})
        assert example.status_code == 200 and example.json == forms.example(form_id, version)


@pytest.mark.parametrize("form_id", registry_forms())
def test_every_example_validates_as_the_engine_says(client, form_id):
    """The API agrees with the engine (a form mid-work may have an invalid example: then a 422 with
    the same errors)."""
    spec = forms.default_registry().form(form_id).latest
    as_of = (spec.effective_to or spec.effective_from).isoformat()
    data = forms.example(form_id, spec.version)
    expected = forms.validate(form_id, data, version=spec.version, as_of=as_of)
    response = client.post(f"/api/v1/forms/{form_id}/validate?version={spec.version}&as_of={as_of}", json=data)
    if expected:
        assert response.status_code == 422 and response.json["errors"] == expected
    else:
        assert response.status_code == 200
        assert response.json == {"valid": True, "form": form_id, "version": spec.version}


def test_validate_reports_every_error_in_the_asked_language(client):
    data = {**forms.example("referral"), "issue_date": "2024-13-01"}
    del data["applicant"]
    response = client.post("/api/v1/forms/referral/validate", json=data, headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.status_code == 422
    body = response.json
    assert body["code"] == "invalid_data" and body["message"] == "Данные не прошли проверку: ошибок: 2."
    assert {"path": "issue_date", "code": "invalid_date", "message": "Неверная дата (ожидается ГГГГ-ММ-ДД)."} in body[
        "errors"
    ]
    assert {"path": "applicant", "code": "required", "message": "Это поле обязательно для заполнения."} in body[
        "errors"
    ]
    kk = client.post("/api/v1/forms/referral/validate", json=data, headers={"Accept-Language": "kk"}).json
    assert "Күн қате (ЖЖЖЖ-АА-КК пішімі күтілген)." in [e["message"] for e in kk["errors"]]
    en = client.post("/api/v1/forms/referral/validate", json=data).json
    assert "This field is required." in [e["message"] for e in en["errors"]]


@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_render_pdf_with_headers_and_text(client, lang):
    response = client.post(f"/api/v1/forms/referral/render?lang={lang}&format=pdf", json=forms.example("referral"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="referral-v1-{lang}.pdf"'
    assert response.headers["X-Nysan-Form"] == "referral"
    assert response.headers["X-Nysan-Form-Version"] == "1"
    assert response.headers["X-Nysan-Language"] == lang
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert ("ЖОЛДАМА" if lang == "kk" else "НАПРАВЛЕНИЕ") in text
    applicant = forms.example("referral")["applicant"]
    assert applicant["last_name"] in text


def test_render_docx_and_html_of_placement_application(client):
    data = forms.example("placement-application")
    response = client.post("/api/v1/forms/placement-application/render?lang=kk&format=docx", json=data)
    assert response.status_code == 200
    assert response.mimetype == forms.MEDIA_TYPES["docx"]
    assert response.headers["Content-Disposition"] == 'attachment; filename="placement-application-v1-kk.docx"'
    assert "Өтініш" in docx_text(response.data)
    assert docx.Document(io.BytesIO(response.data)).core_properties.identifier == "placement-application@1"
    html = client.post("/api/v1/forms/placement-application/render?lang=ru&format=html", json=data)
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert html.headers["Content-Disposition"] == 'inline; filename="placement-application-v1-ru.html"'
    assert "<html" in html.get_data(as_text=True).lower()


def test_render_picks_the_version_in_force_on_as_of(client):
    response = client.post("/api/v1/forms/referral/render?as_of=2024-05-01&format=html", json=forms.example("referral"))
    assert response.status_code == 200 and response.headers["X-Nysan-Form-Version"] == "1"


def test_batch_as_zip_with_manifest(client):
    body = {
        "lang": "kk",
        "documents": [
            {"form": "referral", "data": forms.example("referral")},
            {
                "form": "placement-application",
                "data": forms.example("placement-application"),
                "lang": "ru",
                "format": "docx",
            },
        ],
    }
    response = client.post("/api/v1/render/batch", json=body)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["X-Nysan-Documents"] == "2"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["001-referral-v1-kk.pdf", "002-placement-application-v1-ru.docx", "manifest.json"]
    assert "ЖОЛДАМА" in pdf_text(archive.read("001-referral-v1-kk.pdf"))
    assert "Заявление" in docx_text(archive.read("002-placement-application-v1-ru.docx"))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest[1] == {
        "file": "002-placement-application-v1-ru.docx",
        "form": "placement-application",
        "version": "1",
        "lang": "ru",
        "format": "docx",
    }


def test_batch_as_one_merged_pdf(client):
    single = client.post("/api/v1/forms/referral/render", json=forms.example("referral")).data
    body = {
        "output": "pdf",
        "documents": [
            {"form": "referral", "data": forms.example("referral")},
            {"form": "referral", "data": forms.example("referral"), "lang": "ru"},
        ],
    }
    response = client.post("/api/v1/render/batch", json=body)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    merged = PdfReader(io.BytesIO(response.data))
    first_pages = len(PdfReader(io.BytesIO(single)).pages)
    assert len(merged.pages) == 2 * first_pages
    assert "ЖОЛДАМА" in merged.pages[0].extract_text()
    assert "НАПРАВЛЕНИЕ" in merged.pages[first_pages].extract_text()


def test_health_readiness_and_openapi(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["forms"] == len(registry_forms())
    document = client.get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    for path in (
        "/api/v1/forms",
        "/api/v1/forms/{form}",
        "/api/v1/forms/{form}/schema",
        "/api/v1/forms/{form}/example",
        "/api/v1/forms/{form}/validate",
        "/api/v1/forms/{form}/render",
        "/api/v1/render/batch",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in document["paths"], path
    components = document["components"]["schemas"]
    for form in forms.default_registry().forms.values():
        for version in form.versions:
            component = components[f"{form.id}.v{version.version}"]
            assert component["properties"] == forms.schema(form.id, version.version)["properties"]
    assert set(components["Error"]["required"]) == {"code", "message", "errors"}
    render = document["paths"]["/api/v1/forms/{form}/render"]["post"]
    assert {"X-Nysan-Form", "X-Nysan-Form-Version", "Content-Disposition"} <= set(render["responses"]["200"]["headers"])
    assert render["responses"]["422"] == {"$ref": "#/components/responses/Error422"}
