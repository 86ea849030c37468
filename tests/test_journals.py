"""Journals that keep themselves (recordkeeping/journals.py, GET /api/v1/journals/{form}): the stay
flow's referral journal for a period, rendered from the organisation's cases, on SQLite and on a real
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from recordkeeping import cases as cases_module
from service.app import create_app
from tests.support.text import pdf_text
from tests.test_cases import SURNAMES, open_case, referral_input

# Monday 6 April 2026, 10:00 in Almaty: two applications; the third on Tuesday.
MONDAY = dt.datetime(2026, 4, 6, 5, 0)
KEYS = [{"key": "key-a", "organisation": "akimat-a"}, {"key": "key-b", "organisation": "akimat-b"}]
A, B = ({"Authorization": f"Bearer {k}"} for k in ("key-a", "key-b"))
JOURNAL = "/api/v1/journals/referral-journal"


@pytest.fixture
def app(backend, monkeypatch):
    now = {"at": MONDAY}
    monkeypatch.setattr(cases_module, "utcnow", lambda: now["at"])
    app = create_app({**backend, "API_KEYS": KEYS})
    app.config["clock"] = now
    yield app
    if "nysan.register" in app.extensions:
        app.extensions["nysan.register"].close()


def registered(app) -> list[dict]:
    """Three placement applications (the third a day later), then the first one referred."""
    client, clock = app.test_client(), app.config["clock"]
    opened = []
    for i, surname in enumerate(SURNAMES):
        clock["at"] = MONDAY + dt.timedelta(days=1 if i == 2 else 0)
        details = {"applicant_birth_date": "1980-05-0%d" % (i + 1), "country_of_origin": "Өзбекстан"}
        answer = open_case(client, surname, headers=A, details=details)
        assert answer.status_code == 201, answer.json
        opened.append(answer.json)
    referred = client.post(f"/api/v1/cases/{opened[0]['id']}/actions/refer", json={"data": referral_input()}, headers=A)
    assert referred.status_code == 200, referred.json
    return [referred.json, *opened[1:]]


def test_the_journal_is_the_cases_in_registration_order(app):
    cases = registered(app)
    client = app.test_client()
    answer = client.get(f"{JOURNAL}?from=2026-04-01&to=2026-04-30", headers=A)
    assert answer.status_code == 200, answer.json
    journal = answer.json
    assert (journal["form"], journal["version"], journal["from"], journal["to"]) == (
        "referral-journal",
        "1",
        "2026-04-01",
        "2026-04-30",
    )
    entries = journal["data"]["entries"]
    assert [e["applicant"]["last_name"] for e in entries] == list(SURNAMES)
    assert [e["application_number"] for e in entries] == ["1", "2", "3"]
    assert [e["birth_date"] for e in entries] == ["1980-05-01", "1980-05-02", "1980-05-03"]
    [referral] = cases[0]["documents"]  # made on Tuesday, with the third application
    assert (entries[0]["referral_number"], entries[0]["referral_date"]) == (referral["number"], "2026-04-07")
    assert "referral_number" not in entries[1] and "referral_number" not in entries[2]
    assert journal["data"]["started_on"] == "2026-04-01"
    # reading the cases' data is audited, case by case
    events = client.get(f"/api/v1/audit?document={cases[1]['id']}", headers=A).json["events"]
    assert [e["action"] for e in events] == ["open_case", "read_case"]


def test_the_journal_as_a_pdf_and_for_a_period(app):
    registered(app)
    client = app.test_client()
    pdf = client.get(f"{JOURNAL}?from=2026-04-06&to=2026-04-07&format=pdf&lang=ru", headers=A)
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:500]
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="referral-journal-2026-04-06-2026-04-07-ru.pdf"'
    text = pdf_text(pdf.data)
    positions = [text.find(surname) for surname in SURNAMES]
    assert -1 not in positions and positions == sorted(positions), text
    # Monday only: the Tuesday's case is not in it
    monday = client.get(f"{JOURNAL}?from=2026-04-06&to=2026-04-06", headers=A).json["data"]["entries"]
    assert [e["applicant"]["last_name"] for e in monday] == list(SURNAMES[:2])
    assert client.get(f"{JOURNAL}?from=2026-04-08&to=2026-05-01", headers=A).json["data"]["entries"] == []
    # another organisation keeps its own journal: none of these rows
    assert client.get(f"{JOURNAL}?from=2026-04-01&to=2026-04-30", headers=B).json["data"]["entries"] == []


@pytest.mark.parametrize(
    ("query", "paths"),
    [
        ("", ["query.from", "query.to"]),
        ("?from=2026-04-01", ["query.to"]),
        ("?from=2026-04-31&to=2026-05-01", ["query.from"]),
        ("?from=yesterday&to=2026-05-01", ["query.from"]),
        ("?from=2026-05-02&to=2026-05-01", ["query.to"]),
        ("?from=2026-04-01&to=2026-05-01&format=xlsx", ["query.format"]),
    ],
)
def test_bad_periods_are_refused(app, query, paths):
    answer = app.test_client().get(JOURNAL + query, headers=A)
    assert answer.status_code == 400 and answer.json["code"] == "invalid_parameter"
    assert [e["path"] for e in answer.json["errors"]] == paths


def test_a_form_that_is_no_journal(app):
    answer = app.test_client().get("/api/v1/journals/referral?from=2026-04-01&to=2026-04-30", headers=A)
    assert answer.status_code == 404 and answer.json["code"] == "journal_not_found"


def test_a_row_the_form_cannot_print_is_a_clear_422(app):
    client = app.test_client()
    assert open_case(client, SURNAMES[0], headers=A).status_code == 201  # no applicant_birth_date yet
    answer = client.get(f"{JOURNAL}?from=2026-04-06&to=2026-04-06&format=pdf", headers=A)
    assert answer.status_code == 422 and answer.json["code"] == "invalid_data"
    assert [e["path"] for e in answer.json["errors"]] == ["entries[0].birth_date"]
    assert client.get(f"{JOURNAL}?from=2026-04-06&to=2026-04-06", headers=A).status_code == 200
