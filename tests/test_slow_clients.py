"""Slow clients against the real `nysan serve`: a hundred connections that trickle their requests
delay nobody, the connections a worker holds are bounded (503 beyond), a request that never
completes is closed at its read timeout; and the gunicorn hooks' metrics folder handling."""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from types import SimpleNamespace

import pytest
import requests

import forms
from service import gunicorn_conf
import test_service_server


def Server(tmp_path, **env):
    """`nysan serve` as `python -m service`: the interpreter's `nysan` script may belong to another
    install, while this one is the code under test (PYTHONPATH)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(test_service_server, "nysan", lambda: [sys.executable, "-m", "service"])
        return test_service_server.Server(tmp_path, **env)


def trickling(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that sent a request head announcing a body, and one byte of it."""
    body = json.dumps(forms.example("referral")).encode()
    head = (f"POST /api/v1/forms/referral/render?lang=kk&format=pdf HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    opened = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(head + body[:1])
        opened.append(sock)
    return opened


def trickle(connections: list[socket.socket]) -> None:
    for sock in connections:
        try:
            sock.send(b" ")
        except OSError:
            pass


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


server = test_service_server.module_server("slow", Server)


def render_referral(server):
    return requests.post(f"{server.url}/api/v1/forms/referral/render", params={"lang": "kk", "format": "pdf"},
                         json=forms.example("referral"), timeout=10)


def test_a_hundred_trickling_clients_delay_nobody(server):
    # The render's own time on this (shared) machine, without slow clients: what they may not add to.
    alone = min(timed(lambda: render_referral(server))[1] for _ in range(3))
    connections = trickling(server.port, 100)
    try:
        for _ in range(3):
            trickle(connections)
            health, health_seconds = timed(lambda: requests.get(f"{server.url}/healthz", timeout=5))
            assert health.status_code == 200
            assert health_seconds < 1.0
            pdf, pdf_seconds = timed(lambda: render_referral(server))
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert pdf_seconds < alone + 1.0, f"{pdf_seconds:.2f} s with slow clients, {alone:.2f} s without"
            time.sleep(0.3)
    finally:
        for sock in connections:
            sock.close()


def test_expect_100_continue_is_answered_before_the_body(server):
    body = json.dumps(forms.example("referral")).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall((f"POST /api/v1/forms/referral/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"100 Continue" not in answer        # gunicorn did not answer the expectation again


def test_a_chunked_body_sent_in_pieces_and_kept_alive_connections_are_answered(server):
    body = json.dumps(forms.example("referral")).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 50]), body[i:i + 50]) for i in range(0, len(body), 50))
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /api/v1/forms/referral/validate HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        for start in range(0, len(chunks), 97):
            sock.sendall(chunks[start:start + 97])
            time.sleep(0.01)
        sock.sendall(b"0\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    with requests.Session() as session:   # one connection, several requests
        for _ in range(3):
            assert session.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_connections_beyond_the_limit_get_503_and_stalled_ones_are_closed(tmp_path):
    limited = Server(tmp_path, NYSAN_MAX_CONNECTIONS="10", NYSAN_REQUEST_READ_TIMEOUT="2")
    try:
        connections = trickling(limited.port, 30)   # two workers: at most 20 held, the rest refused
        try:
            refused = 0
            for sock in connections:
                sock.settimeout(0.5)
                try:
                    answer = sock.recv(4096)
                except TimeoutError:
                    continue
                if answer.startswith(b"HTTP/1.1 503 "):
                    refused += 1
                    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == "busy"
            assert refused >= 10
            held = [sock for sock in connections if sock.fileno() >= 0]
            time.sleep(3)                            # past REQUEST_READ_TIMEOUT: closed by the server
            for sock in held:
                sock.settimeout(2)
                try:
                    assert sock.recv(4096) == b""
                except ConnectionResetError:
                    pass
            assert requests.get(f"{limited.url}/healthz", timeout=5).status_code == 200
        finally:
            for sock in connections:
                sock.close()
    finally:
        limited.stop()


class FakeServer:
    def __init__(self):
        self.cfg = SimpleNamespace(bind=["127.0.0.1:8000"])


def test_metrics_folder_made_here_is_removed_at_exit_also_with_a_secret_key(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")     # restored after the test
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    monkeypatch.setenv("NYSAN_SECRET_KEY", "k" * 64)
    server = FakeServer()
    gunicorn_conf.on_starting(server)
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert os.path.isdir(folder)
    gunicorn_conf.on_exit(server)
    assert not os.path.exists(folder)


def test_an_operators_metrics_folder_is_kept_at_exit_also_without_a_secret_key(monkeypatch, tmp_path):
    own = tmp_path / "metrics"
    own.mkdir()
    (own / "counter_1.db").write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(own))
    monkeypatch.setenv("NYSAN_SECRET_KEY", "")
    monkeypatch.delenv("NYSAN_SECRET_KEY")
    server = FakeServer()
    gunicorn_conf.on_starting(server)
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(own)
    gunicorn_conf.on_exit(server)
    assert (own / "counter_1.db").exists()
