"""Working days on Kazakhstan's calendar (forms/calendar): deadlines on fixed dates across weekends,
public holidays and a transferred working day; the decreed year files over the `holidays` library;
`nysan calendar`; and what `nysan forms check` says of a year file."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from forms.authoring import checks
from forms.calendar import ALMATY, Calendar, CalendarInvalid, add_calendar_days
from support.cases import ROOT
from support.cli import nysan
from support.datadir import copy_data

D = dt.date
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def shipped() -> Calendar:
    """The calendar of the repository's data: the decreed files for 2025 and 2026."""
    return Calendar(ROOT)


@pytest.fixture
def library_only(tmp_path) -> Calendar:
    """A data folder without a year file: the library alone."""
    return Calendar(tmp_path)


def at(day: dt.date, hour: int = 23, minute: int = 59, second: int = 59) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=ALMATY)


def write_year(data_dir: Path, year: int, text: str) -> Path:
    path = data_dir / "schemas" / "_calendar" / "kz" / f"{year}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- deadlines on fixed dates ------------------------------------------------------------------
def test_one_working_day_from_a_friday_afternoon_ends_on_monday_night_in_almaty(shipped):
    friday = at(D(2025, 11, 14), 16, 30, 0)
    assert shipped.deadline(friday, 1, "working") == at(D(2025, 11, 17))
    # The event's day is Almaty's: 20:00 UTC on Thursday is already Friday 01:00 in Almaty.
    assert shipped.deadline(dt.datetime(2025, 11, 13, 20, 0, tzinfo=UTC), 1, "working") == at(D(2025, 11, 17))
    assert shipped.deadline(dt.datetime(2025, 11, 13, 18, 0, tzinfo=UTC), 1, "working") == at(D(2025, 11, 14))
    assert at(D(2025, 11, 17)).utcoffset() == dt.timedelta(hours=5)


def test_working_days_across_public_holidays(shipped):
    # Independence Day, Tuesday 16 December 2025.
    assert shipped.add_working_days(D(2025, 12, 15), 1) == D(2025, 12, 17)
    # Nauryz 2025: Friday 21 March, and 24-25 March off for the 22nd and 23rd (a weekend).
    assert shipped.add_working_days(D(2025, 3, 20), 1) == D(2025, 3, 26)
    assert shipped.deadline(at(D(2025, 3, 20), 9, 0, 0), 3, "working") == at(D(2025, 3, 28))
    assert shipped.working_days_between(D(2025, 3, 20), D(2025, 3, 31)) == 4  # 26, 27, 28, 31
    # Kurban Ait 2025 (Friday 6 June), decreed: one working day from Thursday is Monday.
    assert shipped.add_working_days(D(2025, 6, 5), 1) == D(2025, 6, 9)


def test_a_transferred_working_day_counts_and_its_day_off_does_not(shipped):
    # Order No. 436 of 21 November 2024: Friday 3 January 2025 off, Sunday 5 January working.
    assert not shipped.is_working_day(D(2025, 1, 3))
    assert shipped.is_working_day(D(2025, 1, 5))
    assert shipped.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 5)
    assert shipped.deadline(at(D(2024, 12, 31), 17, 0, 0), 2, "working") == at(D(2025, 1, 6))
    # 5 and 6 January, then 7 January (Orthodox Christmas) off, then 8, 9, 10.
    assert shipped.working_days_between(D(2024, 12, 31), D(2025, 1, 10)) == 5
    assert shipped.working_days_between(D(2025, 1, 10), D(2024, 12, 31)) == -5


def test_three_calendar_days_over_a_weekend(shipped):
    thursday, friday = D(2025, 11, 13), D(2025, 11, 14)
    assert add_calendar_days(thursday, 3) == D(2025, 11, 16)  # a Sunday
    # The term's last day is a day off: it ends on the next working day.
    assert shipped.deadline(at(thursday, 10, 0, 0), 3, "calendar") == at(D(2025, 11, 17))
    assert shipped.deadline(at(friday, 10, 0, 0), 3, "calendar") == at(D(2025, 11, 17))
    assert shipped.deadline(at(D(2025, 11, 17), 10, 0, 0), 3, "calendar") == at(D(2025, 11, 20))
    # Over Independence Day 2025: 13 December + 3 is Tuesday the 16th, a holiday.
    assert shipped.deadline(at(D(2025, 12, 13), 10, 0, 0), 3, "calendar") == at(D(2025, 12, 17))


