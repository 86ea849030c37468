"""``nysan calendar YEAR [--json] [--data-dir DIR]``: the year's days off and transfers in Kazakhstan,
each with where it comes from (the decreed file or the ``holidays`` library). Added to the engine's
commands by ``forms.cli`` and to ``nysan`` by ``service.cli``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from forms.calendar import DECREE_FILE, Calendar, library_version

FIRST_YEAR, LAST_YEAR = 1991, 2100  # the library knows Kazakhstan from independence


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"a year from {FIRST_YEAR} to {LAST_YEAR}, not {year}")
    return year


def add_commands(commands: Any, forms_commands: Any) -> None:
    p = commands.add_parser("calendar", help="a year's days off and transfers in Kazakhstan, with their source")
    p.add_argument("year", type=_year)
    p.add_argument("--json", action="store_true")
    p.add_argument("--data-dir", help="the folder holding schemas/ (default: NYSAN_DATA_DIR, else the shipped copy)")
    p.set_defaults(func=cmd_calendar)


def cmd_calendar(args: argparse.Namespace) -> int:
    calendar = Calendar(args.data_dir or args.registry.data_dir)
    table = calendar.year(args.year)
    path = calendar.file_for(args.year)
    first, last = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    working = calendar.working_days_between(first - dt.timedelta(days=1), last)
    source = (
        f"decree file {path.relative_to(calendar.data_dir)}; its unconfirmed entries: holidays library "
        f"{library_version()}"
        if path.exists()
        else f"holidays library {library_version()} (no decree file {path.name}: Kurban Ait is estimated, "
        "weekend days made working are not known)"
    )
    days = [
        {
            "date": day.day.isoformat(),
            "weekday": day.day.strftime("%a"),
            "working": day.working,
            "what": day.what,
            "source": day.source,
            "basis": day.basis,
        }
        for day in table.values()
    ]
    if args.json:
        summary = {"year": args.year, "working_days": working, "source": source, "days": days}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return 0
    print(f"Kazakhstan {args.year}: {working} working days (five-day week). Source: {source}.")
    for day in days:
        status = "working day" if day["working"] else "day off"
        origin = "decree file" if day["source"] == DECREE_FILE else "library"
        basis = f"  [{day['basis']}]" if day["basis"] else ""
        print(f"{day['date']} {day['weekday']}  {status:<11}  {day['what']:<55}  {origin}{basis}")
    return 0
