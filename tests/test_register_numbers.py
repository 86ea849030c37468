"""Numbers under concurrency, on SQLite and PostgreSQL: threads and two processes issuing at once
get 1..N without gap or duplicate; an issue that fails after taking its number gives it back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import forms
from recordkeeping import Actor, Register
from recordkeeping.settings import RecordSettings

REFERRAL = forms.example("referral")


def open_register(backend: dict, **options) -> Register:
    return Register.open(forms.default_registry(), RecordSettings.from_config(backend), **options)


def numbers(register: Register, organisation: str = "default") -> list[int]:
    docs, cursor = [], None
    while True:
        page, cursor = register.list(Actor(organisation), form="referral", limit=200, cursor=cursor)
        docs += page
        if cursor is None:
            return sorted(int(d["number"]) for d in docs)


def test_threads_get_gap_free_unique_numbers(backend):
    register = open_register(backend)
    got, errors = [], []

    def worker():
        try:
            for _ in range(5):
                got.append(int(register.issue(Actor(), "referral", REFERRAL, "kk", "html")[0]["number"]))
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(err))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(got) == list(range(1, 31)) == numbers(register)
    register.close()


WORKER = textwrap.dedent("""
    import json, sys
    import forms
    from recordkeeping import Actor, Register
    from recordkeeping.settings import RecordSettings
    settings = json.loads(sys.argv[1])
    register = Register.open(forms.default_registry(), RecordSettings.from_config(settings))
    data = forms.example("referral")
    sys.stdin.readline()                       # both processes start issuing together
    print(json.dumps([register.issue(Actor(), "referral", data, "kk", "html")[0]["number"] for _ in range(12)]))
