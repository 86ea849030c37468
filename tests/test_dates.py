"""Dates within the bounds their specs declare (``min``, ``past``, ``max_days_ahead``), today taken
in Asia/Almaty from a fixed clock here; a year typed short in the web form refused, not taken as
the year 26; an impossible day told in the day, month and year typed; and the register issuing
only versions in force on the day of issue."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

import forms
from forms.authoring.versioning import new_version
from forms.fields import dates, field_type
from forms.validation.jsonschema import json_schema
from recordkeeping.models import Document
from recordkeeping.users import Users
from service.app import create_app
from service.records import open_register
from support.datadir import copy_data
from support.web import csrf_token, date_inputs

TODAY = dt.date(2026, 3, 10)  # the referral example's issue date
REFERRAL = forms.example("referral")
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Today (Asia/Almaty) is TODAY for the engine, whatever day the tests run."""
    monkeypatch.setattr(dates, "today", lambda: TODAY)


def sqlite_app(tmp_path, **settings):
    return create_app(
        {
            "STATE_DIR": str(tmp_path / "state"),
            "DATABASE_URL": None,
            "DATA_KEY": None,
            "PUBLIC_URL": "https://verify.example.kz",
            **settings,
        }
    )


def referral(**changes) -> dict:
    data = copy.deepcopy(REFERRAL)
    data.update(changes)
    return data


def issue(client, data, **options):
    return client.post(
        "/api/v1/documents", json={"form": "referral", "data": data, "lang": "kk", "format": "pdf", **options}
    )


def stored(client) -> list:
    return client.get("/api/v1/documents").json["documents"]


def faults(response) -> list[tuple[str, str]]:
    return [(e["path"], e["code"]) for e in response.json["errors"]]


# --- the API: validate, render and issue refuse dates outside the bounds ------------------------------


@pytest.mark.parametrize(
    "changes, path, code",
    [
        ({"issue_date": "0026-12-05"}, "issue_date", "date_too_early"),
        ({"issue_date": "2031-03-10"}, "issue_date", "date_too_late"),  # five years ahead
        ({"issue_date": "2026-04-10"}, "issue_date", "date_too_late"),  # 31 days ahead
        ({"applicant_birth_date": "2026-03-11"}, "applicant_birth_date", "future_date"),
        ({"applicant_birth_date": "1899-12-31"}, "applicant_birth_date", "date_too_early"),
        ({"issue_date": "26-12-5"}, "issue_date", "year_four_digits"),
    ],
)
def test_validate_render_and_issue_refuse_a_date_out_of_bounds(tmp_path, changes, path, code):
    client = sqlite_app(tmp_path).test_client()
    data = referral(**changes)
    answers = [
        client.post("/api/v1/forms/referral/validate", json=data),
        client.post("/api/v1/forms/referral/render?lang=kk&format=pdf", json=data),
        issue(client, data),
    ]
    for response in answers:
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert response.json["code"] == "invalid_data" and faults(response) == [(path, code)]
    assert stored(client) == []
    assert issue(client, referral()).json["number"] == "1"  # the refusals used no number


def test_the_bounds_are_inclusive_and_move_with_the_clock(tmp_path, monkeypatch):
    client = sqlite_app(tmp_path).test_client()
    valid = lambda **c: client.post("/api/v1/forms/referral/validate", json=referral(**c)).status_code  # noqa: E731
    assert valid(issue_date="2026-04-09", applicant_birth_date="2026-03-10") == 200  # today + 30, today
    assert valid(issue_date="2000-01-01", applicant_birth_date="1900-01-01") == 200  # the earliest days
    assert valid(issue_date="1999-12-31") == 422
    monkeypatch.setattr(dates, "today", lambda: dt.date(2026, 3, 11))
    assert valid(issue_date="2026-04-10", applicant_birth_date="2026-03-11") == 200


