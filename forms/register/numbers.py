"""Registration numbers: 1, 2, 3 ... per organisation x form x calendar year, without gaps.

The number is taken by incrementing the counter row inside the transaction that stores the
document: the row stays locked until that transaction ends, so no other issuer (thread, process or
replica) gets the same number, and a transaction that fails gives its number back by rolling back.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Counter

# The calendar year a number belongs to is Kazakhstan's (the forms' own dates are Asia/Almaty too).
LOCAL_TIME = ZoneInfo("Asia/Almaty")
DEFAULT_FORMAT = "{number}"


def local_year(utc_now: dt.datetime) -> int:
    return utc_now.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME).year


def take(session: Session, organisation: str, form: str, year: int) -> int:
    """The next number, holding the counter's lock until the session's transaction ends."""
    where = (Counter.organisation == organisation, Counter.form == form, Counter.year == year)
    increment = update(Counter).where(*where).values(last=Counter.last + 1).returning(Counter.last)
    number = session.execute(increment).scalar()
    if number is None:         # the first of this year: make the row (another issuer may just have)
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(Counter).values(organisation=organisation, form=form, year=year, last=0)
                        .on_conflict_do_nothing())
        number = session.execute(increment).scalar_one()
    return number


def printed(number: int, year: int, form: str, organisation: str, formats: dict[str, str]) -> str:
    """The number as printed: the organisation's format (NYSAN_NUMBER_FORMATS), else the plain number.

    A format may use {number}, {year}, {form} and {organisation}, e.g. ``"{year}-{number:05d}"``."""
    template = formats.get(organisation) or formats.get("*") or DEFAULT_FORMAT
    return template.format(number=number, year=year, form=form, organisation=organisation)
