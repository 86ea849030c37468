"""Organisations as records: the official name in kk and ru, BIN, kind, address, head, number format.

The id is the one documents, API keys and accounts already carry. A record is never changed in
place: each change is a new row of ``organisation_revisions`` and the organisation points at the one
in force; a document records the row in force when it was issued, so a rename or a new head leaves
documents already issued (their files, their verification pages) as they were.

``as_dict`` is the record as the engine's prefill reads it (``forms.prefill``): texts that differ by
language are ``{"kk": ..., "ru": ...}``.
"""

from __future__ import annotations

import builtins
import re
from typing import Any

from sqlalchemy import func, select

from forms.fields.iin import check_digit

from .common import utcnow
from .db import Database
from .errors import RegisterError
from .models import Organisation, OrganisationRevision

ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # as accounts' (users.ORGANISATION)
KINDS = ("local_executive_body", "adaptation_centre", "career_centre", "temporary_stay")
# The record's fields a change may set, and their longest lengths (the columns').
FIELDS = {
    "name_kk": 500,
    "name_ru": 500,
    "short_name": 200,
    "bin": 12,
    "kind": 32,
    "address_kk": 500,
    "address_ru": 500,
    "head_kk": 200,
    "head_ru": 200,
    "head_position_kk": 300,
    "head_position_ru": 300,
    "number_format": 100,
}
REQUIRED = ("name_kk", "name_ru", "bin", "head_kk", "head_ru")
PLACEHOLDER_NAME = {"kk": "Ұйым атауы толтырылмаған", "ru": "Название организации не заполнено"}


class OrganisationError(RegisterError):
    """A refused change of an organisation's record; ``field`` names the field at fault (the command
    line prints it first)."""

    code = "organisation_refused"

    def __init__(self, code: str, field: str | None = None, **params: Any):
        self.field = field
        super().__init__(code, field=field or "", **params)


class OrganisationNotFound(OrganisationError):
    code = "no_such_organisation"


def check_bin(value: str) -> None:
    """A business identification number: 12 digits, the last a check digit computed as the IIN's."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise OrganisationError("bin_format", "bin")
    if check_digit(value[:11]) != int(value[11]):
        raise OrganisationError("bin_checksum", "bin")


def _check(values: dict[str, str | None], required: tuple[str, ...]) -> dict[str, str | None]:
    clean: dict[str, str | None] = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise OrganisationError("organisation_unknown_field", name)
        text = value.strip() if isinstance(value, str) else None
        if len(text or "") > FIELDS[name]:
            raise OrganisationError("organisation_field_too_long", name, max=FIELDS[name])
        clean[name] = text or None
    for name in required:
        if not clean.get(name):
            raise OrganisationError("organisation_field_required", name)
    if bin_ := clean.get("bin"):
        check_bin(bin_)
    if clean.get("kind") and clean["kind"] not in KINDS:
        raise OrganisationError("organisation_kind", "kind", kinds=", ".join(KINDS))
    if number_format := clean.get("number_format"):
        try:
            number_format.format(number=1, year=2026, form="form", organisation="org")
        except (KeyError, IndexError, ValueError):
            raise OrganisationError("organisation_number_format", "number_format") from None
    return clean


def as_dict(row: OrganisationRevision) -> dict[str, Any]:
    """A revision as the service and the engine's prefill read it."""
    return {
        "id": row.organisation,
        "revision": row.revision,
        "placeholder": row.placeholder,
        "name": {"kk": row.name_kk, "ru": row.name_ru},
        "short_name": row.short_name,
        "bin": row.bin,
        "kind": row.kind,
        "address": {"kk": row.address_kk, "ru": row.address_ru},
        "head": {
            "name": {"kk": row.head_kk, "ru": row.head_ru},
            "position": {"kk": row.head_position_kk, "ru": row.head_position_ru},
        },
        "number_format": row.number_format,
        "changed_at": row.changed_at,
    }


def fields_of(record: dict[str, Any]) -> dict[str, str | None]:
    """A record (``as_dict``) back as the flat fields a change sets (an edit form's values)."""
    return {
        "name_kk": record["name"]["kk"],
        "name_ru": record["name"]["ru"],
        "short_name": record["short_name"],
        "bin": record["bin"],
        "kind": record["kind"],
        "address_kk": record["address"]["kk"],
        "address_ru": record["address"]["ru"],
        "head_kk": record["head"]["name"]["kk"],
        "head_ru": record["head"]["name"]["ru"],
        "head_position_kk": record["head"]["position"]["kk"],
        "head_position_ru": record["head"]["position"]["ru"],
        "number_format": record["number_format"],
    }


