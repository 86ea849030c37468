"""Cases: applications running a declared flow (``forms.flows``, docs/flows.md), kept in the register's
database (docs/cases.md).

A case is opened by its flow's opening step with an application the engine validates; it takes a row
of the flow's journal, numbered 1, 2, 3 ... per organisation x flow x calendar year without gaps (the
documents' counters, under the key ``journal:<flow>``), and moves from state to state by the steps its
flow allows from the state it is in, for the actor's role (an API key, with no role, may take any). A
step that makes a document issues it through the ``Register``, prefilled by the step's mapping from
the application and the case's fields. The application, the case's fields and each step's input are
sealed like documents' payloads; opening and every step are audit events whose document is the case's
id (``open_case``, ``case_step``), and a step's document has its own ``issue`` event.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.calendar import ALMATY
from forms.errors import FieldError, ValidationFailed
from forms.flows import Flow, FlowRegistry, Step
from forms.validation.schema import _schema_class
from forms.validation.validate import _flatten, check

from . import audit, numbers
from .common import Actor, iso, utcnow
from .documents import Register
from .errors import ActionNotAllowed, CaseNotFound
from .models import Case, CaseEvent, Document

REVOKED_RACE = "the case took another step before this one was recorded"  # a step's document, undone


def journal_key(flow_id: str) -> str:
    """The counter of a flow's journal: beside the forms' counters, under a key no form id can be."""
    return f"journal:{flow_id}"


@lru_cache(maxsize=8)
def flow_registry(data_dir: Path) -> FlowRegistry:
    """The flows of the register's data folder, loaded once per process."""
    return FlowRegistry(data_dir)


def merged(prefill: Any, given: Any) -> Any:
    """``prefill`` under ``given``: objects merge key by key, anything else given wins."""
    if isinstance(prefill, dict) and isinstance(given, dict):
        out = dict(prefill)
        for key, value in given.items():
            out[key] = merged(prefill[key], value) if key in prefill else value
        return out
    return given


def aware(moment: dt.datetime) -> dt.datetime:
    """A naive UTC moment of the database as an aware one."""
    return moment.replace(tzinfo=dt.timezone.utc)


