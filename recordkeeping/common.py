"""What the register's operations share: who acts, the time, digests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forms.fields.dates import ALMATY

if TYPE_CHECKING:  # the package loads SQLAlchemy only when a database is used
    from sqlalchemy import Select


@dataclass(frozen=True)
class Actor:
    """Who acts: the organisation whose documents they see, and a name for the audit trail
    (an API key's digest prefix, ``local`` without keys, ``public`` for verification)."""

    organisation: str = "default"
    name: str = "local"
    # An account's role (users.ROLES) for the steps of cases; None for an API key, which may take any step.
    role: str | None = None


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Asia/Almaty of a naive UTC moment, as the database holds moments."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(ALMATY).date()


def local_midnight(day: dt.date) -> dt.datetime | None:
    """The day's start in local time, as the naive UTC the database holds; None for a day so early
    that its start is before the first instant a datetime holds (0001-01-01 east of Greenwich)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=ALMATY)
    try:
        return start.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except OverflowError:
        return None


def within_days(query: Select[Any], column: Any, first: dt.date | None, last: dt.date | None) -> Select[Any]:
    """``query`` narrowed to moments of ``column`` on the Almaty days ``first`` to ``last`` (both
    included; None bounds nothing, nor do the first and the last day a date holds)."""
    if first and (start := local_midnight(first)) is not None:
        query = query.where(column >= start)
    if last and last < dt.date.max:
        query = query.where(column < local_midnight(last + dt.timedelta(days=1)))
    return query


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def iso(moment: dt.datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
