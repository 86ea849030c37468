"""Accounts' rules: a password too short, among the most common or containing the user name is
refused wherever a password is set (`nysan users add`, `reset-password`), with a stable code and a
message in kk, ru and en; names are one account ignoring case (in code and by the database's unique
index), also in a register that already held such names (migration 0003); the SQLite register and
its WAL are readable by their user only."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

import forms
from forms.errors import message
from recordkeeping import Actor, Register
from recordkeeping.db import Database
from recordkeeping.models import SignInFailure
from recordkeeping.settings import RecordSettings
from recordkeeping.users import AccountError, Users, name_sha256

PASSWORD = "correct horse battery"
REFUSALS = (
    "password_too_short",
    "password_too_common",
    "password_contains_username",
    "user_exists",
    "no_such_user",
    "invalid_username",
    "invalid_organisation",
    "invalid_role",
)


def database(backend: dict) -> Database:
    return Database(backend["DATABASE_URL"] or f"sqlite:///{backend['STATE_DIR']}/register.sqlite3")


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``nysan users …`` with a password file: (exit status, stderr)."""
    from service.cli import main

    monkeypatch.setenv("NYSAN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("NYSAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("NYSAN_DATA_KEY", raising=False)
    secret = tmp_path / "password"

    def run(*argv: str, password: str) -> tuple[int, str]:
        secret.write_text(password + "\n", encoding="utf-8")
        status = main(["users", *argv, "--password-file", str(secret)])
        return status, capsys.readouterr().err

    return run


@pytest.mark.parametrize(
    "password, code",
    [
        ("12345678", "password_too_short"),
        ("password", "password_too_short"),
        ("qwertyuiop", "password_too_common"),
        ("QwertyUiop", "password_too_common"),  # ignoring case
        ("1234567890", "password_too_common"),
        ("dana.sultan", "password_contains_username"),  # the name itself
        ("my DANA.Sultan 2026", "password_contains_username"),
    ],
)
def test_weak_passwords_are_refused_by_add_and_reset(cli, password, code):
    status, err = cli("add", "dana.sultan", "--org", "centre-1", "--role", "clerk", password=password)
    assert status == 2 and f"[{code}]" in err
    assert cli("add", "dana.sultan", "--org", "centre-1", "--role", "clerk", password=PASSWORD)[0] == 0
    status, err = cli("reset-password", "dana.sultan", password=password)
    assert status == 2 and f"[{code}]" in err


def test_names_differing_only_by_case_are_one_account(cli, backend):
    assert cli("add", "dup_user", "--org", "centre-1", "--role", "clerk", password=PASSWORD)[0] == 0
    status, err = cli("add", "DUP_USER", "--org", "centre-1", "--role", "clerk", password=PASSWORD)
    assert status == 2 and "[user_exists]" in err
    users = Users(database(backend))
    users.add("aigerim", "centre-1", "clerk", PASSWORD)
    with pytest.raises(AccountError) as refused:
        users.add("AiGeRiM", "centre-1", "clerk", PASSWORD)
    assert refused.value.code == "user_exists"
    assert users.sign_in("AIGERIM", PASSWORD).account.username == "aigerim"
    assert users.reset_password("Aigerim", "a new password 2").username == "aigerim"
    # The database refuses a second row with the same key too (what two processes racing would meet).
    with pytest.raises(IntegrityError), users.db.write() as session:
        session.execute(
            text(
                "INSERT INTO users (username, username_key, organisation, role, password_hash, active, "
                "session_epoch, created_at) VALUES ('AIGERIM', 'aigerim', 'c', 'clerk', 'x', true, 0, "
                "'2026-12-08 00:00:00')"
            )
        )
    users.db.dispose()


def test_refusals_have_stable_codes_and_messages_in_kk_ru_and_en():
    for code in REFUSALS:
        texts = {lang: message(code, lang, min=10, username="dana", roles="clerk") for lang in ("kk", "ru", "en")}
        assert len(set(texts.values())) == 3 and code not in texts.values(), code
    assert AccountError("password_too_short", min=10).message("ru") == "Пароль должен содержать не менее 10 символов."


def _alembic(db: Database, action, revision: str) -> None:
    config = db._alembic()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def test_migration_0003_keeps_the_oldest_of_names_differing_by_case(backend):
    db = database(backend)
    db.upgrade()
    _alembic(db, command.downgrade, "0002")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = [
        ("dup_user", PASSWORD, 2, None),
        ("DUP_USER", "another password 2", 0, None),
        ("solo", PASSWORD, 0, now + dt.timedelta(minutes=10)),
    ]
    with db.engine.begin() as conn:
        for name, password, failed, locked in rows:
            conn.execute(
                text(
                    "INSERT INTO users (username, organisation, role, password_hash, active, failed_logins, "
                    "locked_until, session_epoch, created_at) VALUES (:n, 'centre-1', 'clerk', :h, true, :f, "
                    ":l, 0, :c)"
                ),
                {"n": name, "h": generate_password_hash(password, method="scrypt"), "f": failed, "l": locked, "c": now},
            )
    db.upgrade()  # does not fail on the duplicate
    with db.read() as session:
        assert session.get(SignInFailure, name_sha256("dup_user")).failures == 2  # carried over
    users = Users(db)
    listed = {account.username: account for account in users.list()}
    assert listed["dup_user"].active and not listed["dup_user"].duplicate_name
    assert not listed["DUP_USER"].active and listed["DUP_USER"].duplicate_name
    assert users.sign_in("DUP_USER", PASSWORD).account.id == listed["dup_user"].id  # the oldest has the name
    assert users.sign_in("DUP_USER", "another password 2").account is None
    assert users.sign_in("solo", PASSWORD).locked  # a lockout carries over
    db.dispose()


def test_the_sqlite_register_and_its_wal_are_private(tmp_path):
    # A permissive folder and umask: the files must not follow them.
    fresh, older = tmp_path / "fresh", tmp_path / "older"
    previous = os.umask(0o022)
    try:
        for folder in (fresh, older):
            folder.mkdir(mode=0o755)
        sqlite3.connect(older / "register.sqlite3").close()  # an older Nysan's file: 0644
        assert stat.S_IMODE((older / "register.sqlite3").stat().st_mode) == 0o644
        modes = {}
        for folder in (fresh, older):
            register = Register.open(forms.default_registry(), RecordSettings(folder))
            register.issue(Actor(), "referral", forms.example("referral"), "kk", "html")
            modes[folder.name] = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in folder.glob("register.sqlite3*")
                if not path.name.endswith("-lock")
            }
            register.close()
    finally:
        os.umask(previous)
    private = {"register.sqlite3": 0o600, "register.sqlite3-wal": 0o600, "register.sqlite3-shm": 0o600}
    assert modes == {"fresh": private, "older": private}
