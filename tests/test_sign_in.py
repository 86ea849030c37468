"""Signing in costs no one else: no password is hashed while the register's write lock is held, a
flood of wrong passwords leaves issuing fast on a real server, attempts are bounded per client
address and in all (429 with Retry-After), password hashes at once too (503 at once beyond), and the
lockout answers a name that does not exist exactly as one that does."""

from __future__ import annotations

import ast
import statistics
import subprocess
import sys
import threading
import time

import pytest

import forms
import recordkeeping.users as users_module
from recordkeeping.db import Database
from recordkeeping.organisations import Organisations
from recordkeeping.users import Users
from service.app import create_app
from service.records import open_register
from service.web import signin
from support.servers import Replica, issue
from support.web import csrf_token

PASSWORD = "correct horse battery"
REFERRAL = forms.example("referral")


def make_app(settings: dict, **config):
    app = create_app({**settings, **config})
    Users(open_register(app).db).add("aigerim", "centre-1", "clerk", PASSWORD)
    return app


@pytest.fixture
def apps():
    """Apps made by the test, their registers closed afterwards."""
    made = []
    yield lambda settings, **config: made.append(make_app(settings, **config)) or made[-1]
    for app in made:
        app.extensions["nysan.register"].close()


def attempt(client, name: str, password: str, address: str | None = None):
    headers = {"X-Forwarded-For": address} if address else {}
    token = csrf_token(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post(
        "/login", data={"username": name, "password": password, "next": "/", "csrf_token": token}, headers=headers
    )


class LockWatch:
    """Every password check of the accounts module, as whether a watched SQLite write lock was held."""

    def __init__(self, monkeypatch):
        self.seen: list[bool] = []
        self.databases: list[Database] = []
        real = users_module.check_password_hash

        def checking(stored: str, password: str) -> bool:
            self.seen.append(any(db._writers._thread_lock.locked() for db in self.databases))
            return real(stored, password)

        monkeypatch.setattr(users_module, "check_password_hash", checking)


def test_no_password_is_hashed_while_the_write_lock_is_held(apps, tmp_path, monkeypatch):
    app = apps({"STATE_DIR": str(tmp_path / "state")})
    watch = LockWatch(monkeypatch)
    watch.databases.append(open_register(app).db)
    client = app.test_client()
    assert attempt(client, "aigerim", "wrong password 1").status_code == 401
    assert attempt(client, "nobody", "wrong password 1").status_code == 401
    assert attempt(client, "aigerim", PASSWORD).status_code == 303
    assert len(watch.seen) == 3 and not any(watch.seen)


def test_unknown_and_known_names_answer_alike(apps, backend, monkeypatch):
    # Two apps on one database: two workers (or replicas) share the count of wrong passwords per name.
    first = apps(dict(backend), SIGN_IN_RATE_LIMIT=100)
    second = create_app({**backend, "SIGN_IN_RATE_LIMIT": 100})
    hashed: list[str] = []
    real = users_module.check_password_hash
    monkeypatch.setattr(users_module, "check_password_hash", lambda stored, pw: hashed.append(pw) or real(stored, pw))
    answers = {}
    try:
        for name in ("aigerim", "nobody"):
            clients = [first.test_client(), second.test_client()]
            hashed.clear()
            responses = [attempt(clients[i % 2], name if i % 2 else name.upper(), f"guess-{i}-xyz") for i in range(7)]
            answers[name] = (
                [r.status_code for r in responses],
                len(hashed),
                [r.headers.get("Retry-After") is not None for r in responses],
            )
    finally:
        second.extensions["nysan.register"].close()
    assert answers["aigerim"] == answers["nobody"]
    statuses, hashes, retry_after = answers["nobody"]
    assert statuses == [401, 401, 401, 401, 429, 429, 429]
    assert hashes == 5  # a dummy hash for the unknown name, like the real one
    assert retry_after == [False] * 4 + [True] * 3


def test_an_address_gets_429_after_its_attempts_and_others_go_on(apps, tmp_path, monkeypatch):
    monkeypatch.setattr(signin, "_clock", lambda: 1000.0)  # no token comes back during the test
    app = apps(
        {"STATE_DIR": str(tmp_path / "state")}, SIGN_IN_RATE_LIMIT=3, SIGN_IN_TOTAL_RATE_LIMIT=6, TRUSTED_PROXIES=1
    )
    client = app.test_client()
    flood = [attempt(client, f"name-{i}", "wrong password", "203.0.113.7") for i in range(10)]
    assert [r.status_code for r in flood] == [401] * 3 + [429] * 7
    refused = flood[-1]
    assert refused.headers["Retry-After"] == "20"  # a token each 60 / 3 s
    assert "Кіру әрекеттері тым көп" in refused.get_data(as_text=True)
    assert attempt(client, "aigerim", PASSWORD, "203.0.113.7").status_code == 429  # even the right one
    # Another address is not held up by that flood: it only used its own share of the total.
    assert attempt(app.test_client(), "aigerim", PASSWORD, "198.51.100.2").status_code == 303
    others = [attempt(client, "aigerim", "wrong password", f"198.51.100.{i}").status_code for i in range(3, 7)]
    assert others == [401, 401, 429, 429]  # the total: 3 + 1 + 2 attempts admitted this minute


def test_a_forged_forwarded_for_does_not_escape_the_limit(apps, tmp_path, monkeypatch):
    # No trusted proxy: X-Forwarded-For is the client's own word, and the limit stays on its address.
    monkeypatch.setattr(signin, "_clock", lambda: 1000.0)
    app = apps({"STATE_DIR": str(tmp_path / "state")}, SIGN_IN_RATE_LIMIT=2)
    client = app.test_client()
    statuses = [attempt(client, "aigerim", "wrong password", f"192.0.2.{i}").status_code for i in range(4)]
    assert statuses == [401, 401, 429, 429]


def test_hashes_beyond_the_limit_are_refused_at_once(apps, tmp_path, monkeypatch):
    app = apps({"STATE_DIR": str(tmp_path / "state")}, SIGN_IN_HASHES=1)
    started, release = threading.Event(), threading.Event()
    real = users_module.check_password_hash

    def slow(stored: str, password: str) -> bool:
        started.set()
        release.wait(30)
        return real(stored, password)

    monkeypatch.setattr(users_module, "check_password_hash", slow)
    first = app.test_client()
    token = csrf_token(first.get("/login").get_data(as_text=True))
    result = {}
    worker = threading.Thread(
        target=lambda: result.update(
            response=first.post("/login", data={"username": "aigerim", "password": PASSWORD, "csrf_token": token})
        )
    )
    worker.start()
    try:
        assert started.wait(30)
        began = time.monotonic()
        busy = attempt(app.test_client(), "aigerim", PASSWORD)
        assert time.monotonic() - began < 5
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert "Сервис бос емес" in busy.get_data(as_text=True)
    finally:
        release.set()
        worker.join(30)
    assert result["response"].status_code == 303


# Eight threads signing in with wrong passwords under new names (none of them locks) until standard
# input closes, in a process of their own (the test's threads would share its interpreter lock with
# the issuing thread measured); says "flooding" once every thread has had an answer, and at the end
# prints each answer's status and Retry-After.
FLOOD = """
import re, sys, threading, uuid, requests
base, answers, stop, started = sys.argv[1], [], threading.Event(), threading.Barrier(9)
def loop():
    with requests.Session() as session:
        token = re.search('name="csrf_token" value="([^"]+)"', session.get(base + "/login", timeout=60).text).group(1)
        first = True
        while first or not stop.is_set():
            answer = session.post(base + "/login", timeout=60, allow_redirects=False, data={
                "username": "x" + uuid.uuid4().hex[:12], "password": "wrong password", "csrf_token": token})
            answers.append((answer.status_code, answer.headers.get("Retry-After")))
            if first:
                first = False
                started.wait()
threads = [threading.Thread(target=loop) for _ in range(8)]
[t.start() for t in threads]
started.wait()
print("flooding", flush=True)
sys.stdin.read()
stop.set()
[t.join() for t in threads]
print(answers)
"""


@pytest.mark.server
@pytest.mark.slow
def test_a_flood_of_wrong_passwords_leaves_issuing_fast(tmp_path):
    state = tmp_path / "state"
    database = Database(f"sqlite:///{state}/register.sqlite3")
    database.upgrade()
    Users(database).add("aigerim", "centre-1", "clerk", PASSWORD)
    Organisations(database).ensure("centre-1")  # `nysan serve` needs the account's organisation's record
    database.dispose()
    server = Replica({"NYSAN_STATE_DIR": str(state), "NYSAN_WORKERS": "1"}, log=tmp_path / "server.log").start()
    body = {"form": "referral", "data": REFERRAL, "lang": "kk", "format": "html"}
    try:
        assert issue(server.port, body)[0] == 201  # warm
        flood = subprocess.Popen(
            [sys.executable, "-c", FLOOD, f"http://127.0.0.1:{server.port}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert flood.stdout.readline() == "flooding\n"
            took = []
            for _ in range(20):
                began = time.monotonic()
                status, _, _ = issue(server.port, body)
                took.append(time.monotonic() - began)
                assert status == 201
        finally:
            answers = ast.literal_eval(flood.communicate("", timeout=120)[0])
    finally:
        server.stop()
    statuses = [status for status, _ in answers]
    assert statistics.median(took) < 0.2, f"issue median {statistics.median(took) * 1000:.0f} ms under the flood"
    # The address's attempts: the first ones checked (401, or 503 while another hash runs), the rest
    # refused with 429 and when to try again, before any hash.
    assert statuses.count(401) + statuses.count(503) <= 10 and statuses.count(401) >= 1
    assert statuses.count(429) >= len(statuses) - 10 > 0
    assert all(retry is not None for status, retry in answers if status == 429)
