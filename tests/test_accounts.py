"""Clerks' accounts through Flask's test client, on SQLite and on a real PostgreSQL: the no-account
mode, sign-in and its lockout, the pages that need it, issuing from the form, the organisation's
documents (another organisation's answer 404), a supervisor's revoke and amend, drafts kept on the
server (sealed), and the IIN checked against the birth date as it is typed."""

from __future__ import annotations

import html
import json
import logging
import re

from sqlalchemy import select

import forms
from recordkeeping.models import AuditEvent, Draft, User
from recordkeeping.users import Users
from service.app import create_app
from service.records import open_register
from service.web import accounts
from support.web import csrf_token, date_inputs

PASSWORD = "correct horse battery"
REFERRAL = forms.example("referral")
SURNAME = REFERRAL["applicant"]["last_name"]


def add_user(app, name="aigerim", org="centre-1", role="clerk", password=PASSWORD):
    return Users(open_register(app).db).add(name, org, role, password)


def token(client, path="/login") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def sign_in(client, name="aigerim", password=PASSWORD, next_path="/"):
    return client.post(
        "/login", data={"username": name, "password": password, "next": next_path, "csrf_token": token(client)}
    )


def signed_in(app, name="aigerim", org="centre-1", role="clerk"):
    add_user(app, name, org, role)
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def issue_referral(client, data=None):
    """The form's issue button, the whole payload as JSON in _payload (as the preview page posts it)."""
    return client.post(
        "/forms/referral",
        data={
            "_action": "issue",
            "_payload": json.dumps(data or REFERRAL, ensure_ascii=False),
            "doc_lang": "kk",
            "csrf_token": token(client, "/forms/referral"),
        },
    )


