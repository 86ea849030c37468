"""The register's tables (SQLAlchemy 2). Every change here comes with a migration in migrations/versions.

Times are naive UTC. Payloads, files and revocation reasons are stored sealed (crypto.py): nothing
from the data is in clear in the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite makes only INTEGER PRIMARY KEY an alias of its rowid (autoincrement); PostgreSQL a BIGINT.
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Document(Base):
    """One issued document: its identity (number, token), the file as issued, its status."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("organisation", "form", "year", "sequence", name="uq_documents_number"),)

    row: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)  # list order, cursors
    id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    form: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(2))
    format: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64), index=True)  # as printed
    status: Mapped[str] = mapped_column(String(16), default="issued")  # issued, revoked, superseded
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the verification URL's key
    verify_url: Mapped[str] = mapped_column(String(512))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed JSON; None once purged
    file: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed bytes; None once purged
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), nullable=True)
    revoked_reason: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed text
    supersedes: Mapped[str | None] = mapped_column(String(36), nullable=True)
    superseded_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # sha256 of organisation + Idempotency-Key, and of the request it came with
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    request_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The organisation's record as it was when issued (OrganisationRevision.row); None before 0004.
    organisation_revision: Mapped[int | None] = mapped_column(ROW_ID, nullable=True)


class Counter(Base):
    """The last number used per organisation x form x calendar year; its row lock serialises issuing."""

    __tablename__ = "counters"

    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    form: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """One append-only event; ``hash`` covers its fields and the previous event's hash."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, hashed as stored
    actor: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64))
    document: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last event (one row): appending locks it, so events form one line across processes,
    and removing the last event is seen too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(ROW_ID)
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    """A clerk's account (recordkeeping/users.py): the organisation whose documents she sees, a role,
    the password's KDF hash (never the password). Wrong passwords are counted per name in
    ``SignInFailure``, whether the name exists or not."""

    __tablename__ = "users"
    # One account per name ignoring case and compatibility forms (users.username_key); NULL only for
    # the later accounts of such a group found by migration 0003, which disabled them.
    __table_args__ = (Index("uq_users_username_key", "username_key", unique=True),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    username_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # NFKC, case-folded
    organisation: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # clerk, supervisor, admin
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sessions carry this number; signing out, a new password or disabling raises it, so that a
    # session cookie copied before no longer opens anything.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime())


class SignInFailure(Base):
    """Wrong passwords in a row for one name, known or not (so that the lockout does not tell which
    names exist), keyed by the sha256 of the normalised name, never the name. A row idle for the lock's
    length is removed by the next failure."""

    __tablename__ = "sign_in_failures"

    name_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(), nullable=True)
    last_failure: Mapped[dt.datetime] = mapped_column(DateTime(), index=True)


class Draft(Base):
    """What a clerk has typed into a form and not yet issued, one per user and form, sealed."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "form", name="uq_drafts_user_form"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ROW_ID, index=True)
    form: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime())
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON


class Organisation(Base):
    """An organisation (recordkeeping/organisations.py): its id is the one documents, keys and accounts
    carry; ``current`` is the revision in force (``OrganisationRevision.row``)."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    current: Mapped[int] = mapped_column(ROW_ID)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime())


class OrganisationRevision(Base):
    """One state of an organisation's record, never changed once written: a rename or a new head is a
    new row, and each document points at the row in force when it was issued."""

    __tablename__ = "organisation_revisions"
    __table_args__ = (UniqueConstraint("organisation", "revision", name="uq_organisation_revisions"),)

    row: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per organisation
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime())
    actor: Mapped[str] = mapped_column(String(64))
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)  # the quick start's, to be filled in
    name_kk: Mapped[str] = mapped_column(String(500))
    name_ru: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    bin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address_kk: Mapped[str | None] = mapped_column(String(500), nullable=True)
    address_ru: Mapped[str | None] = mapped_column(String(500), nullable=True)
    head_kk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    head_ru: Mapped[str | None] = mapped_column(String(200), nullable=True)
    head_position_kk: Mapped[str | None] = mapped_column(String(300), nullable=True)
    head_position_ru: Mapped[str | None] = mapped_column(String(300), nullable=True)
    number_format: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Case(Base):
    """One application running a declared flow (recordkeeping/cases.py): its state, its row of the
    flow's journal (``number``: gap-free per organisation x flow x year), the application and the case's
    own fields (``details``), both sealed JSON."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("organisation", "flow", "year", "sequence", name="uq_cases_number"),)

    row: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)  # list order
    id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    flow: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(64))  # the application's form and version
    form_version: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(2))
    application: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON: the application's data
    details: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON: the flow's ``case:`` fields
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime())


class CaseEvent(Base):
    """One step a case took: the timeline. ``document`` is the document the step made, if any; ``data``
    the step's input, sealed, when it had any."""

    __tablename__ = "case_events"

    seq: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    step: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64))  # the state the step left the case in
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime())
    document: Mapped[str | None] = mapped_column(String(36), nullable=True)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
