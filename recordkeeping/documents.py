"""The register of documents: issue (validate, render with the verification mark, seal; then, in
the transaction that takes the number, write the number into the document, seal it, store it and
log the event), read, list, revoke, supersede, verify, purge, and the audit trail.

Every document belongs to one organisation; asking for another organisation's is "not found".
Issues that reach the number's transaction together share it (``batching``); a failure stores
nothing and uses no number.
"""

from __future__ import annotations

import base64
import builtins
import dataclasses
import datetime as dt
import json
import secrets
import uuid
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.catalogue.registry import Registry
from forms.catalogue.spec import FormVersion
from forms.postprocess.mark import add_number, docx_finish
from forms.prefilling import prefill as forms_prefill
from forms.rendering import document as engine_document
from forms.rendering.document import carried_json
from forms.rendering.gcpause import gc_paused
from forms.rendering.request import Renderer, RenderOptions, RenderRequest, prepare

from . import audit, numbers
from .batching import Batches, Queued
from .common import Actor, canonical, iso, sha256, utcnow, within_days
from .crypto import Sealer, load_key
from .db import Database
from .errors import DocumentNotFound, DocumentNotIssued, DocumentPurged, IdempotencyConflict, RegisterUnavailable
from .models import Document, Organisation, OrganisationRevision
from .settings import RecordSettings

STATUSES = ("issued", "revoked", "superseded")
ISSUED_PDFA = "3b"  # a registered PDF carries its data
MARKED = ("pdf", "docx")  # HTML is a preview: it carries no verification mark
# a declarative class's __table__ is typed FromClause; ours are Tables (update and insert want one)
ADD_DOCUMENT = insert(cast(Table, Document.__table__))  # built once: it runs inside the number's lock
DOCUMENT_COLUMNS = [column.key for column in Document.__table__.columns if column.key != "row"]
Mark = Callable[[bytes, str, str, str], bytes]


@lru_cache(maxsize=256)
def _source_prints_number(path: Path, mtime: float) -> bool:
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as package:
            text = package.read("word/document.xml").decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return "document.number" in text


def prints_number(registry: Registry, spec: FormVersion, lang: str, fmt: str) -> bool:
    """Whether the form's template has a place for the registration number."""
    path = (
        registry.template_path(spec, lang, "docx")
        if fmt == "docx"
        else registry.templates_dir / lang / spec.id / f"{spec.version}.html"
    )
    return _source_prints_number(Path(path), Path(path).stat().st_mtime)


@dataclasses.dataclass(slots=True, eq=False)
class Pending(Queued):
    """An issue validated, rendered (unless its form prints the number) and sealed, waiting for
    the transaction that numbers and stores it (recordkeeping.batching)."""

    actor: Actor
    spec: FormVersion
    render: RenderRequest  # the clean data, language and format, and the payload's JSON it carries
    verify_url: str
    early: bytes | None  # the document, when it could be made before its number
    payload: bytes  # the payload, sealed
    doc_id: str
    token: str
    key: str | None  # the Idempotency-Key's digest
    request_sha256: str | None  # what a retry under that key must repeat
    supersedes: str | None

    def __post_init__(self) -> None:
        Queued.__init__(self)


