"""When a step of a flow is due: its declared deadline counted on Kazakhstan's calendar
(``forms.calendar``) from the moment the case took the step that starts it.

- ``{days: N, unit: working|calendar, from: step}``: the calendar's own rule (the day after the event
  is day one; the term ends at 23:59:59 in Asia/Almaty on its last day; a term in calendar days whose
  last day is a day off ends on the next working day);
- ``{months: N, from: step}``: the same day N months later (the month's last day when it has no such
  day), and the same rule for a day off;
- ``{day_of_month: N, month: following}``: day N of the month after the period's (a monthly report:
  "no later than the 5th of the following month"), the same rule for a day off.
"""

from __future__ import annotations

import calendar as months_calendar
import datetime as dt
from collections.abc import Mapping

from forms.calendar import ALMATY, DUE_TIME, Calendar
from forms.calendar import default as default_calendar
from forms.flows.spec import Deadline, Flow, Step


def due(
    flow: Flow,
    step: str | Step,
    taken: Mapping[str, dt.datetime],
    calendar: Calendar | None = None,
    period: dt.date | None = None,
) -> dt.datetime | None:
    """The moment ``step`` is due, given when the case took its steps (``taken``: step name → aware
    datetime); None when the step has no deadline or the step that starts it has not been taken."""
    chosen = step if isinstance(step, Step) else flow.step(step)
    return term_end(chosen.deadline, taken, calendar, period)


def report_due(flow: Flow, period: dt.date, calendar: Calendar | None = None) -> dt.datetime | None:
    """When the report of the period holding ``period`` is due (None for a flow without a report or
    whose report has no deadline)."""
    if flow.report is None:
        return None
    return term_end(flow.report.deadline, {}, calendar, period)


def term_end(
    deadline: Deadline | None,
    taken: Mapping[str, dt.datetime],
    calendar: Calendar | None = None,
    period: dt.date | None = None,
) -> dt.datetime | None:
    """The end of a declared term. For a deadline in the month after a period, ``period`` is any day
    of that period (default: the day of the starting step, else today in Almaty)."""
    if deadline is None:
        return None
    days = calendar or default_calendar()
    if deadline.day_of_month is not None:
        start = _start(deadline, taken)
        base = period or (start.astimezone(ALMATY).date() if start else dt.datetime.now(ALMATY).date())
        year, month = (base.year + 1, 1) if base.month == 12 else (base.year, base.month + 1)
        return _end_of(_next_working(days, dt.date(year, month, deadline.day_of_month)))
    start = _start(deadline, taken)
    if start is None:
        return None
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("due: the moments a case took its steps are aware datetimes")
    if deadline.days is not None:
        return days.deadline(start, deadline.days, "working" if deadline.unit == "working" else "calendar")
    if deadline.months is not None:
        return _end_of(_next_working(days, _add_months(start.astimezone(ALMATY).date(), deadline.months)))
    return None


def _start(deadline: Deadline, taken: Mapping[str, dt.datetime]) -> dt.datetime | None:
    """The latest moment among the starting steps the case took (``from`` may name several: whichever
    the case took, e.g. the end of a stay by termination or by its six months)."""
    moments = [taken[name] for name in deadline.start if name in taken]
    return max(moments) if moments else None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, months_calendar.monthrange(year, month)[1]))


def _next_working(days: Calendar, day: dt.date) -> dt.date:
    while not days.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DUE_TIME, tzinfo=ALMATY)
