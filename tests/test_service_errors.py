"""Every bad request gets a 4xx (or a 503 for overload) with the JSON envelope, never a 500 or HTML."""

from __future__ import annotations

import threading
import time

import pytest

import forms
from service import create_app

REPEALED = "special-services-journal"


def envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == {"code", "message", "errors"} and body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    for error in body["errors"]:
        assert set(error) == {"path", "code", "message"}
    return body


@pytest.fixture(scope="module")
def app():
    return create_app({"API_KEYS": [], "MAX_ROWS": 3, "MAX_BATCH": 2, "MAX_CONTENT_LENGTH": 64 * 1024})


@pytest.fixture
def client(app):
    return app.test_client()


def test_malformed_json(client):
    response = client.post("/api/v1/forms/referral/validate", data='{"applicant": ', content_type="application/json")
    body = envelope(response, 400, "invalid_json")
    assert body["message"] == "The body is not valid JSON (line 1, column 15)."
    assert envelope(
        client.post("/api/v1/forms/referral/render", data=b"\xff\xfe", content_type="application/json"),
        400,
        "invalid_json",
    )
    assert envelope(
        client.post("/api/v1/forms/referral/validate", data="NaN", content_type="application/json"), 400, "invalid_json"
    )
    deep = "[" * 30000 + "]" * 30000  # under the body limit, over Python's recursion limit
    envelope(
        client.post("/api/v1/forms/referral/validate", data=deep, content_type="application/json"), 400, "invalid_json"
    )


def test_wrong_media_type(client):
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        response = client.post("/api/v1/forms/referral/render", data="{}", content_type=content_type)
        envelope(response, 415, "unsupported_media_type")


def test_json_that_is_not_an_object(client):
    body = envelope(client.post("/api/v1/forms/referral/validate", json=[1, 2]), 422, "invalid_data")
    assert body["errors"][0]["code"] == "invalid_type"
    envelope(client.post("/api/v1/forms/referral/render", json="text"), 422, "invalid_data")


def test_unknown_form_and_version(client):
    for method, path in (
        ("get", "/api/v1/forms/nope"),
        ("get", "/api/v1/forms/nope/schema"),
        ("get", "/api/v1/forms/nope/example"),
        ("post", "/api/v1/forms/nope/validate"),
        ("post", "/api/v1/forms/nope/render"),
    ):
        response = getattr(client, method)(path, json={})
        envelope(response, 404, "unknown_form")
    for method, path in (
        ("get", "/api/v1/forms/referral/schema?version=99"),
        ("get", "/api/v1/forms/referral/example?version=99"),
        ("post", "/api/v1/forms/referral/validate?version=99"),
        ("post", "/api/v1/forms/referral/render?version=99"),
    ):
        body = envelope(getattr(client, method)(path, json={}), 404, "unknown_version")
        assert "99" in body["message"]


@pytest.mark.parametrize("path", ["validate", "render"])
def test_bad_query_parameters(client, path):
    response = client.post(f"/api/v1/forms/referral/{path}?as_of=2024-02-30&version=../x", json={})
    body = envelope(response, 400, "invalid_parameter")
    assert {"query.as_of", "query.version"} <= {e["path"] for e in body["errors"]}
    response = client.post(f"/api/v1/forms/referral/{path}?as_of=2024-01-01&as_of=2024-01-02", json={})
    envelope(response, 400, "invalid_parameter")


def test_bad_render_options(client):
    response = client.post(
        "/api/v1/forms/referral/render?lang=en&format=odt",
        json=forms.example("referral"),
        headers={"Accept-Language": "kk"},
    )
    body = envelope(response, 400, "invalid_parameter")
    assert {e["path"]: e["code"] for e in body["errors"]} == {
        "query.lang": "invalid_choice",
        "query.format": "invalid_choice",
    }
    assert "Мына мәндердің бірі болуы тиіс: kk, ru." in [e["message"] for e in body["errors"]]


