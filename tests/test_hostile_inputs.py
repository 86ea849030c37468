"""Hostile input, items 2, 4, 5, 7, 8 and 9: no web forms beyond loopback, form posts in linear time
and capped, no 500 for crafted inputs, scopes, bounded metric labels, capped error lists, the API's
HTML sandboxed, Secure cookies over HTTPS."""

from __future__ import annotations

import json
import resource
import time

import pytest
from test_web_submit import post, referral_fields, token

import forms
from forms.settings import SettingsError
from service import create_app
from service.config import UnsafeBind, check_bind, load_config


@pytest.fixture
def app():
    return create_app({"API_KEYS": [], "TESTING": True, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


# --- 2. web forms beyond loopback ------------------------------------------------------------------


def test_web_forms_are_not_served_beyond_loopback():
    keys = [{"sha256": "0" * 64, "scopes": ["read"]}]
    with pytest.raises(UnsafeBind, match="web forms have no sign-in.*NYSAN_WEB=off"):
        check_bind("0.0.0.0", {"API_KEYS": keys, "WEB": True})
    check_bind("0.0.0.0", {"API_KEYS": keys, "WEB": False})
    check_bind("127.0.0.1", {"API_KEYS": [], "WEB": True})


def test_an_api_only_service_has_no_web_forms():
    client = create_app({"API_KEYS": [], "WEB": "off"}).test_client()
    assert client.get("/forms/referral").status_code == 404
    assert client.get("/").status_code == 404
    assert client.get("/api/v1/forms/referral").status_code == 200
    assert load_config(environ={"NYSAN_WEB": "off"})["WEB"] is False
    with pytest.raises(SettingsError, match="NYSAN_WEB must be on or off"):
        load_config(environ={"NYSAN_WEB": "maybe"})


# --- 4. form posts in linear time, capped -----------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_long_invented_field_name_costs_nothing(client):
    before = _peak_mb()
    started = time.perf_counter()
    name = "members" + "[1]" * 40_000  # 120 KB: it cost 2.36 GB when every prefix was kept
    response = post(client, "check", {**referral_fields(), name: "x"})
    assert response.status_code in (200, 422)
    assert _peak_mb() - before < 100
    assert time.perf_counter() - started < 20  # a bound, not a speed goal: the quadratic parse took minutes


def test_rows_posted_as_fields_are_capped(app):
    app.config["MAX_ROWS"] = 5
    client = app.test_client()
    fields = referral_fields()
    for i in range(2, 8):
        fields.update(
            {
                f"members[{i}].name.last_name": "Х",
                f"members[{i}].name.first_name": "Ы",
                f"members[{i}].birth_date": "2000-01-01",
                f"members[{i}].kinship": "ұлы",
            }
        )
    response = post(client, "check", fields)
    assert response.status_code == 413
    assert "5" in response.get_data(as_text=True)


def test_a_post_holds_no_more_inputs_than_its_form(client):
    invented = {f"x{i}": "1" for i in range(200)}  # the referral has some forty inputs
    response = post(client, "check", {**referral_fields(), **invented})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert post(client, "check", referral_fields()).status_code == 200


def test_the_web_payload_is_checked_like_the_api(app):
    app.config["MAX_ROWS"] = 1
    client = app.test_client()
    payload = json.dumps(forms.example("referral"), ensure_ascii=False)  # two members
    response = client.post(
        "/forms/referral", data={"_payload": payload, "_action": "pdf", "csrf_token": token(client, "/forms/referral")}
    )
    assert response.status_code == 413 and response.mimetype == "text/html"
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/forms/referral", data={"_payload": deep, "_action": "pdf", "csrf_token": token(client, "/forms/referral")}
    )
    assert response.status_code == 400
    nested = json.dumps(
        {"applicant": {"x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}
    )
    response = client.post(
        "/forms/referral", data={"_payload": nested, "_action": "check", "csrf_token": token(client, "/forms/referral")}
    )
    assert response.status_code == 400


def test_json_nesting_is_refused_before_any_work(client):
    nested = {"applicant": {"last_name": "A"}}
    node = nested
    for _ in range(50):
        node["x"] = {}
        node = node["x"]
    response = client.post("/api/v1/forms/referral/validate", json=nested)
    assert response.status_code == 400 and response.json["code"] == "too_deep"
    response = client.post("/api/v1/forms/referral/render", data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400


# --- 5. no 500 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\ud800", "\udfff", "\ufffe", "\uffff"])
def test_invalid_characters_are_refused_at_validation(client, character):
    data = forms.example("referral")
    data["applicant"]["last_name"] += character
    response = client.post("/api/v1/forms/referral/render", data=json.dumps(data), content_type="application/json")
    assert response.status_code == 422
    assert {"path": "applicant.last_name", "code": "invalid_character"} in [
        {k: e[k] for k in ("path", "code")} for e in response.json["errors"]
    ]
    assert forms.validate("referral", data, lang="kk")[0]["message"]


def test_a_surrogate_in_a_key_is_answered(client):
    response = client.post("/api/v1/forms/referral/validate", data='{"\\ud800": 1}', content_type="application/json")
    assert response.status_code == 422
    assert response.json["errors"]


def test_a_line_break_in_next_is_not_a_header(client):
    response = client.get("/lang/ru?next=/%0d%0aX-Injected:%201")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "X-Injected" not in response.headers


# --- 7. scopes ----------------------------------------------------------------------------------------


def test_an_empty_scopes_list_grants_nothing():
    app = create_app({"API_KEYS": [{"key": "k1", "scopes": []}]})
    client = app.test_client()
    auth = {"Authorization": "Bearer k1"}
    assert client.get("/api/v1/forms", headers=auth).status_code == 403
    assert client.post("/api/v1/forms/referral/render", json=forms.example("referral"), headers=auth).status_code == 403


def test_an_unknown_scope_is_refused_at_start():
    with pytest.raises(SettingsError):
        load_config({"API_KEYS": [{"key": "k1", "scopes": ["read", "admin"]}]})
    with pytest.raises(SettingsError):
        load_config({"API_KEYS": [{"key": "k1", "scopes": "read"}]})


# --- 8. metric labels ----------------------------------------------------------------------------------


def test_invented_methods_do_not_grow_the_metrics(client):
    for n in range(50):
        assert client.open("/api/v1/forms", method=f"X{n}").status_code in (400, 405)
    text = client.get("/metrics").get_data(as_text=True)
    assert "X17" not in text and 'method="other"' in text


# --- 9. error lists, the API's HTML, cookies ---------------------------------------------------------


def test_at_most_100_errors_and_their_count(client):
    response = client.post("/api/v1/forms/referral/validate", json={f"x{i}": 1 for i in range(150_000)})
    assert response.status_code == 422
    assert len(response.json["errors"]) == 100 and response.json["count"] > 150_000
    assert len(response.data) < 50_000


def test_html_from_the_api_is_sandboxed(client):
    response = client.post("/api/v1/forms/referral/render?format=html", json=forms.example("referral"))
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy


def test_cookies_are_secure_over_https():
    client = create_app({"API_KEYS": [], "SECRET_KEY": "test", "HTTPS": True}).test_client()
    page = client.get("/forms/referral")
    assert page.status_code == 200
    assert "Secure" in page.headers.get("Set-Cookie", "")
    assert "Secure" in client.get("/lang/ru").headers["Set-Cookie"]
    plain = create_app({"API_KEYS": [], "SECRET_KEY": "test"}).test_client()
    assert "Secure" not in plain.get("/forms/referral").headers.get("Set-Cookie", "")
