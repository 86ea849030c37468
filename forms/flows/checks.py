"""The flow checks of `nysan forms check`: each flow file's structure (forms/flows/spec.py), then what
it names against the catalogue: the forms exist, every mapped field exists on both sides with a
compatible type, the report's columns exist for every code of its list, the versions' windows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from forms.authoring.problems import Checker
from forms.catalogue.spec import FieldSpec, FormVersion, SpecError
from forms.flows.mapping import cell_path, compatible, resolve
from forms.flows.registry import flow_paths
from forms.flows.spec import Flow, Mapping, check_file, line_of, load


def check_flows(checker: Checker) -> int:
    """Add every problem of the data folder's flows to ``checker``; returns how many flow versions loaded."""
    grouped: dict[str, list[Flow]] = {}
    for path in flow_paths(checker.registry.schemas_dir):
        problems = check_file(path)
        for err in problems:
            _add_error(checker, err)
        if not problems:
            flow = load(path)
            grouped.setdefault(flow.id, []).append(flow)
    for versions in grouped.values():
        versions.sort(key=lambda f: f.effective_from)
        _check_windows(checker, versions)
        for flow in versions:
            FlowChecker(checker, flow).check()
    return sum(len(v) for v in grouped.values())


def _add_error(checker: Checker, err: SpecError) -> None:
    what, _, fix = err.problem.partition("; ")
    where = f"{err.where}: " if err.where else ""
    checker.add(err.file, err.line, err.code, where + what, fix or "docs/flows.md describes every key of a flow")


def _check_windows(checker: Checker, versions: list[Flow]) -> None:
    day = dt.timedelta(days=1)
    for prev, cur in zip(versions, versions[1:]):
        if prev.effective_to is None or prev.effective_to + day != cur.effective_from:
            checker.add(
                cur.path,
                line_of(cur, "effective_from"),
                "flow-window",
                f"version {cur.version} starts on {cur.effective_from}, version {prev.version} ends on "
                f"{prev.effective_to or '(never)'}: the versions overlap or leave days without a flow",
                f"write effective_to: {cur.effective_from - day} in {checker.rel(prev.path)}",
            )


