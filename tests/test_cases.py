"""Cases running the declared flows (recordkeeping/cases.py, service/api/cases.py), through the API on
SQLite and on a real PostgreSQL: the stay flow's journal, a step that issues the referral prefilled
from the application, refusals, organisations, deadlines on a fixed clock, nothing personal in clear."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

import forms
from recordkeeping import cases as cases_module
from service.app import create_app

APPLICATION = forms.example("placement-application")
REFERRAL = forms.example("referral")
SURNAMES = ("Тұрсынбекова", "Әбдіхалықова", "Жақыпбекұлы")  # one per application: never in clear
# Monday 6 April 2026, 10:00 in Almaty (UTC+5): the referral's three calendar days end on Thursday.
MONDAY = dt.datetime(2026, 4, 6, 5, 0)


@pytest.fixture
def clock(monkeypatch):
    """The cases' clock (naive UTC, as the database keeps time) fixed at MONDAY."""
    monkeypatch.setattr(cases_module, "utcnow", lambda: MONDAY)
    return MONDAY


def application(surname: str) -> dict:
    data = copy.deepcopy(APPLICATION)
    data["applicant"]["last_name"] = surname
    return {"form": "placement-application", "data": data, "lang": "kk"}


def referral_input() -> dict:
    """What the clerk types for the referral: everything but the applicant, which the application gives."""
    data = copy.deepcopy(REFERRAL)
    del data["applicant"]
    return data


def open_case(client, surname: str, headers=None, **extra):
    return client.post(
        "/api/v1/cases", json={"flow": "stay", "application": application(surname), **extra}, headers=headers or {}
    )


def test_the_stay_flow_through_the_api(register_app, clock):
    client = register_app.test_client()
    opened = [open_case(client, surname, details={"birth_place": "Ташкент"}) for surname in SURNAMES]
    assert [r.status_code for r in opened] == [201, 201, 201]
    assert [r.json["number"] for r in opened] == ["1", "2", "3"]  # the journal's own numbers
    first, second, third = (r.json for r in opened)
    assert opened[0].headers["Location"] == f"/api/v1/cases/{first['id']}"
    assert first["status"] == "registered" and first["actions"] == ["reserve", "refer"]
    assert first["deadlines"] == [{"action": "reserve", "due": "2026-04-06T23:59:59+05:00", "overdue": False}]

    referred = client.post(f"/api/v1/cases/{first['id']}/actions/refer", json={"data": referral_input()})
    assert referred.status_code == 200, referred.json
    case = referred.json
    assert case["status"] == "referred" and case["actions"] == ["place", "not_placed"]
    [document] = case["documents"]
    assert document["form"] == "referral" and document["number"] == "1"
    # the referral was prefilled from the application: the applicant's name is the application's
    stored = client.get(f"/api/v1/documents/{document['id']}/data").json["data"]
    assert stored["applicant"] == {**APPLICATION["applicant"], "last_name": SURNAMES[0]}
    assert stored["members"] == REFERRAL["members"]  # and the clerk's input is kept as given
    # place is due three calendar days after refer, at the day's end in Almaty
    assert case["deadlines"] == [{"action": "place", "due": "2026-04-09T23:59:59+05:00", "overdue": False}]
    assert [(e["step"], e["status"], e["document"], e["at"]) for e in case["timeline"]] == [
        ("register", "registered", None, "2026-04-06T05:00:00Z"),
        ("refer", "referred", document["id"], "2026-04-06T05:00:00Z"),
    ]
    assert client.get(f"/api/v1/cases/{first['id']}").json == case

    for other in (second, third):
        reserved = client.post(f"/api/v1/cases/{other['id']}/actions/reserve")
        assert reserved.status_code == 200 and reserved.json["status"] == "reserve"
        assert reserved.json["documents"] == [] and reserved.json["actions"] == ["refer"]

    refused = client.post(f"/api/v1/cases/{second['id']}/actions/place")  # from the reserve: refer first
    assert refused.status_code == 409 and refused.json["code"] == "action_not_allowed"
    assert client.get(f"/api/v1/cases/{second['id']}").json["status"] == "reserve"  # nothing changed
    unknown = client.post(f"/api/v1/cases/{second['id']}/actions/fly", json={})
    assert unknown.status_code == 409 and unknown.json["code"] == "action_not_allowed"

    listed = client.get("/api/v1/cases?flow=stay").json["cases"]
    assert [(c["number"], c["status"]) for c in listed] == [("1", "referred"), ("2", "reserve"), ("3", "reserve")]
    assert [c["number"] for c in client.get("/api/v1/cases?status=reserve").json["cases"]] == ["2", "3"]
    assert client.get("/api/v1/cases?overdue=true").json["cases"] == []
    assert client.get("/api/v1/cases?overdue=maybe").status_code == 400

    events = client.get(f"/api/v1/audit?document={first['id']}").json["events"]
    assert [e["action"] for e in events] == ["open_case", "case_step"]


