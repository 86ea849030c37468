"""Single-value fields: ``date``, ``integer``, ``boolean``, ``enum`` and ``iin``."""

from __future__ import annotations

import datetime as dt
import re

from marshmallow import ValidationError, fields

from forms.fields import dates, iin
from forms.fields.base import FAST_STATE, FieldType, Unsure, Widget, as_text, coded, plain_cell

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
DOTTED_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")  # 30.09.2024 in a spreadsheet
SHORT_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{1,3})$")  # 5.12.26: a year cut short
INTEGER_RE = re.compile(r"\s*-?\d{1,12}\s*")
INTEGER_LIMIT = 10**12  # the bound when the spec gives none


# --- date -------------------------------------------------------------------------------------------

SHORT_YEAR = re.compile(r"(\d{1,3})-(\d{1,2})-(\d{1,2})")  # 26-12-5: the web form's parts with the year cut short


def parse_day(value: str) -> dt.date:
    """A stripped YYYY-MM-DD as a day; ValidationError with the code that says what is wrong, in the
    day, month and year as they were typed (a short year, the 31st of February)."""
    if not DATE_RE.fullmatch(value):
        short = SHORT_YEAR.fullmatch(value)
        if short:
            year, month, day = short.groups()
            raise ValidationError(coded("year_four_digits", day=day, month=month, year=year))
        raise ValidationError(coded("invalid_date"))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    year, month, day = value.split("-")
    if 1 <= int(month) <= 12 and int(day) >= 1:  # a real month, a day past its end
        raise ValidationError(
            coded("no_such_day", day=day, month=month, year=year, **dates.month_length_params(int(year), int(month)))
        )
    raise ValidationError(coded("invalid_date"))


class Date(fields.Field):
    def __init__(self, *, earliest: dt.date | None = None, days_ahead: int | None = None, **kw):
        super().__init__(**kw)
        self.earliest, self.days_ahead = earliest, days_ahead

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip() and not self.required:
            return None
        if not isinstance(value, str):
            raise ValidationError(coded("invalid_date"))
        day = parse_day(value.strip())
        if self.earliest is not None and day < self.earliest:
            raise ValidationError(coded("date_too_early", min=dates.short_date(self.earliest, "")))
        if self.days_ahead is not None:
            latest = dates.today() + dt.timedelta(days=self.days_ahead)
            if day > latest and not self.days_ahead:
                raise ValidationError(coded("future_date"))
            if day > latest:
                raise ValidationError(coded("date_too_late", max=dates.short_date(latest, ""), days=self.days_ahead))
        return day


def date_parts(text: str) -> tuple[str, str, str]:
    """(day, month, year) of a posted or stored date as the three inputs show it: a real date without
    leading zeros, anything else split as it was joined (``posted``), or whole in the day input."""
    if is_iso_date(text):
        day = dt.date.fromisoformat(text.strip())
        return str(day.day), str(day.month), str(day.year)
    pieces = text.split("-")
    if len(pieces) == 3:
        return pieces[2], pieces[1], pieces[0]
    dotted = DOTTED_DATE.match(text.strip())
    if dotted:
        return dotted.group(1), dotted.group(2), dotted.group(3)
    return text, "", ""


def is_iso_date(value: str) -> bool:
    try:
        return bool(DATE_RE.fullmatch(value.strip())) and bool(dt.date.fromisoformat(value.strip()))
    except ValueError:
        return False


