"""The audit trail: append-only events, each hashed together with the previous one's hash.

Editing an event changes its hash; removing one breaks the next event's link (and a gap shows in
the sequence); removing the last ones leaves the head (audit_head) pointing past the end. Appending
locks the head row, so events from every process form one chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
ACTIONS = (
    "issue",
    "view",
    "list",
    "read_file",
    "read_data",
    "revoke",
    "supersede",
    "verify",
    "purge",
    "open_case",  # a case opened (its document: the case id), recordkeeping/cases.py
    "case_step",  # a case took a step
    "read_case",  # a case's application read
)


def event_hash(
    seq: int, at: str, actor: str, organisation: str, document: str | None, action: str, prev_hash: str
) -> str:
    fields = [seq, at, actor, organisation, document, action, prev_hash]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode("utf-8")).hexdigest()


def now_text(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# a declarative class's __table__ is typed FromClause; ours are Tables (update and insert want one)
_HEAD, _EVENTS = cast(Table, AuditHead.__table__), cast(Table, AuditEvent.__table__)
# Built once: they run in every issue's transaction, which issuers take in turn.
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
_ADD_EVENT = insert(_EVENTS)


def append(
    session: Session, now: dt.datetime, actor: str, organisation: str, document: str | None, action: str
) -> AuditEvent:
    """Add one event to the chain within the session's transaction. Call it last in a transaction:
    the head's lock is held until commit."""
    return append_all(session, now, [(actor, organisation, document, action)])[0]


def append_all(session: Session, now: dt.datetime, events: list[tuple[str, str, str | None, str]]) -> list[AuditEvent]:
    """Add events (actor, organisation, document, action), in order, to the chain within the
    session's transaction, reading and moving the head once. Call it last in a transaction: the
    head's lock is held until commit. Plain SQL statements, built once."""
    session.flush()  # the transaction's own changes first, as they happened
    connection = session.connection()
    last = connection.execute(_READ_HEAD).one()
    at = now_text(now)
    seq, previous, rows = last.seq, last.hash, []
    for actor, organisation, document, action in events:
        seq += 1
        digest = event_hash(seq, at, actor, organisation, document, action, previous)
        rows.append(
            dict(
                seq=seq,
                at=at,
                actor=actor,
                organisation=organisation,
                document=document,
                action=action,
                prev_hash=previous,
                hash=digest,
            )
        )
        previous = digest
    connection.execute(_ADD_EVENT, rows)
    connection.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": previous})
    return [AuditEvent(**row) for row in rows]


def as_dict(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "organisation": event.organisation,
        "document": event.document,
        "action": event.action,
        "hash": event.hash,
    }


@dataclass
class ChainReport:
    events: int
    bad_event: int | None = None  # the first event that fails, by its seq
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain from the first event; stop at the first one that does not hold."""
    expected_seq, prev, count = 1, GENESIS, 0
    last = 0
    while True:
        rows = (
            session.execute(select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch))
            .scalars()
            .all()
        )
        for event in rows:
            if event.seq != expected_seq:
                return ChainReport(count, expected_seq, f"event {expected_seq} is missing (the next is {event.seq})")
            if event.prev_hash != prev:
                return ChainReport(
                    count,
                    event.seq,
                    f"event {event.seq} does not follow event {event.seq - 1}: "
                    "the previous event was edited or replaced",
                )
            if (
                event_hash(
                    event.seq, event.at, event.actor, event.organisation, event.document, event.action, event.prev_hash
                )
                != event.hash
            ):
                return ChainReport(count, event.seq, f"event {event.seq} was edited (its hash does not match)")
            prev, expected_seq, count, last = event.hash, event.seq + 1, count + 1, event.seq
        if len(rows) < batch:
            break
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if head.seq != count or head.hash != prev:
        problem = (
            f"event {count + 1} is missing (the chain ends at event {count}, its head is at {head.seq})"
            if head.seq > count
            else f"the chain's head does not match event {count}"
        )
        return ChainReport(count, count + 1, problem)
    return ChainReport(count)
