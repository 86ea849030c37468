"""The real server: `nysan serve` in a subprocess on a free loopback port, called over HTTP with
requests and with the documentation's curl lines as written (only the port changed): the README's
quick start and API in brief, docs/http-api.md's examples and API keys."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

import forms
from support.text import pdf_text
from support.tools import require
from support.web import csrf_token

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
README_URL = "http://127.0.0.1:8000"


def nysan() -> list[str]:
    found = shutil.which("nysan")
    return [found] if found else [sys.executable, "-m", "service"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`nysan serve` on 127.0.0.1:<free port>, stopped (SIGTERM to its own pid) when done."""

    def __init__(self, tmp_path: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"server-{self.port}.log"
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("NYSAN_", "PROMETHEUS_"))}
        environ.update({"NYSAN_STATE_DIR": str(tmp_path / "state"), **env})  # the register: not the user's
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*nysan(), "serve", "--port", str(self.port), "--workers", "2"],
                cwd=tmp_path,
                env=environ,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nysan serve exited: {self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its workers still booting
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"nysan serve did not answer within 60 s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def module_server(folder: str, make=None):
    """A fixture: one `nysan serve` (``make``, default ``Server``) for a module's tests, in a
    temporary folder named ``folder``."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        running = (make or Server)(tmp_path_factory.mktemp(folder))
        yield running
        running.stop()

    return server


server = module_server("server")


def test_render_a_pdf_over_http(server):
    data = forms.example("referral")
    response = requests.post(
        f"{server.url}/api/v1/forms/referral/render", params={"lang": "kk", "format": "pdf"}, json=data, timeout=60
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="referral-v1-kk.pdf"'
    assert response.headers["X-Nysan-Form-Version"] == "1"
    text = pdf_text(response.content)
    assert "ЖОЛДАМА" in text and data["applicant"]["last_name"] in text


def test_errors_over_http_are_the_envelope(server):
    response = requests.post(
        f"{server.url}/api/v1/forms/referral/validate",
        data="{oops",
        headers={"Content-Type": "application/json", "Accept-Language": "kk"},
        timeout=30,
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    assert response.json()["message"].startswith("Сұрау денесі жарамды JSON емес")
    response = requests.get(f"{server.url}/nowhere", headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_metrics_add_up_the_workers(server):
    for _ in range(6):
        requests.get(f"{server.url}/healthz", timeout=30)
    text = requests.get(f"{server.url}/metrics", timeout=30).text
    counted = re.search(r'nysan_http_requests_total\{method="GET",route="/healthz",status="200"\} ([0-9.]+)', text)
    assert counted and float(counted.group(1)) >= 6


def doc_block(page: str, marker: str) -> str:
    """The first ```sh block after ``marker`` in ``page`` (a path from the repository's root)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    assert marker in text, f"{page} has no {marker!r}"
    after = text.split(marker, 1)[1]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


def test_readme_curl_examples_work_as_written(server, tmp_path):
    require("curl", "curl")
    require("jq", "jq")
    script = doc_block("docs/http-api.md", "<!-- curl-examples").replace(README_URL, server.url)
    assert script.count("curl ") >= 8
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "referral" in out.splitlines() and "placement-application" in out.splitlines()
    assert '{"valid":true,"form":"referral","version":"1"}' in out
    assert '"message":"Данные не прошли проверку: ошибок: 3."' in out
    assert 'Content-Disposition: attachment; filename="referral-v1-kk.pdf"' in out
    assert "X-Nysan-Form-Version: 1" in out
    assert "ЖОЛДАМА" in pdf_text((tmp_path / "referral.pdf").read_bytes())
    merged = PdfReader(io.BytesIO((tmp_path / "referrals.pdf").read_bytes()))
    assert "НАПРАВЛЕНИЕ" in pdf_text((tmp_path / "referrals.pdf").read_bytes()) and len(merged.pages) >= 2
    assert '"code":"repealed"' in out and "No. 230" in out
    assert "referral.v1" in out.splitlines() and "Error" in out.splitlines()


def test_readme_api_key_example(tmp_path):
    made = subprocess.run([*nysan(), "api-key"], capture_output=True, text=True, check=True).stdout
    key = re.search(r"key:\s+(\S+)", made).group(1)
    digest = re.search(r"NYSAN_API_KEYS=(sha256:[0-9a-f]{64})", made).group(1)
    block = doc_block("docs/http-api.md", "## API keys")
    assert "NYSAN_API_KEYS=sha256:<hash> nysan serve --host 0.0.0.0" in block
    # The README listens on every address; the test stays on loopback, with the same key setting.
    secured = Server(tmp_path, NYSAN_API_KEYS=digest)
    try:
        curl_line = next(line for line in block.splitlines() if line.startswith("curl "))
        command = curl_line.replace("<key>", key).replace(README_URL, secured.url)
        ok = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
        assert '"id":"referral"' in ok.stdout
        denied = requests.get(f"{secured.url}/api/v1/forms/referral", timeout=30)
        assert denied.status_code == 401 and denied.headers["WWW-Authenticate"].startswith("Bearer")
        assert key not in secured.log.read_text() and digest not in secured.log.read_text()
    finally:
        secured.stop()


def test_readme_api_in_brief_works_as_written(server, tmp_path):
    require("curl", "curl")
    require("jq", "jq")
    script = doc_block("README.md", "<!-- api-in-brief").replace(README_URL, server.url)
    assert script.count("curl ") >= 5 and "/api/v1/documents" in script
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "referral" in lines and "placement-application" in lines
    assert '{"valid":true,"form":"referral","version":"1"}' in result.stdout
    assert "ЖОЛДАМА" in pdf_text((tmp_path / "referral.pdf").read_bytes())
    # Issued into the register: the last line is the document's verification URL, and it verifies.
    verify_url = lines[-1]
    assert verify_url.startswith(f"{server.url}/v/"), result.stdout
    token = verify_url.rsplit("/", 1)[1]
    verified = requests.get(f"{server.url}/api/v1/verify/{token}", timeout=30)
    assert verified.status_code == 200 and verified.json()["status"] == "issued"
    assert verified.json()["form"] == "referral"


def test_readme_quick_start_account_line_works_as_written(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "pip install . && nysan serve" in quick_start and "bash .ci/run" in quick_start
    assert "NYSAN_PUBLIC_URL" in quick_start and "http://127.0.0.1:8000/" in quick_start
    line = next(line for line in quick_start.splitlines() if line.startswith("nysan users add "))
    arguments = line.split("#", 1)[0].split()[1:]
    (tmp_path / "password").write_text("correct horse battery\n", encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NYSAN_", "PROMETHEUS_"))}
    environ["NYSAN_STATE_DIR"] = str(tmp_path / "state")
    added = subprocess.run(
        [*nysan(), *arguments, "--password-file", str(tmp_path / "password")],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([*nysan(), "users", "list"], env=environ, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    name, organisation, role = (
        arguments[2],
        arguments[arguments.index("--org") + 1],
        arguments[arguments.index("--role") + 1],
    )
    row = next(row for row in listed.stdout.splitlines() if row.split()[:1] == [name])
    assert organisation in row.split() and role in row.split() and "active" in row.split()


def test_web_form_submits_work_across_workers(server):
    """Both gunicorn workers accept the session (and CSRF token) the other signed."""
    session = requests.Session()
    page = session.get(f"{server.url}/forms/referral", timeout=30)
    assert page.status_code == 200
    token = csrf_token(page.text)
    statuses = [
        session.post(f"{server.url}/forms/referral", data={"csrf_token": token}, timeout=60).status_code
        for _ in range(8)
    ]
    assert 400 not in statuses, statuses