class Cases:
    """Cases over a ``Register``: its database, sealer and form registry. ``now`` (naive UTC, like the
    database) is the clock: the steps' moments, the journal's year and what is overdue follow it."""

    def __init__(
        self,
        register: Register,
        now: Callable[[], dt.datetime] | None = None,
        flows: FlowRegistry | None = None,
    ):
        self.register = register
        self.db, self.sealer, self.registry = register.db, register.sealer, register.registry
        self._now = now
        self.flows = flows or flow_registry(Path(register.registry.data_dir))

    def now(self) -> dt.datetime:
        return self._now() if self._now is not None else utcnow()

    # -- opening ---------------------------------------------------------------------------------

    def open(self, actor: Actor, flow_id: str, application: dict, details: dict | None = None) -> dict:
        """Open a case of ``flow_id`` (the version in force) with ``application`` ``{form, data, lang}``
        and the flow's case fields given in ``details``. Invalid data raises ``ValidationFailed`` (the
        application's faults at their paths in its data, the details' under ``details.``) and stores
        nothing; ``FlowNotFound`` for a flow that does not exist."""
        flow = self.flows.get(flow_id)
        form = application.get("form") or flow.application
        lang = application.get("lang") or "kk"
        if form != flow.application:
            raise ValidationFailed([FieldError("", "invalid_choice", {"choices": flow.application})])
        spec = self.registry.resolve(form)  # NotInForce for a form not in force today
        _, errors = check(spec, application.get("data"))
        details = dict(details or {})
        errors += check_details(flow, details)
        if errors:
            raise ValidationFailed(errors)
        step = flow.opening[0]
        if step not in flow.allowed(None, actor.role):
            raise ActionNotAllowed(action=step.name, state="—", allowed="—")
        case_id, now = str(uuid.uuid4()), self.now()
        with self.db.write() as session:
            year = numbers.local_year(now)
            sequence = numbers.take(session, actor.organisation, journal_key(flow.id), year)
            details.setdefault("number", str(sequence))  # the application's registration number
            session.add(
                Case(
                    id=case_id,
                    organisation=actor.organisation,
                    flow=flow.id,
                    flow_version=flow.version,
                    state=step.to,
                    year=year,
                    sequence=sequence,
                    number=str(sequence),
                    form=spec.id,
                    form_version=spec.version,
                    lang=lang,
                    application=self._seal(application.get("data"), f"{case_id}/application"),
                    details=self._seal(details, f"{case_id}/details"),
                    opened_at=now,
                    updated_at=now,
                )
            )
            session.add(CaseEvent(case_id=case_id, step=step.name, state=step.to, actor=actor.name, at=now))
            audit.append(session, now, actor.name, actor.organisation, case_id, "open_case")
        return self.get(actor, case_id)

    # -- acting ----------------------------------------------------------------------------------

    def act(
        self,
        actor: Actor,
        case_id: str,
        action: str,
        data: dict | None = None,
        verify_base: str = "",
        fmt: str = "pdf",
    ) -> dict:
        """Take the step ``action``. A step that makes a document issues it (in the case's organisation
        and language) with ``flow.map(step, application, case)`` under ``data`` (``data`` wins); the
        document's own validation applies (``ValidationFailed``). ``ActionNotAllowed`` when the step
        cannot be taken from the case's state, or not by the actor's role."""
        row = self._find(actor, case_id)
        flow = self._flow(row)
        step = self._step(flow, row.state, action, actor.role)
        document = None
        if step.makes:
            application, details = self._opened(row)
            prefill = flow.map(step, application, details)
            document, _ = self.register.issue(
                actor,
                step.makes,
                merged(prefill, data or {}),
                row.lang,
                fmt,
                verify_base=verify_base,
                prefill=True,  # what the organisation's record fills (the head, the authority)
            )
        now = self.now()
        try:
            with self.db.write() as session:
                locked = session.execute(
                    select(Case).where(Case.id == case_id, Case.organisation == actor.organisation).with_for_update()
                ).scalar_one()
                if locked.state != row.state:  # another step won the race while the document was made
                    raise self._refusal(flow, locked.state, action, actor.role)
                locked.state, locked.updated_at = step.to, now
                session.add(
                    CaseEvent(
                        case_id=case_id,
                        step=step.name,
                        state=step.to,
                        actor=actor.name,
                        at=now,
                        document=document["id"] if document else None,
                        data=self._seal(data, f"{case_id}/{step.name}") if data else None,
                    )
                )
                audit.append(session, now, actor.name, actor.organisation, case_id, "case_step")
        except ActionNotAllowed:
            if document is not None:  # no case step holds it: not a document in force
                self.register.revoke(actor, document["id"], REVOKED_RACE)
            raise
        return self.get(actor, case_id)

    def _step(self, flow: Flow, state: str, action: str, role: str | None) -> Step:
        for step in flow.allowed(state, role):
            if step.name == action:
                return step
        raise self._refusal(flow, state, action, role)

    def _refusal(self, flow: Flow, state: str, action: str, role: str | None) -> ActionNotAllowed:
        allowed = [s.name for s in flow.allowed(state, role)]
        return ActionNotAllowed(action=action, state=state, allowed=", ".join(allowed) or "—")

    # -- reading ---------------------------------------------------------------------------------

    def get(self, actor: Actor, case_id: str) -> dict:
        """The case: its flow, state (``status``), journal number, the steps the actor's role may take
        now, their deadlines, the documents its steps made and its timeline. No personal data."""
        row = self._find(actor, case_id)
        with self.db.read() as session:
            events = (
                session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq))
                .scalars()
                .all()
            )
            numbers_of = self._document_numbers(session, actor, [e.document for e in events if e.document])
        return self.describe(row, events, numbers_of, actor.role)

    def list(
        self, actor: Actor, flow: str | None = None, state: str | None = None, overdue: bool = False
    ) -> list[dict]:
        """The organisation's cases in journal order (oldest first), of ``flow``, in ``state``, or only
        those with a step overdue now."""
        query = select(Case).where(Case.organisation == actor.organisation)
        if flow:
            query = query.where(Case.flow == flow)
        if state:
            query = query.where(Case.state == state)
        with self.db.read() as session:
            rows = session.execute(query.order_by(Case.row)).scalars().all()
            ids = [row.id for row in rows]
            events: dict[str, builtins.list[CaseEvent]] = {case_id: [] for case_id in ids}
            for event in (
                session.execute(select(CaseEvent).where(CaseEvent.case_id.in_(ids)).order_by(CaseEvent.seq))
                .scalars()
                .all()
                if ids
                else []
            ):
                events[event.case_id].append(event)
            numbers_of = self._document_numbers(
                session, actor, [e.document for found in events.values() for e in found if e.document]
            )
        cases = [self.describe(row, events[row.id], numbers_of, actor.role) for row in rows]
        return [case for case in cases if not overdue or any(d["overdue"] for d in case["deadlines"])]

    def describe(
        self, row: Case, events: Sequence[CaseEvent], numbers_of: dict[str, tuple[str, str]], role: str | None
    ) -> dict:
        flow = self._flow(row)
        taken = {event.step: aware(event.at) for event in events}  # the latest time each step was taken
        now = aware(self.now())
        deadlines = []
        for step in flow.allowed(row.state):
            due = flow.due(step, taken)
            if due is not None:
                deadlines.append({"action": step.name, "due": due.astimezone(ALMATY).isoformat(), "overdue": due < now})
        return {
            "id": row.id,
            "flow": row.flow,
            "flow_version": row.flow_version,
            "status": row.state,
            "number": row.number,
            "year": row.year,
            "application": {"form": row.form, "version": row.form_version, "lang": row.lang},
            "opened_at": iso(row.opened_at),
            "actions": [step.name for step in flow.allowed(row.state, role)],
            "deadlines": deadlines,
            "documents": [
                {"id": e.document, "form": numbers_of[e.document][0], "number": numbers_of[e.document][1]}
                for e in events
                if e.document in numbers_of
            ],
            "timeline": [
                {
                    "seq": e.seq,
                    "step": e.step,
                    "status": e.state,
                    "actor": e.actor,
                    "at": iso(e.at),
                    "document": e.document,
                }
                for e in events
            ],
        }

    def application(self, actor: Actor, case_id: str) -> tuple[Any, dict]:
        """The case's application data and case fields, opened (the read is an audit event)."""
        row = self._find(actor, case_id)
        with self.db.write() as session:
            audit.append(session, self.now(), actor.name, actor.organisation, case_id, "read_case")
        return self._opened(row)

    # -- helpers ---------------------------------------------------------------------------------

    def _find(self, actor: Actor, case_id: str) -> Case:
        with self.db.read() as session:
            row = session.execute(
                select(Case).where(Case.id == case_id, Case.organisation == actor.organisation)
            ).scalar_one_or_none()
        if row is None:
            raise CaseNotFound(id=case_id)
        return row

    def _flow(self, row: Case) -> Flow:
        return self.flows.get(row.flow, version=row.flow_version)

    def _document_numbers(self, session: Session, actor: Actor, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        if not ids:
            return {}
        found = session.execute(
            select(Document.id, Document.form, Document.number).where(
                Document.organisation == actor.organisation, Document.id.in_(ids)
            )
        ).all()
        return {doc_id: (form, number) for doc_id, form, number in found}

    def _seal(self, value: Any, context: str) -> bytes:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        return self.sealer.seal(text.encode("utf-8"), context)

    def _opened(self, row: Case) -> tuple[Any, dict]:
        application = json.loads(self.sealer.open(row.application, f"{row.id}/application"))
        details = json.loads(self.sealer.open(row.details, f"{row.id}/details"))
        return application, details


def check_details(flow: Flow, details: Any) -> list[FieldError]:
    """The faults of a case's fields (``case:`` of the flow) at ``details.<path>``; fields left out are
    not required yet: a case gathers them step by step."""
    if not isinstance(details, dict):
        return [FieldError("details", "invalid_type", {"expected": "object"})]
    schema = _schema_class(list(flow.case_fields), f"case_{flow.id}_{flow.version}")()
    try:
        schema.load(details, partial=True)
    except ValidationError as err:
        return [
            FieldError(f"details.{e.path}" if e.path else "details", e.code, e.params)
            for e in _flatten(err.messages, "")
        ]
    return []
