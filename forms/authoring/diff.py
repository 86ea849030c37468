"""`nysan forms diff FORM V1 V2`: what a lawyer reviews before approving a new version.

Two parts: the spec (window, legal basis, fields added, removed and changed, option by option), and a
word diff of each version's example as printed, in kk and ru, for PDF/HTML and for DOCX (the two
kinds of template are edited apart, so both are compared). Removed words show as ``[-...-]``, added
ones as ``{+...+}``, with a few words of context.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from forms.catalogue.registry import Registry
from forms.catalogue.spec import LANGS, FieldSpec, FormVersion

FIELD_OPTIONS = (
    "type",
    "required",
    "max_length",
    "pattern",
    "min",
    "max",
    "min_items",
    "max_items",
    "past",
    "max_days_ahead",
    "not_before",
    "birth_date_field",
)
SPEC_KEYS = (
    "title",
    "legal_basis",
    "official",
    "ru_text",
    "date_field",
    "rows_field",
    "person",
    "prefill",
    "codelists",
    "status",
    "repealed_by",
)
CONTEXT = 6  # words shown around a change
JOIN = 3  # changes fewer words apart than this are shown as one
KINDS = {"html": "PDF/HTML", "docx": "DOCX"}


@dataclass
class Change:
    removed: str
    added: str
    before: str
    after: str

    def __str__(self) -> str:
        old = f"[-{self.removed}-]" if self.removed else ""
        new = f"{{+{self.added}+}}" if self.added else ""
        return " ".join(
            p for p in ("…" + self.before if self.before else "", old, new, self.after + "…" if self.after else "") if p
        )


@dataclass
class VersionDiff:
    form: str
    old: FormVersion
    new: FormVersion
    spec: list[str] = field(default_factory=list)  # "key: old → new"
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # field path -> option changes
    wording: dict[tuple[str, str], list[Change]] = field(default_factory=dict)  # (lang, html|docx)
    errors: list[str] = field(default_factory=list)

    def text(self) -> str:
        out = [
            f"{self.form}: version {self.old.version} → version {self.new.version}",
            f"  version {self.old.version}: {_window(self.old)}",
            f"  version {self.new.version}: {_window(self.new)}",
        ]
        out += ["", "Spec:"] + ([f"  {line}" for line in self.spec] or ["  (no change)"])
        out += ["", "Fields:"]
        out += [f"  + added    {line}" for line in self.added] + [f"  - removed  {line}" for line in self.removed]
        out += [f"  ~ changed  {path}: " + "; ".join(details) for path, details in self.changed.items()]
        if not (self.added or self.removed or self.changed):
            out.append("  (no change)")
        for (lang, kind), changes in self.wording.items():
            out += ["", f"Wording, {lang}, {KINDS[kind]} (each version's example as printed):"]
            html_changes = self.wording.get((lang, "html"))
            if (
                kind == "docx"
                and html_changes is not None
                and [str(c) for c in changes] == [str(c) for c in html_changes]
            ):
                out.append("  the same changes as PDF/HTML")
                continue
            out += [f"  {change}" for change in changes] or ["  (no change)"]
        if self.errors:
            out += ["", "Not compared (run nysan forms check):"] + [f"  {e}" for e in self.errors]
        return "\n".join(out)


def _window(spec: FormVersion) -> str:
    end = spec.effective_to.isoformat() if spec.effective_to else "(in force)"
    return f"{spec.effective_from} – {end}, {spec.status}"


def diff_versions(
    form_id: str,
    v1: str,
    v2: str,
    data_dir: Path | str | None = None,
    langs: list[str] | None = None,
    registry: Registry | None = None,
) -> VersionDiff:
    registry = registry or Registry(data_dir)
    form = registry.form(form_id)
    result = VersionDiff(form_id, form.version(v1), form.version(v2))
    for key in SPEC_KEYS:
        result.spec += [
            f"{path}: {_show(a)} → {_show(b)}"
            for path, a, b in _compare(key, result.old.raw.get(key), result.new.raw.get(key))
        ]
    old_fields, new_fields = _flatten(result.old.fields), _flatten(result.new.fields)
    result.added = [_describe(path, f) for path, f in new_fields.items() if path not in old_fields]
    result.removed = [_describe(path, f) for path, f in old_fields.items() if path not in new_fields]
    for path in (p for p in new_fields if p in old_fields):
        details = _field_changes(old_fields[path], new_fields[path])
        if details:
            result.changed[path] = details
    for lang in langs or LANGS:
        for kind in KINDS:
            try:
                before, after = (printed_words(registry, spec, lang, kind) for spec in (result.old, result.new))
            except Exception as err:  # noqa: BLE001 -- a version that does not render: say so, diff the rest
                result.errors.append(f"{lang} {KINDS[kind]}: {type(err).__name__}: {err}")
                continue
            result.wording[(lang, kind)] = word_diff(before, after)
    return result


def _flatten(fields: list[FieldSpec], prefix: str = "") -> dict[str, FieldSpec]:
    flat: dict[str, FieldSpec] = {}
    for f in fields:
        path = prefix + f.name
        flat[path] = f
        if f.children:
            flat.update(_flatten(f.children, path + ("[]." if f.type == "list" else ".")))
    return flat


def _describe(path: str, f: FieldSpec) -> str:
    required = ", required" if f.required else ""
    return f"{path} ({f.type}{required}) «{f.label.get('kk')}» / «{f.label.get('ru')}»"


def _field_changes(old: FieldSpec, new: FieldSpec) -> list[str]:
    details = [
        f"{name}: {_show(getattr(old, name))} → {_show(getattr(new, name))}"
        for name in FIELD_OPTIONS
        if getattr(old, name) != getattr(new, name)
    ]
    for key in ("label", "help"):
        details += [
            f"{path}: {_show(a)} → {_show(b)}" for path, a, b in _compare(key, getattr(old, key), getattr(new, key))
        ]
    old_choices = {c["value"]: c["label"] for c in old.choices}
    new_choices = {c["value"]: c["label"] for c in new.choices}
    details += [f"choice added: {v}" for v in new_choices if v not in old_choices]
    details += [f"choice removed: {v}" for v in old_choices if v not in new_choices]
    for value in (v for v in new_choices if v in old_choices):
        details += [
            f"choice {value} {path}: {_show(a)} → {_show(b)}"
            for path, a, b in _compare("label", old_choices[value], new_choices[value])
        ]
    return details


def _compare(path: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """Leaf-by-leaf differences of two YAML values."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in list(old) + [k for k in new if k not in old]:
            found += _compare(f"{path}.{key}", old.get(key), new.get(key))
        return found
    return [] if old == new else [(path, old, new)]


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f"«{value}»"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


