"""Throw-away data folders (a schemas/ and a templates/ that ``forms.Registry`` or the service's
DATA_DIR can point at): copies of the shipped forms, or a form written by a test, and the edits a
lawyer makes in them."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx

import forms
from support.cases import ROOT

# A field a lawyer adds to the referral in the amendment tests.
NEW_FIELD = """\
  - name: referral_number
    type: string
    required: true
    max_length: 20
    label: {kk: Жолдаманың нөмірі, ru: Номер направления, en: Referral number}
"""


def copy_data(target: Path, form_ids: tuple[str, ...] | None = None) -> Path:
    """schemas/ and templates/ of some forms (all with ``None``), with what the forms share (the
    folders whose names begin with ``_``: the layout, code lists, shared partials; the flows only
    with all the forms)."""
    for top in ("schemas", "templates"):
        for shared in sorted((ROOT / top).glob("_*")):
            if shared.name == "_flows" and form_ids is not None:
                continue  # the flows name most forms: a copy of some forms leaves them out
            if shared.name != "_shared":  # per form: copied with its form below
                shutil.copytree(shared, target / top / shared.name)
    for form_id in form_ids or [f.id for f in forms.default_registry().forms.values()]:
        shutil.copytree(ROOT / "schemas" / form_id, target / "schemas" / form_id)
        for folder in (*forms.DOCUMENT_LANGUAGES, "_shared"):
            if (ROOT / "templates" / folder / form_id).is_dir():
                shutil.copytree(ROOT / "templates" / folder / form_id, target / "templates" / folder / form_id)
    return target


def write_form(target: Path, form_id: str, spec: str, example: str, html: str, docx_paragraphs: list[str]) -> Path:
    """A data folder holding one form written by the test: its spec (version 1), example, and the
    same HTML and DOCX template (one paragraph per item of ``docx_paragraphs``) in every language,
    with the shared page layout."""
    (target / "schemas" / form_id).mkdir(parents=True)
    (target / "schemas" / form_id / "1.yaml").write_text(spec, encoding="utf-8")
    (target / "schemas" / form_id / "1.example.json").write_text(example, encoding="utf-8")
    if not (target / "templates" / "_layout").exists():
        shutil.copytree(ROOT / "templates" / "_layout", target / "templates" / "_layout")
    for lang in forms.DOCUMENT_LANGUAGES:
        folder = target / "templates" / lang / form_id
        folder.mkdir(parents=True)
        (folder / "1.html").write_text(html, encoding="utf-8")
        document = docx.Document()
        for paragraph in docx_paragraphs:
            document.add_paragraph(paragraph)
        document.save(str(folder / "1.docx"))
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a text file (which must hold it)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_docx(path: Path, old: str, new: str, insert_after: str | None = None, paragraph: str | None = None) -> None:
    """Reword text inside a run, or add a paragraph after the one holding ``insert_after``, as Word would."""
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    if insert_after is not None:
        index = next(i for i, p in enumerate(paragraphs) if p.text == insert_after)
        paragraphs[index + 1].insert_paragraph_before(paragraph, style=paragraphs[index + 1].style)
    else:
        run = next(r for p in paragraphs for r in p.runs if old in r.text)
        run.text = run.text.replace(old, new)
    document.save(str(path))
