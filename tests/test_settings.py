"""Settings read once (defaults, then NYSAN_* variables, then a mapping), checked when built; a bad
value stops the CLI and `nysan serve` with one line; forms.render leaves the caller's GC alone."""

from __future__ import annotations

import gc
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

import forms
import forms.api
from forms.settings import ENGINE, Settings, SettingsError
from service import create_app
from service.config import SETTINGS, load_config
from service.rendering import RenderGate

ROOT = Path(__file__).resolve().parent.parent


def producer(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).metadata.producer


def test_defaults_then_environment_then_mapping(tmp_path):
    assert Settings.load(environ={}) == Settings(pdf_engine="auto", data_dir=None)
    environ = {"NYSAN_PDF_ENGINE": " WeasyPrint ", "NYSAN_DATA_DIR": str(tmp_path)}
    assert Settings.load(environ=environ) == Settings(pdf_engine="weasyprint", data_dir=tmp_path.resolve())
    assert Settings.load({"PDF_ENGINE": "auto"}, environ=environ).pdf_engine == "auto"
    config = load_config({"MAX_ROWS": 7}, environ={"NYSAN_MAX_ROWS": "5", "NYSAN_RENDER_TIMEOUT": "2.5"})
    assert (config["MAX_ROWS"], config["RENDER_TIMEOUT"], config["WORKERS"]) == (7, 2.5, 2)


