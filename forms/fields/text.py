"""Text fields: ``string`` (one line) and ``text`` (several lines). Also the person's parts."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import ValidationError, fields

from forms.fields import repertoire
from forms.fields.base import CONTROL_RE, FieldType, Loader, Unsure, Widget, as_text, coded

# Lone surrogates cannot be written as UTF-8 (a render would fail), and U+FFFE/U+FFFF are not characters.
INVALID_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")


class Text(fields.Field):
    """A trimmed, NFC-normalised string; empty means absent."""

    def __init__(self, *, max_length: int | None, multiline: bool = False, pattern: str | None = None, **kw):
        super().__init__(**kw)
        self.max_length, self.multiline = max_length, multiline
        self.pattern = re.compile(pattern) if pattern else None

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError(coded("invalid_type", expected="string"))
        value = unicodedata.normalize("NFC", value).strip()
        value = value.replace("\r\n", "\n") if self.multiline else " ".join(value.split())
        if CONTROL_RE.search(value.replace("\n", "").replace("\t", "")):
            raise ValidationError(coded("control_characters"))
        if INVALID_RE.search(value):
            raise ValidationError(coded("invalid_character"))
        unsupported = repertoire.first_unsupported(value)
        if unsupported:
            raise ValidationError(coded("unsupported_character", **repertoire.describe(unsupported)))
        if not value:
            if self.required:
                raise ValidationError("required")
            return None
        if self.max_length and len(value) > self.max_length:
            raise ValidationError(coded("max_length", max=self.max_length))
        if self.pattern and not self.pattern.fullmatch(value):
            raise ValidationError(coded("pattern"))
        return value


def load_text(max_length: int | None, pattern: str | None, required: bool, multiline: bool = False) -> Loader:
    """Text's rules on the fast path: NFC, trimmed; one line: whitespace runs to one space."""
    normalize, search, invalid, unsupported = (
        unicodedata.normalize,
        CONTROL_RE.search,
        INVALID_RE.search,
        repertoire.first_unsupported,
    )
    fullmatch = re.compile(pattern).fullmatch if pattern else None

    def load_string(value):
        if type(value) is not str:
            value = _number_text(value)
        if multiline:
            value = normalize("NFC", value).strip().replace("\r\n", "\n")
            faulty = search(value.replace("\n", "").replace("\t", ""))
        else:
            # strip() then split() in Text: split() alone drops the same ends, and no \n or \t is
            # left after it for the control-character check to remove first.
            value = " ".join(normalize("NFC", value).split())
            faulty = search(value)
        if faulty or invalid(value) or unsupported(value):
            raise Unsure
        if not value:
            if required:
                raise Unsure
            return None
        if max_length and len(value) > max_length:
            raise Unsure
        if fullmatch is not None and not fullmatch(value):
            raise Unsure
        return value

    return load_string


def _number_text(value: Any) -> str:
    if type(value) in (int, float):  # Text turns numbers into their text
        return str(value)
    raise Unsure


def text_schema(spec, required: bool) -> dict:
    body: dict[str, str | int] = {"type": "string"}
    if spec.max_length:
        body["maxLength"] = spec.max_length
    if spec.pattern:
        body["pattern"] = spec.pattern
    if required:
        body["minLength"] = 1
    return body


class StringType(FieldType):
    """One line of text; an optional ``pattern`` (a regular expression) and ``max_length``."""

    name = "string"
    default_max_length = 200
    multiline = False

    def marshmallow(self, spec, common, inner):
        return Text(max_length=spec.max_length, multiline=self.multiline, pattern=spec.pattern, **common)

    def fast_check(self, spec, inner):
        return load_text(spec.max_length, spec.pattern, spec.required, multiline=self.multiline)

    def json_schema(self, spec, inner):
        return text_schema(spec, spec.required)

    def widget(self, spec, value, t):
        attrs = {"maxlength": spec.max_length}
        if spec.pattern:
            attrs["pattern"] = spec.pattern.removeprefix("^").removesuffix("$")
        return Widget("input", as_text(value), "text", attrs)


class TextType(StringType):
    """Several lines of text (line breaks kept)."""

    name = "text"
    default_max_length = 2000
    multiline = True

    def widget(self, spec, value, t):
        return Widget("textarea", as_text(value), attrs={"maxlength": spec.max_length})
