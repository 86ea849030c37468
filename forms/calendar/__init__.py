"""Working days on Kazakhstan's calendar, and the deadlines the procedures set in them.

The orders give their terms in working days ("within one working day", жұмыс күні) or calendar days
("within three calendar days", күнтізбелік күн). A day is a working day unless it is a Saturday or a
Sunday, a public holiday's day off, or a day the authorised body made a day off; a weekend day the
body made a working day (a "transfer", Labour Code art. 85(3)) is a working day.

Where the days off come from, per year (docs/calendar.md):

- the decreed file ``schemas/_calendar/kz/<year>.yaml`` when there is one: legal staff transcribe the
  year's holidays, transfers (each with its order) and the first day of Kurban Ait. It wins over the
  library. An entry marked ``confirmed: false`` does not count: on its dates the library decides
  (for an unconfirmed Kurban Ait, the library's date);
- else the ``holidays`` library (``holidays.KZ``): the public holidays, the next working day after one
  on a weekend, and the transfers it knows; it only estimates Kurban Ait and does not know the
  weekend days made working.

Terms (the Civil Code's rules on terms): counting starts on the day after the event, so one working
day from a Friday is the Monday; a term ends at the end of its last day, 23:59:59 in Asia/Almaty (all
Kazakhstan keeps UTC+5 since 1 March 2024), not at the close of office hours, since the acts are
done on the e-government portal at any hour; and a term in calendar days whose last day is a day off
ends on the next working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from forms.calendar import data
from forms.errors import NysanError
from forms.fields.dates import ALMATY

DUE_TIME = dt.time(23, 59, 59)  # the end of the last day of a term
UNITS = ("working", "calendar")
Unit = Literal["working", "calendar"]
LIBRARY = "library"
DECREE_FILE = "decree file"


class CalendarInvalid(NysanError):
    """A decreed calendar file has a problem: working days are not counted on a guess."""

    code = "calendar_invalid"


@dataclass(frozen=True)
class Day:
    """A day whose status is not the plain weekday rule (a holiday, a day off, a working weekend day)."""

    day: dt.date
    working: bool
    what: str  # the holiday's name (en), or what the transfer did
    source: str  # LIBRARY or DECREE_FILE
    basis: str | None = None  # the order, for a transfer; the announcement, for Kurban Ait
    names: dict[str, str] | None = None  # kk, ru, en, when the file gives them


class Calendar:
    """Kazakhstan's working days as one data folder declares them (``data_dir``: the folder holding
    ``schemas/``; default the engine's, NYSAN_DATA_DIR or the shipped copy)."""

    def __init__(self, data_dir: Path | str | None = None):
        if data_dir is None:
            from forms.catalogue.locations import default_data_dir
            from forms.settings import Settings

            data_dir = Settings.load().data_dir or default_data_dir()
        self.data_dir = Path(data_dir)
        self._years: dict[int, tuple[float | None, dict[dt.date, Day]]] = {}

    # --- the year's table ----------------------------------------------------------------------
    def file_for(self, year: int) -> Path:
        return data.calendar_dir(self.data_dir) / f"{year}.yaml"

    def year(self, year: int) -> dict[dt.date, Day]:
        """Every day of ``year`` whose status is not the plain weekday rule, by date."""
        path = self.file_for(year)
        try:
            stamp: float | None = path.stat().st_mtime
        except OSError:
            stamp = None
        cached = self._years.get(year)
        if cached is None or cached[0] != stamp:  # an amended file is read again
            cached = (stamp, self._build(year, path if stamp is not None else None))
            self._years[year] = cached
        return cached[1]

    def _build(self, year: int, path: Path | None) -> dict[dt.date, Day]:
        library = _library(year)
        if path is None:
            return {day: Day(day, False, name, LIBRARY) for day, name in sorted(library.items())}
        found = data.read(path)
        if found.problems:
            first = found.problems[0]
            where = f"{path.name}:{first.line}" if first.line else path.name
            raise CalendarInvalid(file=where, problem=f"[{first.code}] {first.message}")
        table: dict[dt.date, Day] = {}
        undecided: set[dt.date] = set()  # the dates of unconfirmed entries: the library decides them
        for holiday in found.holidays:
            if holiday.confirmed:
                table[holiday.day] = Day(holiday.day, False, holiday.names["en"], DECREE_FILE, names=holiday.names)
            else:
                undecided.add(holiday.day)
        feast = found.kurban_ait
        if feast is not None and feast.confirmed:
            table[feast.day] = Day(feast.day, False, "Kurban Ait", DECREE_FILE, feast.basis)
        else:
            undecided |= {day for day, name in library.items() if name.startswith("Eid al-Adha")}
        for transfer in found.transfers:
            if not transfer.confirmed:
                undecided |= {transfer.day_off, transfer.working_day}
                continue
            table[transfer.day_off] = Day(
                transfer.day_off,
                False,
                f"day off transferred from {transfer.working_day}",
                DECREE_FILE,
                transfer.basis,
            )
            table[transfer.working_day] = Day(
                transfer.working_day,
                True,
                f"working day; its day off transferred to {transfer.day_off}",
                DECREE_FILE,
                transfer.basis,
            )
        for day in sorted(undecided - set(table)):
            if day in library:
                table[day] = Day(day, False, library[day], LIBRARY)
        return dict(sorted(table.items()))

    # --- the arithmetic ------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        known = self.year(day.year).get(day)
        return known.working if known else day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted; 0: ``start``)."""
        _count(n)
        day = start
        while n:
            day += dt.timedelta(days=1)
            n -= self.is_working_day(day)
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """The working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``):
        ``working_days_between(a, add_working_days(a, n)) == n``."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1))

    def deadline(self, start: dt.datetime, days: int, unit: Unit) -> dt.datetime:
        """The moment a term of ``days`` ``unit`` days from the event at ``start`` ends: 23:59:59 in
        Asia/Almaty on its last day; a term in calendar days that ends on a day off ends on the next
        working day."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("deadline: start must be an aware datetime (with its time zone)")
        local = start.astimezone(ALMATY).date()
        if unit == "working":
            due = self.add_working_days(local, days)
        elif unit == "calendar":
            due = add_calendar_days(local, days)
            while not self.is_working_day(due):
                due += dt.timedelta(days=1)
        else:
            raise ValueError(f"deadline: unit must be one of {', '.join(UNITS)}, not {unit!r}")
        return dt.datetime.combine(due, DUE_TIME, tzinfo=ALMATY)


def _count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"a number of days is a whole number from 0, not {n!r}")


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th calendar day after ``start``."""
    _count(n)
    return start + dt.timedelta(days=n)


def _library(year: int) -> dict[dt.date, str]:
    """The ``holidays`` library's days off of ``year`` in Kazakhstan, English names (imported here:
    only the commands and flows that count days pay for it)."""
    import holidays

    return dict(holidays.country_holidays("KZ", years=year, language="en_US").items())


def library_version() -> str:
    import holidays

    return str(holidays.__version__)


_default: Calendar | None = None


def default() -> Calendar:
    """The engine's calendar (its data folder), made once."""
    global _default
    if _default is None:
        _default = Calendar()
    return _default


def is_working_day(day: dt.date) -> bool:
    return default().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return default().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return default().working_days_between(a, b)


def deadline(start: dt.datetime, days: int, unit: Unit) -> dt.datetime:
    return default().deadline(start, days, unit)


__all__ = [
    "ALMATY",
    "DUE_TIME",
    "UNITS",
    "Calendar",
    "CalendarInvalid",
    "Day",
    "add_calendar_days",
    "add_working_days",
    "deadline",
    "is_working_day",
    "working_days_between",
]
