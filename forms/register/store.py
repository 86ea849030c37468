"""The register: its operations on issued documents (read, list, revoke, verify, purge, the audit
trail) and, from ``issuing``, issue and supersede. Every document belongs to one organisation;
asking for another organisation's is "not found".
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.catalogue.registry import Registry

from . import audit, numbers
from .batching import Batches
from .common import Actor, iso, sha256, utcnow
from .crypto import Sealer, load_key
from .db import Database, database_url, default_state_dir
from .errors import DocumentNotFound, DocumentNotIssued, DocumentPurged
from .issuing import Issuing, Mark, Renderer
from .models import Document

STATUSES = ("issued", "revoked", "superseded")


class Register(Issuing):
    def __init__(self, database: Database, sealer: Sealer, registry: Registry,
                 number_formats: dict[str, str] | None = None, mark: Mark | None = None,
                 renderer: Renderer | None = None):
        self.db, self.sealer, self.registry = database, sealer, registry
        self.number_formats = dict(number_formats or {})
        self._mark = mark
        # How a document is made: in this thread by default; the service passes its render gate's
        # processes, so that an issue's render is bounded and stopped at the deadline like any other.
        self.renderer = renderer or self._render_here
        self._batches = Batches(self._store)

    @classmethod
    def open(cls, registry: Registry, database_url_: str | None = None, state_dir: str | Path | None = None,
             data_key: str | None = None, number_formats: dict | None = None, migrate: bool = True,
             mark: Mark | None = None, renderer: Renderer | None = None) -> "Register":
        """SQLite (the state folder's file unless a URL is given) is created and migrated here;
        PostgreSQL must already be at the newest schema (``nysan db upgrade``) and needs a data key."""
        state = Path(state_dir) if state_dir else default_state_dir()
        database = Database(database_url(database_url_, state))
        if database.sqlite and migrate:
            database.upgrade()
        else:
            database.require_current()
        key = load_key(data_key, state, generate=database.sqlite)
        return cls(database, Sealer(key), registry, number_formats, mark, renderer)

    # -- reading ---------------------------------------------------------------------------------

    def _find(self, actor: Actor, doc_id: str, session: Session | None = None) -> Document:
        query = select(Document).where(Document.id == doc_id, Document.organisation == actor.organisation)
        if session is None:
            with self.db.read() as session:
                row = session.execute(query).scalar_one_or_none()
        else:
            row = session.execute(query).scalar_one_or_none()
        if row is None:
            raise DocumentNotFound(id=doc_id)
        return row

    def _locked(self, session: Session, actor: Actor, doc_id: str) -> Document:
        """The document, locked for change, and still in force."""
        row = session.execute(select(Document).where(Document.id == doc_id, Document.organisation ==
                                                     actor.organisation).with_for_update()).scalar_one_or_none()
        if row is None:
            raise DocumentNotFound(id=doc_id)
        if row.status != "issued":
            raise DocumentNotIssued(status=row.status)
        return row

    def get(self, actor: Actor, doc_id: str) -> dict:
        return self.describe(self._find(actor, doc_id))

    def view(self, actor: Actor, doc_id: str) -> dict:
        """The document's metadata, as a clerk's page shows it (the view is audited)."""
        with self.db.write() as session:
            row = self._find(actor, doc_id, session)
            audit.append(session, utcnow(), actor.name, actor.organisation, doc_id, "view")
        return self.describe(row)

    def file(self, actor: Actor, doc_id: str) -> tuple[bytes, dict]:
        """The bytes exactly as issued (read is audited)."""
        return self._read(actor, doc_id, "file", "read_file")

    def data(self, actor: Actor, doc_id: str) -> tuple[Any, dict]:
        """The data the document was issued with (read is audited)."""
        raw, meta = self._read(actor, doc_id, "payload", "read_data")
        return json.loads(raw), meta

    def _read(self, actor: Actor, doc_id: str, column: str, action: str) -> tuple[bytes, dict]:
        with self.db.write() as session:
            row = self._find(actor, doc_id, session)
            if row.purged_at is not None:
                raise DocumentPurged(id=doc_id)
            audit.append(session, utcnow(), actor.name, actor.organisation, doc_id, action)
        return self.sealer.open(getattr(row, column), f"{doc_id}/{column}"), self.describe(row)

    def list_data(self, actor: Actor, doc_ids: list[str]) -> dict[str, Any]:
        """The issued data of the organisation's documents ``doc_ids`` (those not purged), for a list
        that shows whose each document is. Each document read is a ``list`` event in the audit trail
        (one transaction, the head moved once): who saw a name is on record, as for ``view``."""
        if not doc_ids:
            return {}
        with self.db.write() as session:
            rows = session.execute(select(Document).where(Document.organisation == actor.organisation,
                                                          Document.id.in_(doc_ids), Document.payload.is_not(None))
                                   ).scalars().all()
            if rows:
                audit.append_all(session, utcnow(), [(actor.name, actor.organisation, row.id, "list") for row in rows])
        return {row.id: json.loads(self.sealer.open(row.payload, f"{row.id}/payload")) for row in rows}

    def list(self, actor: Actor, form: str | None = None, status: str | None = None, number: str | None = None,
             issued_from: dt.date | None = None, issued_to: dt.date | None = None, limit: int = 50,
             cursor: str | None = None) -> tuple[list[dict], str | None]:
        """Newest first; ``next`` is the cursor of the following page (None on the last)."""
        query = select(Document).where(Document.organisation == actor.organisation)
        if form:
            query = query.where(Document.form == form)
        if status:
            query = query.where(Document.status == status)
        if number:
            query = query.where(Document.number == number)
        if issued_from and (start := local_midnight(issued_from)) is not None:
            query = query.where(Document.issued_at >= start)
        if issued_to and issued_to < dt.date.max:       # the last day a date holds bounds nothing
            query = query.where(Document.issued_at < local_midnight(issued_to + dt.timedelta(days=1)))
        if cursor:
            query = query.where(Document.row < decode_cursor(cursor))
        with self.db.read() as session:
            rows = session.execute(query.order_by(Document.row.desc()).limit(limit + 1)).scalars().all()
        following = encode_cursor(rows[limit - 1].row) if len(rows) > limit else None
        return [self.describe(row) for row in rows[:limit]], following

    def describe(self, row: Document) -> dict:
        reason = (self.sealer.open(row.revoked_reason, f"{row.id}/revoked_reason").decode("utf-8")
                  if row.revoked_reason else None)
        return {"id": row.id, "number": row.number, "form": row.form, "version": row.version, "lang": row.lang,
                "format": row.format, "status": row.status, "issued_at": iso(row.issued_at),
                "organisation": row.organisation, "sha256": row.sha256, "size": row.size,
                "verify_url": row.verify_url, "supersedes": row.supersedes, "superseded_by": row.superseded_by,
                "revoked_at": iso(row.revoked_at), "revoked_reason": reason, "purged_at": iso(row.purged_at)}

    # -- changing the status ---------------------------------------------------------------------

    def revoke(self, actor: Actor, doc_id: str, reason: str) -> dict:
        with self.db.write() as session:
            row = self._locked(session, actor, doc_id)
            now = utcnow()
            row.status, row.revoked_at = "revoked", now
            row.revoked_reason = self.sealer.seal(reason.encode("utf-8"), f"{doc_id}/revoked_reason")
            session.flush()
            audit.append(session, now, actor.name, actor.organisation, doc_id, "revoke")
        return self.describe(row)

    def purge(self, older_than_days: int, batch: int = 500) -> int:
        """Erase the data and files of documents issued more than ``older_than_days`` ago; their
        number, digest and status stay, so they still verify. Returns how many were purged."""
        cutoff = utcnow() - dt.timedelta(days=older_than_days)
        purged = 0
        while True:
            with self.db.write() as session:
                rows = session.execute(select(Document).where(Document.issued_at < cutoff,
                                                              Document.purged_at.is_(None))
                                       .order_by(Document.row).limit(batch)).scalars().all()
                now = utcnow()
                for row in rows:
                    row.payload = row.file = row.revoked_reason = None
                    row.purged_at = now
                session.flush()
                for row in rows:
                    audit.append(session, now, "retention", row.organisation, row.id, "purge")
            purged += len(rows)
            if len(rows) < batch:
                return purged

    # -- verification (public: no personal data) ------------------------------------------------

    def verify(self, token: str) -> dict:
        """What whoever holds the paper may learn: status, form, number, date, organisation, digest."""
        row, successor = self._verified(token)
        answer = {"status": row.status, "form": row.form, "title": self._title(row), "number": row.number,
                  "issued_at": iso(row.issued_at), "organisation": row.organisation, "sha256": row.sha256,
                  "lang": row.lang}
        if successor is not None:
            answer["superseded_by"] = {"number": successor.number, "verify_url": successor.verify_url}
        return answer

    def matches(self, token: str, content: bytes) -> bool:
        """Whether ``content`` is exactly the file issued under ``token``."""
        row, _ = self._verified(token)
        return secrets.compare_digest(sha256(content), row.sha256)

    def _verified(self, token: str) -> tuple[Document, Document | None]:
        with self.db.write() as session:
            row = session.execute(select(Document).where(Document.token == token)).scalar_one_or_none()
            if row is None:
                raise DocumentNotFound(id="")
            successor = None
            if row.superseded_by:
                successor = session.execute(select(Document).where(Document.id == row.superseded_by)).scalar_one()
            audit.append(session, utcnow(), "public", row.organisation, row.id, "verify")
        return row, successor

    def _title(self, row: Document) -> str:
        try:
            spec = self.registry.form(row.form).version(row.version)
        except Exception:   # noqa: BLE001 - a form since removed from the catalogue: its id
            return row.form
        return spec.title.get(row.lang) or spec.title.get("kk") or row.form

    # -- audit -----------------------------------------------------------------------------------

    def events(self, actor: Actor, document: str | None = None, limit: int = 1000, after: int = 0) -> list[dict]:
        """The organisation's events (or one document's), oldest first, those after event ``after``."""
        query = select(audit.AuditEvent).where(audit.AuditEvent.organisation == actor.organisation,
                                                audit.AuditEvent.seq > after)
        if document:
            query = query.where(audit.AuditEvent.document == document)
        with self.db.read() as session:
            rows = session.execute(query.order_by(audit.AuditEvent.seq).limit(limit)).scalars().all()
        return [audit.as_dict(row) for row in rows]

    def verify_audit(self) -> audit.ChainReport:
        with self.db.read() as session:
            return audit.verify(session)

    def close(self) -> None:
        self.db.dispose()


def local_midnight(day: dt.date) -> dt.datetime | None:
    """The day's start in local time, as the naive UTC the database holds; None for a day so early
    that its start is before the first instant a datetime holds (0001-01-01 east of Greenwich)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=numbers.LOCAL_TIME)
    try:
        return start.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except OverflowError:
        return None


def encode_cursor(row: int) -> str:
    return base64.urlsafe_b64encode(f"r{row}".encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row a cursor points after; ValueError for anything that is not one of ours."""
    text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    if not text.startswith("r") or not text[1:].isdigit():
        raise ValueError("not a cursor")
    return int(text[1:])
