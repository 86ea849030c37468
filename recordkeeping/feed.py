"""The change feed: the organisation's document and case changes from the audit trail, oldest first.

Only ids, types and step names (a flow's, not a person's): no actor, no reason, nothing from the data.
Reads (view, list, read_*, verify, read_case) are not changes and stay out. A case step's name is not
in the audit event (its hash format is fixed); it comes from the case's timeline, whose k-th row is
the step of the case's k-th audit event: both are written in one transaction under the case's lock.
"""

from __future__ import annotations

from sqlalchemy import select

from .common import Actor
from .db import Database
from .models import AuditEvent, CaseEvent

# The feed's stable vocabulary, by audit action.
TYPES = {
    "issue": "document.issued",
    "revoke": "document.revoked",
    "supersede": "document.superseded",  # the document superseded (the new one is issued next)
    "purge": "document.purged",
    "open_case": "case.opened",
    "case_step": "case.step",
}
CASE_ACTIONS = ("open_case", "case_step")


def changes(db: Database, actor: Actor, after: int = 0, limit: int = 100) -> list[dict]:
    """At most ``limit`` of the organisation's changes after event ``after``, oldest first."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.organisation == actor.organisation,
            AuditEvent.seq > after,
            AuditEvent.action.in_(tuple(TYPES)),
        )
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).scalars().all()
        cases = sorted({row.document for row in rows if row.action in CASE_ACTIONS and row.document})
        steps: dict[int, CaseEvent] = {}
        if cases:
            audited = session.execute(
                select(AuditEvent.seq, AuditEvent.document)
                .where(AuditEvent.document.in_(cases), AuditEvent.action.in_(CASE_ACTIONS))
                .order_by(AuditEvent.seq)
            ).all()
            timeline = (
                session.execute(select(CaseEvent).where(CaseEvent.case_id.in_(cases)).order_by(CaseEvent.seq))
                .scalars()
                .all()
            )
            for case in cases:
                seqs = [seq for seq, document in audited if document == case]
                taken = [event for event in timeline if event.case_id == case]
                if len(seqs) == len(taken):  # else the step is left out rather than guessed
                    steps.update(zip(seqs, taken))
    return [_event(row, steps.get(row.seq)) for row in rows]


def _event(row: AuditEvent, step: CaseEvent | None) -> dict:
    event: dict = {"seq": row.seq, "at": row.at, "type": TYPES[row.action]}
    if row.action in CASE_ACTIONS:
        event["case"] = row.document
        if step is not None:
            event["step"] = step.step
            if step.document:
                event["document"] = step.document  # the document the step made
    elif row.document:
        event["document"] = row.document
    return event
