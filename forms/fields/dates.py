"""Dates as official Kazakh and Russian texts print them.

Month names come from Babel's CLDR data; Kazakh's locative-attributive suffix (-дағы/-дегі/-тағы/
-тегі) follows vowel harmony and the month's last sound, so it is looked up per month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date

ALMATY = ZoneInfo("Asia/Almaty")

# қаңтар → қаңтардағы ... желтоқсан → желтоқсандағы
KK_LOCATIVE_SUFFIX = {
    1: "дағы",
    2: "дағы",
    3: "дағы",
    4: "дегі",
    5: "дағы",
    6: "дағы",
    7: "дегі",
    8: "дағы",
    9: "тегі",
    10: "дағы",
    11: "дағы",
    12: "дағы",
}


def today() -> dt.date:
    """Today in Kazakhstan's capital time zone, whatever the server's."""
    return dt.datetime.now(ALMATY).date()


@lru_cache(maxsize=64)
def month_name(month: int, lang: str, genitive: bool = False) -> str:
    pattern = "MMMM" if genitive else "LLLL"
    return format_date(dt.date(2000, month, 1), pattern, locale=lang).lower()


def month_length_params(year: int, month: int) -> dict[str, object]:
    """Message parameters saying how many days a month has: ``days`` and the month's name as the
    messages use it in each language (en: February; kk: ақпанда; ru: февраля)."""
    return {
        "days": calendar.monthrange(year, month)[1],
        "month_name": month_name(month, "en").capitalize(),
        "month_name_kk": month_name(month, "kk") + KK_LOCATIVE_SUFFIX[month][:-2],  # -дағы → -да
        "month_name_ru": month_name(month, "ru", genitive=True),
    }


def long_date(value: dt.date, lang: str) -> str:
    """Running text: '2024 жылғы 30 қыркүйектегі' / '30 сентября 2024 года'."""
    if lang == "kk":
        month = month_name(value.month, "kk") + KK_LOCATIVE_SUFFIX[value.month]
        return f"{value.year} жылғы {value.day} {month}"
    return f"{value.day} {month_name(value.month, 'ru', genitive=True)} {value.year} года"


def form_date(value: dt.date, lang: str) -> str:
    """A form's date blank filled in: '2024 жылғы "30" қыркүйек' / '«30» сентября 2024 г.'."""
    if lang == "kk":
        return f'{value.year} жылғы "{value.day:02d}" {month_name(value.month, "kk")}'
    return f"«{value.day:02d}» {month_name(value.month, 'ru', genitive=True)} {value.year} г."


def short_date(value: dt.date, lang: str) -> str:
    """Table cells: 30.09.2024."""
    return _short_date(value)


@lru_cache(maxsize=8192)
def _short_date(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"  # a journal prints a few thousand days, each many times
