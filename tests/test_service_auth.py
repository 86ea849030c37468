"""API keys (hashed, Bearer, scopes) and the refusal to listen beyond loopback without them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

import forms
from service import create_app
from service.cli import main
from service.config import UnsafeBind, check_bind, is_loopback, load_config

KEY = "test-key-0123456789"
READER = "reader-key-abcdef"


@pytest.fixture(scope="module")
def client():
    digest = hashlib.sha256(READER.encode()).hexdigest()
    app = create_app({"API_KEYS": [KEY, {"sha256": digest, "scopes": ["read"]}]})
    return app.test_client()


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_keys_are_kept_hashed_only():
    config = load_config({"API_KEYS": [KEY, "sha256:" + "A" * 64, {"key": "other", "scopes": ["render"]}]})
    assert KEY not in json.dumps(config) and "other" not in json.dumps(config)
    every = ["read", "validate", "render", "issue", "documents", "revoke", "audit", "cases", "case_actions"]
    assert config["API_KEYS"] == [
        {"sha256": hashlib.sha256(KEY.encode()).hexdigest(), "scopes": every, "organisation": "default"},
        {"sha256": "a" * 64, "scopes": every, "organisation": "default"},
        {"sha256": hashlib.sha256(b"other").hexdigest(), "scopes": ["render"], "organisation": "default"},
    ]
    from_env = load_config(environ={"NYSAN_API_KEYS": f"{KEY}, sha256:{'b' * 64}"})
    assert [k["sha256"] for k in from_env["API_KEYS"]] == [hashlib.sha256(KEY.encode()).hexdigest(), "b" * 64]
    with pytest.raises(ValueError):
        load_config({"API_KEYS": [{"key": "x", "scopes": ["admin"]}]})


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}])
def test_missing_key_is_401_with_challenge(client, headers):
    response = client.get("/api/v1/forms", headers=headers)
    assert response.status_code == 401 and response.json["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json["message"]


def test_wrong_key_is_401_in_the_asked_language(client):
    response = client.post(
        "/api/v1/forms/referral/render", json={}, headers={**bearer("nope"), "Accept-Language": "kk"}
    )
    assert response.status_code == 401
    assert response.json == {"code": "invalid_api_key", "message": "API кілті жарамсыз.", "errors": []}
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_valid_key_opens_the_api(client):
    assert client.get("/api/v1/forms", headers=bearer(KEY)).status_code == 200
    response = client.post(
        "/api/v1/forms/referral/render?format=html",
        json=forms.example("referral"),
        headers={"Authorization": f"bearer {KEY}"},
    )
    assert response.status_code == 200


def test_scopes_give_403(client):
    assert client.get("/api/v1/forms/referral/schema", headers=bearer(READER)).status_code == 200
    for path in ("/api/v1/forms/referral/validate", "/api/v1/forms/referral/render", "/api/v1/render/batch"):
        response = client.post(path, json={}, headers=bearer(READER))
        assert response.status_code == 403 and response.json["code"] == "forbidden"
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_health_metrics_and_openapi_need_no_key(client):
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert client.get(path).status_code == 200, path
    document = client.get("/openapi.json").json
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `Authorization: Bearer <key>`.",
    }
    assert document["paths"]["/api/v1/forms"]["get"]["security"] == [{"bearerAuth": []}]
    assert "401" in document["paths"]["/api/v1/forms"]["get"]["responses"]


def test_open_api_without_keys():
    client = create_app({"API_KEYS": []}).test_client()
    assert client.get("/api/v1/forms").status_code == 200
    assert client.get("/openapi.json").json["paths"]["/api/v1/forms"]["get"]["security"] == [{}]


def test_loopback_only_without_keys():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("::")
    check_bind("127.0.0.1", {"API_KEYS": []})
    check_bind("0.0.0.0", {"API_KEYS": [{"sha256": "0" * 64, "scopes": ["read"]}], "WEB": False})
    with pytest.raises(UnsafeBind, match="refusing to listen on 0.0.0.0: no API keys"):
        check_bind("0.0.0.0", {"API_KEYS": [], "WEB": False})


@pytest.mark.server
def test_nysan_serve_refuses_and_says_why(capsys, monkeypatch):
    monkeypatch.delenv("NYSAN_API_KEYS", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "8999"]) == 2
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0" in err and "NYSAN_API_KEYS" in err
    monkeypatch.setenv("NYSAN_API_KEYS", KEY)
    monkeypatch.setenv("NYSAN_WEB", "off")
    assert main(["serve", "--dev", "--host", "0.0.0.0", "--port", "8999"]) == 2
    assert "development server" in capsys.readouterr().err


def test_api_key_command_prints_a_key_and_its_hash(capsys):
    assert main(["api-key"]) == 0
    out = capsys.readouterr().out
    key = out.split("key:", 1)[1].split()[0]
    assert f"NYSAN_API_KEYS=sha256:{hashlib.sha256(key.encode()).hexdigest()}" in out
    client = create_app({"API_KEYS": [f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"]}).test_client()
    assert client.get("/api/v1/forms", headers=bearer(key)).status_code == 200


@pytest.mark.server
def test_gunicorn_with_our_config_refuses_too():
    env = {k: v for k, v in os.environ.items() if not k.startswith("NYSAN_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:service.gunicorn_conf",
            "service.app:create_app()",
            "--bind",
            "0.0.0.0:8998",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0" in result.stderr
    assert "Listening at" not in result.stderr
