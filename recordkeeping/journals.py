"""Journals that keep themselves (docs/cases.md#journals): the journal of a period rendered from the
cases, not typed. A form is a journal when a flow names it under ``journal:`` (docs/flows.md); each
case of such a flow opened in the period is one row, ``flow.journal_row(application, case)``, in the
order the cases were registered. What a case's steps made fills the case's blanks: the referral a
step issued gives ``referral_number`` and ``referral_date`` (``<form>_number``, ``<form>_date``),
unless the clerk gave them as case fields. Reading the cases' data is audited, one ``read_case``
event per case, as ``Cases.application`` is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from forms.flows import Flow

from . import audit
from .cases import Cases
from .common import Actor, local_day, within_days
from .errors import JournalNotFound
from .models import Case, CaseEvent, Document


def journal_flows(cases: Cases, form: str) -> list[Flow]:
    """Every version of every flow whose journal is ``form``."""
    return [
        flow
        for versions in cases.flows.flows.values()
        for flow in versions
        if flow.journal is not None and flow.journal.form == form
    ]


def journal(cases: Cases, actor: Actor, form: str, start: dt.date, end: dt.date) -> dict:
    """The journal ``form`` of the actor's organisation for the days ``start`` to ``end`` (Asia/Almaty,
    both included): ``{"form", "version", "from", "to", "data"}``, ``data`` the form's data. The header
    holds the period: ``started_on`` the first day, ``finished_on`` the last once it has passed (a
    journal still being kept is not finished). ``JournalNotFound`` when no flow keeps ``form``."""
    flows = journal_flows(cases, form)
    if not flows:
        raise JournalNotFound(form=form)
    spec = cases.registry.resolve(form)
    ids = {flow.id for flow in flows}
    query = select(Case).where(Case.organisation == actor.organisation, Case.flow.in_(ids))
    query = within_days(query, Case.opened_at, start, end)
    with cases.db.read() as session:
        rows = session.execute(query.order_by(Case.row)).scalars().all()
        made = _made(session, actor, [row.id for row in rows])
    entries, rows_field = [], flows[0].journal.rows  # type: ignore[union-attr]
    for row in rows:
        flow = cases.flows.get(row.flow, version=row.flow_version)
        application, details = cases._opened(row)
        for key, value in made.get(row.id, {}).items():
            details.setdefault(key, value)
        entries.append(flow.journal_row(application, details))
    if rows:
        with cases.db.write() as session:
            now = cases.now()
            for row in rows:
                audit.append(session, now, actor.name, actor.organisation, row.id, "read_case")
    today = local_day(cases.now())
    data: dict[str, Any] = {"started_on": start.isoformat()}
    if end < today:
        data["finished_on"] = end.isoformat()
    data[rows_field] = entries
    return {"form": spec.id, "version": spec.version, "from": start.isoformat(), "to": end.isoformat(), "data": data}


def _made(session: Any, actor: Actor, case_ids: list[str]) -> dict[str, dict[str, str]]:
    """For each case, what the documents its steps made say: ``<form>_number`` and ``<form>_date`` (the
    day the step that made it was taken, Asia/Almaty). A revoked document made nothing."""
    if not case_ids:
        return {}
    found = session.execute(
        select(CaseEvent.case_id, Document.form, Document.number, CaseEvent.at)
        .join(Document, Document.id == CaseEvent.document)
        .where(
            CaseEvent.case_id.in_(case_ids),
            Document.organisation == actor.organisation,
            Document.status != "revoked",
        )
        .order_by(CaseEvent.seq)
    ).all()
    made: dict[str, dict[str, str]] = {}
    for case_id, form, number, taken in found:
        day = local_day(taken)
        made.setdefault(case_id, {}).update({f"{form}_number": number, f"{form}_date": day.isoformat()})
    return made