@pytest.mark.parametrize(
    "variable, value, expects",
    [
        ("NYSAN_PDF_ENGINE", "chromium", "auto or weasyprint"),
        ("NYSAN_DATA_DIR", "/no/such/folder", "an existing folder"),
        ("NYSAN_WORKERS", "x", "a whole number of at least 1"),
        ("NYSAN_MAX_ROWS", "-1", "a whole number of at least 1"),
        ("NYSAN_PORT", "70000", "a port number"),
        ("NYSAN_RENDER_TIMEOUT", "0", "a number of seconds greater than 0"),
        ("NYSAN_LOG_LEVEL", "loud", "DEBUG, INFO"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_expects(variable, value, expects):
    with pytest.raises(SettingsError) as raised:
        load_config(environ={variable: value})
    assert str(raised.value).startswith(f"{variable} must be {expects}")
    assert repr(value) in str(raised.value)


def test_bad_values_from_a_mapping_or_the_constructor_are_refused_too():
    with pytest.raises(SettingsError, match="^PDF_ENGINE must be auto or weasyprint"):
        Settings.load({"PDF_ENGINE": "chromium"}, environ={})
    with pytest.raises(SettingsError, match="^pdf_engine must be auto or weasyprint"):
        Settings(pdf_engine="chromium")
    with pytest.raises(SettingsError, match="^PDF_ENGNE must be one of DATA_DIR, PDF_ENGINE"):
        Settings.load({"PDF_ENGNE": "weasyprint"}, environ={})  # a typo is not a silent default
    with pytest.raises(SettingsError, match="^MAX_BATCH must be a whole number"):
        create_app({"MAX_BATCH": 2.5})
    with pytest.raises(SettingsError, match="^RENDER_SLOTS must be a whole number"):
        create_app({"RENDER_SLOTS": True})


def test_a_secret_is_never_repeated_in_the_error():
    with pytest.raises(SettingsError) as raised:
        load_config(environ={"NYSAN_API_KEYS": '[{"key": "nysan_secret", "scopes": ["admin"]}]'})
    assert "NYSAN_API_KEYS must be" in str(raised.value) and "nysan_secret" not in str(raised.value)
    with pytest.raises(SettingsError, match="^API_KEYS must be keys or sha256:"):
        create_app({"API_KEYS": [{"scopes": ["read"]}]})  # neither key nor sha256


def test_the_engine_reads_no_environment_at_render_time(monkeypatch):
    data = forms.example("referral")
    typeset = forms.Registry(settings=Settings(pdf_engine="auto"))
    forms.default_settings()  # the process's, read once
    monkeypatch.setenv("NYSAN_PDF_ENGINE", "chromium")  # read at render time, this would now fail
    assert producer(forms.render("referral", data, registry=typeset)) == "Nysan typesetter"
    assert forms.render("referral", data).startswith(b"%PDF")
    client = create_app({"API_KEYS": [], "PDF_ENGINE": "auto"}).test_client()  # the mapping overrides
    response = client.post("/api/v1/forms/referral/render", json=data)
    assert response.status_code == 200 and producer(response.data) == "Nysan typesetter"
    weasyprint = forms.Registry(settings=Settings(pdf_engine="weasyprint"))
    assert producer(forms.render("referral", data, registry=weasyprint)).startswith("WeasyPrint")


def test_the_service_gives_the_engine_its_settings(monkeypatch):
    forms.default_settings()  # this process's, read before the variable changes
    monkeypatch.setenv("NYSAN_PDF_ENGINE", "weasyprint")
    client = create_app({"API_KEYS": [], "PDF_ENGINE": "auto"}).test_client()
    response = client.post("/api/v1/forms/referral/render", json=forms.example("referral"))
    assert response.status_code == 200 and producer(response.data) == "Nysan typesetter"
    client = create_app({"API_KEYS": []}).test_client()  # the environment's, read when the app is made
    response = client.post("/api/v1/forms/referral/render", json=forms.example("referral"))
    assert response.status_code == 200 and producer(response.data).startswith("WeasyPrint")


def test_the_apps_own_mapping_overrides_a_bad_variable(monkeypatch):
    data = forms.example("referral")
    monkeypatch.setenv("NYSAN_PDF_ENGINE", "chromium")
    forms.default_settings.cache_clear()  # as in a fresh process with this variable
    try:
        with pytest.raises(SettingsError):
            create_app({"API_KEYS": []})
        client = create_app({"API_KEYS": [], "PDF_ENGINE": "weasyprint"}).test_client()
        response = client.post("/api/v1/forms/referral/render", json=data)
        assert response.status_code == 200 and producer(response.data).startswith("WeasyPrint")
    finally:
        forms.default_settings.cache_clear()


@pytest.mark.parametrize("enabled", [True, False])
def test_render_leaves_the_callers_garbage_collector_as_it_was(monkeypatch, enabled):
    seen = []
    real = forms.api.document.render
    monkeypatch.setattr(
        forms.api.document, "render", lambda *args, **kwargs: seen.append(gc.isenabled()) or real(*args, **kwargs)
    )
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert forms.render("referral", forms.example("referral")).startswith(b"%PDF")
        assert seen == [enabled] and gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_services_render_gate_pauses_the_collector_while_it_renders():
    assert gc.isenabled()
    assert RenderGate(slots=1, timeout=10).run(gc.isenabled) is False
    assert gc.isenabled()


def test_validation_in_the_service_and_the_register_runs_with_the_collector_paused(monkeypatch, tmp_path):
    # A long journal's clean data is millions of objects, all kept: a full collection in the middle
    # of its validation cost an issue 100 ms (in a render or issue the collector is paused).
    import forms.rendering.request
    from recordkeeping import Actor, Register
    from recordkeeping.settings import RecordSettings

    seen = []
    for module in (forms.rendering.request, forms.api):
        monkeypatch.setattr(
            module, "check", lambda spec, data, real=module.check: seen.append(gc.isenabled()) or real(spec, data)
        )
    client = create_app({"API_KEYS": [], "STATE_DIR": str(tmp_path / "service")}).test_client()
    assert client.post("/api/v1/forms/referral/render", json=forms.example("referral")).status_code == 200
    assert client.post("/api/v1/forms/referral/validate", json=forms.example("referral")).status_code == 200
    batch = {"documents": [{"form": "referral", "data": forms.example("referral")}]}
    assert client.post("/api/v1/render/batch", json=batch).status_code == 200
    register = Register.open(forms.default_registry(), RecordSettings(tmp_path / "register"))
    try:
        register.issue(Actor(organisation="default", name="test"), "referral", forms.example("referral"))
    finally:
        register.close()
    assert seen == [False] * 5 and gc.isenabled()  # render, validate, batch (checked, prepared), issue


def nysan(*argv: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NYSAN_", "PROMETHEUS_"))}
    environ.update(env, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run(
        [sys.executable, "-m", "service", *argv], capture_output=True, text=True, env=environ, timeout=120
    )


@pytest.mark.parametrize(
    "argv, variable, value, expects",
    [
        (("forms", "list"), "NYSAN_PDF_ENGINE", "chromium", "auto or weasyprint"),
        (("serve",), "NYSAN_PDF_ENGINE", "chromium", "auto or weasyprint"),
        (("serve",), "NYSAN_WORKERS", "x", "a whole number of at least 1"),
        (("serve",), "NYSAN_MAX_ROWS", "-1", "a whole number of at least 1"),
    ],
)
def test_a_bad_value_stops_the_command_with_one_line(argv, variable, value, expects):
    done = nysan(*argv, **{variable: value})
    assert done.returncode == 2
    assert done.stderr == f"nysan: {variable} must be {expects} (got {value!r})\n"
    assert done.stdout == ""


@pytest.mark.server
def test_a_bad_value_stops_gunicorn_started_on_its_own(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NYSAN_", "PROMETHEUS_"))}
    environ.update(
        NYSAN_WORKERS="x", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf", "service.app:create_app()"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode != 0
    assert "nysan: NYSAN_WORKERS must be a whole number of at least 1 (got 'x')" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_setting_is_documented_in_the_configuration_page():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| (.+?) \|", page, re.M))
    assert ENGINE == SETTINGS[: len(ENGINE)]
    for setting in SETTINGS:
        assert setting.name in rows, f"{setting.variable} has no row in docs/configuration.md's table"
        assert setting.doc in page, f"docs/configuration.md does not say what {setting.variable} means as declared"
