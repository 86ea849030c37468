"""New versions and repeals: the file work of an amendment, done the same way every time.

``new_version`` copies the current version's spec, example, legal text, shared partial and four templates
(and the translation's golden text, in a repository) to the next version, records the amending act, and ends the current
version's window the day before. ``repeal`` ends the last window and names the repealing act.
Specs are changed by targeted edits (forms/authoring/yamledit.py): comments and order survive. Nothing is
written unless every new text has been made and read back.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from forms.authoring.template_checks import SHARED
from forms.authoring.wording import legal_text_path
from forms.authoring.yamledit import set_value
from forms.catalogue.registry import Form, Registry
from forms.catalogue.spec import LANGS, FormVersion, SpecError, load_version
from forms.errors import FormNotFound

BASIS_RE = re.compile(
    r"No\.?\s*(?P<number>[^\s,;]+)\s*(?:,\s*)?(?:of|from|dated)\s+"
    r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})",
    re.IGNORECASE,
)
DAY = dt.timedelta(days=1)


class VersioningError(Exception):
    pass


@dataclass
class Result:
    data_dir: Path
    summary: str
    changed: list[tuple[Path, str]] = field(default_factory=list)  # (file, what changed)
    created: list[tuple[Path, str]] = field(default_factory=list)  # (file, what to edit in it)
    todo: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.data_dir))
        except ValueError:
            return str(path)

    def describe(self) -> str:
        lines = [self.summary]
        if self.changed:
            lines.append("Changed:")
            lines += [f"  {self.rel(p):<44} {what}" for p, what in self.changed]
        if self.created:
            lines.append("Created (edit these):")
            lines += [f"  {self.rel(p):<44} {what}" for p, what in self.created]
        if self.todo:
            lines.append("Check by hand:")
            lines += [f"  - {item}" for item in self.todo]
        if self.next_steps:
            lines.append("Then:")
            lines += [f"  {step}" for step in self.next_steps]
        return "\n".join(lines)


def parse_basis(basis: str) -> tuple[str, dt.date]:
    """'Order No. 123 of 2026-11-20' -> ('123', date); the date may be DD.MM.YYYY."""
    match = BASIS_RE.search(basis)
    if not match:
        raise VersioningError(
            f'cannot read the act\'s number and date in {basis!r}; write it as "Order No. 123 of 2026-11-20"'
        )
    text = match["date"]
    try:
        day = dt.date.fromisoformat(text) if "-" in text else dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        raise VersioningError(f"{text!r} in the basis is not a valid date") from None
    return match["number"], day


def act_names(
    spec: FormVersion,
    basis: str,
    number: str,
    day: dt.date,
    kk: str | None,
    ru: str | None,
    todo: list[str],
    where: str,
) -> dict:
    """The act's name in kk, ru, en: as given, else the current edition's wording with the new number
    and date (the same ministry amends its own order); a derived name goes on the to-check list."""
    edition = spec.legal_basis.get("edition")
    if not isinstance(edition, dict):
        edition = {}
    names = {"kk": kk, "ru": ru, "en": basis}
    for lang in LANGS:
        if names[lang]:
            continue
        previous = str(edition.get(lang) or "")
        derived = re.sub(r"№\s*\S+", f"№ {number}", previous)
        derived = re.sub(r"\b\d{2}\.\d{2}\.\d{4}\b", day.strftime("%d.%m.%Y"), derived)
        if previous and derived != previous:
            names[lang] = derived
            todo.append(
                f"{where}.{lang} was made from the previous edition's wording: check it is the act's "
                f"name (or give --basis-{lang})"
            )
        else:
            names[lang] = basis
            todo.append(f"{where}.{lang} is the English text: write the act's name in {lang} (or give --basis-{lang})")
    return {**names, "number": number, "date": day}


def _current(registry: Registry, form_id: str) -> Form:
    try:
        form = registry.form(form_id)
    except FormNotFound:
        broken = [e for e in registry.errors if Path(e.file).parent.name == form_id]
        if broken:
            raise VersioningError(
                f"{form_id}: a spec does not load ({broken[0]}); run nysan forms check and fix it first"
            ) from None
        raise VersioningError(f"no form {form_id!r}; the forms are: {', '.join(registry.forms)}") from None
    if form.latest.status == "repealed":
        repeal = form.latest.repealed_by or {}
        raise VersioningError(
            f"{form_id} is repealed (by {repeal.get('en') or repeal.get('kk')}, "
            f"from {repeal.get('effective')}); a repealed form gets no new version"
        )
    return form


def _next_id(current: FormVersion, wanted: str | None) -> str:
    if wanted:
        return wanted
    if not current.version.isdigit():
        raise VersioningError(f"the current version is {current.version!r}; give the new one with --version")
    return str(int(current.version) + 1)


def new_version(
    form_id: str,
    effective: dt.date,
    basis: str,
    annex: str | None = None,
    version: str | None = None,
    data_dir: Path | str | None = None,
    basis_kk: str | None = None,
    basis_ru: str | None = None,
) -> Result:
    registry = Registry(data_dir)
    form = _current(registry, form_id)
    current = form.latest
    if effective <= current.effective_from:
        raise VersioningError(
            f"the new version must start after version {current.version} starts "
            f"({current.effective_from}); --effective {effective} is not later"
        )
    new_id = _next_id(current, version)
    number, day = parse_basis(basis)
    result = Result(registry.data_dir, f"New version {new_id} of {form_id}, in force from {effective} ({basis}).")
    edition = act_names(current, basis, number, day, basis_kk, basis_ru, result.todo, "legal_basis.edition")

    new_spec = current.path.with_name(f"{new_id}.yaml")
    copies = [
        (current.path, new_spec, "the spec: fields, labels, legal_basis (edition is written)"),
        (
            current.example_path,
            new_spec.with_name(f"{new_id}.example.json"),
            "the example: values for new fields, changed values",
        ),
    ]
    for lang in LANGS:
        what = "the act's words, verbatim" if lang == "kk" else "the translation"
        copies.append(
            (
                registry.template_path(current, lang, "html"),
                registry.templates_dir / lang / form_id / f"{new_id}.html",
                f"{lang} text for PDF/HTML: {what}",
            )
        )
        copies.append(
            (
                registry.template_path(current, lang, "docx"),
                registry.templates_dir / lang / form_id / f"{new_id}.docx",
                f"{lang} DOCX (Word, LibreOffice): {what}",
            )
        )
    partial = registry.templates_dir / SHARED / form_id / f"{current.version}.html"
    if partial.exists():
        copies.append(
            (
                partial,
                partial.with_name(f"{new_id}.html"),
                "the style (CSS) and macros the kk and ru HTML share: edit them once here",
            )
        )
    copies.append(
        (
            legal_text_path(current),
            legal_text_path(current, new_id),
            "the act's kk text, one fragment per line: nysan forms check finds each in the kk templates",
        )
    )
    golden = registry.data_dir / "tests" / "golden" / form_id  # in a repository: the ru translation's fragments
    source = golden / f"{current.version}.legal.ru.txt"
    if source.exists():
        copies.append((source, golden / f"{new_id}.legal.ru.txt", "the translation's text, one fragment per line"))
    existing = [str(target) for _, target, _ in copies if target.exists()]
    if existing:
        raise VersioningError(f"version {new_id} already has files: {', '.join(existing)}")

    text = current.path.read_text(encoding="utf-8")
    edits = [
        (["version"], new_id, "id"),
        (["effective_from"], effective, "legal_basis"),
        (["effective_to"], None, "effective_from"),
        (["status"], "in_force", "effective_to"),
        (["repealed_by"], None, "status"),
    ]
    for path, value, after in edits:
        text = set_value(text, path, value, after=after)
    text = set_value(text, ["legal_basis", "edition"], edition, after="registration")
    if annex:
        text = _renumber_annex(text, current, annex, result.todo)
    result.todo.append("legal_basis.source and notes: point them at the amended text")
    closing = effective - DAY
    old_text = set_value(current.path.read_text(encoding="utf-8"), ["effective_to"], closing)

    for source, target, what in copies:
        if not source.exists():
            result.todo.append(f"{result.rel(target)}: version {current.version} has no such file to copy; create it")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target == new_spec:
            target.write_text(text, encoding="utf-8")
        elif target.suffix == ".html" and target.parent.parent.name in LANGS:
            # The new templates import the new version's partial, not the one they were copied from.
            target.write_text(
                source.read_text(encoding="utf-8").replace(
                    f'"{SHARED}/{form_id}/{current.version}.html"', f'"{SHARED}/{form_id}/{new_id}.html"'
                ),
                encoding="utf-8",
            )
        else:
            shutil.copyfile(source, target)
        result.created.append((target, what))
    current.path.write_text(old_text, encoding="utf-8")
    previous_end = f" (was {current.effective_to})" if current.effective_to else ""
    result.changed.append(
        (current.path, f"effective_to: {closing}{previous_end}: version {current.version} ends the day before")
    )
    _verify(new_spec)
    result.next_steps = [
        f"nysan forms check --form {form_id}",
        f"nysan preview {form_id} --version {new_id}",
        f"nysan forms diff {form_id} {current.version} {new_id}",
    ]
    return result


def _renumber_annex(text: str, spec: FormVersion, annex: str, todo: list[str]) -> str:
    patterns = {"kk": (r"^\d+-қосымша$", f"{annex}-қосымша"), "ru": (r"^Приложение \d+$", f"Приложение {annex}")}
    lines = spec.legal_basis.get("annex") or {}
    for lang, (pattern, replacement) in patterns.items():
        items = list(lines.get(lang) or [])
        renumbered = [replacement if re.match(pattern, str(item)) else item for item in items]
        if renumbered == items:
            todo.append(f"legal_basis.annex.{lang}: no annex number found to change; write it by hand")
            continue
        text = set_value(text, ["legal_basis", "annex", lang], renumbered)
    return text


def _verify(path: Path) -> None:
    try:
        load_version(path)
    except SpecError as err:
        raise VersioningError(f"the new spec does not load ({err}); this is a bug in nysan, please report it") from None


def repeal(
    form_id: str,
    effective: dt.date,
    basis: str,
    data_dir: Path | str | None = None,
    basis_kk: str | None = None,
    basis_ru: str | None = None,
) -> Result:
    registry = Registry(data_dir)
    last = _current(registry, form_id).latest
    if effective <= last.effective_from:
        raise VersioningError(
            f"the repeal must take effect after version {last.version} starts "
            f"({last.effective_from}); --effective {effective} is not later"
        )
    number, day = parse_basis(basis)
    result = Result(
        registry.data_dir,
        f"{form_id} is repealed from {effective} ({basis}); version {last.version} applies until {effective - DAY}.",
    )
    act = act_names(last, basis, number, day, basis_kk, basis_ru, result.todo, "repealed_by")
    text = last.path.read_text(encoding="utf-8")
    text = set_value(text, ["effective_to"], effective - DAY)
    text = set_value(text, ["status"], "repealed")
    text = set_value(text, ["repealed_by"], {**act, "effective": effective}, after="status")
    last.path.write_text(text, encoding="utf-8")
    _verify(last.path)
    result.changed.append((last.path, f"effective_to: {effective - DAY}, status: repealed, repealed_by: {basis}"))
    result.next_steps = [f"nysan forms check --form {form_id}"]
    return result
