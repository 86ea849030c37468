"""Clerks' accounts in the register's database: add, list, disable, reset a password, sign in.

Passwords are kept only as werkzeug's scrypt hash (salted, memory-hard), and must pass
``check_password``: at least ``MIN_PASSWORD`` characters, not among the most common passwords
(common-passwords.txt), not containing the user name. Names are one ignoring case and compatibility
forms (``name_key``). After ``MAX_FAILURES`` wrong passwords in a row for a name an account's sign-in
is refused, even with the right password, for ``LOCK_MINUTES``; names that do not exist are counted
and refused alike (``SignInFailure``), so that the answers do not tell which names exist. The
password is checked outside any transaction: no database lock waits for the hash. The lock is logged
with the account's number only (no name, no password).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from forms.errors import NysanError

from .db import Database
from .models import SignInFailure, User

log = logging.getLogger("nysan.accounts")

ROLES = ("clerk", "supervisor", "admin")
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Checked when the name is unknown too (the same scrypt cost as every stored hash), so that the time
# taken does not tell which names exist.
_DUMMY_HASH = generate_password_hash("nysan-no-such-user", method="scrypt")


class AccountError(NysanError, ValueError):
    """A refused account operation: a stable code, a message in kk, ru and en (forms/messages.yaml);
    ``str()`` is the English one (for the command line)."""

    code = "account_refused"


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    organisation: str
    role: str
    active: bool
    session_epoch: int = 0
    duplicate_name: bool = False  # disabled by migration 0003: an older account has the same name

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
    locked: bool = False  # too many wrong passwords for the name: refused for a while
    busy: bool = False  # every password hash slot taken: refused at once, nothing counted
    retry_after: int = 0  # seconds, when locked


def _account(row: User) -> Account:
    return Account(
        row.id, row.username, row.organisation, row.role, row.active, row.session_epoch, row.username_key is None
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def name_key(name: str) -> str:
    """A name as names are compared: NFKC, case-folded, NFKC again (``AIGERIM`` is ``aigerim``)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def name_sha256(name: str) -> str:
    """The key of a name's wrong-password counter: a digest, so that names tried are not stored."""
    return hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (resources.files(__package__) / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_password(password: str, username: str) -> None:
    """Refuse (``AccountError``) a password too short, among the common ones or containing the user
    name, ignoring case. Every place that sets a password calls this."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_too_short", min=MIN_PASSWORD)
    folded = name_key(password)
    if name_key(username) in folded:
        raise AccountError("password_contains_username")
    if folded in common_passwords():
        raise AccountError("password_too_common")


class Users:
    def __init__(self, database: Database):
        self.db = database

    def exist(self) -> bool:
        with self.db.read() as session:
            return bool(session.execute(select(func.count()).select_from(User)).scalar_one())

    def add(self, username: str, organisation: str, role: str, password: str) -> Account:
        if not USERNAME.match(username):
            raise AccountError("invalid_username")
        if not ORGANISATION.match(organisation):
            raise AccountError("invalid_organisation")
        if role not in ROLES:
            raise AccountError("invalid_role", roles=", ".join(ROLES))
        check_password(password, username)
        key = name_key(username)
        hashed = generate_password_hash(password, method="scrypt")  # before the write lock
        try:
            with self.db.write() as session:
                if session.execute(select(User.id).where(User.username_key == key)).first():
                    raise AccountError("user_exists", username=username)
                row = User(
                    username=username,
                    username_key=key,
                    organisation=organisation,
                    role=role,
                    active=True,
                    session_epoch=0,
                    password_hash=hashed,
                    created_at=_now(),
                )
                session.add(row)
                session.flush()
        except IntegrityError:  # added meanwhile by another process: the unique index says so
            raise AccountError("user_exists", username=username) from None
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
        """A new password (the same rules as a new account's); it also lifts a lockout and enables the
        account again."""
        check_password(password, username)
        hashed = generate_password_hash(password, method="scrypt")  # before the write lock
        with self.db.write() as session:
            row = self._named(session, username)
            row.password_hash = hashed
            row.active = True
            row.session_epoch += 1
            session.execute(delete(SignInFailure).where(SignInFailure.name_sha256 == name_sha256(username)))
        return _account(row)

    def _named(self, session, username: str) -> User:
        row = session.execute(
            select(User).where(User.username_key == name_key(username)).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise AccountError("no_such_user", username=username)
        return row

    def sign_in(self, username: str, password: str, hashes: threading.Semaphore | None = None) -> SignIn:
        """The account when the password is right and the account neither disabled nor locked.

        Three steps, so that no database lock is held while the password is hashed (~0.1 s of CPU):
        the account and the name's counter are read in a read transaction; the password is checked
        outside any (against a dummy hash of the same cost for a name that does not exist); a wrong
        one is counted in a short write transaction. ``hashes`` bounds the hashes running at once:
        with none free the answer is ``busy`` at once, nothing checked or counted."""
        digest, now = name_sha256(username), _now()
        with self.db.read() as session:
            row = session.execute(select(User).where(User.username_key == name_key(username))).scalar_one_or_none()
            failures = session.get(SignInFailure, digest)
        if failures is not None and failures.locked_until is not None and failures.locked_until > now:
            return _locked(failures.locked_until, now)
        if hashes is not None and not hashes.acquire(blocking=False):
            return SignIn(None, busy=True)
        try:
            right = check_password_hash(row.password_hash if row is not None else _DUMMY_HASH, password)
        finally:
            if hashes is not None:
                hashes.release()
        if row is not None and row.active and right:
            if failures is not None:
                with self.db.write() as session:
                    session.execute(delete(SignInFailure).where(SignInFailure.name_sha256 == digest))
            return SignIn(_account(row))
        return self._failed(digest, now, row.id if row is not None else None)

    def _failed(self, digest: str, now: dt.datetime, user_id: int | None) -> SignIn:
        """Count a wrong password for the name (known or not); locked at the ``MAX_FAILURES``-th.
        Counters idle for the lock's length are removed on the way."""
        lock = dt.timedelta(minutes=LOCK_MINUTES)
        with self.db.write() as session:
            session.execute(delete(SignInFailure).where(SignInFailure.last_failure < now - lock))
            session.execute(
                self._insert_new().values(name_sha256=digest, failures=0, last_failure=now).on_conflict_do_nothing()
            )
            counter = session.execute(
                select(SignInFailure).where(SignInFailure.name_sha256 == digest).with_for_update()
            ).scalar_one()
            if counter.locked_until is not None and counter.locked_until > now:  # locked meanwhile
                return _locked(counter.locked_until, now)
            counter.failures = (0 if counter.locked_until is not None else counter.failures) + 1
            counter.locked_until, counter.last_failure = None, now
            if counter.failures < MAX_FAILURES:
                return SignIn(None)
            counter.locked_until, counter.failures = now + lock, 0
        log.warning(
            "sign-in locked for %d minutes after %d wrong passwords: %s",
            LOCK_MINUTES,
            MAX_FAILURES,
            f"account {user_id}" if user_id is not None else "a name without an account",
        )
        return _locked(now + lock, now)

    def _insert_new(self):
        """INSERT … ON CONFLICT in the database's dialect (SQLite's and PostgreSQL's say it alike)."""
        if self.db.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(SignInFailure)


def _locked(until: dt.datetime, now: dt.datetime) -> SignIn:
    return SignIn(None, locked=True, retry_after=max(1, math.ceil((until - now).total_seconds())))