class DateType(FieldType):
    """A day, YYYY-MM-DD, within the spec's bounds: ``min`` (the earliest day, YYYY-MM-DD), and
    ``past: true`` (not after today) or ``max_days_ahead: N`` (not more than N days after today);
    today is Asia/Almaty's (``dates.today``)."""

    name = "date"
    tag_filter = "|fill_date"
    options = ("min", "max_days_ahead")

    @staticmethod
    def days_ahead(spec) -> int | None:
        """How many days after today the field takes (0: ``past``), or None: no upper bound."""
        return 0 if spec.past else spec.max_days_ahead

    def spec_problems(self, item):
        problems = []
        earliest, ahead = item.get("min"), item.get("max_days_ahead")
        if earliest is not None and (not isinstance(earliest, dt.date) or isinstance(earliest, dt.datetime)):
            problems.append(("min", "write the earliest day the field takes as YYYY-MM-DD (e.g. min: 1900-01-01)"))
        if ahead is not None and (isinstance(ahead, bool) or not isinstance(ahead, int) or ahead < 1):
            problems.append(
                (
                    "max_days_ahead",
                    "max_days_ahead is a whole number of days after today, 1 or more "
                    "(for no day after today write past: true)",
                )
            )
        if ahead is not None and item.get("past"):
            problems.append(("max_days_ahead", "give either past: true or max_days_ahead:, not both"))
        if item.get("past") is not None and not isinstance(item.get("past"), bool):
            problems.append(("past", "past is true or false"))
        return problems

    def marshmallow(self, spec, common, inner):
        return Date(earliest=spec.min, days_ahead=self.days_ahead(spec), **common)

    def fast_check(self, spec, inner):
        fullmatch, fromisoformat, required = DATE_RE.fullmatch, dt.date.fromisoformat, spec.required
        earliest, ahead = spec.min, self.days_ahead(spec)
        ahead_delta = dt.timedelta(days=ahead or 0)

        def load_date(value):
            if type(value) is not str:
                raise Unsure
            value = value.strip()
            if not value:
                if required:
                    raise Unsure
                return None
            if not fullmatch(value):
                raise Unsure
            day = fromisoformat(value)  # ValueError: not a real date, the reference path says so
            if earliest is not None and day < earliest:
                raise Unsure
            if ahead is not None and day > FAST_STATE.today + ahead_delta:
                raise Unsure
            return day

        return load_date

    def json_schema(self, spec, inner):
        body = {"type": "string", "format": "date"}
        bounds, words = {}, []
        if spec.min is not None:
            bounds["min"] = spec.min.isoformat()
            words.append(f"not before {spec.min.isoformat()}")
        ahead = self.days_ahead(spec)
        if ahead is not None:
            bounds["max_days_ahead"] = ahead
            words.append("not after today" if ahead == 0 else f"at most {ahead} days after today")
        if bounds:  # JSON Schema cannot compare dates: said in words, and as an extension for tools
            body["x-date-bounds"] = bounds
            body["description"] = "A day, " + " and ".join(words) + " (today in Asia/Almaty)."
        return body

    # The web form asks for a date as three inputs, day, month and year (the GOV.UK date-input
    # pattern): the browser's date picker follows the browser's locale (mm/dd/yyyy on an English one).
    PARTS = ("day", "month", "year")

    def widget(self, spec, value, t):
        day, month, year = date_parts(as_text(value))
        return Widget(
            "date",
            as_text(value),
            parts=[("day", t("date_day"), day), ("month", t("date_month"), month), ("year", t("date_year"), year)],
        )

    def posted(self, form, spec, path, inner):
        """``<path>.day|month|year`` → YYYY-MM-DD (zero-padded when they are numbers and the year has
        four digits; otherwise
        joined as typed, so that the engine's invalid_date comes back with the typed parts).
        A single ``<path>`` input (an ISO date, as the API takes) is read as it is."""
        parts = [(form.get(f"{path}.{part}") or "").strip() for part in self.PARTS]
        if not any(parts):
            return super().posted(form, spec, path, inner)
        day, month, year = parts
        if (
            day.isdigit()
            and month.isdigit()
            and year.isdigit()
            and len(day) <= 2
            and len(month) <= 2
            and len(year) == 4
        ):
            return f"{year}-{month.zfill(2)}-{day.zfill(2)}"
        return f"{year}-{month}-{day}"  # a year of two digits too: 26 is refused, never taken as the year 26

    def from_cell(self, spec, cell):
        text = plain_cell(cell)
        short = SHORT_DOTTED.match(text)
        if short:  # refused as a short year (year_four_digits), never read as the year 26
            return f"{short.group(3)}-{short.group(2)}-{short.group(1)}"
        match = DOTTED_DATE.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                return text  # not a real date: the clerk sees what the file says, and the error
        return text


