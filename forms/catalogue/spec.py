"""Form specs: one YAML file per form version, read into plain objects and checked.

The spec is the single source of a version's fields; the marshmallow schema, the JSON Schema, the
web form and the template checks are all derived from it. Spec errors name the file, the line and
what to change, because the people who edit specs are lawyers, not programmers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forms.fields import TYPES, field_type
from forms.languages import DOCUMENT_LANGUAGES as LANGS
from forms.languages import MESSAGE_LANGUAGES as LABEL_LANGS
from forms.prefilling import ORGANISATION_PATHS, PREFILL_TYPES, organisation_path

# The names the engine puts beside the top-level fields in every template's context (the first four
# in rendering/context.py, ``document`` and ``inline_css`` in rendering/document.py). The catalogue
# refuses them as field names (code ``reserved-name``): a field so named would be hidden or would
# hide the engine's.
ENGINE_NAMES = ("lang", "form", "codelists", "choice_labels", "document", "inline_css")

FIELD_TYPES = tuple(TYPES)
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
FORM_LABELS = ("Нысан", "Форма")  # the last line of most annex headings: "Form"
# libyaml when present: ten times faster, and `nysan forms check` reads every spec on every run.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecError(Exception):
    """A spec problem: file, line, where in the spec, and what to change."""

    def __init__(self, file: Path | str, where: str, problem: str, line: int | None = None, code: str = "spec"):
        self.file, self.where, self.problem, self.line, self.code = str(file), where, problem, line, code
        location = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{location}: {where}: {problem}" if where else f"{location}: {problem}")


@dataclass
class FieldSpec:
    name: str
    type: str
    label: dict
    required: bool = False
    help: dict = field(default_factory=dict)
    max_length: int | None = None
    pattern: str | None = None
    min: int | dt.date | None = None  # integer: the least number; date: the earliest day
    max: int | None = None
    choices: list = field(default_factory=list)  # [{value, label: {kk, ru, en}}]
    children: list = field(default_factory=list)  # list items' or object's fields
    min_items: int | None = None
    max_items: int | None = None
    past: bool = False
    max_days_ahead: int | None = None  # date: at most this many days after today
    not_before: str | None = None
    birth_date_field: str | None = None

    @property
    def choice_values(self) -> list[str]:
        return [c["value"] for c in self.choices]

    def choice_label(self, value: Any, lang: str) -> str:
        for choice in self.choices:
            if choice["value"] == value:
                return choice["label"].get(lang) or choice["label"]["en"]
        return "" if value is None else str(value)


@dataclass
class FormVersion:
    id: str
    version: str
    title: dict
    summary: dict
    legal_basis: dict
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    repealed_by: dict | None
    official: bool
    ru_text: str
    notes: str
    fields: list[FieldSpec]
    date_field: str | None
    codelists: list[str]
    rows_field: str | None
    path: Path
    raw: dict = field(repr=False, default_factory=dict)
    person: str | None = None  # the path of the person the document is about (the clerks' list)
    # field path -> organisation path ("organisation.head.name"): filled from the issuer's record
    # when the data leaves the field out (forms/prefilling.py)
    prefill: dict[str, str] = field(default_factory=dict)

    @property
    def example_path(self) -> Path:
        return self.path.with_name(f"{self.version}.example.json")

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def basis_text(self, lang: str = "kk") -> str:
        """One line naming the act and the annex, for document metadata and listings."""
        basis = self.legal_basis
        act = _pick(basis.get("act"), lang)
        lines = _pick_list(basis.get("annex"), lang)
        if lines and lines[-1] in FORM_LABELS:  # the heading's "Нысан"/"Форма" is no part of the annex's name
            lines = lines[:-1]
        annex = " ".join(lines)
        return f"{act}; {annex}" if annex else act


def _pick(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("kk") or value.get("en") or "")
    return "" if value is None else str(value)


def _pick_list(value: Any, lang: str) -> list[str]:
    if isinstance(value, dict):
        value = value.get(lang) or value.get("kk") or []
    return [str(v) for v in value or []]


# --- loading -------------------------------------------------------------------------------------


def load_version(path: Path) -> FormVersion:
    """Read and check one spec file; raises SpecError listing the first problem found.

    ``check_version`` gives all problems at once (for ``nysan forms check``).
    """
    problems = check_file(path)
    if problems:
        raise problems[0]
    return _build(path, _read(path)[0])


def check_file(path: Path) -> list[SpecError]:
    """Every problem of one spec file, each with its line."""
    try:
        data, root = _read(path)
    except SpecError as err:
        return [err]
    checker = _Checker(path, root)
    checker.check_spec(data)
    return checker.problems


def _read(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(path, "", f"cannot read the file ({err})") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER), yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SpecError(
            path, "", f"not valid YAML: {getattr(err, 'problem', err)}; check indentation and quotes", line
        ) from None


def _build(path: Path, data: dict) -> FormVersion:
    return FormVersion(
        id=data["id"],
        version=str(data["version"]),
        title=data["title"],
        summary=data.get("summary") or {},
        legal_basis=data["legal_basis"],
        effective_from=data["effective_from"],
        effective_to=data.get("effective_to"),
        status=data["status"],
        repealed_by=data.get("repealed_by"),
        official=data["official"],
        ru_text=data["ru_text"],
        notes=data.get("notes") or "",
        fields=[_build_field(f) for f in data["fields"]],
        date_field=data.get("date_field"),
        codelists=list(data.get("codelists") or []),
        rows_field=data.get("rows_field"),
        path=path,
        raw=data,
        person=data.get("person"),
        prefill=dict(data.get("prefill") or {}),
    )


def _build_field(data: dict) -> FieldSpec:
    kind = field_type(data["type"])
    children_data = data.get(kind.children_key) if kind.children_key else None
    return FieldSpec(
        name=data["name"],
        type=kind.name,
        label=data["label"],
        required=bool(data.get("required", False)),
        help=data.get("help") or {},
        max_length=data.get("max_length", kind.default_max_length),
        pattern=data.get("pattern"),
        min=data.get("min"),
        max=data.get("max"),
        choices=[{"value": str(c["value"]), "label": c["label"]} for c in data.get("choices") or []],
        children=[_build_field(c) for c in children_data or []],
        min_items=data.get("min_items"),
        max_items=data.get("max_items"),
        past=bool(data.get("past", False)),
        max_days_ahead=data.get("max_days_ahead"),
        not_before=data.get("not_before"),
        birth_date_field=data.get("birth_date_field"),
    )


def _field_at(fields: list, path: Any) -> str | None:
    """The type of the field at a path ("kandas.full_name", "spouse[0].name") in a spec's raw fields."""
    if not isinstance(path, str) or not re.fullmatch(r"[a-z][a-z0-9_]*(\[\d+\])?(\.[a-z][a-z0-9_]*(\[\d+\])?)*", path):
        return None
    kind = None
    for step in path.split("."):
        name, _, index = step.partition("[")
        found = next((f for f in fields if isinstance(f, dict) and f.get("name") == name), None)
        if found is None:
            return None
        kind = found.get("type")
        if index:  # one row of a list: its item's fields
            if kind != "list":
                return None
            fields, kind = found.get("item") or [], "object"
        else:
            fields = (found.get("fields") or []) if kind == "object" else []
    return kind


