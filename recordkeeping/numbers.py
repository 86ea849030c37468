"""Registration numbers: 1, 2, 3 ... per organisation x form x calendar year, without gaps.

The number is taken by incrementing the counter row inside the transaction that stores the
document: the row stays locked until that transaction ends, so no other issuer (thread, process or
replica) gets the same number, and a transaction that fails gives its number back by rolling back.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .common import local_day
from .models import Counter

# The calendar year a number belongs to is Kazakhstan's (the forms' own dates are Asia/Almaty too).
DEFAULT_FORMAT = "{number}"


def local_year(utc_now: dt.datetime) -> int:
    return local_day(utc_now).year


# a declarative class's __table__ is typed FromClause; ours are Tables (update and insert want one)
_COUNTERS = cast(Table, Counter.__table__)
# Built once (a statement built per call costs more than SQLite takes to run it); values bound per call.
_INCREMENT = (
    update(_COUNTERS)
    .where(
        _COUNTERS.c.organisation == bindparam("o"),
        _COUNTERS.c.form == bindparam("f"),
        _COUNTERS.c.year == bindparam("y"),
    )
    .values(last=_COUNTERS.c.last + 1)
    .returning(_COUNTERS.c.last)
)
_FIRST = {
    name: dialect.insert(_COUNTERS)
    .values(organisation=bindparam("o"), form=bindparam("f"), year=bindparam("y"), last=0)
    .on_conflict_do_nothing()
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def take(session: Session, organisation: str, form: str, year: int) -> int:
    """The next number, holding the counter's lock until the session's transaction ends."""
    connection = session.connection()  # Core statements on the session's connection: no ORM work
    where = {"o": organisation, "f": form, "y": year}
    number = connection.execute(_INCREMENT, where).scalar()
    if number is None:  # the first of this year: make the row (another issuer may just have)
        connection.execute(_FIRST["postgresql" if connection.dialect.name == "postgresql" else "sqlite"], where)
        number = connection.execute(_INCREMENT, where).scalar_one()
    return number


def printed(number: int, year: int, form: str, organisation: str, formats: dict[str, str]) -> str:
    """The number as printed: the organisation's format (NYSAN_NUMBER_FORMATS), else the plain number.

    A format may use {number}, {year}, {form} and {organisation}, e.g. ``"{year}-{number:05d}"``."""
    template = formats.get(organisation) or formats.get("*") or DEFAULT_FORMAT
    return template.format(number=number, year=year, form=form, organisation=organisation)