def test_the_message_of_a_bound_names_the_day(tmp_path):
    client = sqlite_app(tmp_path).test_client()
    messages = {
        lang: client.post(
            "/api/v1/forms/referral/validate", json=referral(issue_date="2031-03-10"), headers={"Accept-Language": lang}
        ).json["errors"][0]["message"]
        for lang in ("en", "kk", "ru")
    }
    assert messages == {
        "en": "The date cannot be later than 09.04.2026: at most 30 days after today.",
        "kk": "Күн 09.04.2026 күнінен кеш болмауы тиіс: бүгіннен бастап ең көбі 30 күн.",
        "ru": "Дата не может быть позже 09.04.2026: не более чем на 30 дн. вперёд от сегодняшнего дня.",
    }


def test_an_impossible_day_is_told_as_typed(tmp_path):
    client = sqlite_app(tmp_path).test_client()
    found = {}
    for lang in ("en", "kk", "ru"):
        response = client.post(
            "/api/v1/forms/referral/validate", json=referral(issue_date="2026-02-31"), headers={"Accept-Language": lang}
        )
        assert faults(response) == [("issue_date", "no_such_day")]
        found[lang] = response.json["errors"][0]["message"]
    assert found == {
        "en": "31.02.2026: there is no such day: February 2026 has 28 days.",
        "kk": "31.02.2026: мұндай күн жоқ: 2026 жылғы ақпанда 28 күн бар.",
        "ru": "31.02.2026: такого дня нет: последний день февраля 2026 года — 28-е.",
    }
    leap = client.post("/api/v1/forms/referral/validate", json=referral(applicant_birth_date="1988-02-30"))
    assert leap.json["errors"][0]["message"] == "30.02.1988: there is no such day: February 1988 has 29 days."


# --- the web form: a short year is refused, the typed parts kept -------------------------------------


def issued_count(app) -> int:
    """The documents in the register, whoever issued them."""
    with open_register(app).db.read() as session:
        return session.scalar(select(func.count()).select_from(Document))


def signed_in(app):
    Users(open_register(app).db).add("aigerim", "centre-1", "clerk", PASSWORD)
    client = app.test_client()
    login = client.post(
        "/login",
        data={
            "username": "aigerim",
            "password": PASSWORD,
            "next": "/",
            "csrf_token": csrf_token(client.get("/login").get_data(as_text=True)),
        },
    )
    assert login.status_code == 303
    return client


def posted_referral(day: str, month: str, year: str) -> dict:
    fields = {
        "applicant.last_name": "Нұрланов",
        "applicant.first_name": "Бауыржан",
        "applicant_birth_date.day": "12",
        "applicant_birth_date.month": "4",
        "applicant_birth_date.year": "1985",
        "head_name": "Қ. Т. Сәрсенбаев",
        "doc_lang": "kk",
        "issue_date.day": day,
        "issue_date.month": month,
        "issue_date.year": year,
    }
    return fields