class Register:
    def __init__(
        self,
        database: Database,
        sealer: Sealer,
        registry: Registry,
        number_formats: dict[str, str] | None = None,
        mark: Mark | None = None,
        renderer: Renderer | None = None,
    ):
        self.db, self.sealer, self.registry = database, sealer, registry
        self.number_formats = dict(number_formats or {})
        self._mark = mark
        # How a document is made: in this thread by default; the service passes its render gate's
        # processes, so that an issue's render is bounded and stopped at the deadline like any other.
        self.renderer = renderer or self._render_here
        self._batches = Batches(self._store)

    @classmethod
    def open(
        cls,
        registry: Registry,
        settings: RecordSettings | None = None,
        migrate: bool = True,
        mark: Mark | None = None,
        renderer: Renderer | None = None,
    ) -> Register:
        """SQLite (the state folder's file unless a URL is given) is created and migrated here;
        PostgreSQL must already be at the newest schema (``nysan db upgrade``) and needs a data key."""
        settings = settings or RecordSettings()
        database = settings.database()
        if database.sqlite and migrate:
            database.upgrade()
        else:
            database.require_current()
        key = load_key(settings.data_key, settings.state_dir, generate=database.sqlite)
        return cls(database, Sealer(key), registry, dict(settings.number_formats), mark, renderer)

    # -- issuing ---------------------------------------------------------------------------------

    def mark(self, document: bytes, fmt: str, verify_url: str, lang: str) -> bytes:
        if fmt not in MARKED:
            return document
        if self._mark is None:
            from forms.postprocess.mark import add_verification_mark

            self._mark = add_verification_mark
        return self._mark(document, fmt, verify_url, lang)

    def _render_here(self, request: RenderRequest) -> bytes:
        with gc_paused():
            return engine_document.render(self.registry, request)

    def _render(self, request: RenderRequest, number: str | None, verify_url: str) -> bytes:
        """A registered PDF is PDF/A-3b carrying its data (``nysan extract`` reopens it), then marked;
        a DOCX gets its mark while it is written (the same parts, its long document.xml deflated once)."""
        if request.fmt == "docx" and self._mark is None:
            return self.renderer(
                dataclasses.replace(request, number=number, finish=docx_finish(verify_url, request.lang))
            )
        document = self.renderer(dataclasses.replace(request, number=number))
        return self.mark(document, request.fmt, verify_url, request.lang)

    def issue(
        self,
        actor: Actor,
        form: str,
        data: Any,
        lang: str = "kk",
        fmt: str = "pdf",
        version: str | None = None,
        as_of: dt.date | None = None,
        verify_base: str = "",
        idempotency_key: str | None = None,
        supersedes: str | None = None,
        prefill: bool = False,
    ) -> tuple[dict, bool]:
        """(the document's metadata, whether it was already issued under this Idempotency-Key).

        With ``prefill``, the fields the form's spec maps to the organisation's record (``prefill:``)
        and the data leaves out are filled from the record in force (the API's callers)."""
        request_data = data  # what a retry under the same key must repeat: as sent, before prefill
        if prefill:
            data = self.prefilled(actor.organisation, self.registry.resolve(form, version, as_of), data, lang)
        with gc_paused():  # a long journal's clean data is a great many objects, all kept: see gcpause
            prepared, spec = prepare(
                self.registry, form, data, RenderOptions(lang, fmt, version, as_of, ISSUED_PDFA, in_force=True)
            )
        key = sha256(f"{actor.organisation}\n{idempotency_key}".encode()) if idempotency_key else None
        # What a retry under the same key must repeat (a long journal's JSON: hashed only when asked).
        request_sha256 = (
            sha256(
                canonical(
                    {
                        "form": form,
                        "version": version,
                        "as_of": as_of,
                        "lang": lang,
                        "format": fmt,
                        "data": request_data,
                    }
                )
            )
            if key
            else None
        )
        if key and (earlier := self._replay(key, request_sha256)):
            return earlier, True
        # The payload's JSON, made once: the document carries it, the register seals it.
        carried = carried_json(data)
        render = dataclasses.replace(prepared, carried=carried)
        token = secrets.token_urlsafe(18)  # 144 bits
        doc_id = str(uuid.uuid4())
        verify_url = f"{verify_base.rstrip('/')}/v/{token}"
        if prints_number(self.registry, spec, lang, fmt):
            early = None  # rendered with its number, inside the number's transaction
            if fmt in MARKED:  # so the mark's QR code (most of its time) is made before it
                from forms.postprocess.mark import qr_code

                qr_code(verify_url)
        else:
            early = self._render(render, None, verify_url)
        payload = self.sealer.seal(carried.encode("utf-8"), f"{doc_id}/payload")
        pending = Pending(
            actor, spec, render, verify_url, early, payload, doc_id, token, key, request_sha256, supersedes
        )
        outcome = self._batches.submit(pending)  # stored with the issues that waited beside it
        if isinstance(outcome, IntegrityError) and key and (earlier := self._replay(key, request_sha256)):
            return earlier, True  # the same key raced in: the first wins
        if isinstance(outcome, BaseException):
            raise outcome
        return self.describe(cast(Document, outcome)), False  # _store's outcome: a Document, or an exception

    def prefilled(self, organisation: str, spec: FormVersion, data: Any, lang: str) -> Any:
        """``data`` with the fields ``spec`` maps to the organisation's record filled where left out."""
        if not spec.prefill:
            return data
        from .organisations import Organisations

        return forms_prefill(spec, data, Organisations(self.db).filled_in(organisation), lang)

    def _store(self, batch: list[Pending], more=None) -> None:
        """Stores ``batch`` in one transaction; if that fails, each issue again on its own, so that
        one failing issue (a raced Idempotency-Key, a superseded document no longer in force) costs
        only itself."""
        try:
            rows = self._store_together(batch, more)
        except Exception as err:  # noqa: BLE001 - given to the issue(s) it belongs to
            if len(batch) == 1 or isinstance(err, RegisterUnavailable):
                for pending in batch:  # an outage is everyone's: no use trying each again
                    # mypy takes a slots=True dataclass's fields for all its __slots__; outcome is Queued's
                    pending.outcome = err  # type: ignore[misc]
                return
            for pending in batch:
                self._store([pending])
            return
        for pending, row in zip(batch, rows):
            pending.outcome = row  # type: ignore[misc]  # a slot of Queued (see above)

    def _store_together(self, batch: list[Pending], more=None) -> list[Document]:
        """One transaction: the numbers, the documents (rendered here only where the form prints its
        number), their status changes and audit events. Issuers take turns in it (the counters' locks,
        taken in one order by everyone), so it holds only what needs the number, in plain SQL
        statements (no unit of work to compute). ``more`` (``Batches.more``) hands over the issues
        that queued meanwhile, which join when they need no lock but those taken: ``batch`` and
        the rows grow in place."""
        order = sorted(
            range(len(batch)), key=lambda i: (batch[i].actor.organisation, batch[i].spec.id, batch[i].supersedes or "")
        )
        with self.db.write() as session:
            now = utcnow()
            year = numbers.local_year(now)
            connection = session.connection()
            taken = [numbers.take(session, batch[i].actor.organisation, batch[i].spec.id, year) for i in order]
            if more is not None:
                # The counters are locked now (other processes' issuers may have held them meanwhile):
                # what queued here while this transaction waited joins it if its counter is one of
                # those, so that no other lock is taken, nor any in another order.
                # Every issue taken off the queue joins ``batch`` before anything else can fail: one
                # taken but not joined would be told no outcome at all (its answer a 500).
                held = {(p.actor.organisation, p.spec.id) for p in batch}
                joined = more(lambda q: not q.supersedes and (q.actor.organisation, q.spec.id) in held)
                order.extend(range(len(batch), len(batch) + len(joined)))
                batch.extend(joined)
                taken.extend(
                    numbers.take(session, joining.actor.organisation, joining.spec.id, year) for joining in joined
                )
            records = _records_in_force(connection, {p.actor.organisation for p in batch})
            rows: list = [None] * len(batch)
            for index, sequence in zip(order, taken):
                p = batch[index]
                record, number_format = records.get(p.actor.organisation, (None, None))
                # the record's number format, else NYSAN_NUMBER_FORMATS'
                formats = {**self.number_formats, p.actor.organisation: number_format} if number_format else None
                number = numbers.printed(
                    sequence, year, p.spec.id, p.actor.organisation, formats or self.number_formats
                )
                document = p.early if p.early is not None else self._render(p.render, number, p.verify_url)
                document = add_number(document, p.render.fmt, number)  # into the XMP, in place
                rows[index] = Document(
                    id=p.doc_id,
                    organisation=p.actor.organisation,
                    form=p.spec.id,
                    version=p.spec.version,
                    lang=p.render.lang,
                    format=p.render.fmt,
                    year=year,
                    sequence=sequence,
                    number=number,
                    status="issued",
                    issued_at=now,
                    actor=p.actor.name,
                    sha256=sha256(document),
                    size=len(document),
                    token=p.token,
                    verify_url=p.verify_url,
                    payload=p.payload,
                    file=self.sealer.seal(document, f"{p.doc_id}/file"),
                    supersedes=p.supersedes,
                    idempotency_key=p.key,
                    request_sha256=p.request_sha256,
                    organisation_revision=record,
                )
            connection.execute(
                ADD_DOCUMENT, [{column: getattr(rows[index], column) for column in DOCUMENT_COLUMNS} for index in order]
            )
            events: list[tuple[str, str, str | None, str]] = []
            for index in order:
                p = batch[index]
                if p.supersedes:
                    old = self._locked(session, p.actor, p.supersedes)
                    old.status, old.superseded_by = "superseded", p.doc_id
                    events.append((p.actor.name, p.actor.organisation, p.supersedes, "supersede"))
                events.append((p.actor.name, p.actor.organisation, p.doc_id, "issue"))
            audit.append_all(session, now, events)
        return rows

    def _replay(self, key: str, request_sha256: str | None) -> dict | None:
        with self.db.read() as session:
            row = session.execute(select(Document).where(Document.idempotency_key == key)).scalar_one_or_none()
        if row is None:
            return None
        if row.request_sha256 != request_sha256:
            raise IdempotencyConflict()
        return self.describe(row)

    def supersede(
        self,
        actor: Actor,
        doc_id: str,
        data: Any,
        lang: str | None = None,
        fmt: str | None = None,
        verify_base: str = "",
        prefill: bool = False,
    ) -> dict:
        old = self._find(actor, doc_id)
        if old.status != "issued":
            raise DocumentNotIssued(status=old.status)
        new, _ = self.issue(
            actor,
            old.form,
            data,
            lang or old.lang,
            fmt or old.format,
            version=old.version,
            verify_base=verify_base,
            supersedes=old.id,
            prefill=prefill,
        )
        return new

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
        row = session.execute(
            select(Document).where(Document.id == doc_id, Document.organisation == actor.organisation).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise DocumentNotFound(id=doc_id)
        if row.status != "issued":
            raise DocumentNotIssued(status=row.status)
        return row

    def get(self, actor: Actor, doc_id: str, lang: str | None = None) -> dict:
        """The document's metadata; with ``lang``, also its organisation's name in that language as
        it was when the document was issued (``organisation_name``)."""
        row = self._find(actor, doc_id)
        answer = self.describe(row)
        if lang is not None:
            answer["organisation_name"] = self._organisation_names(row).get(lang) or row.organisation
        return answer

    def _organisation_names(self, row: Document, session: Session | None = None) -> dict[str, str]:
        """The organisation's official names when ``row`` was issued; its id for a document issued
        before organisations had records."""
        if row.organisation_revision is None:
            return {"kk": row.organisation, "ru": row.organisation}
        query = select(OrganisationRevision.name_kk, OrganisationRevision.name_ru).where(
            OrganisationRevision.row == row.organisation_revision
        )
        if session is None:
            with self.db.read() as session:
                found = session.execute(query).first()
        else:
            found = session.execute(query).first()
        return {"kk": found[0], "ru": found[1]} if found else {"kk": row.organisation, "ru": row.organisation}

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
            rows = (
                session.execute(
                    select(Document).where(
                        Document.organisation == actor.organisation,
                        Document.id.in_(doc_ids),
                        Document.payload.is_not(None),
                    )
                )
                .scalars()
                .all()
            )
            if rows:
                audit.append_all(session, utcnow(), [(actor.name, actor.organisation, row.id, "list") for row in rows])
        # the query takes only rows with a payload (the filter narrows for mypy)
        return {
            row.id: json.loads(self.sealer.open(row.payload, f"{row.id}/payload"))
            for row in rows
            if row.payload is not None
        }

    def list(
        self,
        actor: Actor,
        form: str | None = None,
        status: str | None = None,
        number: str | None = None,
        issued_from: dt.date | None = None,
        issued_to: dt.date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[dict], str | None]:
        """Newest first; ``next`` is the cursor of the following page (None on the last)."""
        query = select(Document).where(Document.organisation == actor.organisation)
        if form:
            query = query.where(Document.form == form)
        if status:
            query = query.where(Document.status == status)
        if number:
            query = query.where(Document.number == number)
        query = within_days(query, Document.issued_at, issued_from, issued_to)
        if cursor:
            query = query.where(Document.row < decode_cursor(cursor))
        with self.db.read() as session:
            rows = session.execute(query.order_by(Document.row.desc()).limit(limit + 1)).scalars().all()
        following = encode_cursor(rows[limit - 1].row) if len(rows) > limit else None
        return [self.describe(row) for row in rows[:limit]], following

    def describe(self, row: Document) -> dict:
        reason = (
            self.sealer.open(row.revoked_reason, f"{row.id}/revoked_reason").decode("utf-8")
            if row.revoked_reason
            else None
        )
        return {
            "id": row.id,
            "number": row.number,
            "form": row.form,
            "version": row.version,
            "lang": row.lang,
            "format": row.format,
            "status": row.status,
            "issued_at": iso(row.issued_at),
            "organisation": row.organisation,
            "sha256": row.sha256,
            "size": row.size,
            "verify_url": row.verify_url,
            "supersedes": row.supersedes,
            "superseded_by": row.superseded_by,
            "revoked_at": iso(row.revoked_at),
            "revoked_reason": reason,
            "purged_at": iso(row.purged_at),
        }

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
                rows = (
                    session.execute(
                        select(Document)
                        .where(Document.issued_at < cutoff, Document.purged_at.is_(None))
                        .order_by(Document.row)
                        .limit(batch)
                    )
                    .scalars()
                    .all()
                )
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
        """What whoever holds the paper may learn: status, form, number, date, organisation (its id, and
        its official names in kk and ru as they were at issue), digest."""
        row, successor, names = self._verified(token)
        answer: dict[str, Any] = {
            "status": row.status,
            "form": row.form,
            "title": self._title(row),
            "number": row.number,
            "issued_at": iso(row.issued_at),
            "organisation": row.organisation,
            "organisation_names": names,
            "sha256": row.sha256,
            "lang": row.lang,
        }
        if successor is not None:
            answer["superseded_by"] = {"number": successor.number, "verify_url": successor.verify_url}
        return answer

    def matches(self, token: str, content: bytes) -> bool:
        """Whether ``content`` is exactly the file issued under ``token``."""
        row, _, _ = self._verified(token)
        return secrets.compare_digest(sha256(content), row.sha256)

    def _verified(self, token: str) -> tuple[Document, Document | None, dict[str, str]]:
        with self.db.write() as session:
            row = session.execute(select(Document).where(Document.token == token)).scalar_one_or_none()
            if row is None:
                raise DocumentNotFound(id="")
            successor = None
            if row.superseded_by:
                successor = session.execute(select(Document).where(Document.id == row.superseded_by)).scalar_one()
            names = self._organisation_names(row, session)
            audit.append(session, utcnow(), "public", row.organisation, row.id, "verify")
        return row, successor, names

    def _title(self, row: Document) -> str:
        try:
            spec = self.registry.form(row.form).version(row.version)
        except Exception:  # noqa: BLE001 - a form since removed from the catalogue: its id
            return row.form
        return spec.title.get(row.lang) or spec.title.get("kk") or row.form

    # -- audit -----------------------------------------------------------------------------------

    def events(
        self, actor: Actor, document: str | None = None, limit: int = 1000, after: int = 0
    ) -> builtins.list[dict]:  # builtins: the method list hides it here
        """The organisation's events (or one document's), oldest first, those after event ``after``."""
        query = select(audit.AuditEvent).where(
            audit.AuditEvent.organisation == actor.organisation, audit.AuditEvent.seq > after
        )
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


def _records_in_force(connection, organisations: set[str]) -> dict[str, tuple[int, str | None]]:
    """Each organisation's revision in force (its row) and number format, read in the issuing
    transaction: the document records the record as it was when it took its number."""
    found = connection.execute(
        select(Organisation.id, OrganisationRevision.row, OrganisationRevision.number_format)
        .join(OrganisationRevision, OrganisationRevision.row == Organisation.current)
        .where(Organisation.id.in_(sorted(organisations)))
    ).all()
    return {organisation: (row, number_format) for organisation, row, number_format in found}


def encode_cursor(row: int) -> str:
    return base64.urlsafe_b64encode(f"r{row}".encode("ascii")).decode("ascii").rstrip("=")


MAX_ROW = 2**63 - 1  # the largest row number a database's BIGINT holds


def decode_cursor(cursor: str) -> int:
    """The row a cursor points after; ValueError for anything that is not one of ours (also a number
    no row can have: beyond BIGINT the database, not the cursor, would fail)."""
    text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    digits = text[1:]
    if not text.startswith("r") or not digits.isdigit() or len(digits) > len(str(MAX_ROW)) or int(digits) > MAX_ROW:
        raise ValueError("not a cursor")
    return int(digits)
