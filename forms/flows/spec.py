"""Flow specs: one YAML file per procedure version (``schemas/_flows/<flow>/<version>.yaml``).

A flow declares a procedure of an order as data: its states, the steps between them (each with its
clause of the act, the role that may take it, its deadline, the document it makes and how that
document is prefilled), the journal a case becomes a row of and the report its records feed. The
structure is checked here, each problem with its line; whether the forms and fields it names exist
is checked against the catalogue in ``forms/flows/checks.py``. docs/flows.md describes every key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forms.catalogue.spec import (
    LABEL_LANGS,
    LANGS,
    NAME_RE,
    VERSION_RE,
    FieldSpec,
    SpecError,
    _build_field,
    _Checker,
    _read,
)

# The account roles of the system of record (recordkeeping/users.py ROLES; the engine may not import
# it, tests/test_flows.py keeps the two equal).
ROLES = ("clerk", "supervisor", "admin")
UNITS = ("calendar", "working")
SOURCES = ("application", "case")  # where a step's mapping reads from; a report also reads ``record``
NYSAN = "nysan"  # a step's basis when the act is silent and Nysan needs the step
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\[\])?(\.[a-z][a-z0-9_]*(\[\])?)*$")
LINES_RE = re.compile(r"^(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class Basis:
    act: str  # a key of the flow's ``acts``, or "nysan"
    clause: str = ""
    lines: str = ""  # the source file's line range, "66" or "98-102"
    note: str = ""

    @property
    def ours(self) -> bool:
        return self.act == NYSAN


@dataclass(frozen=True)
class Deadline:
    """``days`` (with ``unit``) or ``months`` counted from the step ``start``; or ``day_of_month`` of
    the month after the period (a monthly report)."""

    days: int | None = None
    unit: str | None = None
    months: int | None = None
    day_of_month: int | None = None
    start: tuple[str, ...] = ()  # the step(s) whose taking starts the count (whichever the case took)


@dataclass(frozen=True)
class Mapping:
    target: str  # a path in the made form: applicant, entries[].applicant, kandas.full_name
    source: str  # application.<path> or case.<path> (record.<path> in a report)


@dataclass(frozen=True)
class Step:
    name: str
    label: dict
    sources: tuple[str, ...]  # the states it may be taken from; () for a step that opens a case
    to: str
    basis: Basis
    role: str
    deadline: Deadline | None
    makes: str | None
    mapping: tuple[Mapping, ...]
    note: str = ""


@dataclass(frozen=True)
class State:
    name: str
    label: dict
    final: bool = False


@dataclass(frozen=True)
class Journal:
    form: str
    rows: str  # the form's list field a case is a row of
    row: tuple[Mapping, ...]  # targets relative to one row
    step: str | None  # the step that writes the row


@dataclass(frozen=True)
class Report:
    form: str
    rows: str
    key: tuple[Mapping, ...]  # one row per distinct value of these (targets relative to a row)
    cell: str  # the column of a record's code: a path with {code} (services.s{code:02d})
    code: str  # record.<field>: the code of the list
    value: str  # record.<field>: what the cell holds
    codelist: str
    deadline: Deadline | None
    basis: Basis


@dataclass(frozen=True)
class FileDocument:
    name: str
    label: dict
    forms: tuple[str, ...]  # the catalogue's form(s) the document may be (several contracts), if any
    basis: Basis | None = None
    on_transfer: bool = False  # joins the file when it is handed to another organisation


@dataclass(frozen=True)
class Flow:
    id: str
    version: str
    title: dict
    legal_basis: dict
    acts: dict
    effective_from: dt.date
    effective_to: dt.date | None
    application: str
    case_fields: tuple[FieldSpec, ...]
    record_fields: tuple[FieldSpec, ...]
    states: tuple[State, ...]
    steps: tuple[Step, ...]
    journal: Journal | None
    report: Report | None
    notes: str
    path: Path = field(compare=False)
    personal_file: tuple[FileDocument, ...] = ()  # what a case's file holds (special services)

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def state(self, name: str) -> State:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(f"flow {self.id} has no state {name!r}")

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"flow {self.id} has no step {name!r}")

    @property
    def opening(self) -> list[Step]:
        """The steps that open a case (taken from no state)."""
        return [s for s in self.steps if not s.sources]

    def allowed(self, state: str | None, role: str | None = None) -> list[Step]:
        """The steps a case in ``state`` may take (``None``: a case not yet opened), for ``role`` if given
        (a supervisor may take a clerk's step, an admin any)."""
        if state is not None:
            self.state(state)
        if role is not None and role not in ROLES:
            raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
        rank = ROLES.index(role) if role is not None else None
        return [
            s
            for s in self.steps
            if (state in s.sources if state is not None else not s.sources)
            and (rank is None or ROLES.index(s.role) <= rank)
        ]

    def map(self, step: str | Step, application: dict, case: dict | None = None) -> dict:
        """The prefill of the document ``step`` makes, from the case's application and the case."""
        from forms.flows.mapping import apply

        chosen = step if isinstance(step, Step) else self.step(step)
        return apply(chosen.mapping, {"application": application, "case": case or {}})

    def journal_row(self, application: dict, case: dict | None = None) -> dict:
        """The case's row of its journal (``journal.rows`` of ``journal.form``)."""
        from forms.flows.mapping import apply

        if self.journal is None:
            raise KeyError(f"flow {self.id} keeps no journal")
        return apply(self.journal.row, {"application": application, "case": case or {}})

    def due(self, step: str | Step, taken: dict[str, dt.datetime], period: dt.date | None = None) -> dt.datetime | None:
        """When ``step`` is due, given when the case took its steps (``forms.flows.deadlines``)."""
        from forms.flows.deadlines import due

        return due(self, step, taken, period=period)

    def report_due(self, period: dt.date) -> dt.datetime | None:
        """When the report of the period holding ``period`` is due."""
        from forms.flows.deadlines import report_due

        return report_due(self, period)

    def report_rows(self, records: list[dict]) -> list[dict]:
        """The report's rows built from the period's records (one row per key, one cell per code)."""
        from forms.flows.mapping import report_rows

        if self.report is None:
            raise KeyError(f"flow {self.id} makes no report")
        return report_rows(self.report, records)


# --- loading -------------------------------------------------------------------------------------


def load(path: Path | str) -> Flow:
    """Read and check one flow file; raises SpecError (with its code) naming the first problem.
    ``check_file`` gives every problem at once."""
    path = Path(path)
    problems = check_file(path)
    if problems:
        raise problems[0]
    return _build(path, _read(path)[0])


def check_file(path: Path) -> list[SpecError]:
    """Every structural problem of one flow file, each with its line and code."""
    try:
        data, root = _read(path)
    except SpecError as err:
        return [SpecError(err.file, err.where, err.problem, err.line, "flow-spec")]
    checker = _FlowChecker(path, root)
    checker.check_flow(data)
    return checker.problems


def line_of(flow: Flow, where: str) -> int | None:
    """The line of a key path (``steps[2].mapping[0]``) in the flow's file, for problems found later."""
    try:
        root = yaml.compose(flow.path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None
    return _Checker(flow.path, root)._line(where)


def mapping_items(value: Any) -> list[tuple[str, str]]:
    """A mapping as written: a dict (target: source) or a list of one-entry dicts (a target may repeat,
    e.g. family members from two lists of the application)."""
    if isinstance(value, dict):
        return list(value.items())
    items = []
    for entry in value or []:
        items.extend(entry.items())
    return items


def _build(path: Path, data: dict) -> Flow:
    journal = data.get("journal")
    report = data.get("report")
    return Flow(
        id=data["id"],
        version=str(data["version"]),
        title=data["title"],
        legal_basis=data["legal_basis"],
        acts=data.get("acts") or {},
        effective_from=data["effective_from"],
        effective_to=data.get("effective_to"),
        application=data["application"],
        case_fields=tuple(_build_field(f) for f in data.get("case") or []),
        record_fields=tuple(_build_field(f) for f in data.get("records") or []),
        states=tuple(State(s["name"], s["label"], bool(s.get("final", False))) for s in data["states"]),
        steps=tuple(_build_step(s) for s in data["steps"]),
        journal=Journal(journal["form"], journal["rows"], _build_mapping(journal["row"]), journal.get("step"))
        if journal
        else None,
        report=Report(
            form=report["form"],
            rows=report["rows"],
            key=_build_mapping(report["key"]),
            cell=report["cell"]["path"],
            code=report["cell"]["code"],
            value=report["cell"]["value"],
            codelist=report["cell"]["codelist"],
            deadline=_build_deadline(report.get("deadline")),
            basis=_build_basis(report["basis"]),
        )
        if report
        else None,
        notes=data.get("notes") or "",
        path=path,
        personal_file=tuple(
            FileDocument(
                d["name"],
                d["label"],
                tuple(d["form"]) if isinstance(d.get("form"), list) else (d["form"],) if d.get("form") else (),
                _build_basis(d["basis"]) if d.get("basis") else None,
                bool(d.get("on_transfer", False)),
            )
            for d in data.get("personal_file") or []
        ),
    )


def _build_step(data: dict) -> Step:
    return Step(
        name=data["name"],
        label=data["label"],
        sources=tuple(data.get("from") or ()),
        to=data["to"],
        basis=_build_basis(data["basis"]),
        role=data["role"],
        deadline=_build_deadline(data.get("deadline")),
        makes=data.get("makes"),
        mapping=_build_mapping(data.get("mapping")),
        note=data.get("note") or "",
    )


def _build_basis(data: dict) -> Basis:
    return Basis(str(data["act"]), str(data.get("clause") or ""), str(data.get("lines") or ""), data.get("note") or "")


def _build_deadline(data: dict | None) -> Deadline | None:
    if not data:
        return None
    start = data.get("from")
    starts = tuple(start) if isinstance(start, list) else (start,) if start else ()
    return Deadline(data.get("days"), data.get("unit"), data.get("months"), data.get("day_of_month"), starts)


def _build_mapping(value: Any) -> tuple[Mapping, ...]:
    return tuple(Mapping(target, source) for target, source in mapping_items(value))


class _FlowChecker(_Checker):
    """The structural checks of one flow file: keys, states, steps, bases, deadlines, mapping syntax."""

    def check_flow(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.fail("", "a flow must be a mapping of keys (id:, version:, states:, steps: ...)", "flow-spec")
            return
        folder, stem = self.path.parent.name, self.path.name[: -len(".yaml")]
        if data.get("id") != folder:
            self.fail("id", f"id is {data.get('id')!r} but the folder is {folder!r}; make them the same", "flow-spec")
        if str(data.get("version")) != stem or not VERSION_RE.match(stem):
            self.fail("version", f"version is {data.get('version')!r}; write the file name without .yaml", "flow-spec")
        self.flow_texts("title", data.get("title"), LANGS)
        self.check_basis_block(data)
        self.check_dates(data)
        if not isinstance(data.get("application"), str):
            self.fail(
                "application", "name the form whose application opens a case (application: <form id>)", "flow-spec"
            )
        for key in ("case", "records"):
            if data.get(key) is not None:
                if isinstance(data[key], list) and data[key]:
                    before = len(self.problems)
                    self.check_fields(key, data[key])
                    for problem in self.problems[before:]:
                        problem.code = "flow-spec"
                else:
                    self.fail(key, f"{key}: lists fields as a form spec does (name, type, label)", "flow-spec")
        states = self.check_states(data.get("states"))
        steps = self.check_steps(data.get("steps"), states)
        self.check_reachable(data.get("steps"), states)
        if data.get("journal") is not None:
            self.check_journal(data["journal"], steps)
        if data.get("report") is not None:
            self.check_report(data["report"], steps)
        if data.get("personal_file") is not None:
            self.check_file_documents(data["personal_file"])

    def check_file_documents(self, documents: Any) -> None:
        if not isinstance(documents, list):
            self.fail(
                "personal_file", "personal_file: a list of documents (- name:, label:, form:, basis:)", "flow-spec"
            )
            return
        for i, doc in enumerate(documents):
            if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
                self.fail(
                    f"personal_file[{i}]", "each document has name:, label: and optional form:, basis:", "flow-spec"
                )
                continue
            self.flow_texts(f"personal_file[{i}].label", doc.get("label"), LABEL_LANGS)
            if doc.get("basis") is not None:
                self.check_basis(f"personal_file[{i}].basis", doc["basis"])

    def flow_texts(self, where: str, value: Any, langs: tuple) -> None:
        before = len(self.problems)
        self.texts(where, value, langs)
        for problem in self.problems[before:]:
            problem.code = "flow-spec"

    def check_basis_block(self, data: dict) -> None:
        acts = data.get("acts")
        self.data_acts: dict[str, Any] = acts if isinstance(acts, dict) else {}
        basis = data.get("legal_basis")
        if not isinstance(basis, dict):
            self.fail("legal_basis", "give the flow's act: act (kk, ru, en), number, date", "flow-spec")
        else:
            self.flow_texts("legal_basis.act", basis.get("act"), LANGS)
            if not basis.get("number"):
                self.fail("legal_basis.number", "legal_basis needs number:", "flow-spec")
            if not isinstance(basis.get("date"), dt.date):
                self.fail("legal_basis.date", "write the act's date as YYYY-MM-DD", "flow-spec")
        acts = data.get("acts")
        if not isinstance(acts, dict) or not acts:
            self.fail(
                "acts", "name the rules or standards whose clauses the steps cite (acts: {key: ...})", "flow-spec"
            )
            return
        for key, act in acts.items():
            if not isinstance(act, dict):
                self.fail(f"acts.{key}", "each act has title (kk, ru, en) and source: {file, lines}", "flow-spec")
                continue
            self.flow_texts(f"acts.{key}.title", act.get("title"), LANGS)
            source = act.get("source")
            if not isinstance(source, dict) or not source.get("file") or not self.lines_range(source.get("lines")):
                self.fail(f"acts.{key}.source", "source: {file: <file in sources>, lines: N-M}", "flow-spec")

    def check_dates(self, data: dict) -> None:
        start, end = data.get("effective_from"), data.get("effective_to")
        if not isinstance(start, dt.date):
            self.fail("effective_from", "write the first day the flow applies as YYYY-MM-DD", "flow-spec")
        if end is not None and (not isinstance(end, dt.date) or (isinstance(start, dt.date) and end < start)):
            self.fail("effective_to", "write the last day (YYYY-MM-DD, not before effective_from) or null", "flow-spec")

    def check_states(self, states: Any) -> set[str]:
        names: set[str] = set()
        if not isinstance(states, list) or not states:
            self.fail("states", "list the states a case can be in (- name: registered, label: {...})", "flow-spec")
            return names
        for i, state in enumerate(states):
            name = state.get("name") if isinstance(state, dict) else None
            if not isinstance(name, str) or not NAME_RE.match(name) or name in names:
                self.fail(f"states[{i}]", f"state {name!r}: a new lower-case name (latin, digits, _)", "flow-spec")
                continue
            names.add(name)
            self.flow_texts(f"states[{i}].label", state.get("label"), LABEL_LANGS)
        return names

    def check_steps(self, steps: Any, states: set[str]) -> set[str]:
        names: set[str] = set()
        if not isinstance(steps, list) or not steps:
            self.fail("steps", "list the steps of the procedure (- name: register, from: [], to: ...)", "flow-spec")
            return names
        all_names = {s.get("name") for s in steps if isinstance(s, dict)}
        for i, step in enumerate(steps):
            here = f"steps[{i}]"
            if not isinstance(step, dict):
                self.fail(here, "each step is a mapping: name, from, to, basis, role, deadline, makes", "flow-spec")
                continue
            name = step.get("name")
            if not isinstance(name, str) or not NAME_RE.match(name) or name in names:
                self.fail(f"{here}.name", f"step {name!r}: a new lower-case name (latin, digits, _)", "flow-spec")
            else:
                names.add(name)
            self.flow_texts(f"{here}.label", step.get("label"), LABEL_LANGS)
            sources = step.get("from")
            if sources is None or not isinstance(sources, list):
                self.fail(f"{here}.from", "from: the states it is taken from, a list ([] opens a case)", "flow-spec")
                sources = []
            for j, state in enumerate(sources):
                if state not in states:
                    self.fail(
                        f"{here}.from[{j}]",
                        f"no state {state!r}; the states are: {', '.join(sorted(states))}",
                        "flow-state-unknown",
                    )
            if step.get("to") not in states:
                self.fail(
                    f"{here}.to",
                    f"no state {step.get('to')!r}; the states are: {', '.join(sorted(states))}",
                    "flow-state-unknown",
                )
            if step.get("role") not in ROLES:
                self.fail(f"{here}.role", f"role {step.get('role')!r}: one of {', '.join(ROLES)}", "flow-spec")
            self.check_basis(f"{here}.basis", step.get("basis"))
            self.check_deadline(f"{here}.deadline", step.get("deadline"), all_names)
            makes = step.get("makes")
            if makes is not None and not isinstance(makes, str):
                self.fail(f"{here}.makes", "makes: a form id, or null", "flow-spec")
            if step.get("mapping") and not makes:
                self.fail(
                    f"{here}.mapping", "a mapping prefills the form a step makes; give makes: <form id>", "flow-spec"
                )
            self.check_mapping(f"{here}.mapping", step.get("mapping"), SOURCES)
        return names

    def check_reachable(self, steps: Any, states: set[str]) -> None:
        if not isinstance(steps, list):
            return
        edges = [(s.get("from") or [], s.get("to")) for s in steps if isinstance(s, dict)]
        reached = {to for sources, to in edges if not sources}
        if not reached:
            self.fail(
                "steps",
                "no step opens a case: give one step from: [] (the application's registration)",
                "flow-state-unreachable",
            )
        grown = True
        while grown:
            new = {to for sources, to in edges if isinstance(sources, list) and reached & set(sources)} - reached
            reached |= new
            grown = bool(new)
        for state in sorted(states - reached):
            self.fail(
                f"states[{self._index('states', state)}]",
                f"no step leads to state {state!r} from a step that opens a case",
                "flow-state-unreachable",
            )

    def _index(self, key: str, name: str) -> int:
        node = next((v for k, v in self.root.value if k.value == key), None) if self.root is not None else None
        for i, item in enumerate(getattr(node, "value", []) or []):
            if isinstance(item, yaml.MappingNode) and any(k.value == "name" and v.value == name for k, v in item.value):
                return i
        return 0

    def lines_range(self, value: Any) -> tuple[int, int] | None:
        match = LINES_RE.match(str(value)) if value is not None else None
        if not match:
            return None
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        return (first, last) if first <= last else None

    def check_basis(self, where: str, basis: Any) -> None:
        if not isinstance(basis, dict) or not basis.get("act"):
            self.fail(
                where,
                "give the step's basis: {act: <key of acts>, clause: N, lines: N-M}, or {act: nysan, note:}",
                "flow-basis",
            )
            return
        if basis["act"] == NYSAN:
            if not basis.get("note"):
                self.fail(where, "a step the act does not provide for says why Nysan needs it (note:)", "flow-basis")
            return
        acts = self.data_acts
        if basis["act"] not in acts:
            self.fail(f"{where}.act", f"no act {basis['act']!r} under acts:; they are: {', '.join(acts)}", "flow-basis")
            return
        if not basis.get("clause"):
            self.fail(f"{where}.clause", "give the clause of the act (clause: 5)", "flow-basis")
        lines = self.lines_range(basis.get("lines"))
        whole = (
            self.lines_range((acts[basis["act"]].get("source") or {}).get("lines"))
            if isinstance(acts[basis["act"]], dict)
            else None
        )
        if lines is None:
            self.fail(
                f"{where}.lines", "give the clause's lines in the source file (lines: 66 or 98-102)", "flow-basis"
            )
        elif whole and not (whole[0] <= lines[0] and lines[1] <= whole[1]):
            self.fail(
                f"{where}.lines",
                f"lines {basis['lines']} are outside the act's lines {whole[0]}-{whole[1]}",
                "flow-basis",
            )

    def check_deadline(self, where: str, deadline: Any, steps: set) -> None:
        if deadline is None:
            return
        if not isinstance(deadline, dict):
            self.fail(where, "deadline: {days: N, unit: calendar|working, from: <step>}, or null", "flow-deadline")
            return
        kinds = [k for k in ("days", "months", "day_of_month") if k in deadline]
        if len(kinds) != 1:
            self.fail(where, "a deadline is one of days: N (with unit:), months: N, day_of_month: N", "flow-deadline")
            return
        kind, number = kinds[0], deadline[kinds[0]]
        least = 0 if kind == "days" else 1
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or number < least
            or (kind == "day_of_month" and number > 28)
        ):
            self.fail(
                f"{where}.{kind}",
                f"{kind} must be a whole number from {least}" + (" to 28" if kind == "day_of_month" else ""),
                "flow-deadline",
            )
        if kind == "days" and deadline.get("unit") not in UNITS:
            self.fail(f"{where}.unit", "unit: calendar (күнтізбелік) or working (жұмыс күні)", "flow-deadline")
        if kind != "days" and "unit" in deadline:
            self.fail(f"{where}.unit", "unit: belongs to a deadline in days", "flow-deadline")
        if kind == "day_of_month":
            if deadline.get("month") != "following":
                self.fail(
                    f"{where}.month",
                    "day_of_month counts in the month after the period: month: following",
                    "flow-deadline",
                )
        else:
            start = deadline.get("from")
            starts = start if isinstance(start, list) and start else [start]
            for name in starts:
                if name not in steps:
                    self.fail(
                        f"{where}.from",
                        f"{name!r} is not a step of this flow; from: names the step(s) the count starts at",
                        "flow-deadline",
                    )

    def check_mapping(self, where: str, value: Any, sources: tuple[str, ...]) -> None:
        if value is None:
            return
        ok = isinstance(value, dict) or (
            isinstance(value, list) and all(isinstance(e, dict) and len(e) == 1 for e in value)
        )
        if not ok:
            self.fail(
                where, "a mapping is target: source pairs (a mapping, or a list of one-pair mappings)", "flow-spec"
            )
            return
        for i, (target, source) in enumerate(mapping_items(value)):
            here = f"{where}.{target}" if isinstance(value, dict) else f"{where}[{i}]"
            if not isinstance(target, str) or not PATH_RE.match(target) or target.count("[]") > 1:
                self.fail(here, f"target {target!r}: a field path (applicant, entries[].applicant)", "flow-spec")
            head = source.split(".", 1)[0] if isinstance(source, str) else None
            if (
                not isinstance(source, str)
                or head not in sources
                or not PATH_RE.match(source)
                or source.count("[]") > 1
            ):
                self.fail(here, f"source {source!r}: {' or '.join(s + '.<path>' for s in sources)}", "flow-spec")
            elif isinstance(target, str) and target.count("[]") != source.count("[]"):
                self.fail(
                    here,
                    f"{target} and {source}: a list's rows map from a list's rows ([] on both sides)",
                    "flow-field-type",
                )

    def check_journal(self, journal: Any, steps: set[str]) -> None:
        if (
            not isinstance(journal, dict)
            or not isinstance(journal.get("form"), str)
            or not isinstance(journal.get("rows"), str)
        ):
            self.fail(
                "journal", "journal: {form: <form id>, rows: <its list field>, step: <step>, row: {...}}", "flow-spec"
            )
            return
        if journal.get("step") is not None and journal["step"] not in steps:
            self.fail("journal.step", f"no step {journal['step']!r}", "flow-state-unknown")
        if not journal.get("row"):
            self.fail("journal.row", "say how a case becomes the journal's row (row: {column: source})", "flow-spec")
        self.check_mapping("journal.row", journal.get("row"), SOURCES)

    def check_report(self, report: Any, steps: set[str]) -> None:
        if not isinstance(report, dict) or not all(isinstance(report.get(k), str) for k in ("form", "rows")):
            self.fail("report", "report: {form:, rows:, key:, cell:, deadline:, basis:}", "flow-spec")
            return
        self.check_mapping("report.key", report.get("key"), ("record",))
        cell = report.get("cell")
        if not isinstance(cell, dict) or not all(
            isinstance(cell.get(k), str) for k in ("path", "code", "value", "codelist")
        ):
            self.fail(
                "report.cell",
                "cell: {path: services.s{code:02d}, code: record.<f>, value: record.<f>, codelist:}",
                "flow-spec",
            )
        self.check_deadline("report.deadline", report.get("deadline"), steps)
        self.check_basis("report.basis", report.get("basis"))
