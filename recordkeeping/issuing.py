"""Issuing, the pipeline's last step: validate, render (with the verification mark), seal; then,
in the transaction that takes the number, write the number into the document, seal it, store it
and log the event. Issues that reach that transaction together share it (``batching``); a failure
stores nothing and uses no number.
"""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from forms.catalogue.registry import Registry
from forms.catalogue.spec import FormVersion
from forms.errors import ValidationFailed
from forms.postprocess.mark import add_number, docx_finish
from forms.rendering.document import carried_json, render_clean
from forms.rendering.gcpause import gc_paused
from forms.validation.validate import check

from . import audit, numbers
from .batching import Queued
from .common import Actor, canonical, sha256, utcnow
from .errors import DocumentNotIssued, IdempotencyConflict, RegisterUnavailable
from .models import Document

ISSUED_PDFA = "3b"   # a registered PDF carries its data
# (spec, clean data, the payload's JSON as documents carry it, lang, format, number[, a DOCX's
# finishing step]) -> the document's bytes (a DOCX with its mark when given the step; a PDF before it).
Renderer = Callable[..., bytes]
MARKED = ("pdf", "docx")          # HTML is a preview: it carries no verification mark
ADD_DOCUMENT = insert(Document.__table__)          # built once: it runs inside the number's lock
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
    path = (registry.template_path(spec, lang, "docx") if fmt == "docx"
            else registry.templates_dir / lang / spec.id / f"{spec.version}.html")
    return _source_prints_number(Path(path), Path(path).stat().st_mtime)


class Pending(Queued):
    """An issue validated, rendered (unless its form prints the number) and sealed, waiting for
    the transaction that numbers and stores it (recordkeeping.batching)."""

    __slots__ = ("actor", "spec", "clean", "carried", "lang", "fmt", "early", "payload", "doc_id", "token",
                 "verify_url", "key", "request", "supersedes")

    def __init__(self, *values):
        super().__init__()
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