# --- integer ----------------------------------------------------------------------------------------


class Integer(fields.Field):
    def __init__(self, *, minimum: int | None, maximum: int | None, **kw):
        super().__init__(**kw)
        self.minimum, self.maximum = minimum, maximum

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and INTEGER_RE.fullmatch(value):
            value = int(value)
        if isinstance(value, str) and not value.strip() and not self.required:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(coded("invalid_integer"))
        low, high = bounds(self.minimum, self.maximum)
        if not low <= value <= high:
            raise ValidationError(coded("out_of_range", min=low, max=high))
        return value


def bounds(minimum: int | None, maximum: int | None) -> tuple[int, int]:
    return (minimum if minimum is not None else -INTEGER_LIMIT, maximum if maximum is not None else INTEGER_LIMIT)


class IntegerType(FieldType):
    """A whole number; optional ``min`` and ``max``."""

    name = "integer"

    def marshmallow(self, spec, common, inner):
        return Integer(minimum=spec.min, maximum=spec.max, **common)

    def fast_check(self, spec, inner):
        low, high = bounds(spec.min, spec.max)
        fullmatch, required = INTEGER_RE.fullmatch, spec.required

        def load_integer(value):
            if type(value) is str:
                if not fullmatch(value):
                    if value.strip() or required:
                        raise Unsure
                    return None
                value = int(value)
            elif type(value) is not int:
                raise Unsure
            if not low <= value <= high:
                raise Unsure
            return value

        return load_integer

    def json_schema(self, spec, inner):
        body = {"type": "integer"}
        if spec.min is not None:
            body["minimum"] = spec.min
        if spec.max is not None:
            body["maximum"] = spec.max
        return body

    def widget(self, spec, value, t):
        text = as_text(value)
        if text and not re.fullmatch(r"\s*-?\d+\s*", text):
            return Widget("input", text, "text", {"inputmode": "numeric"})
        attrs = {"inputmode": "numeric"}
        if spec.min is not None:
            attrs["min"] = spec.min
        if spec.max is not None:
            attrs["max"] = spec.max
        return Widget("input", text, "number", attrs)


# --- boolean ----------------------------------------------------------------------------------------


class Boolean(fields.Field):
    TRUE, FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in self.TRUE | self.FALSE:
            return value.strip().lower() in self.TRUE
        raise ValidationError(coded("invalid_type", expected="boolean"))


class BooleanType(FieldType):
    """Yes or no; printed as a ☒/☐ mark."""

    name = "boolean"
    marked = True
    tag_filter = "|yes_no"
    # A spreadsheet's words for yes and no, in kk, ru and en.
    CELL_TRUE = {"true", "1", "yes", "иә", "да", "+"}
    CELL_FALSE = {"false", "0", "no", "жоқ", "нет", "-"}
    # What a posted or stored value shows as in the select (true / false / as typed).
    SHOWN = {"on": "true", "1": "true", "yes": "true", "0": "false", "off": "false", "no": "false"}

    def marshmallow(self, spec, common, inner):
        return Boolean(**common)

    def fast_check(self, spec, inner):
        true, known = Boolean.TRUE, Boolean.TRUE | Boolean.FALSE

        def load_boolean(value):
            if type(value) is bool:
                return value
            if type(value) is str and value.strip().lower() in known:
                return value.strip().lower() in true
            raise Unsure

        return load_boolean

    def json_schema(self, spec, inner):
        return {"type": "boolean"}

    def widget(self, spec, value, t):
        text = as_text(value).strip().lower() if not isinstance(value, bool) else as_text(value)
        return Widget(
            "select",
            self.SHOWN.get(text, text),
            options=[("", t("not_given")), ("true", t("bool_yes")), ("false", t("bool_no"))],
        )

    def from_cell(self, spec, cell):
        text = plain_cell(cell)
        low = text.casefold()
        return "true" if low in self.CELL_TRUE else "false" if low in self.CELL_FALSE else text