@pytest.mark.parametrize("action", ["issue", "validate"])
def test_a_two_digit_year_in_the_web_form_is_refused_and_kept_as_typed(tmp_path, action):
    app = sqlite_app(tmp_path, TESTING=True, SECRET_KEY="test")
    client = signed_in(app)
    token = csrf_token(client.get("/forms/referral").get_data(as_text=True))
    response = client.post(
        "/forms/referral", data={**posted_referral("5", "12", "26"), "_action": action, "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "error-summary" in page
    assert "5.12.26: жылды толық, төрт цифрмен жазыңыз (мысалы, 1985 немесе 2026), 26 емес." in page
    assert date_inputs(page, "issue_date") == ("5", "12", "26")
    assert "0026" not in page
    assert issued_count(app) == 0
    fine = client.post(
        "/forms/referral", data={**posted_referral("5", "3", "2026"), "_action": "issue", "csrf_token": token}
    )
    assert fine.status_code == 303 and issued_count(app) == 1


def test_a_short_year_in_an_uploaded_cell_is_refused_too():
    spec = forms.default_registry().resolve("referral").field("issue_date")
    cell = field_type(spec).from_cell(spec, "5.12.26")
    assert [(e["path"], e["code"]) for e in forms.validate("referral", referral(issue_date=cell))] == [
        ("issue_date", "year_four_digits")
    ]
    assert field_type(spec).from_cell(spec, "5.12.2026") == "2026-12-05"


# --- the shipped specs declare the bounds (the loader's checks: tests/test_fields.py) -----------------


def date_fields(specs, prefix=""):
    for spec in specs:
        if spec.type == "date":
            yield f"{prefix}{spec.name}", spec
        yield from date_fields(spec.children, f"{prefix}{spec.name}.")


def test_every_shipped_date_field_is_bounded_and_the_json_schema_says_how():
    registry = forms.default_registry()
    seen = 0
    for form in registry.forms.values():
        for version in form.versions:
            schema = json.dumps(json_schema(version), ensure_ascii=False)
            for path, spec in date_fields(version.fields):
                seen += 1
                assert isinstance(spec.min, dt.date), f"{form.id} {path}: no min"
                assert spec.past or spec.max_days_ahead, f"{form.id} {path}: no upper bound"
                if "birth" in path:
                    assert spec.past and spec.min == dt.date(1900, 1, 1), f"{form.id} {path}"
                assert f'"min": "{spec.min.isoformat()}"' in schema
    assert seen >= 30
    schema = json_schema(registry.resolve("referral"))
    issue_date = schema["properties"]["issue_date"]
    assert issue_date["x-date-bounds"] == {"min": "2000-01-01", "max_days_ahead": 30}
    assert "not before 2000-01-01 and at most 30 days after today" in issue_date["description"]
    birth = schema["properties"]["applicant_birth_date"]
    assert birth["x-date-bounds"] == {"min": "1900-01-01", "max_days_ahead": 0}
    assert "not after today" in birth["description"]


# --- issuing: never a version not yet in force -------------------------------------------------------


@pytest.fixture
def two_versions(tmp_path):
    """referral with version 2 in force from 20 days after TODAY (version 1 until the day before)."""
    data = copy_data(tmp_path / "data", ("referral",))
    new_version("referral", TODAY + dt.timedelta(days=20), "Order No. 512 of 2026-03-01", data_dir=data)
    return data


def test_issuing_refuses_a_version_not_yet_in_force(tmp_path, two_versions, monkeypatch):
    client = sqlite_app(tmp_path, DATA_DIR=str(two_versions)).test_client()
    effective = (TODAY + dt.timedelta(days=20)).isoformat()
    for options in ({"version": "2"}, {"as_of": effective}, {"version": "2", "as_of": effective}):
        response = issue(client, referral(), **options)
        assert response.status_code == 422, (options, response.json)
        assert response.json["code"] == "not_in_force" and faults(response) == [("", "not_in_force")]
        assert f"applies from {effective}" in response.json["message"]
    kk = client.post(
        "/api/v1/documents",
        json={"form": "referral", "data": referral(), "version": "2"},
        headers={"Accept-Language": "kk"},
    ).json["message"]
    assert "әлі күшіне енбеген" in kk
    assert stored(client) == []
    # A preview of the coming version stays allowed.
    preview = client.post("/api/v1/forms/referral/render?lang=kk&format=html&version=2", json=referral())
    assert preview.status_code == 200 and preview.headers["X-Nysan-Form-Version"] == "2"
    first = issue(client, referral(), version="1")
    assert first.status_code == 201 and first.json["number"] == "1"  # no number used by the refusals
    assert issue(client, referral()).json["version"] == "1"  # today's version
    # On its first day version 2 is in force, and issued.
    monkeypatch.setattr(dates, "today", lambda: TODAY + dt.timedelta(days=20))
    second = issue(client, referral(issue_date=effective), version="2")
    assert second.status_code == 201 and second.json["version"] == "2" and second.json["number"] == "3"