class _Checker:
    """Collects spec problems with the line of the YAML node they are about."""

    def __init__(self, path: Path, root: yaml.Node | None):
        self.path, self.root = path, root
        self.problems: list[SpecError] = []

    def fail(self, where: str, problem: str, code: str = "spec") -> None:
        self.problems.append(SpecError(self.path, where, problem, self._line(where), code))

    def _line(self, where: str) -> int | None:
        node = self.root
        last_line = node.start_mark.line + 1 if node is not None else None
        for step in re.findall(r"[^.\[\]]+|\[\d+\]", where):
            if isinstance(node, yaml.MappingNode):
                found = next((v for k, v in node.value if k.value == step), None)
                if found is None:
                    break
                node = found
            elif isinstance(node, yaml.SequenceNode) and step.startswith("["):
                index = int(step[1:-1])
                if index >= len(node.value):
                    break
                node = node.value[index]
            else:
                break
            last_line = node.start_mark.line + 1
        return last_line

    def check_spec(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.fail("", "the spec must be a mapping of keys (id:, version:, fields: ...)")
            return
        form_dir, stem = self.path.parent.name, self.path.name[: -len(".yaml")]
        if data.get("id") != form_dir:
            self.fail("id", f"id is {data.get('id')!r} but the folder is {form_dir!r}; make them the same")
        if str(data.get("version")) != stem or not VERSION_RE.match(stem):
            self.fail(
                "version",
                f"version is {data.get('version')!r} but the file is {self.path.name!r}; "
                "write the version as the file name without .yaml (letters, digits, . _ -)",
            )
        self.texts("title", data.get("title"), LANGS)
        basis = data.get("legal_basis")
        if not isinstance(basis, dict):
            self.fail("legal_basis", "give the legal basis: act, number, date, annex, source")
        else:
            self.texts("legal_basis.act", basis.get("act"), LANGS)
            for key in ("number", "date", "annex") if data.get("official", True) else ("number", "date"):
                if not basis.get(key):
                    self.fail(f"legal_basis.{key}", f"legal_basis needs {key}:")
            if basis.get("date") and not isinstance(basis["date"], dt.date):
                self.fail("legal_basis.date", "write the act's date as YYYY-MM-DD")
        self.check_window(data)
        if not isinstance(data.get("official"), bool):
            self.fail("official", "official: true for a form annexed to an act, false for a designed form")
        if data.get("ru_text") not in ("translation", "official"):
            self.fail("ru_text", "ru_text: translation (our translation) or official (the act's Russian text)")
        date_field = data.get("date_field")
        fields = data.get("fields")
        if not isinstance(fields, list) or not fields:
            self.fail("fields", "list the form's fields under fields:")
            return
        self.check_fields("fields", fields)
        rows_field = data.get("rows_field")
        if rows_field and not any(
            isinstance(f, dict) and f.get("name") == rows_field and f.get("type") == "list" for f in fields
        ):
            self.fail("rows_field", f"rows_field names {rows_field!r}, which is not a top-level list field")
        if date_field and not any(
            isinstance(f, dict) and f.get("name") == date_field and f.get("type") == "date" for f in fields
        ):
            self.fail("date_field", f"date_field names {date_field!r}, which is not a top-level date field")
        person = data.get("person")
        if person is not None and _field_at(fields, person) != "person":
            self.fail(
                "person",
                f"person names {person!r}, which is not a person field; write its path, "
                "e.g. applicant, kandas.full_name or spouse[0].name",
            )
        self.check_prefill(data.get("prefill"), fields)

    def check_prefill(self, prefill: Any, fields: list) -> None:
        """``prefill:`` maps a field (top level or in an object, not in a list's rows) to a value of
        the organisation's record (forms/prefilling.py ``ORGANISATION_PATHS``)."""
        if prefill is None:
            return
        if not isinstance(prefill, dict):
            self.fail(
                "prefill", "prefill: maps field paths to organisation values, e.g. head_name: organisation.head.name"
            )
            return
        for path, source in prefill.items():
            kind = _field_at(fields, path)
            if kind is None or "[" in str(path):
                self.fail(
                    f"prefill.{path}",
                    f"{path!r} is not a field of this form outside a list; "
                    "write its path, e.g. head_name or approver.position",
                )
            elif kind not in PREFILL_TYPES:
                self.fail(
                    f"prefill.{path}", f"{path!r} is a {kind} field; prefill fills {', '.join(PREFILL_TYPES)} fields"
                )
            if organisation_path(source) is None:
                self.fail(
                    f"prefill.{path}",
                    f"{source!r} is not a value of the organisation's record; one of {', '.join(ORGANISATION_PATHS)}, "
                    "optionally ending in .kk or .ru to take that language whatever the document's",
                )

    def check_window(self, data: dict) -> None:
        start, end = data.get("effective_from"), data.get("effective_to")
        if not isinstance(start, dt.date):
            self.fail("effective_from", "write the first day the version applies as YYYY-MM-DD")
        if end is not None and not isinstance(end, dt.date):
            self.fail("effective_to", "write the last day the version applies as YYYY-MM-DD, or null while in force")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.fail("effective_to", f"the window ends ({end}) before it starts ({start})")
        status = data.get("status")
        if status not in ("in_force", "repealed"):
            self.fail("status", "status: in_force or repealed")
        if status == "repealed":
            repeal = data.get("repealed_by")
            if (
                not isinstance(repeal, dict)
                or not repeal.get("kk")
                or not repeal.get("number")
                or not isinstance(repeal.get("effective"), dt.date)
            ):
                self.fail(
                    "repealed_by",
                    "a repealed form names its repealing act: kk, ru, en, number, date, effective (YYYY-MM-DD)",
                )
            if end is None:
                self.fail(
                    "effective_to",
                    "a repealed form's last version needs effective_to (the day before the repeal takes effect)",
                )

    def texts(self, where: str, value: Any, langs: tuple) -> None:
        if not isinstance(value, dict):
            self.fail(where, f"give the text in {', '.join(langs)} as a mapping ({langs[0]}: ..., ...)")
            return
        for lang in langs:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.fail(f"{where}.{lang}", f"the {lang} text is missing")

    def check_fields(self, where: str, fields: list) -> None:
        names = set()
        for index, item in enumerate(fields):
            here = f"{where}[{index}]"
            if not isinstance(item, dict):
                self.fail(here, "each field is a mapping with name:, type:, label:")
                continue
            name, kind = item.get("name"), item.get("type")
            if not isinstance(name, str) or not NAME_RE.match(name):
                self.fail(f"{here}.name", f"field name {name!r}: use lower-case latin letters, digits and _")
            elif name in names:
                self.fail(f"{here}.name", f"field name {name!r} is used twice at this level")
            elif where == "fields" and name in ENGINE_NAMES:
                # The template context holds the engine's own names beside the top-level fields.
                self.fail(
                    f"{here}.name",
                    f"field name {name!r} is the engine's own name in the templates; "
                    "choose another name (reserved: " + ", ".join(ENGINE_NAMES) + ")",
                    "reserved-name",
                )
            names.add(name)
            if kind not in FIELD_TYPES:
                self.fail(f"{here}.type", f"type {kind!r} is not one of: {', '.join(FIELD_TYPES)}")
            self.texts(f"{here}.label", item.get("label"), LABEL_LANGS)
            self.check_options(here, item, kind, fields)

    def check_options(self, here: str, item: dict, kind: Any, siblings: list) -> None:
        sibling_types = {s.get("name"): s.get("type") for s in siblings if isinstance(s, dict)}
        if kind == "enum":
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices:
                self.fail(f"{here}.choices", "an enum lists its choices: - {value: ..., label: {kk, ru, en}}")
            else:
                for i, choice in enumerate(choices):
                    if not isinstance(choice, dict) or "value" not in choice:
                        self.fail(f"{here}.choices[{i}]", "each choice has value: and label:")
                    else:
                        self.texts(f"{here}.choices[{i}].label", choice.get("label"), LABEL_LANGS)
        key = field_type(kind).children_key if kind in FIELD_TYPES else None
        if key:
            children = item.get(key)
            if not isinstance(children, list) or not children:
                self.fail(f"{here}.{key}", f"a {kind} field lists its own fields under {key}:")
            else:
                self.check_fields(f"{here}.{key}", children)
        own = field_type(kind) if kind in FIELD_TYPES else None
        for key, problem in own.spec_problems(item) if own else ():
            self.fail(f"{here}.{key}", problem)
        for key in ("max_length", "min", "max", "min_items", "max_items"):
            if own and key in own.options:
                continue  # the type checks this key itself (a date's min is a day)
            if key in item and item[key] is not None and not isinstance(item[key], int):
                self.fail(f"{here}.{key}", f"{key} must be a whole number")
        for key, wanted in (("not_before", "date"), ("birth_date_field", "date")):
            target = item.get(key)
            if target is not None and sibling_types.get(target) != wanted:
                self.fail(f"{here}.{key}", f"{key} names {target!r}, which is not a {wanted} field beside this one")
        if item.get("pattern") is not None:
            try:
                re.compile(item["pattern"])
            except re.error as err:
                self.fail(f"{here}.pattern", f"the pattern is not a valid regular expression ({err})")