# --- enum -------------------------------------------------------------------------------------------


class Choice(fields.Field):
    def __init__(self, *, choices: list[str], **kw):
        super().__init__(**kw)
        self.choices = choices

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and not value.strip() and not self.required:
            return None
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise ValidationError(coded("invalid_choice", choices=self.choices))
        return value.strip()


class EnumType(FieldType):
    """One of the spec's ``choices`` (value + label in kk, ru, en)."""

    name = "enum"
    marked = True

    def marshmallow(self, spec, common, inner):
        return Choice(choices=spec.choice_values, **common)

    def fast_check(self, spec, inner):
        choices, required = spec.choice_values, spec.required

        def load_choice(value):
            if type(value) is int:
                value = str(value)
            elif type(value) is not str:
                raise Unsure
            value = value.strip()
            if not value and not required:
                return None
            if value not in choices:
                raise Unsure
            return value

        return load_choice

    def json_schema(self, spec, inner):
        return {
            "type": "string",
            "enum": spec.choice_values,
            "x-choices": [{"value": c["value"], "label": c["label"]} for c in spec.choices],
        }

    def choice_labels(self, spec, lang):
        return {c["value"]: c["label"].get(lang) or c["label"]["en"] for c in spec.choices}

    def example_tag(self, spec):
        return "{{ " + spec.name + f"|choice('{spec.name}')" + " }}"

    def widget(self, spec, value, t):
        return Widget(
            "select",
            as_text(value),
            options=[("", t("choose"))] + [(c["value"], t.pick(c["label"])) for c in spec.choices],
        )

    def from_cell(self, spec, cell):
        """The choice's value, or its label in any language, gives the value."""
        text = plain_cell(cell)
        low = text.casefold()
        for choice in spec.choices:
            if low == choice["value"].casefold() or low in {str(v).casefold() for v in choice["label"].values()}:
                return choice["value"]
        return text


# --- iin --------------------------------------------------------------------------------------------


class IIN(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:012d}"
        if not isinstance(value, str):
            raise ValidationError(coded("iin_format"))
        value = "".join(value.split())
        if not value and not self.required:
            return None
        try:
            iin.check(value)
        except iin.IINError as err:
            raise ValidationError(coded(err.code)) from None
        return value


class IINType(FieldType):
    """An individual identification number (ЖСН / ИИН): 12 digits with a check digit."""

    name = "iin"

    def marshmallow(self, spec, common, inner):
        return IIN(**common)

    def fast_check(self, spec, inner):
        required = spec.required

        def load_iin(value):
            if type(value) is int:
                value = f"{value:012d}"
            elif type(value) is not str:
                raise Unsure
            value = "".join(value.split())
            if not value and not required:
                return None
            iin.check(value)  # IINError: the reference path reports its code
            return value

        return load_iin

    def json_schema(self, spec, inner):
        return {"type": "string", "pattern": "^[0-9]{12}$", "x-format": "kz-iin"}

    def widget(self, spec, value, t):
        return Widget(
            "input",
            as_text(value),
            "text",
            {
                "inputmode": "numeric",
                "pattern": "[0-9]{12}",
                "maxlength": 12,
                "autocomplete": "off",
                "placeholder": t("iin_hint"),
                "data-check": "iin",
            },
        )  # web.js asks the server's rules as it is typed

    def from_cell(self, spec, cell):
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell).is_integer():
            return f"{int(cell):012d}"  # a spreadsheet drops an IIN's leading zeros
        return plain_cell(cell)
