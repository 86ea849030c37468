"""The register under faults, with a real server and a real database: the whole server killed with
SIGKILL in the middle of a burst of issues, and PostgreSQL restarted under load. A document answered
201 is never lost, no number is used twice or skipped, and the database's outage is answered 503
(never 500) until the service, not restarted, works again."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import forms
from support.servers import Replica, all_documents, issue, request

pytestmark = [pytest.mark.server, pytest.mark.slow]

CONCURRENCY = 8


class Burst:
    """Threads issuing referrals until stopped; every answer kept with its time (or the error)."""

    def __init__(self, port: int):
        self.port, self.answers, self.failures = port, [], []
        self.stopping = threading.Event()
        self.body = {"form": "referral", "data": forms.example("referral"), "lang": "kk", "format": "pdf"}
        self.pool = ThreadPoolExecutor(CONCURRENCY)
        self.futures = [self.pool.submit(self._loop) for _ in range(CONCURRENCY)]

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                status, headers, doc = issue(self.port, self.body)
                self.answers.append((time.monotonic(), status, headers, doc))
            except (OSError, ValueError) as err:  # the server was killed mid-request
                self.failures.append(type(err).__name__)
                time.sleep(0.05)

    def issued(self) -> list[dict]:
        return [doc for _, status, _, doc in self.answers if status == 201]

    def wait_for(self, count: int, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while len(self.issued()) < count:
            assert time.monotonic() < deadline, f"only {len(self.issued())} documents issued"
            time.sleep(0.05)

    def stop(self) -> None:
        self.stopping.set()
        self.pool.shutdown(wait=True)


def assert_register_whole(port: int, answered: list[dict]) -> None:
    """Every document answered 201 is there, as issued; the numbers are 1..n, each once."""
    for doc in answered:
        status, _, content = request(port, "GET", f"/api/v1/documents/{doc['id']}/file")
        assert status == 200 and hashlib.sha256(content).hexdigest() == doc["sha256"], doc["number"]
    numbers = [int(doc["number"]) for doc in all_documents(port)]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert {doc["id"] for doc in answered} <= {doc["id"] for doc in all_documents(port)}


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_kill_9_during_a_burst_loses_no_answered_document(backend_name, request, tmp_path):
    settings = {"NYSAN_STATE_DIR": str(tmp_path / "state"), "NYSAN_PUBLIC_URL": "https://verify.example.kz"}
    if backend_name == "postgresql":
        from support.register_db import DATA_KEY

        settings.update(NYSAN_DATABASE_URL=request.getfixturevalue("postgres_url"), NYSAN_DATA_KEY=DATA_KEY)
    server = Replica(settings, log=tmp_path / "server.log").start()
    try:
        burst = Burst(server.port)
        try:
            burst.wait_for(10)
            server.kill()
            time.sleep(0.5)  # the clients see the connections refused
        finally:
            burst.stop()
        answered = burst.issued()
        assert burst.failures, "the kill interrupted nothing"
        server = Replica(settings, port=server.port, log=tmp_path / "server.log").start()
        assert_register_whole(server.port, answered)
        status, _, doc = issue(server.port, burst.body)
        assert status == 201 and int(doc["number"]) == len(all_documents(server.port))
    finally:
        server.stop()


def test_postgresql_restarted_under_load_answers_503_then_recovers(postgres_cluster, postgres_url, tmp_path):
    from support.register_db import DATA_KEY

    settings = {
        "NYSAN_STATE_DIR": str(tmp_path / "state"),
        "NYSAN_PUBLIC_URL": "https://verify.example.kz",
        "NYSAN_DATABASE_URL": postgres_url,
        "NYSAN_DATA_KEY": DATA_KEY,
    }
    server = Replica(settings, log=tmp_path / "server.log").start()
    try:
        burst = Burst(server.port)
        try:
            burst.wait_for(5)
            postgres_cluster.stop("fast")
            down = time.monotonic()
            time.sleep(3)
            postgres_cluster.start()
            up = time.monotonic()
            burst.wait_for(len(burst.issued()) + 10)
        finally:
            burst.stop()
            if not postgres_cluster.data.joinpath("postmaster.pid").exists():
                postgres_cluster.start()

        statuses = [status for _, status, _, _ in burst.answers]
        assert set(statuses) <= {201, 503}, sorted(set(statuses))
        outage = [(headers, doc) for moment, status, headers, doc in burst.answers if status == 503 and down <= moment]
        assert outage, "no request met the stopped database"
        assert all(doc["code"] == "register_unavailable" and headers.get("Retry-After") for headers, doc in outage)
        assert any(status == 201 and moment > up for moment, status, _, _ in burst.answers), (
            "the service did not recover by itself"
        )
        assert not burst.failures
        assert_register_whole(server.port, burst.issued())
    finally:
        server.stop()