# --- the decree file and the library ----------------------------------------------------------
def test_the_decree_file_wins_over_the_library(shipped, library_only):
    # The library does not know the Sunday made working in 2025; the file does.
    assert not library_only.is_working_day(D(2025, 1, 5))
    assert shipped.is_working_day(D(2025, 1, 5))
    assert library_only.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 6)
    # 2026: the library estimates Kurban Ait on 27 May; the file confirms it.
    assert shipped.year(2026)[D(2026, 5, 27)].source == "decree file"
    assert library_only.year(2026)[D(2026, 5, 27)].what == "Eid al-Adha (estimated)"


def test_a_year_file_replaces_the_librarys_days_and_estimated_feast(tmp_path):
    write_year(
        tmp_path,
        2027,
        "year: 2027\n"
        "holidays:\n"
        "  - {date: 2027-01-01, kk: Жаңа жыл, ru: Новый год, en: New Year}\n"
        "kurban_ait: {date: 2027-05-17, basis: announcement of the Spiritual Administration of Muslims}\n"
        "transfers:\n"
        "  - {day_off: 2027-01-08, working_day: 2027-01-09, basis: Order No. 1 of 2026-11-20}\n",
    )
    calendar = Calendar(tmp_path)
    assert not calendar.is_working_day(D(2027, 5, 17))  # the decreed Kurban Ait, a Monday
    assert not calendar.is_working_day(D(2027, 1, 8)) and calendar.is_working_day(D(2027, 1, 9))
    # Days the library has and the file does not are working days: the file is the year's list.
    assert calendar.is_working_day(D(2027, 3, 8)) and not Calendar(tmp_path / "none").is_working_day(D(2027, 3, 8))


def test_an_unconfirmed_entry_leaves_its_dates_to_the_library(tmp_path, shipped):
    write_year(
        tmp_path,
        2027,
        "year: 2027\n"
        "holidays:\n"
        "  - {date: 2027-03-08, confirmed: false, kk: Әйелдер күні, ru: Женский день, en: Women's Day}\n"
        "  - {date: 2027-03-09, confirmed: false, kk: Әйелдер күні, ru: Женский день, en: Women's Day}\n"
        "kurban_ait: {date: 2027-05-17, confirmed: false}\n"
        "transfers: []\n",
    )
    calendar = Calendar(tmp_path)
    assert not calendar.is_working_day(D(2027, 3, 8))  # the library has it
    assert calendar.is_working_day(D(2027, 3, 9))  # the library does not
    assert calendar.is_working_day(D(2027, 5, 17))  # the unconfirmed date: not a day off
    assert calendar.year(2027)[D(2027, 5, 16)].what == "Eid al-Adha (estimated)"  # the library's estimate
    # Shipped: 31 August 2026 (Constitution Day's day off before the 2026 Constitution) is unconfirmed,
    # and the library, following the amended Law on holidays, has no Constitution Day in 2026.
    assert shipped.is_working_day(D(2026, 8, 31))


def test_the_library_answers_for_a_year_without_a_file(shipped):
    assert not (ROOT / "schemas/_calendar/kz/2027.yaml").exists()
    # 2027 in the library: 1 May (a Saturday) observed on Monday 3 May; Nauryz's 21st (a Sunday) on the 24th.
    assert not shipped.is_working_day(D(2027, 5, 3))
    assert shipped.add_working_days(D(2027, 3, 19), 1) == D(2027, 3, 25)
    assert {day.source for day in shipped.year(2027).values()} == {"library"}


def test_bad_arguments_are_refused(shipped):
    with pytest.raises(ValueError, match="aware"):
        shipped.deadline(dt.datetime(2025, 11, 14, 16, 30), 1, "working")
    with pytest.raises(ValueError, match="unit"):
        shipped.deadline(at(D(2025, 11, 14)), 1, "weeks")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number"):
        shipped.add_working_days(D(2025, 11, 14), -1)