class Issuing:
    """The register's issuing operations (``store.Register`` holds the database, the sealer, the
    registry, the renderer and the queue of issues waiting for the number's transaction)."""

    def mark(self, document: bytes, fmt: str, verify_url: str, lang: str) -> bytes:
        if fmt not in MARKED:
            return document
        if self._mark is None:
            from forms.postprocess.mark import add_verification_mark
            self._mark = add_verification_mark
        return self._mark(document, fmt, verify_url, lang)

    def _render_here(self, spec: FormVersion, clean: dict, carried: str, lang: str, fmt: str,
                     number: str | None, finish=None) -> bytes:
        with gc_paused():
            return render_clean(self.registry, spec, clean, lang, fmt, pdfa=ISSUED_PDFA, number=number,
                                finish=finish, carried=carried)

    def _render(self, spec: FormVersion, clean: dict, carried: str, lang: str, fmt: str, number: str | None,
                verify_url: str) -> bytes:
        """A registered PDF is PDF/A-3b carrying its data (``nysan extract`` reopens it), then marked;
        a DOCX gets its mark while it is written (the same parts, its long document.xml deflated once)."""
        if fmt == "docx" and self._mark is None:
            return self.renderer(spec, clean, carried, lang, fmt, number, docx_finish(verify_url, lang))
        return self.mark(self.renderer(spec, clean, carried, lang, fmt, number), fmt, verify_url, lang)

    def issue(self, actor: Actor, form: str, data: Any, lang: str = "kk", fmt: str = "pdf",
              version: str | None = None, as_of: dt.date | None = None, verify_base: str = "",
              idempotency_key: str | None = None, supersedes: str | None = None) -> tuple[dict, bool]:
        """(the document's metadata, whether it was already issued under this Idempotency-Key)."""
        from forms.api import check_options
        check_options(lang, fmt)
        spec = self.registry.resolve(form, version, as_of)
        with gc_paused():   # a long journal's clean data is a great many objects, all kept: see gcpause
            clean, errors = check(spec, data)
        if errors:
            raise ValidationFailed(errors)
        key = sha256(f"{actor.organisation}\n{idempotency_key}".encode("utf-8")) if idempotency_key else None
        # What a retry under the same key must repeat (a long journal's JSON: hashed only when asked).
        request = sha256(canonical({"form": form, "version": version, "as_of": as_of, "lang": lang,
                                    "format": fmt, "data": data})) if key else None
        if key and (earlier := self._replay(key, request)):
            return earlier, True
        # The payload's JSON, made once: the document carries it, the register seals it.
        carried = carried_json(data)
        token = secrets.token_urlsafe(18)                      # 144 bits
        doc_id = str(uuid.uuid4())
        verify_url = f"{verify_base.rstrip('/')}/v/{token}"
        if prints_number(self.registry, spec, lang, fmt):
            early = None                  # rendered with its number, inside the number's transaction
            if fmt in MARKED:             # so the mark's QR code (most of its time) is made before it
                from forms.postprocess.mark import qr_code
                qr_code(verify_url)
        else:
            early = self._render(spec, clean, carried, lang, fmt, None, verify_url)
        payload = self.sealer.seal(carried.encode("utf-8"), f"{doc_id}/payload")
        pending = Pending(actor, spec, clean, carried, lang, fmt, early, payload, doc_id, token, verify_url,
                          key, request, supersedes)
        outcome = self._batches.submit(pending)       # stored with the issues that waited beside it
        if isinstance(outcome, IntegrityError) and key and (earlier := self._replay(key, request)):
            return earlier, True                      # the same key raced in: the first wins
        if isinstance(outcome, BaseException):
            raise outcome
        return self.describe(outcome), False

    def _store(self, batch: list["Pending"], more=None) -> None:
        """Stores ``batch`` in one transaction; if that fails, each issue again on its own, so that
        one failing issue (a raced Idempotency-Key, a superseded document no longer in force) costs
        only itself."""
        try:
            rows = self._store_together(batch, more)
        except Exception as err:  # noqa: BLE001 - given to the issue(s) it belongs to
            if len(batch) == 1 or isinstance(err, RegisterUnavailable):
                for pending in batch:     # an outage is everyone's: no use trying each again
                    pending.outcome = err
                return
            for pending in batch:
                self._store([pending])
            return
        for pending, row in zip(batch, rows):
            pending.outcome = row

    def _store_together(self, batch: list["Pending"], more=None) -> list[Document]:
        """One transaction: the numbers, the documents (rendered here only where the form prints its
        number), their status changes and audit events. Issuers take turns in it (the counters' locks,
        taken in one order by everyone), so it holds only what needs the number, in plain SQL
        statements (no unit of work to compute). ``more`` (``Batches.more``) hands over the issues
        that queued meanwhile, which join when they need no lock but those taken: ``batch`` and
        the rows grow in place."""
        order = sorted(range(len(batch)), key=lambda i: (batch[i].actor.organisation, batch[i].spec.id,
                                                         batch[i].supersedes or ""))
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
                taken.extend(numbers.take(session, joining.actor.organisation, joining.spec.id, year)
                             for joining in joined)
            rows: list = [None] * len(batch)
            for index, sequence in zip(order, taken):
                p = batch[index]
                number = numbers.printed(sequence, year, p.spec.id, p.actor.organisation, self.number_formats)
                document = p.early if p.early is not None else self._render(p.spec, p.clean, p.carried, p.lang,
                                                                            p.fmt, number, p.verify_url)
                document = add_number(document, p.fmt, number)      # into the XMP, in place
                rows[index] = Document(
                    id=p.doc_id, organisation=p.actor.organisation, form=p.spec.id, version=p.spec.version,
                    lang=p.lang, format=p.fmt, year=year, sequence=sequence, number=number, status="issued",
                    issued_at=now, actor=p.actor.name, sha256=sha256(document), size=len(document), token=p.token,
                    verify_url=p.verify_url, payload=p.payload, file=self.sealer.seal(document, f"{p.doc_id}/file"),
                    supersedes=p.supersedes, idempotency_key=p.key, request_sha256=p.request if p.key else None)
            connection.execute(ADD_DOCUMENT, [{column: getattr(rows[index], column) for column in DOCUMENT_COLUMNS}
                                              for index in order])
            events = []
            for index in order:
                p = batch[index]
                if p.supersedes:
                    old = self._locked(session, p.actor, p.supersedes)
                    old.status, old.superseded_by = "superseded", p.doc_id
                    events.append((p.actor.name, p.actor.organisation, p.supersedes, "supersede"))
                events.append((p.actor.name, p.actor.organisation, p.doc_id, "issue"))
            audit.append_all(session, now, events)
        return rows

    def _replay(self, key: str, request: str) -> dict | None:
        with self.db.read() as session:
            row = session.execute(select(Document).where(Document.idempotency_key == key)).scalar_one_or_none()
        if row is None:
            return None
        if row.request_sha256 != request:
            raise IdempotencyConflict()
        return self.describe(row)

    def supersede(self, actor: Actor, doc_id: str, data: Any, lang: str | None = None, fmt: str | None = None,
                  verify_base: str = "") -> dict:
        old = self._find(actor, doc_id)
        if old.status != "issued":
            raise DocumentNotIssued(status=old.status)
        new, _ = self.issue(actor, old.form, data, lang or old.lang, fmt or old.format, version=old.version,
                            verify_base=verify_base, supersedes=old.id)
        return new
