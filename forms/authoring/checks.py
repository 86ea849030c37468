"""`nysan forms check`: everything that must hold before a form version ships, over every form.

Each problem names its file and line, says what is wrong and how to fix it, and carries a stable
code explained (in Russian and Kazakh) in docs/amending-a-form.md. Every problem is reported at once;
the run never stops at the first one. The checks:

- specs: each spec is valid (``spec.check_file``);
- windows: the versions of a form neither overlap nor leave gaps; a repealed form names its act;
- templates (forms/authoring/template_checks.py): kk and ru, HTML and DOCX, exist and compile; they use only
  the spec's fields and the engine's names; they print every required field;
- examples: each validates and renders in every language and format (once each);
- wording (forms/authoring/wording.py): the HTML and the DOCX of a language print the same words, the kk
  ones every fragment of the act's text (``schemas/<form>/<version>.legal.kk.txt``);
- calendar (forms/calendar/data.py): each decreed year file (``schemas/_calendar/kz/<year>.yaml``) has
  valid dates in its year, no day both a holiday and a transferred working day, a basis for each transfer.
- flows (forms/flows/checks.py): each procedure's states, steps, bases, deadlines and field mappings.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import traceback
from pathlib import Path

from forms.authoring import problems, wording
from forms.authoring.problems import CODES, Problem, Report, json_line, key_line  # noqa: F401 -- their home before
from forms.authoring.template_checks import TemplateChecker
from forms.catalogue.registry import Registry
from forms.catalogue.spec import LANGS, FormVersion, SpecError, check_file, load_version
from forms.rendering.request import FORMATS


class Checker(problems.Checker):
    """The spec, window and example checks of one run."""

    # --- specs -----------------------------------------------------------------------------
    def load_specs(self, form_ids: set[str] | None) -> dict[str, list[FormVersion]]:
        grouped: dict[str, list[FormVersion]] = {}
        for path in self.registry.spec_paths():
            if form_ids and path.parent.name not in form_ids:
                continue
            try:
                spec = load_version(path)
            except SpecError:
                self.broken.add(path.parent.name)
                self.unloaded.append(path)
                for err in check_file(path):
                    self.add_spec_error(err)
                continue
            grouped.setdefault(spec.id, []).append(spec)
        for versions in grouped.values():
            versions.sort(key=lambda v: v.effective_from)
        return grouped

    def add_spec_error(self, err: SpecError) -> None:
        what, _, fix = err.problem.partition("; ")
        where = f"{err.where}: " if err.where else ""
        self.add(
            err.file,
            err.line,
            err.code,
            where + what,
            fix or "correct the value as the message says; docs/spec-format.md lists every key",
        )

    # --- windows ---------------------------------------------------------------------------
    def check_windows(self, form_id: str, versions: list[FormVersion]) -> None:
        day = dt.timedelta(days=1)
        for prev, cur in zip(versions, versions[1:]):
            p, c = f"version {prev.version}", f"version {cur.version}"
            if prev.status == "repealed":
                self.add(
                    prev.path,
                    key_line(prev.path, "status"),
                    "window-after-repeal",
                    f"{p} is marked repealed, but {c} follows it",
                    f"if the form was amended, not repealed, write status: in_force and repealed_by: null in {p}",
                )
            if prev.effective_to is None:
                self.add(
                    prev.path,
                    key_line(prev.path, "effective_to"),
                    "window-open",
                    f"{p} has no last day (effective_to: null), but {c} starts on {cur.effective_from}",
                    f"write effective_to: {cur.effective_from - day} (the day before {c} starts)",
                )
            elif prev.effective_to >= cur.effective_from:
                self.add(
                    cur.path,
                    key_line(cur.path, "effective_from"),
                    "window-overlap",
                    f"{c} starts on {cur.effective_from}, but {p} is still in force until {prev.effective_to}: "
                    "two versions would apply on the same days",
                    f"end {p} the day before (effective_to: {cur.effective_from - day} in {self.rel(prev.path)}), "
                    "or correct this date",
                )
            elif prev.effective_to + day < cur.effective_from:
                self.add(
                    cur.path,
                    key_line(cur.path, "effective_from"),
                    "window-gap",
                    f"no version of {form_id} is in force from {prev.effective_to + day} to "
                    f"{cur.effective_from - day}: {p} ends on {prev.effective_to}, {c} starts on {cur.effective_from}",
                    f"write effective_to: {cur.effective_from - day} in {self.rel(prev.path)}, "
                    f"or effective_from: {prev.effective_to + day} here",
                )
        last = versions[-1]
        if last.status == "repealed":
            self.check_repeal(last)
        elif last.effective_to is not None:
            self.add(
                last.path,
                key_line(last.path, "effective_to"),
                "window-end",
                f"the last version ends on {last.effective_to}, but the form is not marked repealed",
                "write effective_to: null while the form is in force; to repeal it, run "
                f'nysan forms repeal {form_id} --effective DATE --basis "..."',
            )

    def check_repeal(self, spec: FormVersion) -> None:
        repeal = spec.repealed_by if isinstance(spec.repealed_by, dict) else {}
        missing = [k for k in ("kk", "ru", "en", "number", "date", "effective") if not repeal.get(k)]
        if missing:
            self.add(
                spec.path,
                key_line(spec.path, "repealed_by"),
                "repeal-unnamed",
                f"the repealing act is not fully named: {', '.join(missing)} missing under repealed_by",
                "give the act's name in kk, ru and en, its number, its date and the day the repeal takes effect",
            )
        effective = repeal.get("effective")
        if (
            isinstance(effective, dt.date)
            and spec.effective_to
            and effective != spec.effective_to + dt.timedelta(days=1)
        ):
            self.add(
                spec.path,
                key_line(spec.path, "effective_to"),
                "repeal-date",
                f"the repeal takes effect on {effective}, but the version's last day is {spec.effective_to}",
                f"write effective_to: {effective - dt.timedelta(days=1)} (the day before the repeal takes effect)",
            )

    # --- the decreed calendar -------------------------------------------------------------------
    def check_calendar(self) -> None:
        from forms.calendar import data as calendar_data

        for path in calendar_data.year_paths(self.registry.data_dir):
            for problem in calendar_data.read(path).problems:
                self.add(path, problem.line, problem.code, problem.message, problem.fix)

    # --- examples --------------------------------------------------------------------------
    def load_example(self, spec: FormVersion) -> dict | None:
        from forms.validation.validate import check

        path = spec.example_path
        if not path.exists():
            self.add(
                path,
                None,
                "example-missing",
                f"version {spec.version} has no example",
                "copy the previous version's example (nysan forms new-version does) and fill it like a clerk would",
            )
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            self.add(
                path,
                getattr(err, "lineno", None),
                "example-json",
                f"the example is not valid JSON ({err})",
                "check quotes, commas and brackets on this line (a comma after the last item is not allowed)",
            )
            return None
        clean, errors = check(spec, data)
        for error in errors:
            self.add(
                path,
                json_line(path, error.path),
                "example-invalid",
                f"the example does not pass validation: {error.path or '(whole)'}: {error.as_dict('en')['message']}",
                "correct the example value, or the field's rule in the spec if the rule is wrong",
            )
        return clean

    def render_example(self, spec: FormVersion, clean: dict, lang: str, fmt: str, template: Path) -> bytes | None:
        from forms.rendering.document import render
        from forms.rendering.request import RenderRequest

        try:
            document = render(self.registry, RenderRequest(spec.id, spec.version, clean, lang, fmt))
            self.report.documents += 1
            if fmt == "pdf":
                self.note_renderer(spec, clean, lang, template)
            return document
        except Exception as err:  # noqa: BLE001 -- whatever breaks, the check reports it and goes on
            line = next(
                (
                    f.lineno
                    for f in reversed(traceback.extract_tb(err.__traceback__))
                    if f.filename and Path(f.filename).name == template.name and Path(f.filename).parent.name == spec.id
                ),
                None,
            )
            self.add(
                template,
                line,
                "render-failed",
                f"the example does not render as {fmt.upper()} in {lang}: {type(err).__name__}: {err}",
                "the message names what the template asked for; compare it with the spec's fields and the example",
            )
            return None

    def note_renderer(self, spec: FormVersion, clean: dict, lang: str, template: Path) -> None:
        """A note when the PDF is WeasyPrint's rather than the typesetter's: the same document, but
        slower; the note names the construct outside the typesetter's subset (docs/typesetter.md)."""
        from forms import typeset
        from forms.rendering.document import render
        from forms.rendering.request import RenderRequest

        html = render(self.registry, RenderRequest(spec.id, spec.version, clean, lang, "html")).decode(
            "utf-8"
        )  # the CSS inline
        try:
            typeset.render(html, None, b"0" * 32)
        except typeset.NotSupported as reason:
            self.report.notes.append(
                f"{self.rel(template)}: the PDF is made by WeasyPrint, not Nysan's "
                f"typesetter ({reason}): the same document, slower (docs/typesetter.md)"
            )