class Organisations:
    def __init__(self, database: Database):
        self.db = database

    def add(self, organisation: str, actor: str = "local", placeholder: bool = False, **values: str | None) -> dict:
        if not ORGANISATION.match(organisation or ""):
            raise OrganisationError("invalid_organisation", "id")
        clean = _check(values, () if placeholder else REQUIRED)
        with self.db.write() as session:
            if session.get(Organisation, organisation) is not None:
                raise OrganisationError("organisation_exists", "id", organisation=organisation)
            row = self._revise(session, organisation, 1, clean, actor, placeholder)
            session.add(Organisation(id=organisation, current=row.row, created_at=row.changed_at))
        return as_dict(row)

    def edit(self, organisation: str, actor: str = "local", **values: str | None) -> dict:
        """A new revision: the fields given replace the current ones (``None`` leaves one as it is,
        ``""`` empties it); the record is no longer a placeholder."""
        with self.db.write() as session:
            head = session.get(Organisation, organisation, with_for_update=True)
            if head is None:
                raise OrganisationNotFound("no_such_organisation", "id", organisation=organisation)
            current = session.get(OrganisationRevision, head.current)
            if current is None:  # a head always points at its revision (one transaction writes both)
                raise OrganisationNotFound("no_such_organisation", "id", organisation=organisation)
            merged = {**fields_of(as_dict(current)), **{k: v for k, v in values.items() if v is not None}}
            clean = _check(merged, REQUIRED)
            number = session.execute(
                select(func.max(OrganisationRevision.revision)).where(OrganisationRevision.organisation == organisation)
            ).scalar_one()
            row = self._revise(session, organisation, number + 1, clean, actor, False)
            head.current = row.row
        return as_dict(row)

    def ensure(self, organisation: str, actor: str = "local") -> bool:
        """Create a placeholder record for ``organisation`` unless it has one (the quick start's
        ``default``); True when one was created."""
        with self.db.read() as session:
            if session.get(Organisation, organisation) is not None:
                return False
        try:
            self.add(
                organisation, actor, placeholder=True, name_kk=PLACEHOLDER_NAME["kk"], name_ru=PLACEHOLDER_NAME["ru"]
            )
        except OrganisationError as err:  # created meanwhile by another process
            if err.code != "organisation_exists":
                raise
            return False
        return True

    def _revise(self, session, organisation: str, number: int, clean: dict, actor: str, placeholder: bool):
        row = OrganisationRevision(
            organisation=organisation,
            revision=number,
            changed_at=utcnow(),
            actor=actor,
            placeholder=placeholder,
            **{k: clean.get(k) for k in FIELDS},
        )
        session.add(row)
        session.flush()
        return row

    def get(self, organisation: str) -> dict | None:
        """The record in force, or None."""
        with self.db.read() as session:
            row = session.execute(
                select(OrganisationRevision)
                .join(Organisation, Organisation.current == OrganisationRevision.row)
                .where(Organisation.id == organisation)
            ).scalar_one_or_none()
        return as_dict(row) if row is not None else None

    def filled_in(self, organisation: str) -> dict | None:
        """The record in force when it is filled in: a placeholder's name (the quick start's, or the
        id migration 0004 gave) must not be printed into a form."""
        record = self.get(organisation)
        return None if record is None or record["placeholder"] else record

    def revision(self, row: int) -> dict | None:
        with self.db.read() as session:
            found = session.get(OrganisationRevision, row)
        return as_dict(found) if found is not None else None

    def list(self) -> list[dict]:
        with self.db.read() as session:
            rows = (
                session.execute(
                    select(OrganisationRevision)
                    .join(Organisation, Organisation.current == OrganisationRevision.row)
                    .order_by(Organisation.id)
                )
                .scalars()
                .all()
            )
        return [as_dict(row) for row in rows]

    def missing(self, organisations: builtins.set[str]) -> builtins.list[str]:
        """Those of ``organisations`` without a record, sorted."""
        if not organisations:
            return []
        with self.db.read() as session:
            found = set(
                session.execute(select(Organisation.id).where(Organisation.id.in_(sorted(organisations)))).scalars()
            )
        return sorted(organisations - found)
