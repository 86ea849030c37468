"""Reading a request: the JSON body (415 for another media type, 400 for malformed JSON) and the
query parameters (400 ``invalid_parameter`` listing each bad one)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import request

import forms

from .. import limits
from ..errors import RequestError, field

VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def json_body() -> Any:
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise RequestError(415, "unsupported_media_type", [field("", "unsupported_media_type")])
    raw = request.get_data(cache=True)  # 413 beyond MAX_CONTENT_LENGTH
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        where = {"line": err.lineno, "column": err.colno}
    except (UnicodeDecodeError, ValueError, RecursionError):
        where = {"line": 1, "column": 1}
    else:
        limits.check_depth(body)  # 400 too_deep: before any work walks it
        return body
    raise RequestError(400, "invalid_json", [field("", "invalid_json", **where)], **where)


class Query:
    """Typed query parameters; every fault is collected, then raised together by ``done()``."""

    def __init__(self):
        self.errors: list[dict] = []

    def _raw(self, name: str) -> str | None:
        values = request.args.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            self.errors.append(field(f"query.{name}", "invalid_parameter", names=name))
            return None
        return values[0]

    def choice(self, name: str, choices: tuple, default: str) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            self.errors.append(field(f"query.{name}", "invalid_choice", choices=", ".join(choices)))
            return default
        return value

    def version(self) -> str | None:
        value = self._raw("version")
        if value is not None and not VERSION_RE.match(value):
            self.errors.append(field("query.version", "invalid_parameter", names="version"))
            return None
        return value

    def as_of(self) -> dt.date | None:
        value = self._raw("as_of")
        if value is None:
            return None
        day = parse_date(value)
        if day is None:
            self.errors.append(field("query.as_of", "invalid_date"))
        return day

    def done(self) -> None:
        if self.errors:
            names = ", ".join(dict.fromkeys(e["path"].removeprefix("query.") for e in self.errors))
            raise RequestError(400, "invalid_parameter", self.errors, names=names)


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not DATE_RE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def render_options() -> forms.RenderOptions:
    query = Query()
    lang = query.choice("lang", forms.DOCUMENT_LANGUAGES, "kk")
    fmt = query.choice("format", forms.FORMATS, "pdf")
    version, as_of = query.version(), query.as_of()
    pdfa = query.choice("pdfa", forms.PDFA_VARIANTS, "2b")
    query.done()
    return forms.RenderOptions(lang, fmt, version, as_of, pdfa)
