"""Clerks' accounts in the register's database: add, list, disable, reset a password, sign in.

Passwords are kept only as werkzeug's scrypt hash (salted, memory-hard). After ``MAX_FAILURES`` wrong
passwords in a row an account's sign-in is refused, even with the right password, for
``LOCK_MINUTES``; the event is logged with the account's number only (no name, no password).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .db import Database
from .models import User

log = logging.getLogger("nysan.accounts")

ROLES = ("clerk", "supervisor", "admin")
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Checked when the name is unknown too, so that the time taken does not tell which names exist.
_DUMMY_HASH = generate_password_hash("nysan-no-such-user", method="scrypt")


class AccountError(ValueError):
    """A refused account operation; ``str()`` says why (for the command line)."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    organisation: str
    role: str
    active: bool
    session_epoch: int = 0

    @property
    def actor_name(self) -> str:
        """The audit trail's name for this account: its number, not the person's name."""
        return f"user:{self.id}"

    @property
    def supervises(self) -> bool:
        return self.role in ("supervisor", "admin")


@dataclass(frozen=True)
class SignIn:
    account: Account | None
    locked: bool = False


def _account(row: User) -> Account:
    return Account(row.id, row.username, row.organisation, row.role, row.active, row.session_epoch)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


class Users:
    def __init__(self, database: Database):
        self.db = database

    def exist(self) -> bool:
        with self.db.read() as session:
            return bool(session.execute(select(func.count()).select_from(User)).scalar_one())

    def add(self, username: str, organisation: str, role: str, password: str) -> Account:
        if not USERNAME.match(username):
            raise AccountError("a user name is 1-64 letters, digits and . _ @ - (starting with a letter or digit)")
        if not ORGANISATION.match(organisation):
            raise AccountError("an organisation is 1-64 letters, digits and . _ -")
        if role not in ROLES:
            raise AccountError(f"the role is one of {', '.join(ROLES)}")
        _check_password(password)
        with self.db.write() as session:
            if session.execute(select(User.id).where(User.username == username)).first():
                raise AccountError(f"the user {username} exists already")
            row = User(username=username, organisation=organisation, role=role, active=True, failed_logins=0,
                       session_epoch=0,
                       password_hash=generate_password_hash(password, method="scrypt"), created_at=_now())
            session.add(row)
            session.flush()
        return _account(row)

    def list(self) -> list[Account]:
        with self.db.read() as session:
            rows = session.execute(select(User).order_by(User.organisation, User.username)).scalars().all()
        return [_account(row) for row in rows]

    def get(self, user_id: int, epoch: int) -> Account | None:
        """The account of a session (its number and epoch); None when disabled or signed out since."""
        with self.db.read() as session:
            row = session.get(User, user_id)
        return _account(row) if row is not None and row.active and row.session_epoch == epoch else None

    def end_sessions(self, user_id: int) -> None:
        """Sign out: every session of the account ends, a copied cookie's too."""
        with self.db.write() as session:
            row = session.get(User, user_id, with_for_update=True)
            if row is not None:
                row.session_epoch += 1

    def disable(self, username: str) -> Account:
        with self.db.write() as session:
            row = self._named(session, username)
            row.active = False
            row.session_epoch += 1
        return _account(row)

    def reset_password(self, username: str, password: str) -> Account:
        """A new password; it also lifts a lockout and enables the account again."""
        _check_password(password)
        with self.db.write() as session:
            row = self._named(session, username)
            row.password_hash = generate_password_hash(password, method="scrypt")
            row.failed_logins, row.locked_until, row.active = 0, None, True
            row.session_epoch += 1
        return _account(row)

    def _named(self, session, username: str) -> User:
        row = session.execute(select(User).where(User.username == username).with_for_update()).scalar_one_or_none()
        if row is None:
            raise AccountError(f"no user {username}")
        return row

    def sign_in(self, username: str, password: str) -> SignIn:
        """The account when the password is right and the account neither disabled nor locked."""
        with self.db.write() as session:
            row = session.execute(select(User).where(User.username == username).with_for_update()
                                  ).scalar_one_or_none()
            if row is None:
                check_password_hash(_DUMMY_HASH, password)
                return SignIn(None)
            now = _now()
            if row.locked_until is not None and row.locked_until > now:
                return SignIn(None, locked=True)
            if not check_password_hash(row.password_hash, password) or not row.active:
                row.failed_logins = (0 if row.locked_until is not None else row.failed_logins) + 1
                row.locked_until = None
                if row.failed_logins >= MAX_FAILURES:
                    row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                    row.failed_logins = 0
                    log.warning("sign-in locked for %d minutes after %d wrong passwords: account %d",
                                LOCK_MINUTES, MAX_FAILURES, row.id)
                    return SignIn(None, locked=True)
                return SignIn(None)
            row.failed_logins, row.locked_until = 0, None
        return SignIn(_account(row))
