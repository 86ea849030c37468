"""Slow clients against the real `nysan serve`: a hundred connections that trickle their requests
delay nobody, the connections a worker holds are bounded (503 beyond), a request that never
completes is closed at its read timeout; bodies declared beyond the limit are 413 at once and slow
uploads are cut at their deadline, delaying nobody either; and the gunicorn hooks' metrics folder
handling."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
from types import SimpleNamespace

import pytest
import requests
import test_service_server

import forms
from service import gunicorn_conf

pytestmark = [pytest.mark.server, pytest.mark.slow]


def Server(tmp_path, **env):
    """`nysan serve` as `python -m service`: the interpreter's `nysan` script may belong to another
    install, while this one is the code under test (PYTHONPATH)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(test_service_server, "nysan", lambda: [sys.executable, "-m", "service"])
        return test_service_server.Server(tmp_path, **env)


def trickling(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that sent a request head announcing a body, and one byte of it."""
    body = json.dumps(forms.example("referral")).encode()
    head = (
        f"POST /api/v1/forms/referral/render?lang=kk&format=pdf HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
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


def declaring(path: str, length: int, content_type: str = "application/json", extra: str = "") -> bytes:
    """A request head announcing a body of ``length`` bytes."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def answer_of(sock: socket.socket) -> tuple[bytes, dict]:
    """The status line and the JSON body of the response read from ``sock`` (Content-Length long)."""
    answer = b""
    while True:
        head, blank, body = answer.partition(b"\r\n\r\n")
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I) if blank else None
        if length and len(body) >= int(length.group(1)):
            return head.split(b"\r\n", 1)[0], json.loads(body)
        chunk = sock.recv(65536)
        assert chunk, answer
        answer += chunk


class Trickle:
    """Connections that sent a request head and send a few bytes of the body at each ``step()``, and
    what each got back: its answer, when the answer came and when the server ended the connection
    (all in seconds since they were opened)."""

    def __init__(self, port: int, heads: list[bytes]):
        self.started = time.monotonic()
        self.sockets = []
        for head in heads:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(head)
            sock.setblocking(False)
            self.sockets.append(sock)
        self.answers = [b""] * len(heads)
        self.answered: list[float | None] = [None] * len(heads)
        self.ended: list[float | None] = [None] * len(heads)

    def step(self) -> None:
        for at, sock in enumerate(self.sockets):
            if self.ended[at] is None:
                self._read(at, sock)
            if self.ended[at] is None:
                try:
                    sock.send(b"x" * 8)
                except BlockingIOError:
                    pass
                except OSError:
                    self.ended[at] = time.monotonic() - self.started

    def _read(self, at: int, sock: socket.socket) -> None:
        now = time.monotonic() - self.started
        try:
            while data := sock.recv(65536):
                self.answers[at] += data
                self.answered[at] = self.answered[at] or now
        except BlockingIOError:
            return
        except OSError:  # reset by the server: ended too
            pass
        self.ended[at] = now

    def run(self, seconds: float, meanwhile) -> None:
        """Steps until the server ended every connection (at most ``seconds``), calling ``meanwhile``
        (the other clients' checks) between steps."""
        deadline = time.monotonic() + seconds
        while None in self.ended and time.monotonic() < deadline:
            self.step()
            meanwhile()
            time.sleep(0.3)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def healthz_within_a_second(server) -> None:
    health, seconds = timed(lambda: requests.get(f"{server.url}/healthz", timeout=5))
    assert health.status_code == 200
    assert seconds < 1.0, f"/healthz took {seconds:.2f} s"


server = test_service_server.module_server("slow", Server)


def render_referral(server):
    return requests.post(
        f"{server.url}/api/v1/forms/referral/render",
        params={"lang": "kk", "format": "pdf"},
        json=forms.example("referral"),
        timeout=10,
    )


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


def test_bodies_declared_beyond_the_limit_are_413_at_once_and_delay_nobody(server):
    alone = min(timed(lambda: render_referral(server))[1] for _ in range(3))
    heads = [declaring("/api/v1/forms/referral/render?lang=kk&format=pdf", 60_000_000) for _ in range(9)]
    heads.append(declaring("/forms/referral", 60_000_000, "application/x-www-form-urlencoded"))
    trickle = Trickle(server.port, heads)

    def others_are_answered() -> None:
        healthz_within_a_second(server)
        pdf, pdf_seconds = timed(lambda: render_referral(server))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf_seconds < alone + 1.0, f"{pdf_seconds:.2f} s with slow clients, {alone:.2f} s without"

    try:
        trickle.run(20, others_are_answered)
    finally:
        trickle.close()
    for answer, answered, ended in zip(trickle.answers, trickle.answered, trickle.ended):
        assert answer.startswith(b"HTTP/1.1 413 ") and b"\r\nConnection: close\r\n" in answer
        assert answered < 3 and ended < 5, (answered, ended)  # the body (60 MB at 8 bytes a step) never read
    for answer in trickle.answers[:-1]:
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == "body_too_large"
    assert "Сұрау тым үлкен" in trickle.answers[-1].split(b"\r\n\r\n", 1)[1].decode()  # the web's page


