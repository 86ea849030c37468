"""What `nysan forms check` reports, and the base of its checkers: a problem names its file and line,
its stable code, what is wrong and how to fix it. Its own module so that the checks (checks.py) and
the template checks (template_checks.py, wording.py) each import it and not each other."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from forms.catalogue.registry import Registry

# Every problem code; docs/amending-a-form.md explains each one in Russian and Kazakh.
CODES = (
    "spec",
    "reserved-name",
    "window-open",
    "window-overlap",
    "window-gap",
    "window-end",
    "window-after-repeal",
    "repeal-unnamed",
    "repeal-date",
    "template-missing",
    "template-syntax",
    "template-unknown-variable",
    "template-unknown-attribute",
    "template-required-missing",
    "example-missing",
    "example-json",
    "example-invalid",
    "render-failed",
    "codelist-missing",
    "orphan-file",
    "wording-html-docx",
    "legal-fragment-missing",
    # the decreed calendar files, schemas/_calendar/kz/<year>.yaml (forms/calendar/data.py)
    "calendar-file",
    "calendar-year",
    "calendar-conflict",
    "calendar-basis",
    # flows (forms/flows/): schemas/_flows/<flow>/<version>.yaml
    "flow-spec",
    "flow-basis",
    "flow-state-unknown",
    "flow-state-unreachable",
    "flow-deadline",
    "flow-form-unknown",
    "flow-field-missing",
    "flow-field-type",
    "flow-window",
)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    file: str  # relative to the data folder, as legal staff see it
    line: int | None
    code: str  # stable; explained in docs/amending-a-form.md
    message: str  # what is wrong
    fix: str  # how to fix it

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: [{self.code}] {self.message}\n    how to fix: {self.fix}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "code": self.code, "message": self.message, "fix": self.fix}


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    forms: int = 0
    versions: int = 0
    documents: int = 0
    flows: int = 0  # flow versions checked (schemas/_flows)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # not problems: e.g. a PDF left to WeasyPrint

    @property
    def ok(self) -> bool:
        return not self.problems

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


class Checker:
    """One run over a data folder (``schemas/`` and ``templates/``): where its problems are collected."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.report = Report()
        self.broken: set[str] = set()  # forms with a spec that does not load: windows not judged
        self.unloaded: list[Path] = []  # those specs: their templates can still be looked for

    def rel(self, path: Path | str) -> str:
        path = Path(path)
        try:
            return str(path.resolve().relative_to(self.registry.data_dir.resolve()))
        except ValueError:
            return str(path)

    def add(self, path: Path | str, line: int | None, code: str, message: str, fix: str) -> None:
        assert code in CODES, code
        self.report.problems.append(Problem(self.rel(path), line, code, message, fix))


@lru_cache(maxsize=256)
def _yaml_tree(path: Path, mtime: float) -> yaml.Node | None:
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError):
        return None


def key_line(path: Path, key: str) -> int | None:
    """The line of a top-level key of a YAML file (1-based), or None."""
    tree = _yaml_tree(path, path.stat().st_mtime)
    if isinstance(tree, yaml.MappingNode):
        for name, _value in tree.value:
            if name.value == key:
                return name.start_mark.line + 1
    return None


def json_line(path: Path, field_path: str) -> int | None:
    """The line where a top-level key of an example is written, or None."""
    head = field_path.split(".")[0].split("[")[0]
    if not head:
        return None
    needle = json.dumps(head, ensure_ascii=False) + ":"
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text.replace('" :', '":'):
            return number
    return None
