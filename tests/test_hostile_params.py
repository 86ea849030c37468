"""Hostile query and form parameters, on SQLite and on a real PostgreSQL: a forged list cursor, a
number no database integer holds or that Python's ``int`` refuses, a ``next`` with a line break or a
backslash. Each is a 400 in the usual envelope (or page), or a redirect to the home page; never a 500
nor a redirect off the site."""

from __future__ import annotations

import base64

import pytest
from test_accounts import PASSWORD, add_user, signed_in, token
from test_service_errors import envelope

MAX_ROW = 2**63 - 1  # the largest number a BIGINT (the register's row and event numbers) holds


def forged(text: str) -> str:
    """A cursor as the service makes them (urlsafe base64 without padding) of ``text``."""
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


FORGED_CURSORS = [
    forged(f"r{MAX_ROW + 1}"),
    forged("r" + "9" * 30),
    forged("r" + "9" * 5000),
    forged("r١٢"),
    forged("x12"),
    forged("r-1"),
    "é",
    "%00",
]
HOSTILE_NEXT = ["/x\r\nSet-Cookie: a=b", "/\nx", "/\\evil.example", "//evil.example", "https://evil.example/"]


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
def test_a_forged_cursor_is_400_in_the_api(register_app, cursor):
    body = envelope(
        register_app.test_client().get("/api/v1/documents", query_string={"cursor": cursor}), 400, "invalid_parameter"
    )
    assert [error["path"] for error in body["errors"]] == ["query.cursor"]


def test_the_last_row_a_database_holds_is_still_a_cursor(register_app):
    response = register_app.test_client().get("/api/v1/documents", query_string={"cursor": forged(f"r{MAX_ROW}")})
    assert response.status_code == 200 and response.json == {"documents": [], "next": None}


def test_a_forged_cursor_is_400_in_the_web_list(register_app):
    client = signed_in(register_app)
    assert client.get("/documents").status_code == 200
    for cursor in FORGED_CURSORS:
        response = client.get("/documents", query_string={"cursor": cursor})
        assert response.status_code == 400, cursor


@pytest.mark.parametrize(
    "path, name, value",
    [
        ("/api/v1/documents", "limit", "²"),  # a digit to str.isdigit, not to int()
        ("/api/v1/documents", "limit", "9" * 5000),  # more digits than int() converts
        ("/api/v1/documents", "limit", "١٢"),  # Arabic-Indic digits: no limit of ours
        ("/api/v1/audit", "limit", "²"),
        ("/api/v1/audit", "after", "9" * 5000),
        ("/api/v1/audit", "after", str(MAX_ROW + 1)),
        ("/api/v1/audit", "after", "²"),
    ],
)
def test_a_number_no_database_holds_is_400(register_app, path, name, value):
    body = envelope(register_app.test_client().get(path, query_string={name: value}), 400, "invalid_parameter")
    assert [error["path"] for error in body["errors"]] == [f"query.{name}"]


def test_the_largest_event_number_is_still_a_number(register_app):
    response = register_app.test_client().get("/api/v1/audit", query_string={"after": str(MAX_ROW)})
    assert response.status_code == 200 and response.json["events"] == []


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_hostile_next_redirects_home_after_sign_in(register_app, target):
    add_user(register_app)
    client = register_app.test_client()
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    assert 'name="next" value="/"' in page.get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "aigerim", "password": PASSWORD, "next": target, "csrf_token": token(client)}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    signed = client.get("/login", query_string={"next": target})  # already signed in: straight on
    assert signed.status_code == 303 and signed.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_hostile_next_after_a_language_switch_goes_home(register_app, target):
    response = register_app.test_client().get("/lang/ru", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_next_on_this_site_is_kept(register_app):
    add_user(register_app)
    client = register_app.test_client()
    response = client.post(
        "/login",
        data={
            "username": "aigerim",
            "password": PASSWORD,
            "next": "/documents?status=revoked",
            "csrf_token": token(client),
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/documents?status=revoked"