def test_repealed_form_names_the_repealing_order():
    spec = forms.default_registry().form(REPEALED).latest
    assert spec.status == "repealed" and spec.effective_to, f"{REPEALED} does not record its repeal"
    client = create_app({"API_KEYS": []}).test_client()
    for lang, words in (("en", "No. 230"), ("ru", "№ 230"), ("kk", "№ 230")):
        for path in ("validate", "render"):
            response = client.post(
                f"/api/v1/forms/{REPEALED}/{path}?as_of=2023-07-01",
                json=forms.example(REPEALED),
                headers={"Accept-Language": lang},
            )
            body = envelope(response, 422, "repealed")
            assert words in body["message"] and "2023-07-01" in body["message"]
    inside = client.post(f"/api/v1/forms/{REPEALED}/validate?as_of=2023-06-30", json=forms.example(REPEALED))
    expected = forms.validate(REPEALED, forms.example(REPEALED), as_of="2023-06-30")
    assert inside.status_code == (422 if expected else 200)


def test_flask_404_and_405_are_json(client):
    for path in ("/api/v1/nothing", "/api/v2/forms", "/api", "/openapi.yaml", "/healthz/x"):
        envelope(client.get(path), 404, "not_found")
    response = client.delete("/api/v1/forms/referral")
    body = envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"] and body["message"].startswith("This method")
    envelope(client.get("/api/v1/forms/referral/render"), 405, "method_not_allowed")
    envelope(client.put("/api/v1/render/batch", json={}), 405, "method_not_allowed")
    # A browser asking for HTML on the API still gets JSON.
    envelope(client.get("/api/v1/nothing", headers={"Accept": "text/html"}), 404, "not_found")


def test_body_too_large(client):
    big = {"x": "a" * (70 * 1024)}
    body = envelope(client.post("/api/v1/forms/referral/validate", json=big), 413, "body_too_large")
    assert "65536" in body["message"]
    envelope(client.post("/api/v1/render/batch", json=big), 413, "body_too_large")


def test_too_many_rows(client):
    data = {**forms.example("referral"), "family": [{}] * 4}
    body = envelope(client.post("/api/v1/forms/referral/render", json=data), 413, "too_many_rows")
    assert body["errors"] == [
        {"path": "family", "code": "too_many_rows", "message": "At most 3 entries in one list of a document."}
    ]
    nested = {"a": {"b": [[1, 2, 3, 4]]}}
    body = envelope(client.post("/api/v1/forms/referral/validate", json=nested), 413, "too_many_rows")
    assert body["errors"][0]["path"] == "a.b[0]"


def test_too_many_documents_and_bad_batches(client):
    one = {"form": "referral", "data": forms.example("referral")}
    body = envelope(client.post("/api/v1/render/batch", json={"documents": [one] * 3}), 413, "too_many_documents")
    assert body["errors"][0]["path"] == "documents"
    bad = {
        "output": "tar",
        "extra": 1,
        "documents": [
            {**one, "format": "rtf"},
            {"form": "nope", "data": {}},
            {"form": "referral", "data": {"issue_date": "x"}},
        ],
    }
    envelope(client.post("/api/v1/render/batch", json={**bad, "documents": bad["documents"][:2]}), 422, "invalid_batch")
    body = envelope(client.post("/api/v1/render/batch", json={"documents": bad["documents"][1:]}), 422, "invalid_batch")
    paths = {e["path"]: e["code"] for e in body["errors"]}
    assert paths["documents[0].form"] == "unknown_form"
    assert paths["documents[1].data.issue_date"] == "invalid_date"
    body = envelope(
        client.post("/api/v1/render/batch", json={"output": "tar", "extra": 1, "documents": [one]}),
        422,
        "invalid_batch",
    )
    assert {e["path"] for e in body["errors"]} == {"output", "extra"}
    merged_docx = {"output": "pdf", "documents": [{**one, "format": "docx"}]}
    body = envelope(client.post("/api/v1/render/batch", json=merged_docx), 422, "invalid_batch")
    assert body["errors"][0]["code"] == "merge_needs_pdf"
    for wrong, code in (
        ([], "invalid_type"),
        ({}, "required"),
        ({"documents": []}, "too_few_items"),
        ({"documents": "x"}, "invalid_type"),
        ({"documents": [5]}, "invalid_type"),
    ):
        body = envelope(client.post("/api/v1/render/batch", json=wrong), 422, "invalid_batch")
        assert body["errors"][0]["code"] == code
    envelope(client.post("/api/v1/render/batch", data="{", content_type="application/json"), 400, "invalid_json")


