"""Rows of a journal or report from an uploaded CSV or XLSX file (XLSX through openpyxl).

The first row names the columns, each following row is one entry. A column is named by its key
(``birth_date``, ``applicant.last_name``) or by its title in kk, ru or en as the blank template
prints it ("Туған күні", "Өтініш иесінің ... — Тегі"); a person's whole name may also come in one
column named by the person's label. Values are turned into what the web form posts (dates as
YYYY-MM-DD, an IIN stored as a number gets its leading zeros back); the engine then validates the
rows, and each error is named by the file's line and the column's header.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from forms.catalogue.spec import FieldSpec
from forms.fields import PERSON, field_type
from forms.fields.base import plain_cell

from .i18n import LANGUAGES, strings

MAX_COLUMNS = 300
PART_EN = {"last_name": "Last name", "first_name": "First name", "patronymic": "Patronymic"}


class UploadError(Exception):
    """The file as a whole cannot be used; ``key`` and ``params`` name the i18n message."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass
class Column:
    key: str                 # path inside a row: "birth_date", "applicant.last_name"
    spec: FieldSpec          # the leaf field (the person for its parts)
    part: str | None         # person part, or "*" for a whole name in one column
    titles: dict             # {kk, ru, en}
    required: bool = False   # must be in every row (required, and so are the fields around it)


@dataclass
class Upload:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)       # the file's line of each row (header is 1)
    headers: dict = field(default_factory=dict)          # column key → header as written in the file


def columns(item: list[FieldSpec], prefix: str = "", titles: dict | None = None, required: bool = True) -> list[Column]:
    """The columns of one row, in the spec's order (nested lists cannot come from a flat file)."""
    found: list[Column] = []
    for spec in item:
        key = f"{prefix}{spec.name}"
        own = {lang: _join(titles, lang, (spec.label.get(lang) or spec.label.get("kk") or "")) for lang in (*LANGUAGES, "en")}
        found.extend(_field_columns(spec, key, own, required and spec.required))
    return found


def _field_columns(spec: FieldSpec, key: str, own: dict, required: bool) -> list[Column]:
    """A field's columns as its type lays them out: one, one per person part, or its fields'."""

    def column(part: str | None, part_required: bool) -> Column:
        if part is None:
            return Column(key, spec, None, own, required)
        titles = {lang: f"{own[lang]} — {strings(lang)[part] if lang in LANGUAGES else PART_EN[part]}" for lang in own}
        return Column(f"{key}.{part}", spec, part, titles, required and part_required)

    return field_type(spec).columns(spec, column, lambda children: columns(children, f"{key}.", own, required))


def _join(titles: dict | None, lang: str, label: str) -> str:
    return f"{titles[lang]} — {label}" if titles else label


def _normal(header: Any) -> str:
    text = " ".join(str(header or "").split()).rstrip("* ").casefold()
    return re.sub(r"\s[-–—]\s", " — ", text)


def match_headers(headers: list[Any], cols: list[Column]) -> tuple[list[Column | None], list[str]]:
    """The column each header names (None for an empty header) and the headers nobody knows."""
    names: dict[str, Column] = {}
    for col in cols:
        for name in (col.key, *col.titles.values()):
            names.setdefault(_normal(name), col)
        if col.part == "last_name":   # the person's own label: the whole name in one column
            person_key = col.key.rsplit(".", 1)[0]
            whole = Column(person_key, col.spec, "*", {k: v.rsplit(" — ", 1)[0] for k, v in col.titles.items()})
            for name in (person_key, *whole.titles.values()):
                names.setdefault(_normal(name), whole)
    chosen, unknown = [], []
    for header in headers:
        normal = _normal(header)
        col = names.get(normal) if normal else None
        if normal and col is None:
            unknown.append(str(header).strip())
        chosen.append(col)
    return chosen, unknown


# --- reading the file ---------------------------------------------------------------------------

def read_table(filename: str, data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    """(line, cells) of every row that is not empty, the header first."""
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return _xlsx(data, max_rows)
    if name.endswith((".csv", ".txt")) or not name:
        return _csv(data, max_rows)
    raise UploadError("upload_bad_type")


def _csv(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")   # what Excel in Kazakhstan and Russia saves as "CSV"
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = []
    try:
        for line, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if any(c.strip() for c in cells):
                rows.append((line, cells[:MAX_COLUMNS]))
            if len(rows) > max_rows + 1:
                break
    except csv.Error as err:
        raise UploadError("upload_unreadable", reason=str(err)) from None
    return rows


def _xlsx(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as err:
        raise UploadError("upload_unreadable", reason=type(err).__name__) from None
    try:
        rows = []
        for line, cells in enumerate(book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if any(c is not None and str(c).strip() for c in cells):
                rows.append((line, list(cells)))
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        book.close()


# --- cells → form values --------------------------------------------------------------------------

def parse(filename: str, data: bytes, item: list[FieldSpec], max_rows: int) -> Upload:
    table = read_table(filename, data, max_rows)
    if not table:
        raise UploadError("upload_empty")
    (_, header), body = table[0], table[1:]
    cols = columns(item)
    chosen, unknown = match_headers(header, cols)
    if unknown:
        raise UploadError("upload_unknown_columns", columns=", ".join(f"«{h}»" for h in unknown))
    given = {c.key for c in chosen if c}
    missing = [c for c in cols if c.required and c.key not in given
               and not (c.part and c.key.rsplit(".", 1)[0] in given)]   # a whole-name column
    if missing:
        raise UploadError("upload_missing_columns", columns=", ".join(f"«{c.key}»" for c in missing))
    if not body:
        raise UploadError("upload_no_rows")
    if len(body) > max_rows:
        raise UploadError("upload_too_many_rows", max=max_rows)
    result = Upload(headers={c.key: str(h).strip() for c, h in zip(chosen, header) if c})
    for line, cells in body:
        row: dict = {}
        for col, cell in zip(chosen, cells):
            if col is not None:
                _put(row, col, cell)
        result.rows.append(row)
        result.lines.append(line)
    return result


def _put(row: dict, col: Column, cell: Any) -> None:
    if col.part == "*":
        parts = PERSON.from_whole_name(plain_cell(cell))
        if parts:
            _nested(row, col.key, create=True).update(parts)
        return
    value = field_type(col.spec).from_cell(col.spec, cell) if col.part is None else plain_cell(cell)
    if value:
        parent_key, _, name = col.key.rpartition(".")
        (_nested(row, parent_key, create=True) if parent_key else row)[name] = value


def _nested(row: dict, key: str, create: bool) -> dict:
    node = row
    for step in key.split("."):
        node = node.setdefault(step, {})
    return node


def template_headers(item: list[FieldSpec], lang: str) -> list[str]:
    """The header row of the blank CSV/XLSX template, in the interface language."""
    return [col.titles[lang] for col in columns(item)]