class FlowChecker:
    """One flow against the catalogue."""

    def __init__(self, checker: Checker, flow: Flow):
        self.checker, self.flow = checker, flow

    def add(self, where: str, code: str, message: str, fix: str) -> None:
        self.checker.add(self.flow.path, line_of(self.flow, where), code, message, fix)

    def versions(self, where: str, form_id: str) -> list[FormVersion]:
        """The versions of ``form_id`` in force during the flow's window (the flow must fit each)."""
        if form_id in self.checker.broken:
            return []  # its spec's own problems are reported; judging fields against it would only add noise
        form = self.checker.registry.forms.get(form_id)
        if form is None:
            known = ", ".join(sorted(self.checker.registry.forms))
            self.add(where, "flow-form-unknown", f"there is no form {form_id!r}", f"name one of: {known}")
            return []
        end = self.flow.effective_to or dt.date.max
        overlapping = [
            v
            for v in form.versions
            if v.effective_from <= end and (v.effective_to or dt.date.max) >= self.flow.effective_from
        ]
        if not overlapping:
            self.add(
                where,
                "flow-form-unknown",
                f"no version of {form_id} is in force while the flow is (from {self.flow.effective_from})",
                "correct the flow's effective_from, or name the form that replaced this one",
            )
        return overlapping

    def check(self) -> None:
        flow = self.flow
        applications = self.versions("application", flow.application)
        for i, step in enumerate(flow.steps):
            if step.makes:
                for target in self.versions(f"steps[{i}].makes", step.makes):
                    self.check_mapping(f"steps[{i}].mapping", step.mapping, target.fields, target, applications)
        if flow.journal:
            for target in self.versions("journal.form", flow.journal.form):
                rows = self.rows_of(target, "journal", flow.journal.rows)
                if rows is not None:
                    self.check_mapping("journal.row", flow.journal.row, rows, target, applications)
        if flow.report:
            for target in self.versions("report.form", flow.report.form):
                self.check_report(target)
        for i, document in enumerate(flow.personal_file):
            for form_id in document.forms:
                self.versions(f"personal_file[{i}].form", form_id)

    def rows_of(self, target: FormVersion, where: str, name: str) -> Sequence[FieldSpec] | None:
        field = target.field(name)
        if field is None or field.type != "list":
            self.add(
                f"{where}.rows",
                "flow-field-missing",
                f"{target.id} has no list field {name!r}",
                f"name its list of rows (rows_field: {target.rows_field})",
            )
            return None
        return field.children

    def source_fields(self, head: str, applications: list[FormVersion]) -> list[tuple[str, Sequence[FieldSpec]]]:
        if head == "application":
            return [(f"{v.id} version {v.version}", v.fields) for v in applications]
        if head == "record":
            return [("the flow's records", self.flow.record_fields)]
        return [("the flow's case", self.flow.case_fields)]

    def check_mapping(
        self,
        where: str,
        mapping: Sequence[Mapping],
        fields: Sequence[FieldSpec],
        target: FormVersion,
        applications: list[FormVersion],
    ) -> None:
        for i, item in enumerate(mapping):
            self.check_pair(f"{where}[{i}]", item, fields, target, applications)

    def check_pair(
        self,
        here: str,
        item: Mapping,
        fields: Sequence[FieldSpec],
        target: FormVersion,
        applications: list[FormVersion],
    ) -> None:
        into = resolve(fields, item.target)
        if isinstance(into, str):
            self.add(
                here,
                "flow-field-missing",
                f"{target.id} version {target.version}: {item.target}: {into}",
                "write the path of a field of the form (docs/flows.md, Mapping)",
            )
            return
        head, _, rest = item.source.partition(".")
        for name, source_fields in self.source_fields(head, applications):
            found = resolve(source_fields, rest)
            if isinstance(found, str):
                self.add(
                    here,
                    "flow-field-missing",
                    f"{name}: {item.source}: {found}",
                    "write the path of a field there, or declare the field under case:",
                )
                continue
            reason = compatible(found, into)
            if reason:
                self.add(
                    here,
                    "flow-field-type",
                    f"{item.source} ({found.type}) → {target.id}.{item.target} ({into.type}): {reason}",
                    "map a field whose values fit the target (text→text, person→person, date→date, iin→iin, ...)",
                )

    def check_report(self, target: FormVersion) -> None:
        report = self.flow.report
        assert report is not None
        rows = self.rows_of(target, "report", report.rows)
        if rows is None:
            return
        self.check_mapping("report.key", report.key, rows, target, [])
        try:
            codes = [str(item["code"]) for item in self.checker.registry.codelist(report.codelist)["items"]]
        except (OSError, KeyError, TypeError, SpecError) as err:
            self.add(
                "report.cell",
                "flow-field-missing",
                f"the code list {report.codelist!r} cannot be read ({err})",
                "name a list under schemas/_codelists/ as id@version",
            )
            return
        for head_path in (report.code, report.value):
            head, _, rest = head_path.partition(".")
            if head != "record" or isinstance(resolve(self.flow.record_fields, rest), str):
                self.add(
                    "report.cell",
                    "flow-field-missing",
                    f"{head_path}: not a field of the flow's records",
                    "write record.<a field under records:>",
                )
                return
        value = resolve(self.flow.record_fields, report.value.partition(".")[2])
        assert not isinstance(value, str)
        missing = [code for code in codes if isinstance(resolve(rows, cell_path(report.cell, code)), str)]
        if missing:
            self.add(
                "report.cell",
                "flow-field-missing",
                f"{target.id}: the codes {', '.join(missing)} of {report.codelist} have no column "
                f"({cell_path(report.cell, missing[0])}: {resolve(rows, cell_path(report.cell, missing[0]))})",
                "make the cell path name the form's column for every code of the list",
            )
        for code in codes:
            column = resolve(rows, cell_path(report.cell, code))
            reason = None if isinstance(column, str) else compatible(value, column)
            if reason:
                self.add(
                    "report.cell",
                    "flow-field-type",
                    f"{report.value} → {target.id}.{cell_path(report.cell, code)}: {reason}",
                    "put a value whose type fits the column",
                )
                return