def run(data_dir: Path | str | None = None, form_ids: list[str] | None = None, render: bool = True) -> Report:
    """Check every form (or ``form_ids``) of a data folder; the report lists every problem.

    ``render=False`` skips rendering the examples (they are still validated): a quick pass while editing.
    """
    started = time.monotonic()
    registry = Registry(data_dir)
    checker = Checker(registry)
    grouped = checker.load_specs(set(form_ids or []))
    found = {path.parent.name for path in registry.spec_paths()}
    for form_id in sorted(set(form_ids or []) - found):
        checker.add(
            registry.schemas_dir / form_id,
            None,
            "spec",
            f"there is no form {form_id!r}",
            f"check the name; the forms are: {', '.join(sorted(found))}",
        )
    if not found:
        checker.add(
            registry.schemas_dir,
            None,
            "spec",
            "no form specs here (schemas/<form>/<version>.yaml)",
            "point --data-dir (or NYSAN_DATA_DIR) at the folder that holds schemas/ and templates/",
        )
    templates = TemplateChecker(checker)
    for form_id, versions in sorted(grouped.items()):
        if form_id not in checker.broken:
            checker.check_windows(form_id, versions)
        for spec in versions:
            usable = templates.check_version(spec)  # {(lang, "html"|"docx"): template path}
            clean = checker.load_example(spec)
            if clean is None or not templates.codelists_ok(spec) or not render:
                continue
            for lang in LANGS:
                made = {}  # fmt -> the document, for the wording check
                for fmt in FORMATS:
                    kind = "docx" if fmt == "docx" else "html"
                    if (lang, kind) in usable:
                        made[fmt] = checker.render_example(spec, clean, lang, fmt, usable[(lang, kind)])
                if made.get("html") and made.get("docx"):
                    wording.compare(
                        checker, spec, lang, usable[(lang, "html")], made["html"], usable[(lang, "docx")], made["docx"]
                    )
    for path in checker.unloaded:
        for lang in LANGS:
            for kind in ("html", "docx"):
                templates.exists(path.parent.name, path.stem, lang, kind)
    templates.check_orphans(grouped, set(form_ids or []))
    if not form_ids:  # the calendar is no form's: checked on a run over every form
        checker.check_calendar()
    if not form_ids:  # the flows name many forms: checked on a whole run
        from forms.flows.checks import check_flows

        checker.report.flows = check_flows(checker)
    checker.report.forms = len(grouped)
    checker.report.versions = sum(len(v) for v in grouped.values())
    checker.report.seconds = time.monotonic() - started
    return checker.report
