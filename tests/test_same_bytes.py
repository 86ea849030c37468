"""Every form × version × language × format gives the same bytes as the files rendered before the
layers were moved apart (issue 25): moving code must not change one document. The digests were
taken from the renders of commit 76f00ca; ``--update-golden`` takes them anew from the current code.

The bytes depend on the libraries that write them as well as on Nysan: the digests hold for the
versions recorded beside them. Where a library's version differs, the digests say nothing about
Nysan's code, and the test says which library differs instead of comparing."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata

import pytest

from support.cases import TESTS, matrix, rendered

GOLDEN = TESTS / "golden" / "bytes.json"
# Whatever writes a byte of a document: the typesetter's fonts (fontTools), PDF (pikepdf/qpdf,
# WeasyPrint's fallback), DOCX (python-docx, docxtpl, lxml), templates (Jinja2).
LIBRARIES = (
    "weasyprint",
    "fonttools",
    "pikepdf",
    "pypdf",
    "python-docx",
    "docxtpl",
    "lxml",
    "jinja2",
    "tinycss2",
    "segno",
    "markupsafe",
)


def cases() -> list[tuple[str, str, str, str]]:
    plain = [tuple(case.values) for case in matrix()]
    return plain + [(form, version, lang, "pdf/3b") for form, version, lang, fmt in plain if fmt == "pdf"]


def versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in LIBRARIES}


def digest(form_id: str, version: str, lang: str, fmt: str) -> str:
    if fmt == "pdf/3b":
        import forms
        from support.cases import as_of_for

        content = forms.render(
            form_id,
            forms.example(form_id, version),
            lang=lang,
            fmt="pdf",
            version=version,
            as_of=as_of_for(form_id, version),
            pdfa="3b",
        )
    else:
        content = rendered(form_id, version, lang, fmt)
    return hashlib.sha256(content).hexdigest()


def key(form_id: str, version: str, lang: str, fmt: str) -> str:
    return f"{form_id}@{version}/{lang}.{fmt}"


def test_every_document_has_the_bytes_rendered_before_the_move(update_golden):
    every = cases()
    if update_golden:
        documents = {key(*case): digest(*case) for case in every}
        GOLDEN.write_text(
            json.dumps({"libraries": versions(), "documents": documents}, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    differing = {
        name: (golden["libraries"].get(name), found)
        for name, found in versions().items()
        if golden["libraries"].get(name) != found
    }
    if differing:
        pytest.skip(
            f"the digests were taken with other library versions: {differing}; "
            "`pytest tests/test_same_bytes.py --update-golden` on a commit known to be right"
        )
    assert sorted(golden["documents"]) == sorted(key(*case) for case in every), "forms or versions changed"
    changed = [key(*case) for case in every if digest(*case) != golden["documents"][key(*case)]]
    assert not changed, f"documents whose bytes changed: {changed}"