def test_a_chunked_body_beyond_the_limit_is_413(server):
    piece = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/forms/referral/validate HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        # 128 kB beyond MAX_CONTENT_LENGTH (2 MB): over it and the 64 kB of framing allowed, and no
        # more than the server drains after its answer (so that it does not reset it away).
        for _ in range(2 * 1024 * 1024 // 0x4000 + 8):
            sock.sendall(piece)
        status, body = answer_of(sock)
    assert status.startswith(b"HTTP/1.1 413 ") and body["code"] == "body_too_large"


def test_expect_100_continue_is_answered_before_the_body(server):
    body = json.dumps(forms.example("referral")).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            (
                f"POST /api/v1/forms/referral/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"100 Continue" not in answer  # gunicorn did not answer the expectation again


def test_a_chunked_body_sent_in_pieces_and_kept_alive_connections_are_answered(server):
    body = json.dumps(forms.example("referral")).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + 50]), body[i : i + 50]) for i in range(0, len(body), 50))
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/forms/referral/validate HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for start in range(0, len(chunks), 97):
            sock.sendall(chunks[start : start + 97])
            time.sleep(0.01)
        sock.sendall(b"0\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    with requests.Session() as session:  # one connection, several requests
        for _ in range(3):
            assert session.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_connections_beyond_the_limit_get_503_and_stalled_ones_are_closed(tmp_path):
    limited = Server(tmp_path, NYSAN_MAX_CONNECTIONS="10", NYSAN_REQUEST_READ_TIMEOUT="2")
    try:
        connections = trickling(limited.port, 30)  # two workers: at most 20 held, the rest refused
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
            time.sleep(3)  # past REQUEST_READ_TIMEOUT: closed by the server
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


BOGUS = "A" * 20  # a token no document has


def test_slow_uploads_are_cut_at_their_deadline_and_delay_nobody(tmp_path):
    # Uploads to compare may be larger than MAX_CONTENT_LENGTH (up to 64 MB): these 3 MB ones arrive
    # at a few bytes a second, far below REQUEST_MIN_RATE. Each is closed at REQUEST_READ_TIMEOUT
    # (3 s here, and a second for every 1024 bytes sent), or refused 503 at once when its worker
    # already buffers as many large bodies as it has threads.
    slow = Server(tmp_path, NYSAN_REQUEST_READ_TIMEOUT="3")
    try:
        heads = [declaring(f"/v/{BOGUS}", 3_000_000, "multipart/form-data; boundary=b") for _ in range(4)]
        heads += [declaring(f"/api/v1/verify/{BOGUS}", 3_000_000, "application/octet-stream") for _ in range(4)]
        trickle = Trickle(slow.port, heads)
        try:
            trickle.run(20, lambda: healthz_within_a_second(slow))
        finally:
            trickle.close()
        for answer, ended in zip(trickle.answers, trickle.ended):
            assert ended is not None and ended < 8, trickle.ended
            assert answer == b"" or answer.startswith(b"HTTP/1.1 503 "), answer[:100]
        assert b"" in trickle.answers
        # An upload at a sane rate goes on past REQUEST_READ_TIMEOUT, and is answered.
        with socket.create_connection(("127.0.0.1", slow.port), timeout=10) as sock:
            sock.sendall(declaring(f"/api/v1/verify/{BOGUS}", 3_000_000, "application/octet-stream"))
            for _ in range(30):  # 3 MB in about 4.5 s, 650 kB a second
                sock.sendall(b"x" * 100_000)
                time.sleep(0.15)
            status, body = answer_of(sock)
        assert status.startswith(b"HTTP/1.1 404 ") and body["code"] == "document_not_found"
    finally:
        slow.stop()


class FakeServer:
    def __init__(self):
        self.cfg = SimpleNamespace(bind=["127.0.0.1:8000"])


def test_metrics_folder_made_here_is_removed_at_exit_also_with_a_secret_key(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # restored after the test
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
