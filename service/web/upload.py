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
import logging
import re
import shutil
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any

from forms.catalogue.spec import FieldSpec
from forms.fields import PERSON, field_type
from forms.fields.base import plain_cell

from ..errorlog import where
from .i18n import LANGUAGES, strings

LOG = logging.getLogger("nysan.web")

MAX_COLUMNS = 300
# An XLSX is a ZIP of XML parts, read only after each part's size and compression are checked: a part
# that inflates beyond these (a "zip bomb") makes the file unreadable before anything is parsed.
MAX_PART_BYTES = 20 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # every part together
MAX_RATIO = 200  # uncompressed / compressed of a part (XML compresses ~10-50 times)
MAX_SECONDS = 10.0  # reading one file's rows
CHUNK = 64 * 1024  # inflated at once from a part
PART_EN = {"last_name": "Last name", "first_name": "First name", "patronymic": "Patronymic"}


class UploadError(Exception):
    """The file as a whole cannot be used; ``key`` and ``params`` name the i18n message."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass
class Column:
    key: str  # path inside a row: "birth_date", "applicant.last_name"
    spec: FieldSpec  # the leaf field (the person for its parts)
    part: str | None  # person part, or "*" for a whole name in one column
    titles: dict  # {kk, ru, en}
    required: bool = False  # must be in every row (required, and so are the fields around it)


@dataclass
class Upload:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file's line of each row (header is 1)
    headers: dict = field(default_factory=dict)  # column key → header as written in the file


def columns(item: list[FieldSpec], prefix: str = "", titles: dict | None = None, required: bool = True) -> list[Column]:
    """The columns of one row, in the spec's order (nested lists cannot come from a flat file)."""
    found: list[Column] = []
    for spec in item:
        key = f"{prefix}{spec.name}"
        own = {
            lang: _join(titles, lang, (spec.label.get(lang) or spec.label.get("kk") or ""))
            for lang in (*LANGUAGES, "en")
        }
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
        if col.part == "last_name":  # the person's own label: the whole name in one column
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
    """(line, cells) of every row that is not empty, the header first: at most the header and
    ``max_rows`` lines, empty ones counted, else "too many rows". Whatever the file holds,
    the answer is rows or an ``UploadError``: a file that breaks the reader is ``upload_unreadable``."""
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        reader = _xlsx
    elif name.endswith((".csv", ".txt")) or not name:
        reader = _csv
    else:
        raise UploadError("upload_bad_type")
    try:
        return reader(data, max_rows)
    except UploadError:
        raise
    except Exception as err:  # a malformed file: logged by type and place, never its content
        LOG.warning("unreadable upload: %s", where(err))
        raise UploadError("upload_unreadable", reason=type(err).__name__) from None


def _lines(rows, max_rows: int):
    """(line, cells) of the rows that are not empty, stopping past the limit or the time allowed."""
    deadline = time.monotonic() + MAX_SECONDS
    for line, cells in enumerate(rows, start=1):
        if line > max_rows + 1:  # the header and the rows allowed, empty lines counted
            raise UploadError("upload_too_many_rows", max=max_rows)
        if time.monotonic() > deadline:
            raise UploadError("upload_unreadable", reason="time")
        cells = list(cells[:MAX_COLUMNS])
        if any(c is not None and str(c).strip() for c in cells):
            yield line, cells


def _csv(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")  # what Excel in Kazakhstan and Russia saves as "CSV"
        except UnicodeDecodeError:
            raise UploadError("upload_unreadable", reason="encoding") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        return list(_lines(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), max_rows))
    except csv.Error:
        raise UploadError("upload_unreadable", reason="CSV") from None


def check_zip(data: bytes) -> None:
    """Refuse an archive whose parts would inflate too far, before any part is read."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = 0
        for part in archive.infolist():
            total += part.file_size
            if (
                part.file_size > MAX_PART_BYTES
                or total > MAX_TOTAL_BYTES
                or part.file_size > MAX_RATIO * max(part.compress_size, 1024)
            ):
                raise UploadError("upload_unreadable", reason="ZIP")


def stored_copy(data: bytes) -> io.BytesIO:
    """The archive again with every part inflated here and stored. zipfile keeps a part to its declared
    size, but a part read whole is inflated in one call as far as its data goes (a part declaring 5 kB
    took 1.9 GB); read in chunks, it is inflated no further than each chunk, and the copy that openpyxl
    reads has nothing left to inflate."""
    check_zip(data)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for part in archive.infolist():
            with archive.open(part) as source, copy.open(part.filename, "w") as target:
                shutil.copyfileobj(source, target, CHUNK)
    out.seek(0)
    return out


def _xlsx(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # with defusedxml installed, openpyxl parses through it

    book = load_workbook(stored_copy(data), read_only=True, data_only=True)
    try:
        return list(_lines(book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS), max_rows))
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
    missing = [
        c for c in cols if c.required and c.key not in given and not (c.part and c.key.rsplit(".", 1)[0] in given)
    ]  # a whole-name column
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