def issued_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return re.search(r"/documents/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def events(app, document: str) -> list[tuple[str, str]]:
    with open_register(app).db.read() as session:
        rows = (
            session.execute(select(AuditEvent).where(AuditEvent.document == document).order_by(AuditEvent.seq))
            .scalars()
            .all()
        )
    return [(row.actor, row.action) for row in rows]


# --- without accounts ---------------------------------------------------------------------------


def test_without_accounts_the_forms_work_as_before_and_say_how_to_make_the_first(tmp_path):
    app = create_app({"TESTING": True, "STATE_DIR": str(tmp_path / "state")})
    client = app.test_client()
    assert accounts.sign_in_required(app) is False
    assert not (tmp_path / "state").exists()  # asking creates no database
    page = client.get("/").get_data(as_text=True)
    assert "nysan users add" in page and "Есептік жазбалар әлі жоқ" in page
    form = client.get("/forms/referral").get_data(as_text=True)
    assert 'value="issue"' not in form and "data-drafts-url" not in form  # nothing is stored
    assert client.get("/documents").status_code == 404
    assert client.get("/drafts").status_code == 404
    assert client.get("/login").status_code == 404
    # only from this computer
    assert client.get("/forms/referral", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 403
    proxied = create_app({"TESTING": True, "STATE_DIR": str(tmp_path / "state"), "TRUSTED_PROXIES": 1}).test_client()
    assert proxied.get("/forms/referral", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert proxied.get("/forms/referral", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


# --- signing in ---------------------------------------------------------------------------------


def test_once_an_account_exists_every_page_needs_sign_in(register_app):
    add_user(register_app)
    client = register_app.test_client()
    assert accounts.sign_in_required(register_app) is True
    for path in ("/", "/forms/referral", "/documents", "/drafts"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].startswith("/login?next="), path
    assert client.post("/forms/referral", data={"csrf_token": token(client), "_action": "pdf"}).status_code == 401
    assert client.get("/login").status_code == 200
    assert client.get("/assets/web/web.css").status_code == 200
    assert client.get("/lang/ru").status_code == 303


def test_sign_in_renews_the_session_and_sign_out_ends_it(register_app):
    add_user(register_app)
    client = register_app.test_client()
    before = token(client)
    wrong = sign_in(client, password="wrong password")
    assert wrong.status_code == 401 and "Пайдаланушы аты немесе құпиясөз қате." in wrong.get_data(as_text=True)
    response = sign_in(client, next_path="/forms/referral")
    assert response.status_code == 303 and response.headers["Location"] == "/forms/referral"
    page = client.get("/forms/referral").get_data(as_text=True)
    assert csrf_token(page) != before  # nothing of the old session carries over
    assert "aigerim (centre-1)" in page and "Тіркеу және жүктеп алу" in page
    elsewhere = sign_in(register_app.test_client(), next_path="https://evil.example/")
    assert elsewhere.headers["Location"] == "/"  # never to another site
    copied = register_app.test_client()  # the session cookie copied elsewhere
    copied.set_cookie("session", client.get_cookie("session").value)
    assert copied.get("/forms/referral").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/forms/referral").status_code == 303
    assert copied.get("/forms/referral").status_code == 303  # signing out ends it too


def test_five_wrong_passwords_lock_the_account_for_15_minutes(register_app, caplog, monkeypatch):
    add_user(register_app)
    client = register_app.test_client()
    caplog.set_level(logging.INFO)
    statuses = [sign_in(client, password=f"guess-{i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    refused = sign_in(client)  # the right password: still refused
    assert refused.status_code == 429 and "15 минутқа бұғатталды" in refused.get_data(as_text=True)
    logged = [r.getMessage() for r in caplog.records if r.name == "nysan.accounts"]
    assert logged and "locked" in logged[0]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "aigerim" not in everything and "guess-" not in everything and PASSWORD not in everything
    # 15 minutes later
    import recordkeeping.users as users_module

    later = users_module._now() + users_module.dt.timedelta(minutes=16)
    monkeypatch.setattr(users_module, "_now", lambda: later)
    assert sign_in(client).status_code == 303


def test_a_disabled_account_is_signed_out(register_app):
    client = signed_in(register_app)
    Users(open_register(register_app).db).disable("aigerim")
    assert client.get("/forms/referral").status_code == 303
    assert sign_in(client).status_code == 401


def test_passwords_are_kept_as_scrypt_hashes_only(register_app):
    add_user(register_app)
    with open_register(register_app).db.read() as session:
        stored = session.execute(select(User.password_hash)).scalar_one()
    assert stored.startswith("scrypt:") and PASSWORD not in stored


# --- issuing and finding documents ----------------------------------------------------------------


def test_issue_from_the_form_then_its_page_and_file(register_app):
    client = signed_in(register_app)
    doc_id = issued_id(issue_referral(client))
    page = client.get(f"/documents/{doc_id}?issued=1").get_data(as_text=True)
    assert "Құжат тіркелді." in page and re.search(r'id="document-number">1<', page)
    assert "https://verify.example.kz/v/" in page and "күшінде" in page
    download = client.get(f"/documents/{doc_id}/file")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Disposition"].startswith('attachment; filename="referral-1-kk.pdf"')
    user = Users(open_register(register_app).db).list()[0]
    assert events(register_app, doc_id) == [
        (f"user:{user.id}", "issue"),
        (f"user:{user.id}", "view"),
        (f"user:{user.id}", "read_file"),
    ]


def test_issue_from_the_preview(register_app):
    client = signed_in(register_app)
    preview = client.post(
        "/forms/referral",
        data={
            "_action": "preview",
            "_payload": json.dumps(REFERRAL, ensure_ascii=False),
            "doc_lang": "kk",
            "csrf_token": token(client, "/forms/referral"),
        },
    ).get_data(as_text=True)
    assert 'value="issue"' in preview
    payload = re.search(r'name="_payload" value="([^"]*)"', preview).group(1)
    doc_id = issued_id(
        client.post(
            "/forms/referral",
            data={
                "_action": "issue",
                "_payload": html.unescape(payload),
                "doc_lang": "kk",
                "csrf_token": csrf_token(preview),
            },
        )
    )
    assert client.get(f"/documents/{doc_id}").status_code == 200


def test_issue_from_posted_fields_with_an_error_shows_the_form(register_app):
    client = signed_in(register_app)
    response = client.post(
        "/forms/referral",
        data={"_action": "issue", "applicant.last_name": SURNAME, "csrf_token": token(client, "/forms/referral")},
    )
    assert response.status_code == 422 and "error-summary" in response.get_data(as_text=True)
    assert client.get("/documents").get_data(as_text=True).count("/documents/") == 0


def test_documents_newest_first_filtered_and_paged(register_app, monkeypatch):
    client = signed_in(register_app, role="supervisor")
    first, second = issued_id(issue_referral(client)), issued_id(issue_referral(client))
    listing = client.get("/documents").get_data(as_text=True)
    assert listing.index(second) < listing.index(first)
    client.post(
        f"/documents/{first}/revoke", data={"reason": "қате", "confirm": "1", "csrf_token": token(client, "/documents")}
    )
    revoked = client.get("/documents?status=revoked").get_data(as_text=True)
    assert first in revoked and second not in revoked
    by_number = client.get("/documents?number=2").get_data(as_text=True)
    assert second in by_number and first not in by_number
    assert first not in client.get("/documents?from=2000-01-01&to=2000-01-02").get_data(as_text=True)
    widest = client.get("/documents?from=0001-01-01&to=9999-12-31")  # the first and last days a date holds
    assert widest.status_code == 200 and first in widest.get_data(as_text=True)
    from service.web import documents

    monkeypatch.setattr(documents, "PAGE_SIZE", 1)
    page_one = client.get("/documents").get_data(as_text=True)
    assert second in page_one and first not in page_one
    following = re.search(r'href="([^"]+)" rel="next"', page_one).group(1).replace("&amp;", "&")
    assert first in client.get(following).get_data(as_text=True)


def test_another_organisation_gets_404_for_the_document_and_its_file(register_app):
    own = signed_in(register_app)
    doc_id = issued_id(issue_referral(own))
    other = signed_in(register_app, "dana", "akimat-2", "supervisor")
    for path in (f"/documents/{doc_id}", f"/documents/{doc_id}/file", f"/documents/{doc_id}/amend"):
        assert other.get(path).status_code == 404, path
    assert (
        other.post(
            f"/documents/{doc_id}/revoke", data={"reason": "x", "csrf_token": token(other, "/documents")}
        ).status_code
        == 404
    )
    assert doc_id not in other.get("/documents").get_data(as_text=True)


def test_a_supervisor_revokes_with_a_reason_and_verification_says_revoked(register_app):
    clerk = signed_in(register_app)
    doc_id = issued_id(issue_referral(clerk))
    assert 'id="revoke"' not in clerk.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert (
        clerk.post(
            f"/documents/{doc_id}/revoke", data={"reason": "x", "csrf_token": token(clerk, "/documents")}
        ).status_code
        == 403
    )
    boss = signed_in(register_app, "saule", "centre-1", "supervisor")
    empty = boss.post(f"/documents/{doc_id}/revoke", data={"reason": " ", "csrf_token": token(boss, "/documents")})
    assert empty.status_code == 422 and "Кері қайтару себебін жазыңыз" in empty.get_data(as_text=True)
    done = boss.post(
        f"/documents/{doc_id}/revoke",
        data={"reason": "қате толтырылған", "confirm": "1", "csrf_token": token(boss, "/documents")},
    )
    assert done.status_code == 303
    page = boss.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "кері қайтарылған" in page and "қате толтырылған" in page
    verify_url = re.search(r'id="verify-link" href="https://verify.example.kz(/v/[^"]+)"', page).group(1)
    assert register_app.test_client().get(f"/api/v1/verify/{verify_url.rsplit('/', 1)[-1]}").json["status"] == "revoked"


def test_amend_opens_the_form_filled_and_issuing_supersedes(register_app):
    boss = signed_in(register_app, role="supervisor")
    old = issued_id(issue_referral(boss))
    form = boss.get(f"/documents/{old}/amend").get_data(as_text=True)
    assert f'name="_supersedes" value="{old}"' in form and f'value="{SURNAME}"' in form
    assert 'data-drafts="off"' in form and "data-drafts-url" not in form  # kept in no draft, nor the browser
    checked = boss.post(
        "/forms/referral",
        data={"_action": "check", "_supersedes": old, "csrf_token": csrf_token(form), "applicant.last_name": SURNAME},
    ).get_data(as_text=True)
    assert f'name="_supersedes" value="{old}"' in checked  # the amend goes on after a check
    born = REFERRAL["applicant_birth_date"]
    assert date_inputs(form, "applicant_birth_date") == tuple(
        str(int(p)) if i < 2 else p for i, p in enumerate(reversed(born.split("-")))
    )
    changed = {**REFERRAL, "head_name": "Ж. Ж. Жаңа"}
    response = boss.post(
        "/forms/referral",
        data={
            "_action": "issue",
            "_payload": json.dumps(changed, ensure_ascii=False),
            "_supersedes": old,
            "csrf_token": csrf_token(form),
        },
    )
    new = issued_id(response)
    assert "ауыстырылған" in boss.get(f"/documents/{old}").get_data(as_text=True)
    assert old in boss.get(f"/documents/{new}").get_data(as_text=True)
    assert boss.get(f"/documents/{old}/amend").status_code == 409
    clerk = signed_in(register_app, "dana", "centre-1", "clerk")
    assert clerk.get(f"/documents/{new}/amend").status_code == 403


# --- drafts ---------------------------------------------------------------------------------------


def save_draft(client, values: dict):
    return client.post(
        "/drafts/referral",
        data={"draft": json.dumps({"values": values, "rows": {"members": 1}}), "csrf_token": token(client, "/drafts")},
    )


def test_a_draft_is_kept_sealed_per_user_and_issuing_removes_it(register_app):
    client = signed_in(register_app)
    assert save_draft(client, {"applicant.last_name": SURNAME}).status_code == 200
    with open_register(register_app).db.read() as session:
        stored = session.execute(select(Draft.content)).scalar_one()
    assert SURNAME.encode("utf-8") not in stored  # sealed at rest
    # another computer: a fresh client signs in, the form opens with the draft
    again = register_app.test_client()
    sign_in(again)
    page = again.get("/forms/referral").get_data(as_text=True)
    kept = json.loads(
        re.search(r'<script type="application/json" id="nysan-server-draft">(.*?)</script>', page, re.S).group(1)
    )
    assert kept["values"] == {"applicant.last_name": SURNAME} and kept["server"] is True
    assert "/forms/referral" in again.get("/drafts").get_data(as_text=True)
    # another clerk sees none of it
    other = signed_in(register_app, "dana", "centre-1", "clerk")
    assert "nysan-server-draft" not in other.get("/forms/referral").get_data(as_text=True)
    assert "/forms/referral" not in other.get("/drafts").get_data(as_text=True)
    issued_id(issue_referral(again))
    assert "nysan-server-draft" not in again.get("/forms/referral").get_data(as_text=True)


def test_a_draft_can_be_removed_and_bad_drafts_are_refused(register_app):
    client = signed_in(register_app)
    save_draft(client, {"head_name": "x"})
    assert client.post("/drafts/referral/remove", data={"csrf_token": token(client, "/drafts")}).status_code == 204
    assert "/forms/referral" not in client.get("/drafts").get_data(as_text=True)
    assert (
        client.post("/drafts/referral", data={"draft": "[1]", "csrf_token": token(client, "/drafts")}).status_code
        == 400
    )
    assert (
        client.post("/drafts/no-such-form", data={"draft": "{}", "csrf_token": token(client, "/drafts")}).status_code
        == 404
    )
    assert client.post("/drafts/referral", data={"draft": "{}"}).status_code == 400  # no CSRF token


# --- checks as typed ------------------------------------------------------------------------------


def test_an_iin_not_matching_the_birth_date_is_flagged_by_the_servers_rule(client):
    data = forms.example("road-map")
    iin = data["kandas"]["iin"]
    born = data["kandas"]["birth_date"]
    year, month, day = born.split("-")
    posted = {
        "kandas.iin": iin,
        "kandas.birth_date.day": day,
        "kandas.birth_date.month": month,
        "kandas.birth_date.year": str(int(year) + 1),
        "csrf_token": token(client, "/forms/road-map"),
    }
    answer = client.post("/forms/road-map/check-fields", data=posted).json
    assert list(answer["errors"]) == ["kandas.iin"]
    assert "туған күн" in answer["errors"]["kandas.iin"][0].lower()
    posted["kandas.birth_date.year"] = year
    assert client.post("/forms/road-map/check-fields", data=posted).json == {"errors": {}}
    page = client.get("/forms/road-map").get_data(as_text=True)
    assert re.search(r'name="kandas.iin"[^>]*data-check="iin"', page)


# --- nysan users ----------------------------------------------------------------------------------


def test_users_commands_add_list_disable_and_reset_a_password(tmp_path, monkeypatch, capsys):
    from service.cli import main

    monkeypatch.setenv("NYSAN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("NYSAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("NYSAN_DATA_KEY", raising=False)
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    assert (
        main(["users", "add", "aigerim", "--org", "centre-1", "--role", "clerk", "--password-file", str(secret)]) == 0
    )
    assert (
        main(["users", "add", "aigerim", "--org", "centre-1", "--role", "clerk", "--password-file", str(secret)]) == 2
    )
    assert "exists already" in capsys.readouterr().err
    short = tmp_path / "short"
    short.write_text("abc\n", encoding="utf-8")
    assert main(["users", "add", "dana", "--org", "a", "--role", "clerk", "--password-file", str(short)]) == 2
    assert main(["users", "disable", "aigerim"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["aigerim\tcentre-1\tclerk\tdisabled"]
    app = create_app({"TESTING": True, "STATE_DIR": str(tmp_path / "state")})
    assert sign_in(app.test_client()).status_code == 401
    secret.write_text("a new password 2\n", encoding="utf-8")
    assert main(["users", "reset-password", "aigerim", "--password-file", str(secret)]) == 0
    assert sign_in(app.test_client(), password="a new password 2").status_code == 303
    assert main(["users", "disable", "nobody"]) == 2
    everything = capsys.readouterr()
    assert PASSWORD not in everything.out + everything.err and "a new password" not in everything.out + everything.err
