"""The template part of `nysan forms check`: exist, compile, use only known names, print the
required fields. HTML is read with the rendering environment (following extends, include and
import); DOCX as docxtpl reads it (see forms/authoring/template_analysis.py)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import yaml
from jinja2 import FileSystemLoader, TemplateNotFound, TemplateSyntaxError, nodes

from forms.authoring.problems import Checker, key_line
from forms.authoring.template_analysis import Analysis, analyse, docx_source, paragraph_locator
from forms.catalogue.spec import LANGS, FieldSpec, FormVersion, SpecError
from forms.fields import field_type
from forms.rendering.context import build_context, form_info
from forms.rendering.templating import FILTERS, docx_environment, make_environment

SHARED = "_shared"  # templates/_shared/<form>/<version>.html: what the kk and ru HTML share
KINDS = {"html": "HTML (PDF and HTML)", "docx": "DOCX"}
DICT_METHODS = {"get", "items", "keys", "values"}
SYNTAX_FIX = (
    "check the tags here: each {{ closes with }}, each {% if %} / {% for %} / {% block %} has its "
    "{% endif %} / {% endfor %} / {% endblock %}; the filters are: " + ", ".join(sorted(FILTERS))
)


class TemplateChecker:
    def __init__(self, checker: Checker):
        self.checker = checker
        self.registry = checker.registry
        self.env = make_environment(self.registry.templates_dir)
        self.docx_env = docx_environment()
        self.followed: dict[str, bool] = {}  # layout templates, checked once per run
        self.trees: dict[str, nodes.Template] = {}  # those that compiled, by name

    def check_version(self, spec: FormVersion) -> dict[tuple[str, str], Path]:
        """Problems of the four templates; returns those fit to render the example."""
        usable = {}
        for lang in LANGS:
            for kind in KINDS:
                path = self.registry.template_path(spec, lang, kind)
                if not self.exists(spec.id, spec.version, lang, kind):
                    continue
                analysis = self.read_html(spec, lang, path) if kind == "html" else self.read_docx(path)
                if analysis is None:
                    continue
                if self.check_names(spec, lang, path, analysis) and self.check_attributes(spec, lang, path, analysis):
                    usable[(lang, kind)] = path
                self.check_printed(spec, path, analysis)
        return usable

    def exists(self, form_id: str, version: str, lang: str, kind: str) -> bool:
        path = self.registry.templates_dir / lang / form_id / f"{version}.{kind}"
        if not path.exists():
            self.checker.add(
                path,
                None,
                "template-missing",
                f"the {lang} {KINDS[kind]} template of {form_id} version {version} is missing",
                f"create {self.checker.rel(path)} (nysan forms new-version copies the previous version's templates)",
            )
        return path.exists()

    # --- reading ---------------------------------------------------------------------------
    def read_html(self, spec: FormVersion, lang: str, path: Path) -> Analysis | None:
        tree = self.compile(f"{lang}/{spec.id}/{spec.version}.html", path)
        if tree is None:
            return None
        self.follow(tree, path)
        analysis = analyse(tree)
        # jinja2 types find_all of several classes as their common base, Stmt, which has no template
        imports = cast("Iterator[nodes.Import | nodes.FromImport]", tree.find_all((nodes.Import, nodes.FromImport)))
        for node in imports:
            name = node.template.value if isinstance(node.template, nodes.Const) else None
            if isinstance(name, str) and name.startswith(SHARED + "/") and name in self.trees:
                with_partial(analysis, analyse(self.trees[name]), node.lineno)
        return analysis

    def compile(self, name: str, path: Path) -> nodes.Template | None:
        try:
            source = path.read_text(encoding="utf-8")
            tree = self.env.parse(source, name, str(path))
            self.env.compile(tree, name, str(path))
            return tree
        except UnicodeDecodeError:
            self.checker.add(path, None, "template-syntax", "the file is not UTF-8 text", "save it as UTF-8")
        except TemplateSyntaxError as err:
            self.checker.add(path, err.lineno, "template-syntax", err.message or str(err), SYNTAX_FIX)
        return None

    def follow(self, tree: nodes.Template, path: Path) -> None:
        """Templates this one extends, includes or imports exist and compile (each once per run)."""
        loader = self.env.loader
        assert isinstance(loader, FileSystemLoader)  # make_environment(the registry's templates folder)
        # find_all of several classes is typed as their common base, Stmt (see read_html)
        uses = cast(
            "Iterator[nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport]",
            tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)),
        )
        for node in uses:
            if not isinstance(node.template, nodes.Const) or not isinstance(node.template.value, str):
                continue
            name = node.template.value
            if name in self.followed:
                continue
            try:
                _, filename, _ = loader.get_source(self.env, name)
            except TemplateNotFound:
                self.checker.add(
                    path,
                    node.lineno,
                    "template-missing",
                    f"{name} is used here but does not exist",
                    "correct the name, or restore the file under templates/",
                )
                self.followed[name] = False
                continue
            self.followed[name] = True
            found = self.compile(name, Path(filename))
            if found is not None:
                self.trees[name] = found
                self.follow(found, Path(filename))

    def read_docx(self, path: Path) -> Analysis | None:
        try:
            source = docx_source(path)
        except Exception as err:  # noqa: BLE001 -- not a Word file: zip, XML or package errors
            self.checker.add(
                path,
                None,
                "template-syntax",
                f"the file cannot be opened as a Word document ({err})",
                "save it from Word or LibreOffice as .docx (Word 2007-365)",
            )
            return None
        where = paragraph_locator(source)
        try:
            tree = self.docx_env.parse(source)
            self.docx_env.compile(tree)
        except TemplateSyntaxError as err:
            self.checker.add(path, None, "template-syntax", f"{err.message} {where(err.lineno)}".strip(), SYNTAX_FIX)
            return None
        analysis = analyse(tree)
        analysis.where = where
        return analysis

    # --- judging ---------------------------------------------------------------------------
    def check_names(self, spec: FormVersion, lang: str, path: Path, analysis: Analysis) -> bool:
        fields = [f.name for f in spec.fields]
        known = set(fields) | set(build_context(spec, {}, lang)) | {"document"} | set(self.env.globals)
        ok = True
        for name, line in sorted(analysis.uses.items(), key=lambda item: item[1]):
            if name in known:
                continue
            ok = False
            close = difflib.get_close_matches(name, fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add_at(
                path,
                analysis,
                line,
                name,
                "template-unknown-variable",
                f"the template uses {name!r}, which is not a field of {spec.id} version {spec.version}{hint}",
                f"use a field of the spec ({', '.join(fields)}), or add {name!r} to the spec's fields",
            )
        return ok

    def check_attributes(self, spec: FormVersion, lang: str, path: Path, analysis: Analysis) -> bool:
        from forms.rendering.document import REGISTRATION_KEYS, metadata

        allowed = {
            "form": set(form_info(spec, lang)),
            "document": set(metadata(spec, {}, lang)) | set(REGISTRATION_KEYS),
        }
        for f in spec.fields:
            attributes = field_type(f).template_attributes(f)
            if attributes is not None:
                allowed[f.name] = attributes
        ok = True
        for name, attribute, line in analysis.attributes:
            if name in allowed and attribute not in allowed[name] | DICT_METHODS:
                ok = False
                self.add_at(
                    path,
                    analysis,
                    line,
                    f"{name}.{attribute}",
                    "template-unknown-attribute",
                    f"the template uses {name}.{attribute}, and {name} has no {attribute!r}",
                    f"{name} has: {', '.join(sorted(allowed[name]))}",
                )
        return ok

    def check_printed(self, spec: FormVersion, path: Path, analysis: Analysis) -> None:
        for f in spec.fields:
            shown = f.name in analysis.printed or (field_type(f).marked and f.name in analysis.shown_by_if)
            if f.required and not shown:
                self.missing(path, f, f.name)
            # A list or object handed whole to a macro is printed by the macro, out of this file's sight.
            if f.children and f.name in analysis.uses and f.name not in analysis.passed_whole:
                for child in f.children:
                    if child.required and child.name not in analysis.printed_keys:
                        self.missing(path, child, f"{f.name}{'[]' if f.type == 'list' else ''}.{child.name}")

    def missing(self, path: Path, f: FieldSpec, shown: str) -> None:
        lang = path.parent.parent.name
        label = f.label.get(lang) or f.label.get("en")
        self.checker.add(
            path,
            None,
            "template-required-missing",
            f"the required field {shown!r} («{label}») is not printed",
            f"print it where the paper form has its blank, e.g. {example_tag(f, shown)}",
        )

    def add_at(self, path: Path, analysis: Analysis, line: int, near: str, code: str, message: str, fix: str) -> None:
        if path.suffix == ".docx":
            where = analysis.where(line, near.split(".")[0])
            self.checker.add(path, None, code, f"{message} {where}".strip(), fix)
        else:
            self.checker.add(path, line, code, message, fix)

    # --- beside the templates --------------------------------------------------------------
    def codelists_ok(self, spec: FormVersion) -> bool:
        ok = True
        for list_id in spec.codelists:
            try:
                self.registry.codelist(list_id)
            except (OSError, SpecError, yaml.YAMLError) as err:
                ok = False
                self.checker.add(
                    spec.path,
                    key_line(spec.path, "codelists"),
                    "codelist-missing",
                    f"the code list {list_id!r} cannot be read ({err})",
                    f"correct the name, or add schemas/_codelists/{list_id}/1.yaml",
                )
        return ok

    def check_orphans(self, grouped: dict[str, list[FormVersion]], form_ids: set[str]) -> None:
        """Templates, shared partials, examples and legal texts of a version that has no spec: a typo in a
        file name, usually."""
        specs = {(p.parent.name, p.stem) for p in self.registry.spec_paths()}
        candidates = [
            p
            for folder in (*LANGS, SHARED)
            for p in (self.registry.templates_dir / folder).glob("*/*")
            if p.suffix in (".html", ".docx")
        ]
        candidates += [
            p
            for pattern in ("*/*.example.json", "*/*.legal.kk.txt")
            for p in self.registry.schemas_dir.glob(pattern)
            if not p.parent.name.startswith("_")
        ]
        for path in sorted(candidates):
            version = path.name.split(".")[0]
            if path.name.startswith(("~$", ".")) or (form_ids and path.parent.name not in form_ids):
                continue
            if (path.parent.name, version) not in specs:
                self.checker.add(
                    path,
                    None,
                    "orphan-file",
                    f"there is no spec schemas/{path.parent.name}/{version}.yaml for this file",
                    "rename the file to the version it belongs to, or delete it",
                )


def with_partial(analysis: Analysis, partial: Analysis, line: int) -> None:
    """A shared partial's macros run in the importing template's context (``with context``): what they
    use and print counts as the template's own, at the line of the import."""
    for name in partial.uses:
        analysis.uses.setdefault(name, line)
    analysis.printed |= partial.printed
    analysis.printed_keys |= partial.printed_keys
    analysis.shown_by_if |= partial.shown_by_if
    analysis.passed_whole |= partial.passed_whole
    analysis.attributes += [(name, attribute, line) for name, attribute, _ in partial.attributes]


def example_tag(f: FieldSpec, shown: str) -> str:
    if "." in shown:
        return "{{ " + ("item" if "[]" in shown else shown.split(".")[0]) + "." + f.name + " }}"
    return field_type(f).example_tag(f)
