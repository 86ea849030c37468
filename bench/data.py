"""The benchmark's documents: the shipped referral example, a referral journal of any length whose
rows all differ (names, places, numbers, dates), as a real journal's would, and an adaptation report
of any length (IINs, dates and marks that differ from row to row)."""

from __future__ import annotations

import datetime as dt

import forms
from forms.fields.iin import make as make_iin

LAST = [
    "Қабылбеков",
    "Нұрахметова",
    "Асқарұлы",
    "Төлеубаева",
    "Сейітқали",
    "Жақыпова",
    "Бекмұхамбетов",
    "Оспанова",
    "Құрманғазин",
    "Әбдірахманова",
    "Ермекбаев",
    "Қуанышева",
    "Мұхтаров",
]
FIRST = ["Ерлан", "Гүлнар", "Мейрамбек", "Айжан", "Қайрат", "Ұлжан", "Бауыржан", "Әсел", "Нұрлан", "Дина", "Серік"]
PATRONYMIC = ["Сәрсенұлы", "Бахытқызы", None, "Серікқызы", "Оралұлы", "Тұрсынқызы", "Жұмабайұлы", None]
PLACES = [
    ("Моңғолия, Баян-Өлгий аймағы, Өлгий қаласы", "Моңғолия"),
    ("Өзбекстан Республикасы, Науаи облысы, Тамды ауданы", "Өзбекстан Республикасы"),
    ("Қытай Халық Республикасы, Іле Қазақ автономиялық облысы, Құлжа қаласы", "Қытай Халық Республикасы"),
    ("Ресей Федерациясы, Омбы облысы, Азов ауданы", "Ресей Федерациясы"),
    ("Түрікменстан, Балқан уәлаяты, Түрікменбашы қаласы", "Түрікменстан"),
    ("Қырғыз Республикасы, Шу облысы", "Қырғыз Республикасы"),
    ("Иран Ислам Республикасы, Горган қаласы", "Иран Ислам Республикасы"),
    (None, None),
]


def referral(variant: int = 0) -> dict:
    """The shipped example; ``variant`` > 0 gives another applicant, family and date, so that
    repeated runs render different documents (no run is helped by the one before)."""
    data = forms.example("referral")
    if variant:
        person = journal_row(variant)["applicant"]
        data["applicant"] = person
        data["applicant_birth_date"] = (dt.date(1950, 1, 1) + dt.timedelta(days=variant * 997 % 20000)).isoformat()
        for index, member in enumerate(data.get("members", [])):
            member["name"] = {**member["name"], "first_name": FIRST[(variant + index) % len(FIRST)]}
        data["issue_date"] = (dt.date(2025, 1, 1) + dt.timedelta(days=variant % 300)).isoformat()
    return data


def journal_row(i: int) -> dict:
    """Row ``i`` (0-based): every row distinct, every value valid for the spec."""
    person = {"last_name": LAST[i % len(LAST)], "first_name": FIRST[(i // 3) % len(FIRST)]}
    patronymic = PATRONYMIC[(i // 7) % len(PATRONYMIC)]
    if patronymic:
        person["patronymic"] = patronymic
    place, country = PLACES[(i // 2) % len(PLACES)]
    applied = dt.date(2021, 4, 1) + dt.timedelta(days=(i // 4) % 2000)  # four a day
    row = {
        "applicant": person,
        "birth_date": (dt.date(1950, 1, 1) + dt.timedelta(days=(i * 997) % 20000)).isoformat(),
        "application_date": applied.isoformat(),
        "application_number": f"01-17/{i + 1}",
    }
    if place:
        row["birth_place"] = place
        row["country_of_origin"] = country
    if i % 5 != 4:  # one in five is still waiting for its referral
        row["referral_number"] = str(i + 1)
        row["referral_date"] = (applied + dt.timedelta(days=i % 3)).isoformat()
    return row


def journal(rows: int, variant: int = 0) -> dict:
    """A referral journal with ``rows`` entries, started on the first application's day; another
    ``variant`` has other rows (the same number and kind)."""
    first = variant * rows
    return {"started_on": "2021-04-01", "entries": [journal_row(first + i) for i in range(rows)]}


MARKS = ["+", "кеңес берілді", "өтінім берілді", "3 т көмір", "жолдама берілді"]


def report_row(i: int) -> dict:
    """Row ``i`` of an adaptation report: a valid IIN of its own, and a few of the 25 services
    done (dates, marks, now and then both), different from one row to the next."""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 997) % 25000)
    serial = i % 9000
    iin = make_iin(born, i % 2 == 1, serial)
    while iin is None:
        serial += 1
        iin = make_iin(born, i % 2 == 1, serial)
    services = {}
    for step in range(1 + i % 9):
        code = 1 + (i * 7 + step * 5) % 25
        day = dt.date(2026, 2, 1) + dt.timedelta(days=(i + step * 3) % 27)
        kind = (i + step) % 6
        value = f"{day:%d.%m.%Y}" if kind < 4 else MARKS[(i + step) % len(MARKS)]
        if kind == 5 and step % 2:
            value = f"{MARKS[3]}, {day:%d.%m.%Y}"
        services[f"s{code:02d}"] = value
    return {"iin": iin, "services": services}


def adaptation_report(rows: int, variant: int = 0) -> dict:
    """An adaptation report with ``rows`` rows; another ``variant`` has other rows."""
    first = variant * rows
    return {"rows": [report_row(first + i) for i in range(rows)]}