# --- the command ------------------------------------------------------------------------------
def test_nysan_calendar_lists_the_days_off_and_transfers_with_their_source(capsys):
    code, out = nysan(capsys, "calendar", "2025")
    assert code == 0, out
    assert "Kazakhstan 2025: 246 working days" in out
    [sunday] = [line for line in out.splitlines() if line.startswith("2025-01-05")]
    assert "working day" in sunday and "decree file" in sunday and "No. 436 of 21 November 2024" in sunday
    [nauryz] = [line for line in out.splitlines() if line.startswith("2025-03-24")]
    assert "day off" in nauryz and "Nauryz" in nauryz

    code, out = nysan(capsys, "calendar", "2027", "--json")
    assert code == 0
    listed = json.loads(out)
    assert "holidays library" in listed["source"]
    assert {"date": "2027-05-03", "weekday": "Mon", "working": False, "source": "library"}.items() <= next(
        d for d in listed["days"] if d["date"] == "2027-05-03"
    ).items()


def test_a_broken_year_file_stops_the_count_with_its_problem(tmp_path, capsys):
    write_year(tmp_path, 2025, "year: 2025\ntransfers:\n  - {day_off: 2025-01-03, working_day: 2025-01-05}\n")
    with pytest.raises(CalendarInvalid) as err:
        Calendar(tmp_path).is_working_day(D(2025, 1, 5))
    assert err.value.code == "calendar_invalid" and "2025.yaml:3" in err.value.message("en")
    assert "nysan forms check" in err.value.message("ru")
    code, out = nysan(capsys, "calendar", "2025", "--data-dir", str(tmp_path))
    assert code == 2 and json.loads(out)["code"] == "calendar_invalid"


def test_an_amended_year_file_is_read_again(tmp_path):
    path = write_year(tmp_path, 2027, "year: 2027\nholidays: []\ntransfers: []\n")
    calendar = Calendar(tmp_path)
    assert calendar.is_working_day(D(2027, 6, 1))
    path.write_text(
        "year: 2027\nholidays:\n  - {date: 2027-06-01, kk: К, ru: Д, en: Extra}\ntransfers: []\n", encoding="utf-8"
    )
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert not calendar.is_working_day(D(2027, 6, 1))


# --- nysan forms check ------------------------------------------------------------------------
def test_the_shipped_year_files_pass_the_check():
    found = [p for p in checks.run(ROOT, render=False).problems if p.code.startswith("calendar")]
    assert found == []


BROKEN = """\
year: 2025
holidays:
  - {date: 2025-01-01, kk: Жаңа жыл, ru: Новый год, en: New Year}
  - {date: 2024-12-31, kk: Жаңа жыл, ru: Новый год, en: New Year}
  - {date: 2025-13-01, kk: Жаңа жыл, ru: Новый год, en: New Year}
  - {date: 2025-03-21, kk: Наурыз мейрамы, en: Nauryz}
  - {date: 2025-03-22, kk: Наурыз мейрамы, ru: Наурыз мейрамы, en: Nauryz}
transfers:
  - {day_off: 2025-01-03, working_day: 2025-01-05}
  - {day_off: 2025-03-24, working_day: 2025-03-22, basis: Order No. 9 of 2025-03-01}
"""


def test_the_check_reports_each_calendar_problem_with_its_line(tmp_path, capsys):
    data = copy_data(tmp_path / "data", ("referral",))
    write_year(data, 2025, BROKEN)
    write_year(data, 2031, "year: 2030\nholidays: []\ntransfers: []\n")
    found = [(p.file, p.line, p.code) for p in checks.run(data, render=False).problems]
    f2025, f2031 = "schemas/_calendar/kz/2025.yaml", "schemas/_calendar/kz/2031.yaml"
    assert sorted(found) == sorted(
        [
            (f2025, 4, "calendar-year"),  # 2024-12-31 in the 2025 file
            (f2025, 5, "calendar-file"),  # 2025-13-01: not a date (YAML reads it as text)
            (f2025, 6, "calendar-file"),  # no ru name
            (f2025, 9, "calendar-basis"),  # a transfer without its order
            (f2025, 10, "calendar-conflict"),  # 22 March: a holiday and a transferred working day
            (f2031, 1, "calendar-year"),  # year: 2030 in 2031.yaml
        ]
    )
    code, out = nysan(capsys, "forms", "check", "--quick", "--data-dir", str(data))
    assert code == 1
    assert f"{f2025}:9: [calendar-basis] the transfer has no basis" in out
    assert f"{f2025}:10: [calendar-conflict] 2025-03-22 is both a holiday (Nauryz) and a transferred working day" in out