def test_overdue_on_a_later_day(register_app, monkeypatch, clock):
    client = register_app.test_client()
    case = open_case(client, SURNAMES[0]).json
    client.post(f"/api/v1/cases/{case['id']}/actions/refer", json={"data": referral_input()})
    monkeypatch.setattr(cases_module, "utcnow", lambda: MONDAY + dt.timedelta(days=4))  # Friday: past Thursday
    [late] = client.get("/api/v1/cases?overdue=true").json["cases"]
    assert late["id"] == case["id"] and late["deadlines"][0]["overdue"] is True


def test_invalid_application_stores_nothing(register_app, clock):
    client = register_app.test_client()
    bad = application(SURNAMES[0])
    del bad["data"]["applicant"]
    refused = client.post("/api/v1/cases", json={"flow": "stay", "application": bad})
    validated = client.post("/api/v1/forms/placement-application/validate", json=bad["data"])
    assert refused.status_code == 422 and refused.json["code"] == "invalid_data"
    assert refused.json["errors"] == validated.json["errors"]  # as validate answers
    details = open_case(client, SURNAMES[0], details={"referral_date": "soon", "colour": "red"})
    assert details.status_code == 422
    assert {e["path"] for e in details.json["errors"]} == {"details.referral_date", "details.colour"}
    for body, path in (
        ({"flow": "mortgage", "application": application(SURNAMES[0])}, "flow"),
        ({"flow": "stay", "application": {**application(SURNAMES[0]), "form": "referral"}}, "application.form"),
        ({"flow": "stay"}, "application"),
    ):
        shape = client.post("/api/v1/cases", json=body)
        assert shape.status_code == 422 and shape.json["code"] == "invalid_request"
        assert [e["path"] for e in shape.json["errors"]] == [path]
    assert client.get("/api/v1/cases").json["cases"] == []
    assert open_case(client, SURNAMES[0]).json["number"] == "1"  # no number was used


def test_a_step_with_invalid_document_data_is_refused(register_app, clock):
    client = register_app.test_client()
    case = open_case(client, SURNAMES[0]).json
    data = referral_input()
    data["issue_date"] = "not a date"
    refused = client.post(f"/api/v1/cases/{case['id']}/actions/refer", json={"data": data})
    assert refused.status_code == 422 and refused.json["code"] == "invalid_data"
    assert [e["path"] for e in refused.json["errors"]] == ["issue_date"]
    after = client.get(f"/api/v1/cases/{case['id']}").json
    assert after["status"] == "registered" and after["documents"] == []
    assert client.get("/api/v1/documents").json["documents"] == []


def test_organisations_and_scopes(backend, clock):
    keys = [
        {"key": "key-a", "organisation": "akimat-a"},
        {"key": "key-b", "organisation": "akimat-b"},
        {"key": "key-a-reader", "organisation": "akimat-a", "scopes": ["cases"]},
    ]
    app = create_app({**backend, "API_KEYS": keys})
    try:
        client = app.test_client()
        a, b, reader = ({"Authorization": f"Bearer {k}"} for k in ("key-a", "key-b", "key-a-reader"))
        case = open_case(client, SURNAMES[0], headers=a).json
        assert open_case(client, SURNAMES[1], headers=b).json["number"] == "1"  # journals are per organisation
        for answer in (
            client.get(f"/api/v1/cases/{case['id']}", headers=b),
            client.post(f"/api/v1/cases/{case['id']}/actions/reserve", headers=b),
        ):
            assert answer.status_code == 404 and answer.json["code"] == "case_not_found"
        assert [c["id"] for c in client.get("/api/v1/cases", headers=b).json["cases"]] != [case["id"]]
        assert client.get(f"/api/v1/cases/{case['id']}", headers=reader).json["status"] == "registered"
        denied = client.post(f"/api/v1/cases/{case['id']}/actions/reserve", headers=reader)
        assert denied.status_code == 403 and denied.json["code"] == "forbidden"
        assert open_case(client, SURNAMES[2], headers=reader).status_code == 403
        assert client.get("/api/v1/cases").status_code == 401
    finally:
        if "nysan.register" in app.extensions:
            app.extensions["nysan.register"].close()


