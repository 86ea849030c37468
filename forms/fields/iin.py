"""The individual identification number (ЖСН / ИИН): 12 digits, check digit, birth date."""

from __future__ import annotations

import datetime as dt

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURIES = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


class IINError(ValueError):
    """Carries a stable error code: iin_format, iin_checksum, iin_century, iin_date."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11 digits, or None when no digit is valid."""
    digits = [int(c) for c in first_eleven]
    for weights in (WEIGHTS_FIRST, WEIGHTS_SECOND):
        remainder = sum(d * w for d, w in zip(digits, weights)) % 11
        if remainder != 10:
            return remainder
    return None


def birth_date(iin: str) -> dt.date:
    """The birth date encoded in a well-formed IIN; raises IINError."""
    century = CENTURIES.get(iin[6])
    if century is None:
        raise IINError("iin_century")
    try:
        return dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise IINError("iin_date") from None


def check(iin: str) -> dt.date:
    """Validate an IIN and return its birth date; raises IINError with the first fault."""
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        raise IINError("iin_format")
    born = birth_date(iin)
    if check_digit(iin[:11]) != int(iin[11]):
        raise IINError("iin_checksum")
    return born


def make(born: dt.date, female: bool, serial: int) -> str | None:
    """Build a valid IIN (used for examples and tests); None when the serial gives no check digit."""
    base = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (1 if female else 0)
    first = f"{born:%y%m%d}{base}{serial:04d}"
    digit = check_digit(first)
    return None if digit is None else f"{first}{digit}"
