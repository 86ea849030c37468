"""The change feed (GET /api/v1/events, recordkeeping/feed.py) on SQLite and on a real PostgreSQL:
documents issued, revoked, superseded and cases opened and stepped, in order, with ids and types
only; pages by ``after``; one organisation's feed holds none of another's; nothing personal."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

import forms
from service.app import create_app

APPLICATION = forms.example("placement-application")
REFERRAL = forms.example("referral")
SURNAME = "Тұрсынбекова"  # the application's: never in the feed
KEYS = [
    {"key": "key-a", "organisation": "akimat-a"},
    {"key": "key-b", "organisation": "akimat-b"},
    {"key": "key-a-cases", "organisation": "akimat-a", "scopes": ["cases", "case_actions"]},
]
A, B, A_CASES = ({"Authorization": f"Bearer {k}"} for k in ("key-a", "key-b", "key-a-cases"))


@pytest.fixture
def app(backend):
    app = create_app({**backend, "API_KEYS": KEYS})
    yield app
    if "nysan.register" in app.extensions:
        app.extensions["nysan.register"].close()


def application() -> dict:
    data = copy.deepcopy(APPLICATION)
    data["applicant"]["last_name"] = SURNAME
    return {"form": "placement-application", "data": data, "lang": "kk"}


def test_the_feed_follows_documents_and_cases(app):
    client = app.test_client()
    issued = client.post("/api/v1/documents", json={"form": "referral", "data": REFERRAL}, headers=A)
    assert issued.status_code == 201, issued.json
    doc = issued.json["id"]
    client.get(f"/api/v1/documents/{doc}", headers=A)  # a read: not a change
    assert client.post(f"/api/v1/documents/{doc}/revoke", json={"reason": "Қате"}, headers=A).status_code == 200
    opened = client.post("/api/v1/cases", json={"flow": "stay", "application": application()}, headers=A)
    assert opened.status_code == 201, opened.json
    case = opened.json["id"]
    referral = copy.deepcopy(REFERRAL)
    del referral["applicant"]  # the application gives it
    stepped = client.post(f"/api/v1/cases/{case}/actions/refer", json={"data": referral}, headers=A)
    assert stepped.status_code == 200, stepped.json
    made = stepped.json["documents"][0]["id"]
    client.get(f"/api/v1/cases/{case}", headers=A)  # a read: not a change
    other = client.post("/api/v1/documents", json={"form": "referral", "data": REFERRAL}, headers=B)
    assert other.status_code == 201

    answer = client.get("/api/v1/events", headers=A)
    assert answer.status_code == 200, answer.json
    events = answer.json["events"]
    assert [{k: v for k, v in e.items() if k not in ("seq", "at")} for e in events] == [
        {"type": "document.issued", "document": doc},
        {"type": "document.revoked", "document": doc},
        {"type": "case.opened", "case": case, "step": "register"},
        {"type": "document.issued", "document": made},  # the step's document, issued first
        {"type": "case.step", "case": case, "step": "refer", "document": made},
    ]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and answer.json["next"] == seqs[-1]
    assert all(dt.datetime.fromisoformat(e["at"]).utcoffset() == dt.timedelta(0) for e in events)
    text = json.dumps(answer.json, ensure_ascii=False)
    for name in (SURNAME, APPLICATION["applicant"]["first_name"], REFERRAL["applicant"]["last_name"], "Қате"):
        assert name not in text
    assert other.json["id"] not in text  # another organisation's

    # pages: after is exclusive, limit caps, next is the page's last event
    first = client.get("/api/v1/events?limit=2", headers=A).json
    assert first["events"] == events[:2] and first["next"] == seqs[1]
    rest = client.get(f"/api/v1/events?after={first['next']}&limit=1000", headers=A).json
    assert rest["events"] == events[2:] and rest["next"] == seqs[-1]
    assert client.get(f"/api/v1/events?after={seqs[-1]}", headers=A).json == {"events": [], "next": None}

    theirs = client.get("/api/v1/events", headers=B).json["events"]
    assert [(e["type"], e.get("document")) for e in theirs] == [("document.issued", other.json["id"])]


def test_superseding_is_a_change_of_both_documents(app):
    client = app.test_client()
    old = client.post("/api/v1/documents", json={"form": "referral", "data": REFERRAL}, headers=A).json["id"]
    new = client.post(f"/api/v1/documents/{old}/supersede", json={"data": REFERRAL}, headers=A)
    assert new.status_code == 201, new.json
    events = client.get("/api/v1/events", headers=A).json["events"]
    assert [(e["type"], e["document"]) for e in events] == [
        ("document.issued", old),
        ("document.superseded", old),
        ("document.issued", new.json["id"]),
    ]


@pytest.mark.parametrize("query", ["after=-1", "after=x", "after=", "limit=0", "limit=1001", "limit=²", "after=1.5"])
def test_bad_parameters(app, query):
    answer = app.test_client().get(f"/api/v1/events?{query}", headers=A)
    assert answer.status_code == 400 and answer.json["code"] == "invalid_parameter"


def test_the_feed_needs_the_audit_scope(app):
    client = app.test_client()
    denied = client.get("/api/v1/events", headers=A_CASES)
    assert denied.status_code == 403 and denied.json["code"] == "forbidden"
    assert client.get("/api/v1/events").status_code == 401