def test_render_timeout_answers_503_and_the_worker_survives(slow_renders):
    app = create_app({"API_KEYS": [], "RENDER_TIMEOUT": 0.05, "RENDER_SLOTS": 2, "RENDER_INLINE_ROWS": 0})
    client = app.test_client()
    data = forms.example("referral")
    response = client.post("/api/v1/forms/referral/render", json=data)  # each render takes a second
    body = envelope(response, 503, "render_timeout")
    assert response.headers["Retry-After"] == "1"
    assert "0.05" in body["message"]
    # The same process renders again once the time allowed is enough.
    app.extensions["nysan.render_gate"].timeout = 60
    again = client.post("/api/v1/forms/referral/render", json=data)
    assert again.status_code == 200 and again.data.startswith(b"%PDF")


def _in_background(call):
    """Start ``call()`` in a thread; wait until its render holds the slot."""
    worker = threading.Thread(target=call)
    worker.start()
    time.sleep(0.3)
    return worker


def test_an_overrunning_render_is_stopped_and_its_slot_freed_while_another_is_refused(slow_renders):
    app = create_app({"API_KEYS": [], "RENDER_TIMEOUT": 0.1, "RENDER_SLOTS": 1, "RENDER_INLINE_ROWS": 0})
    client = app.test_client()
    data = forms.example("referral")
    envelope(client.post("/api/v1/forms/referral/render", json=data), 503, "render_timeout")
    app.extensions["nysan.render_gate"].timeout = 30  # no wait: the overrunning render was killed
    worker = _in_background(lambda: client.post("/api/v1/forms/referral/render", json=data))
    busy = app.test_client().post("/api/v1/forms/referral/render", json=data)
    envelope(busy, 503, "busy")
    assert busy.headers["Retry-After"] == "30"
    worker.join()
    assert client.post("/api/v1/forms/referral/render", json=data).status_code == 200


def test_one_render_gate_for_the_app_each_blueprint_answering_its_own_way(slow_renders):
    from test_web_submit import post, referral_fields

    app = create_app(
        {
            "API_KEYS": [],
            "TESTING": True,
            "SECRET_KEY": "test",
            "RENDER_TIMEOUT": 0.1,
            "RENDER_SLOTS": 1,
            "RENDER_INLINE_ROWS": 0,
        }
    )
    client = app.test_client()
    page = post(client, "pdf", referral_fields())  # overruns: the web's "try again" page
    assert (page.status_code, page.mimetype, page.headers["Retry-After"]) == (503, "text/html", "1")
    assert "Құжат әлі дайын емес" in page.get_data(as_text=True)
    app.extensions["nysan.render_gate"].timeout = 5
    worker = _in_background(lambda: post(app.test_client(), "pdf", referral_fields()))
    busy = client.post("/api/v1/forms/referral/render", json=forms.example("referral"))
    envelope(busy, 503, "busy")  # the web's render holds the app's one slot
    assert busy.headers["Retry-After"] == "5"
    page = post(client, "pdf", referral_fields())  # busy: the same page
    assert page.status_code == 503 and "Құжат әлі дайын емес" in page.get_data(as_text=True)
    worker.join()


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("kk", "Табылмады: мұндай мекенжай жоқ."),
        ("ru-KZ,ru;q=0.9,en;q=0.5", "Не найдено: такого адреса нет."),
        ("de", "Not found: there is no such address."),
        (None, "Not found: there is no such address."),
    ],
)
def test_messages_follow_accept_language(client, lang, expected):
    headers = {"Accept-Language": lang} if lang else {}
    assert envelope(client.get("/api/v1/void", headers=headers), 404, "not_found")["message"] == expected


def test_an_unexpected_failure_is_a_json_500(client, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(forms, "describe", broken)
    body = envelope(client.get("/api/v1/forms/referral"), 500, "internal_error")
    assert "boom" not in body["message"]


def test_redirects_stay_redirects():
    app = create_app({"API_KEYS": []})
    app.add_url_rule("/trailing/", "trailing", lambda: "ok")
    response = app.test_client().get("/trailing", headers={"Accept": "*/*"})
    assert response.status_code == 308 and response.headers["Location"].endswith("/trailing/")