# --- the printed text ------------------------------------------------------------------------


def printed_words(registry: Registry, spec: FormVersion, lang: str, kind: str) -> list[str]:
    """The words of the version's example as printed (HTML body text, or the DOCX's paragraphs)."""
    from forms.rendering.document import render
    from forms.rendering.request import RenderRequest
    from forms.validation.validate import check

    clean, errors = check(spec, registry.example(spec.id, spec.version))
    if clean is None:  # invalid: then errors says why
        raise ValueError(
            f"the example of version {spec.version} does not validate ({errors[0].path}: {errors[0].code})"
        )
    document = render(registry, RenderRequest(spec.id, spec.version, clean, lang, kind))
    text = html_text(document.decode("utf-8")) if kind == "html" else docx_text(document)
    return re.sub(r"_{2,}", "___", text).split()


class _BodyText(HTMLParser):
    SKIP = {"style", "script", "head", "title"}
    BLOCKS = {"p", "div", "br", "tr", "td", "th", "li", "h1", "h2", "h3", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIP
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIP and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _BodyText()
    parser.feed(html)
    return "".join(parser.parts)


def docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    blocks = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[_Cell] = []
                for cell in row.cells:  # a merged cell repeats: keep it once
                    if not cells or cell._tc is not cells[-1]._tc:
                        cells.append(cell)
                blocks += [cell.text for cell in cells]
    return "\n".join(blocks)


def word_diff(before: list[str], after: list[str]) -> list[Change]:
    """Changes with context; changes fewer than JOIN words apart are shown as one."""
    opcodes = [op for op in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()]
    changes: list[Change] = []
    index = 0
    while index < len(opcodes):
        tag, i1, i2, j1, j2 = opcodes[index]
        if tag == "equal":
            index += 1
            continue
        start_old, start_new = i1, j1
        end_old, end_new = i2, j2
        while (
            index + 2 < len(opcodes)
            and opcodes[index + 1][0] == "equal"
            and opcodes[index + 1][2] - opcodes[index + 1][1] < JOIN
        ):
            index += 2
            _, _, end_old, _, end_new = opcodes[index]
        changes.append(
            Change(
                " ".join(before[start_old:end_old]),
                " ".join(after[start_new:end_new]),
                " ".join(before[max(0, start_old - CONTEXT) : start_old]),
                " ".join(before[end_old : end_old + CONTEXT]),
            )
        )
        index += 1
    return changes
