"""One JSON log line per request with no personal data, and Prometheus metrics."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

import forms
from service import create_app


@pytest.fixture(scope="module")
def client():
    return create_app({"API_KEYS": []}).test_client()


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        from service.requestlog import JsonLines

        self.setFormatter(JsonLines())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def access_log():
    handler = Lines()
    logger = logging.getLogger("nysan.access")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def samples(client) -> dict:
    text = client.get("/metrics").get_data(as_text=True)
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_one_json_line_per_request_without_personal_data(client, access_log):
    data = forms.example("referral")
    applicant = data["applicant"]
    client.post(
        "/api/v1/forms/referral/render?lang=ru&format=html&Ivanov=1", json=data, headers={"X-Request-ID": "req-42"}
    )
    client.post("/api/v1/forms/referral/validate?as_of=2024-01-01", json={**data, "issue_date": "bad"})
    client.get("/api/v1/forms/AZAMAT-900101300017")
    assert len(access_log) == 3
    lines = [json.loads(line) for line in access_log]
    render, validate, unknown = lines
    assert render["route"] == "/api/v1/forms/<form>/render" and render["form"] == "referral"
    assert render["status"] == 200 and render["request_id"] == "req-42" and render["method"] == "POST"
    assert render["query"] == ["format", "lang"] and render["other_query"] == 1
    assert render["duration_ms"] > 0 and render["bytes"] > 0
    assert validate["status"] == 422 and validate["error"] == "invalid_data" and validate["query"] == ["as_of"]
    assert unknown["status"] == 404 and unknown["form"] is None and unknown["route"] == "/api/v1/forms/<form>"
    everything = "\n".join(access_log)
    for secret in (
        applicant["last_name"],
        applicant["first_name"],
        "900101300017",
        "AZAMAT",
        "Ivanov",
        "2024-01-01",
        data["issue_date"],
    ):
        assert secret not in everything


def test_metrics_count_requests_renders_latency_and_errors(client):
    before = samples(client)
    client.post(
        "/api/v1/forms/placement-application/render?lang=kk&format=docx", json=forms.example("placement-application")
    )
    client.get("/api/v1/forms/nope")
    client.get("/api/v1/forms/nope")
    after = samples(client)
    render_route = "/api/v1/forms/<form>/render"
    assert (
        value(after, "nysan_renders_total", form="placement-application", format="docx", lang="kk")
        == value(before, "nysan_renders_total", form="placement-application", format="docx", lang="kk") + 1
    )
    assert (
        value(after, "nysan_http_requests_total", method="POST", route=render_route, status="200")
        == value(before, "nysan_http_requests_total", method="POST", route=render_route, status="200") + 1
    )
    assert (
        value(after, "nysan_errors_total", code="unknown_form")
        == value(before, "nysan_errors_total", code="unknown_form") + 2
    )
    assert value(after, "nysan_http_request_duration_seconds_count", method="POST", route=render_route) >= 1
    assert value(after, "nysan_render_duration_seconds_count", format="docx") >= 1
    assert value(after, "nysan_render_duration_seconds_bucket", format="docx", le="+Inf") >= 1


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "# TYPE nysan_http_requests_total counter" in response.get_data(as_text=True)
    assert "# TYPE nysan_render_duration_seconds histogram" in response.get_data(as_text=True)
