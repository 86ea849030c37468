"""The decreed calendar files (``schemas/_calendar/kz/<year>.yaml``): reading one, and what is wrong
with it. Legal staff amend these files (docs/calendar.md); ``nysan forms check`` reports each problem
with its line and a stable code (``calendar-*``, explained in docs/amending-a-form.md), and the
working-day arithmetic (``forms.calendar``) refuses a file with problems rather than guess."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COUNTRY = "kz"
LANGS = ("kk", "ru", "en")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, but a date that does not exist (2025-13-01) stays text for the check to
    report with its line, rather than stopping the whole file."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def calendar_dir(data_dir: Path) -> Path:
    """Where a data folder keeps Kazakhstan's year files."""
    return data_dir / "schemas" / "_calendar" / COUNTRY


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    names: dict[str, str]  # kk, ru, en
    observes: dt.date | None  # the weekend holiday whose day off this is
    confirmed: bool
    line: int | None = field(default=None, compare=False)  # in the file, for the check's messages


@dataclass(frozen=True)
class Transfer:
    day_off: dt.date  # a weekday that becomes a day off
    working_day: dt.date  # a weekend day that becomes a working day
    basis: str  # the order or decree, number and date
    confirmed: bool
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Feast:
    """The first day of Kurban Ait: a day off whose date the Muslim calendar sets each year."""

    day: dt.date
    basis: str
    confirmed: bool


@dataclass(frozen=True)
class FileProblem:
    line: int | None
    code: str  # calendar-file, calendar-year, calendar-conflict, calendar-basis
    message: str
    fix: str


@dataclass
class YearFile:
    path: Path
    year: int
    holidays: list[Holiday] = field(default_factory=list)
    kurban_ait: Feast | None = None
    transfers: list[Transfer] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


def year_paths(data_dir: Path) -> list[Path]:
    return sorted(calendar_dir(data_dir).glob("*.yaml"))


def read(path: Path) -> YearFile:
    """The year file at ``path`` with every problem found in it (an empty list: the file is usable)."""
    stem_year = int(path.stem) if path.stem.isdigit() and len(path.stem) == 4 else 0
    found = YearFile(path, stem_year)
    problem = found.problems.append
    if not stem_year:
        problem(
            FileProblem(None, "calendar-year", f"the file name {path.name!r} is not a year", "name the file YYYY.yaml")
        )
    try:
        loader = _Loader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        mark = getattr(err, "problem_mark", None)
        problem(
            FileProblem(
                mark.line + 1 if mark else None,
                "calendar-file",
                f"the file is not valid YAML ({err})",
                "check the indentation and the quotes on this line",
            )
        )
        return found
    if not isinstance(data, dict):
        problem(
            FileProblem(
                1, "calendar-file", "the file holds no keys", "write year:, holidays:, kurban_ait: and transfers:"
            )
        )
        return found
    lines = _item_lines(root)
    if data.get("year") != stem_year:
        problem(
            FileProblem(
                lines.get(("year", None)),
                "calendar-year",
                f"year: {data.get('year')!r} does not match the file name {path.name}",
                f"write year: {stem_year}, or rename the file to {data.get('year')}.yaml",
            )
        )
    _read_holidays(found, data.get("holidays"), lines)
    _read_kurban_ait(found, data.get("kurban_ait"), lines)
    _read_transfers(found, data.get("transfers"), lines)
    _check_conflicts(found)
    return found


def _item_lines(root: yaml.Node) -> dict[tuple[str, int | None], int]:
    """The line of each top-level key and of each item of a top-level list (1-based)."""
    lines: dict[tuple[str, int | None], int] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            lines[(key.value, None)] = key.start_mark.line + 1
            if isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    lines[(key.value, index)] = item.start_mark.line + 1
    return lines


def _date(found: YearFile, value: Any, what: str, line: int | None) -> dt.date | None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        found.problems.append(
            FileProblem(line, "calendar-file", f"{what} is {value!r}, not a date", "write the date as YYYY-MM-DD")
        )
        return None
    if value.year != found.year:
        found.problems.append(
            FileProblem(
                line,
                "calendar-year",
                f"{what} {value} is not in {found.year}",
                f"each date of {found.path.name} is in {found.year}: correct the date, or move it to {value.year}.yaml",
            )
        )
        return None
    return value


def _confirmed(found: YearFile, item: dict, line: int | None) -> bool:
    value = item.get("confirmed", True)
    if not isinstance(value, bool):
        found.problems.append(
            FileProblem(
                line,
                "calendar-file",
                f"confirmed: {value!r} is neither true nor false",
                "write confirmed: false or omit it",
            )
        )
        return False
    return value


