"""Hostile input, item 1: a render past its deadline is really stopped (its process, and whatever that
started, killed: no CPU left running), a request waiting on a render does not stop the service
answering others, and a request's rows are budgeted (413 beyond ``MAX_REQUEST_ROWS``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

import forms
from forms.rendering import document as engine_document
from service import create_app

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def processes(marker: str | None = None, parent: int | None = None) -> dict[int, float]:
    """Processes whose command line holds ``marker`` or whose parent is ``parent``, with the CPU
    seconds each has used (from /proc): an orphan is found by its marker wherever it was re-parented."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
            its_parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if (marker and marker in command) or its_parent == parent:
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def _burn(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


MARKER = f"nysan-burn-{uuid.uuid4().hex}"


@pytest.fixture
def burning_renders(monkeypatch):
    """A render that burns CPU for 20 s and starts a helper process burning too (as the long-table PDF
    workers are started by a render): a timeout must stop both."""

    def burning(*args, **kwargs):
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"# {MARKER}\nimport time\nend = time.monotonic() + 20\nwhile time.monotonic() < end: pass",
            ]
        )
        _burn(20)
        raise AssertionError("the render was not stopped")

    monkeypatch.setattr(engine_document, "render", burning)


def test_a_timeout_leaves_no_cpu_running(burning_renders):
    app = create_app({"API_KEYS": [], "RENDER_TIMEOUT": 1, "RENDER_SLOTS": 1, "RENDER_INLINE_ROWS": 0})
    client = app.test_client()
    response = client.post("/api/v1/forms/referral/render", json=forms.example("referral"))
    assert response.status_code == 503 and response.json["code"] == "render_timeout"
    first = processes(MARKER, os.getpid())
    time.sleep(1.0)
    then = processes(MARKER, os.getpid())
    used = sum(then[pid] - first.get(pid, 0) for pid in then)
    assert used < 0.2, f"{used:.2f} CPU seconds used after the timeout by {sorted(then)}"
    # and the slot is free at once: the next render is not refused as busy
    again = app.test_client().post("/api/v1/forms/referral/render", json=forms.example("referral"))
    assert again.status_code == 503 and again.json["code"] == "render_timeout"
    assert not processes(MARKER)


def test_a_waiting_render_does_not_stop_the_service_answering(monkeypatch):
    real = engine_document.render

    def slow(*args, **kwargs):
        time.sleep(2)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_document, "render", slow)
    app = create_app({"API_KEYS": [], "RENDER_TIMEOUT": 10, "RENDER_SLOTS": 1, "RENDER_INLINE_ROWS": 0})
    outcome = {}
    render = threading.Thread(
        target=lambda: outcome.update(
            status=app.test_client().post("/api/v1/forms/referral/render", json=forms.example("referral")).status_code
        )
    )
    render.start()
    time.sleep(0.5)
    assert app.test_client().get("/healthz").status_code == 200
    assert app.test_client().get("/api/v1/forms/referral").status_code == 200
    assert render.is_alive()  # answered while the render was still running
    render.join()
    assert outcome["status"] == 200


def test_rows_are_budgeted_per_request():
    data = forms.example("referral")
    rows = sum(len(value) for value in data.values() if isinstance(value, list))
    assert rows >= 1
    client = create_app({"API_KEYS": [], "MAX_REQUEST_ROWS": rows}).test_client()
    assert client.post("/api/v1/forms/referral/render", json=data).status_code == 200
    batch = client.post("/api/v1/render/batch", json={"documents": [{"form": "referral", "data": data}] * 2})
    assert batch.status_code == 413 and batch.json["code"] == "too_many_rows_in_request"
    assert str(rows) in batch.json["message"]


def test_short_documents_render_inline_and_longer_ones_in_a_killable_process(burning_renders):
    data = forms.example("referral")  # a few rows: more than 1, fewer than 20
    app = create_app({"API_KEYS": [], "RENDER_TIMEOUT": 1, "RENDER_SLOTS": 1, "RENDER_INLINE_ROWS": 1})
    response = app.test_client().post("/api/v1/forms/referral/render", json=data)
    assert response.status_code == 503 and response.json["code"] == "render_timeout"


def test_the_same_document_inline_or_in_a_render_process():
    data = forms.example("referral")
    inline = create_app({"API_KEYS": []}).test_client().post("/api/v1/forms/referral/render", json=data)
    apart = (
        create_app({"API_KEYS": [], "RENDER_INLINE_ROWS": 0})
        .test_client()
        .post("/api/v1/forms/referral/render", json=data)
    )
    assert inline.status_code == apart.status_code == 200
    assert inline.data == apart.data == forms.render("referral", data)