""")


def test_two_processes_get_gap_free_unique_numbers(backend):
    open_register(backend).close()  # created (SQLite) before both start
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(backend)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [err for _, err in outputs]
    got = [int(n) for out, _ in outputs for n in json.loads(out)]
    assert sorted(got) == list(range(1, 25))
    register = open_register(backend)
    assert numbers(register) == list(range(1, 25))
    register.close()


def test_an_issue_failing_after_its_number_uses_none(backend):
    calls = []

    def failing_mark(document, fmt, url, lang):
        calls.append(fmt)
        if len(calls) == 2:
            raise RuntimeError("the mark failed")
        return document

    register = open_register(backend, mark=failing_mark)
    assert register.issue(Actor(), "referral", REFERRAL, "kk", "pdf")[0]["number"] == "1"
    with pytest.raises(RuntimeError):
        register.issue(Actor(), "referral", REFERRAL, "kk", "pdf")
    assert register.issue(Actor(), "referral", REFERRAL, "kk", "pdf")[0]["number"] == "2"
    assert numbers(register) == [1, 2]
    assert [e["action"] for e in register.events(Actor())] == ["issue", "issue"]
    register.close()


def test_numbers_are_per_organisation_and_form(backend):
    register = open_register(backend)
    issue = register.issue
    assert issue(Actor("a"), "referral", REFERRAL, "kk", "html")[0]["number"] == "1"
    assert issue(Actor("b"), "referral", REFERRAL, "kk", "html")[0]["number"] == "1"
    placement = forms.example("placement-application")
    assert issue(Actor("a"), "placement-application", placement, "kk", "html")[0]["number"] == "1"
    assert issue(Actor("a"), "referral", REFERRAL, "kk", "html")[0]["number"] == "2"
    register.close()


def test_numbers_start_again_each_calendar_year_in_almaty(backend, monkeypatch):
    import datetime as dt

    from recordkeeping import documents

    register = open_register(backend)
    # 18:59 UTC on 31 December is 23:59 in Almaty (UTC+5); 19:01 is already the new year there.
    for moment, expected in (
        ("2026-12-31T18:58", "1"),
        ("2026-12-31T18:59", "2"),
        ("2026-12-31T19:01", "1"),
        ("2027-01-01T08:00", "2"),
    ):
        monkeypatch.setattr(documents, "utcnow", lambda m=moment: dt.datetime.fromisoformat(m))
        doc, _ = register.issue(Actor(), "referral", REFERRAL, "kk", "html")
        assert doc["number"] == expected, moment
    register.close()


def _issued_together(register: Register, first, others: list, join: bool) -> tuple[list, list]:
    """Runs ``first`` (a call that issues) and holds its transaction, once it has its number, until
    every one of ``others`` waits for it, as when a process's threads reach the number's
    transaction while another is in it. ``join``: the waiting issues may join that transaction
    (they came while it waited for its lock); else they come just too late and go in the next.
    Returns (what each call gave or raised, in order; each transaction's issue count); asserts that
    waiting issues are asked for only once the transaction holds its number (its counter's lock)."""
    from recordkeeping import numbers as numbering

    original_store, original_more, batches = register._store_together, register._batches.more, []
    original_take, taken = numbering.take, []
    entered, release = threading.Event(), threading.Event()

    def take(*args):
        number = original_take(*args)
        taken.append(number)
        return number

    def store_together(batch, more=None):
        try:
            return original_store(batch, more)
        finally:
            batches.append(len(batch))

    def more(wanted):
        if entered.is_set():
            return original_more(wanted)
        assert taken, "waiting issues asked for before the transaction took its number"
        entered.set()
        assert release.wait(60)
        return original_more(wanted) if join else []

    register._store_together, register._batches.more, numbering.take = store_together, more, take
    results = [None] * (1 + len(others))

    def call(index, function):
        try:
            results[index] = function()
        except Exception as err:  # noqa: BLE001 - compared by the test
            results[index] = err

    threads = [threading.Thread(target=call, args=(0, first))]
    threads[0].start()
    assert entered.wait(60)
    threads += [threading.Thread(target=call, args=(index, other)) for index, other in enumerate(others, 1)]
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 60
    while len(register._batches._waiting) < len(others) and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(60)
    register._store_together, register._batches.more, numbering.take = original_store, original_more, original_take
    return results, batches


@pytest.mark.parametrize("join", [False, True], ids=["queued", "joining"])
def test_issues_that_wait_together_are_stored_in_one_transaction(backend, join):
    """While one issue is in the number's transaction, the others that reach it wait and are then
    stored together: one transaction (one lock, one commit) for all of them — the next one, or,
    when they queued while that one still waited for its lock, the same one. Numbers still in
    order and gap-free, every document and audit event there."""
    register = open_register(backend)
    issue = lambda: register.issue(Actor(), "referral", REFERRAL, "kk", "html")[0]  # noqa: E731
    results, batches = _issued_together(register, issue, [issue, issue, issue], join)
    assert batches == ([4] if join else [1, 3])
    assert sorted(int(result["number"]) for result in results) == [1, 2, 3, 4] == numbers(register)
    assert [e["action"] for e in register.events(Actor())] == ["issue"] * 4
    assert register.verify_audit().ok and register.verify_audit().events == 4
    register.close()


def test_an_issue_failing_in_a_shared_transaction_fails_alone(backend):
    """Two retries under one Idempotency-Key waiting in the same transaction: it fails as a whole
    (the key is unique), each issue is then stored on its own, the retry gets the first document,
    and the others are issued as if they had been alone."""
    register = open_register(backend)
    issue = lambda: register.issue(Actor(), "referral", REFERRAL, "kk", "html")  # noqa: E731
    retry = lambda: register.issue(Actor(), "referral", REFERRAL, "kk", "html", idempotency_key="k-1")  # noqa: E731
    results, batches = _issued_together(register, issue, [issue, retry, retry, issue], join=False)
    assert not [result for result in results if isinstance(result, Exception)], results
    assert batches == [1, 4, 1, 1, 1, 1]  # the shared one failed; then each alone
    documents = {document["id"]: document for document, _ in results}
    assert len(documents) == 4 and sorted(int(d["number"]) for d in documents.values()) == [1, 2, 3, 4]
    assert results[2][0] == results[3][0] and sorted([results[2][1], results[3][1]]) == [False, True]
    assert numbers(register) == [1, 2, 3, 4]
    assert register.verify_audit().ok and register.verify_audit().events == 4
    register.close()
