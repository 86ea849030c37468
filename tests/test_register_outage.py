"""A database fault at any moment of an issue answers 503 ``register_unavailable`` (never 500),
on SQLite and PostgreSQL: before the number's transaction (the Idempotency-Key's look-up), inside it
(the counter, the insert, the audit event), at its commit, and when issues waiting in the same
transaction joined it. The faults are injected where the driver would raise them, so each moment
is met on every run, however fast the machine; tests/test_register_faults.py stops a real
PostgreSQL under load as well."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction

import forms
from recordkeeping import Register, RegisterUnavailable, audit, numbers
from support.register_db import free_port

REFERRAL = forms.example("referral")


def lost_connection(*args, **kwargs):
    raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))


def issue(client, headers=None):
    return client.post(
        "/api/v1/documents",
        json={"form": "referral", "data": REFERRAL, "lang": "kk", "format": "pdf"},
        headers=headers or {},
    )


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.json["code"] == "register_unavailable"
    assert response.headers["Retry-After"] == "5"
    assert "5" in response.json["message"]  # "try again in 5 s", the parameter filled


MOMENTS = {
    # where the fault happens: (the object, the attribute replaced, a request header that reaches it)
    "idempotency look-up": (Register, "_replay", {"Idempotency-Key": "k-1"}),
    "number's counter": (numbers, "take", {}),
    "audit event": (audit, "append_all", {}),
    "commit": (SessionTransaction, "commit", {}),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_fault_at_any_moment_of_an_issue_answers_503(register_app, monkeypatch, moment):
    client = register_app.test_client()
    assert issue(client).status_code == 201  # the register is open and works
    target, name, headers = MOMENTS[moment]
    if name == "_replay":
        # the look-up's own read transaction fails, as a lost connection would make it
        original_read = register_app.extensions["nysan.register"].db.read

        @contextlib.contextmanager
        def failing_read():
            with original_read() as session:
                lost_connection()
                yield session

        monkeypatch.setattr(register_app.extensions["nysan.register"].db, "read", failing_read)
    else:
        monkeypatch.setattr(target, name, lost_connection)
    assert_unavailable(issue(client, headers))
    monkeypatch.undo()
    again = issue(client)
    assert again.status_code == 201 and again.json["number"] == "2"  # no number was used by the fault


def test_issues_that_joined_a_failing_transaction_are_each_answered_503(register_app, monkeypatch):
    """Issues queued behind the number's transaction join it; a fault after they joined must reach
    every one of them (it left one without an answer: ``describe(None)``, a 500)."""
    client = register_app.test_client()
    assert issue(client).status_code == 201
    register = register_app.extensions["nysan.register"]
    original_take = numbers.take
    calls = {"n": 0}
    release = threading.Event()

    def take(session, organisation, form, year):
        calls["n"] += 1
        if calls["n"] == 1:
            release.wait(30)  # the first issue holds the counter while the others queue
            return original_take(session, organisation, form, year)
        lost_connection()  # the first issue that joined meets the outage

    monkeypatch.setattr(numbers, "take", take)
    answers: list = []

    def one() -> None:
        with register_app.test_client() as own:
            answers.append(issue(own))

    threads = [threading.Thread(target=one) for _ in range(4)]
    threads[0].start()
    deadline = time.monotonic() + 30
    while calls["n"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for thread in threads[1:]:
        thread.start()
    while len(register._batches._waiting) < 3:  # the three others wait behind the first
        assert time.monotonic() < deadline
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(60)
    assert calls["n"] >= 2, "no issue joined the transaction"
    assert len(answers) == 4
    for response in answers:
        assert_unavailable(response)
    monkeypatch.undo()
    assert issue(client).json["number"] == "2"


def test_an_outage_reaches_the_register_as_one_error(tmp_path, monkeypatch):
    """The database layer turns every fault into RegisterUnavailable: the blueprints catch no
    SQLAlchemy error of their own."""
    from recordkeeping.db import Database

    database = Database(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    try:
        with pytest.raises(RegisterUnavailable) as raised, database.read() as session:
            session.execute(text("SELECT 1"))
        assert isinstance(raised.value.__cause__, OperationalError)
        with pytest.raises(RegisterUnavailable), database.write() as session:
            session.execute(text("SELECT 1"))
        with pytest.raises(RegisterUnavailable):
            database.revisions()
    finally:
        database.dispose()


def test_the_web_meets_an_outage_with_a_503_page(register_app, monkeypatch):
    from test_accounts import issue_referral, issued_id, signed_in

    client = signed_in(register_app)
    issued_id(issue_referral(client))
    monkeypatch.setattr(numbers, "take", lost_connection)  # the form's issue button
    page = issue_referral(client)
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "<html" in page.text and "Traceback" not in page.text
    monkeypatch.setattr(Session, "execute", lost_connection)  # every read: the list
    page = client.get("/documents", headers={"Accept-Language": "ru"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    monkeypatch.undo()
    assert issued_id(issue_referral(client))