def test_a_role_limits_the_steps(register_app, clock):
    """An account's role (the web's clerks) takes only its steps; an API key (no role) any."""
    from recordkeeping import ActionNotAllowed, Actor, CaseNotFound
    from recordkeeping.cases import Cases
    from service.records import current_register

    with register_app.app_context():
        cases = Cases(current_register())
        clerk = Actor("default", "clerk-1", role="clerk")
        case = cases.open(clerk, "stay", application(SURNAMES[0]))
        assert case["actions"] == []  # reserve and refer are the supervisor's
        with pytest.raises(ActionNotAllowed):
            cases.act(clerk, case["id"], "reserve")
        supervisor = Actor("default", "boss", role="supervisor")
        assert cases.act(supervisor, case["id"], "reserve")["status"] == "reserve"
        with pytest.raises(CaseNotFound):
            cases.get(Actor("elsewhere", "x", role="admin"), case["id"])
        with pytest.raises(forms.ValidationFailed):
            cases.open(clerk, "stay", {"data": {}})
        data, details = cases.application(supervisor, case["id"])
        assert data["applicant"]["last_name"] == SURNAMES[0] and details == {"number": "1"}


def test_no_name_in_clear(register_app, backend, request, clock):
    client = register_app.test_client()
    for surname in SURNAMES:
        case = open_case(client, surname, details={"birth_place": "Қарақалпақстан"}).json
        referred = client.post(f"/api/v1/cases/{case['id']}/actions/refer", json={"data": referral_input()})
        assert referred.status_code == 200
    folders = [Path(backend["STATE_DIR"])]
    if backend["DATABASE_URL"]:  # the cluster's own files, as tests/test_register.py reads them
        cluster = request.getfixturevalue("postgres_cluster")
        cluster.execute("CHECKPOINT")
        folders.append(cluster.data)
    files = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    assert any(path.name.startswith("register.sqlite3") for path in files) or backend["DATABASE_URL"]
    for needle in (*SURNAMES, "Қарақалпақстан", REFERRAL["members"][0]["name"]["last_name"]):
        assert [path for path in files if needle.encode("utf-8") in path.read_bytes()] == []


def test_a_step_overtaken_while_its_document_was_made_is_refused(register_app, clock):
    """Another step recorded while the referral was being issued: the refer step is refused and its
    document revoked, so that no document in force belongs to no step."""
    from recordkeeping import ActionNotAllowed, Actor
    from recordkeeping.cases import Cases
    from service.records import current_register

    with register_app.app_context():
        register = current_register()
        cases, boss = Cases(register), Actor("default", "boss", role="supervisor")
        case = cases.open(boss, "stay", application(SURNAMES[0]))
        issue, issued = register.issue, []

        def issue_then_reserve(*args, **kwargs):
            document = issue(*args, **kwargs)
            issued.append(document[0]["id"])
            Cases(register).act(boss, case["id"], "reserve")  # another clerk, meanwhile
            return document

        register.issue = issue_then_reserve
        try:
            with pytest.raises(ActionNotAllowed):
                cases.act(boss, case["id"], "refer", referral_input())
        finally:
            del register.issue
        after = cases.get(boss, case["id"])
        assert after["status"] == "reserve" and after["documents"] == []
        assert register.get(boss, issued[0])["status"] == "revoked"


def test_migration_0005_goes_down_and_up(backend):
    from alembic import command
    from sqlalchemy import inspect

    from recordkeeping.settings import RecordSettings

    db = RecordSettings(state_dir=Path(backend["STATE_DIR"]), database_url=backend["DATABASE_URL"]).database()
    db.upgrade()
    assert {"cases", "case_events"} <= set(inspect(db.engine).get_table_names())
    config = db._alembic()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert not {"cases", "case_events"} & set(inspect(db.engine).get_table_names())
    db.upgrade()
    assert {"cases", "case_events"} <= set(inspect(db.engine).get_table_names())
    db.dispose()