def _items(found: YearFile, value: Any, key: str, lines: dict) -> list[tuple[dict, int | None]]:
    if value is None:
        value = []
    if not isinstance(value, list):
        found.problems.append(
            FileProblem(lines.get((key, None)), "calendar-file", f"{key}: is not a list", f"write {key}: as a list")
        )
        return []
    items = []
    for index, item in enumerate(value):
        line = lines.get((key, index))
        if isinstance(item, dict):
            items.append((item, line))
        else:
            found.problems.append(
                FileProblem(
                    line, "calendar-file", f"an item of {key}: is not a mapping", "write it as {date: ..., ...}"
                )
            )
    return items


def _read_holidays(found: YearFile, value: Any, lines: dict) -> None:
    for item, line in _items(found, value, "holidays", lines):
        day = _date(found, item.get("date"), "the holiday's date", line)
        observes = None
        if item.get("observes") is not None:
            observes = _date(found, item.get("observes"), "observes:", line)
        names = {lang: item.get(lang) for lang in LANGS}
        missing = [lang for lang, name in names.items() if not isinstance(name, str) or not name.strip()]
        if missing:
            found.problems.append(
                FileProblem(
                    line,
                    "calendar-file",
                    f"the holiday's name is missing in {', '.join(missing)}",
                    "write kk:, ru:, en:",
                )
            )
        confirmed = _confirmed(found, item, line)
        if day and not missing:
            found.holidays.append(Holiday(day, {k: str(v) for k, v in names.items()}, observes, confirmed, line))


def _read_kurban_ait(found: YearFile, value: Any, lines: dict) -> None:
    line = lines.get(("kurban_ait", None))
    if value is None:
        return  # not decreed yet: the library's estimate stands
    if not isinstance(value, dict):
        found.problems.append(
            FileProblem(
                line, "calendar-file", "kurban_ait: is not a mapping", "write kurban_ait: {date: ..., basis: ...}"
            )
        )
        return
    day = _date(found, value.get("date"), "kurban_ait's date", line)
    confirmed = _confirmed(found, value, line)
    basis = value.get("basis")
    if confirmed and not (isinstance(basis, str) and basis.strip()):
        found.problems.append(
            FileProblem(
                line,
                "calendar-basis",
                "kurban_ait has no basis: who announced the date",
                "write basis: (e.g. the Spiritual Administration of Muslims' announcement), or confirmed: false",
            )
        )
        return
    if day:
        found.kurban_ait = Feast(day, str(basis or ""), confirmed)


def _read_transfers(found: YearFile, value: Any, lines: dict) -> None:
    for item, line in _items(found, value, "transfers", lines):
        day_off = _date(found, item.get("day_off"), "the transfer's day_off", line)
        working = _date(found, item.get("working_day"), "the transfer's working_day", line)
        confirmed = _confirmed(found, item, line)
        basis = item.get("basis")
        if not (isinstance(basis, str) and basis.strip()):
            found.problems.append(
                FileProblem(
                    line,
                    "calendar-basis",
                    "the transfer has no basis",
                    'write basis: "Order of the Minister of Labour ... No. N of DATE" (the act that moved the day)',
                )
            )
            continue
        if day_off and working:
            found.transfers.append(Transfer(day_off, working, basis, confirmed, line))


def _check_conflicts(found: YearFile) -> None:
    problem = found.problems.append
    off: dict[dt.date, str] = {}
    for holiday in found.holidays:
        if holiday.day in off:
            problem(
                FileProblem(
                    holiday.line,
                    "calendar-conflict",
                    f"{holiday.day} is listed twice",
                    "keep one entry",
                )
            )
        off[holiday.day] = holiday.names["en"]
    if found.kurban_ait:
        off.setdefault(found.kurban_ait.day, "Kurban Ait")
    for transfer in found.transfers:
        line = transfer.line
        if transfer.working_day in off:
            problem(
                FileProblem(
                    line,
                    "calendar-conflict",
                    f"{transfer.working_day} is both a holiday ({off[transfer.working_day]}) and a transferred "
                    "working day",
                    "check the order: a public holiday is never made a working day; correct one of the dates",
                )
            )
        if transfer.working_day.weekday() < 5:
            problem(
                FileProblem(
                    line,
                    "calendar-conflict",
                    f"the transfer's working_day {transfer.working_day} is a weekday: it is a working day already",
                    "working_day is the Saturday or Sunday the order makes a working day",
                )
            )
        if transfer.day_off.weekday() >= 5 or transfer.day_off in off:
            problem(
                FileProblem(
                    line,
                    "calendar-conflict",
                    f"the transfer's day_off {transfer.day_off} is a day off already",
                    "day_off is the weekday the order makes a day off",
                )
            )
