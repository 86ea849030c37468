"""Drafts kept on the server: what a clerk has typed into a form, one per user and form, sealed at
rest with the register's key like documents' data (the associated data binds it to its user and form)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, select

from .crypto import Sealer
from .db import Database
from .models import Draft

MAX_DRAFT = 4 * 1024 * 1024  # bytes of one draft's JSON


def _context(user_id: int, form: str) -> str:
    return f"draft/{user_id}/{form}"


class Drafts:
    def __init__(self, database: Database, sealer: Sealer):
        self.db, self.sealer = database, sealer

    def save(self, user_id: int, form: str, content: Any) -> dt.datetime:
        plain = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(plain) > MAX_DRAFT:
            raise ValueError("draft too large")
        sealed = self.sealer.seal(plain, _context(user_id, form))
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        with self.db.write() as session:
            row = session.execute(
                select(Draft).where(Draft.user_id == user_id, Draft.form == form)
            ).scalar_one_or_none()
            if row is None:
                session.add(Draft(user_id=user_id, form=form, saved_at=now, content=sealed))
            else:
                row.saved_at, row.content = now, sealed
        return now

    def load(self, user_id: int, form: str) -> tuple[Any, dt.datetime] | None:
        with self.db.read() as session:
            row = session.execute(
                select(Draft).where(Draft.user_id == user_id, Draft.form == form)
            ).scalar_one_or_none()
        if row is None:
            return None
        return json.loads(self.sealer.open(row.content, _context(user_id, form))), row.saved_at

    def list(self, user_id: int) -> list[tuple[str, dt.datetime]]:
        """(form, saved at) of the user's drafts, the latest first."""
        with self.db.read() as session:
            rows = session.execute(
                select(Draft.form, Draft.saved_at).where(Draft.user_id == user_id).order_by(Draft.saved_at.desc())
            ).all()
        return [(form, saved) for form, saved in rows]

    def remove(self, user_id: int, form: str) -> None:
        with self.db.write() as session:
            session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.form == form))
