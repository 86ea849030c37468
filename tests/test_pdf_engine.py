"""Which engine made a PDF is visible: nysan_pdf_renders_total{form, engine, reason} on /metrics, and
a WARNING line (form id, engine, reason code; no data) whenever a document leaves the typesetter."""

from __future__ import annotations

import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

import forms
from forms import typeset
from forms.rendering import pdf
from service import create_app


@pytest.fixture(scope="module")
def client():
    return create_app({"API_KEYS": []}).test_client()


def renders(client, **labels) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "nysan_pdf_renders_total" and sample.labels == labels:
                return sample.value
    return 0.0


def render(client, data):
    return client.post("/api/v1/forms/referral/render", query_string={"lang": "kk", "format": "pdf"}, json=data)


def test_a_typeset_document_is_counted_as_such(client, caplog):
    before = renders(client, form="referral", engine="typeset", reason="none")
    with caplog.at_level(logging.WARNING, logger="nysan.pdf"):
        assert render(client, forms.example("referral")).status_code == 200
    assert renders(client, form="referral", engine="typeset", reason="none") == before + 1
    assert "left the typesetter" not in caplog.text


def test_a_document_leaving_the_typesetter_is_counted_and_logged_without_data(client, caplog, monkeypatch):
    def declined(html, *args):
        assert "Нұрланов" in html
        raise typeset.NotSupported("character U+1F600 needs the full shaper")

    monkeypatch.setattr(typeset, "render", declined)
    labels = {"form": "referral", "engine": "weasyprint", "reason": "character_needs_the_full_shaper"}
    before = renders(client, **labels)
    with caplog.at_level(logging.WARNING, logger="nysan.pdf"):
        response = render(client, forms.example("referral"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert renders(client, **labels) == before + 1
    [line] = [r for r in caplog.records if r.name == "nysan.pdf"]
    assert line.levelno == logging.WARNING
    assert line.fields == {"event": "left_typesetter", **labels}
    assert "referral" in line.getMessage() and "character_needs_the_full_shaper" in line.getMessage()
    assert "Нұрланов" not in caplog.text and "U+1F600" not in caplog.text


def test_a_failing_typesetter_is_counted_by_the_exception_type_only(client, monkeypatch):
    def broken(*args):
        raise RuntimeError("Нұрланов")

    monkeypatch.setattr(typeset, "render", broken)
    labels = {"form": "referral", "engine": "weasyprint", "reason": "failed_RuntimeError"}
    before = renders(client, **labels)
    assert render(client, forms.example("referral")).status_code == 200
    assert renders(client, **labels) == before + 1


def test_the_configured_engine_is_counted_as_configured():
    client = create_app({"API_KEYS": [], "PDF_ENGINE": "weasyprint"}).test_client()
    labels = {"form": "referral", "engine": "weasyprint", "reason": "configured"}
    before = renders(client, **labels)
    assert render(client, forms.example("referral")).status_code == 200
    assert renders(client, **labels) == before + 1


@pytest.mark.parametrize(
    "message, code",
    [
        ("character U+1F600 needs the full shaper", "character_needs_the_full_shaper"),
        ("<table> in a row group", "table_element_in_a_row_group"),
        ("selector 'td.Әбенов > p'", "selector"),
        ("length 3vw", "length"),
        ("CSS error: unexpected Нұрланов", "css_error"),
    ],
)
def test_reason_codes_name_the_construct_and_nothing_after_it(message, code):
    assert pdf.reason_code(typeset.NotSupported(message)) == code
