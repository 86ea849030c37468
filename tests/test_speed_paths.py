"""The fast paths give the documents of the plain paths.

PDF: on WeasyPrint's path (documents outside the typesetter's subset, or NYSAN_PDF_ENGINE=weasyprint),
a long table laid out in chunks on several processes (forms/rendering/pdfchunks.py) has the same page count,
the same text on every page, and the table's headings on page 2 and on the last page, as WeasyPrint
rendering the whole document in one process (the typesetter is compared in test_typeset.py). DOCX:
the fast path (forms/rendering/docx/fast.py) has the same paragraphs, tables and properties as docxtpl's own
rendering (more in test_docx_fast.py).
"""
from __future__ import annotations

import copy
import io
import re

import docx
import pytest
from pypdf import PdfReader

import forms
from forms.rendering import pdf
from forms.rendering import pdfchunks
from forms.rendering.document import metadata
from forms.rendering.context import build_context
from forms.rendering.docx import render_docx
from forms.validation.validate import check
from support.text import docx_blocks, normalise

ROWS = 300
CSS = forms.default_registry().templates_dir / "_layout" / "form.css"


def journal(rows: int) -> dict:
    """Example rows, varied so that rows differ in height (1 to 3 lines), as in a real journal."""
    data = forms.example("referral-journal")
    base = data["entries"]
    entries = []
    for i in range(rows):
        row = copy.deepcopy(base[i % len(base)])
        if i % 3 == 0:
            row.pop("birth_place", None)
        if i % 4 == 0:
            row["applicant"].pop("patronymic", None)
        row["application_number"] = f"01-17/{i + 1}"
        entries.append(row)
    data["entries"] = entries
    return data


@pytest.fixture(scope="module")
def journal_html() -> str:
    return forms.render("referral-journal", journal(ROWS), fmt="html").decode("utf-8")


@pytest.fixture(scope="module")
def plain_pages(journal_html) -> list[str]:
    return _pages(pdf.plain_html_to_pdf(journal_html, CSS))


def _pages(data: bytes) -> list[str]:
    return [normalise(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def _heading_words(html: str) -> list[str]:
    thead = re.search(r"<thead>\s*(<tr.*?)</thead>", html, re.S).group(1)  # not the one in a CSS comment
    return normalise(re.sub(r"<[^>]+>", " ", thead)).split()


@pytest.mark.parametrize("slack", [pdfchunks.SLACK_ROWS, 0], ids=["prepared-ahead", "re-parsed"])
def test_chunked_pdf_has_the_plain_pages(journal_html, plain_pages, monkeypatch, slack):
    # Small chunks: 300 rows make five chunks, so every join between chunks is exercised. Without
    # slack, each chunk stops before the next one's first row and the next is parsed again from there.
    monkeypatch.setattr(pdfchunks, "CHUNK_ROWS", 60)
    monkeypatch.setattr(pdfchunks, "MIN_ROWS", 10)
    monkeypatch.setattr(pdfchunks, "SLACK_ROWS", slack)
    monkeypatch.setenv("NYSAN_PDF_WORKERS", "2")
    chunked = pdfchunks.render(journal_html, CSS, b"0" * 32)  # raises NotChunkable rather than fall back
    pages = _pages(chunked)
    assert len(pages) == len(plain_pages) > 15
    for number, (fast, plain) in enumerate(zip(pages, plain_pages), start=1):
        assert fast == plain, f"page {number} differs"
    heading = _heading_words(journal_html)
    for page in (pages[1], pages[-1]):
        assert all(word in page for word in heading)
    assert f"{ROWS} " in pages[-1] and "Басталды" in pages[-1]
    reader = PdfReader(io.BytesIO(chunked))
    assert reader.metadata.title.startswith("Қандастарды бейімдеу") and reader.trailer["/Root"]["/Lang"] == "kk"
    assert len(reader.outline) == 1  # the journal's title, once
    if slack:
        assert pdfchunks.render(journal_html, CSS, b"0" * 32) == chunked, "not reproducible"


def test_render_takes_the_chunked_path_for_long_tables(monkeypatch):
    weasyprint = forms.Registry(settings=forms.Settings(pdf_engine="weasyprint"))  # the chunks are WeasyPrint's
    calls = []
    real = pdfchunks.render
    monkeypatch.setattr(pdfchunks, "MIN_ROWS", 100)
    monkeypatch.setattr(pdfchunks, "render", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setenv("NYSAN_PDF_WORKERS", "2")
    pages = _pages(forms.render("referral-journal", journal(150), fmt="pdf", registry=weasyprint))
    assert calls and "150" in pages[-1]
    monkeypatch.setenv("NYSAN_PDF_WORKERS", "1")  # one worker: the plain path
    calls.clear()
    assert _pages(forms.render("referral-journal", journal(150), fmt="pdf", registry=weasyprint)) == pages and not calls


@pytest.mark.parametrize("html,reason", [
    ("<style>@page { @bottom-center { content: counter(page) } }</style><body><table><tbody>{rows}</tbody>"
     "</table></body>", "page-dependent"),
    ("<style>tr:nth-child(even) td { background: #eee }</style><body><table><tbody>{rows}</tbody></table></body>",
     "page-dependent"),
    ("<body><div><table><tbody>{rows}</tbody></table></div></body>", "inside"),
    ("<body><table><tbody>{rows}<tr><td><table><tr><td>x</td></tr></table></td></tr></tbody></table></body>",
     "nested"),
])
def test_documents_that_chunks_cannot_follow_exactly_are_refused(html, reason):
    with pytest.raises(pdfchunks.NotChunkable, match=reason):
        pdfchunks.Split(html.replace("{rows}", "<tr><td>1</td></tr>\n" * 3), "")


def _docx_both(form_id: str, data: dict, lang: str = "kk") -> tuple[bytes, bytes]:
    registry = forms.default_registry()
    spec = registry.form(form_id).latest
    clean, errors = check(spec, data)
    assert not errors
    context = build_context(spec, clean, lang, {c: registry.codelist(c) for c in spec.codelists})
    meta = metadata(spec, clean, lang)
    context["document"] = {**meta, "created": meta["created"].isoformat()}
    template = registry.template_path(spec, lang, "docx")
    return render_docx(template, context, meta, fast=True), render_docx(template, context, meta, fast=False)


@pytest.mark.parametrize("form_id,rows", [("referral-journal", ROWS), ("referral", None),
                                          ("placement-application", None)])
def test_fast_docx_has_the_plain_text_tables_and_properties(form_id, rows):
    data = journal(rows) if rows else forms.example(form_id)
    fast, plain = _docx_both(form_id, data)
    assert docx_blocks(fast) == docx_blocks(plain)
    fast_doc, plain_doc = docx.Document(io.BytesIO(fast)), docx.Document(io.BytesIO(plain))
    assert [len(t.rows) for t in fast_doc.tables] == [len(t.rows) for t in plain_doc.tables]
    for name in ("title", "subject", "keywords", "identifier", "created"):
        assert getattr(fast_doc.core_properties, name) == getattr(plain_doc.core_properties, name)
    assert [(s.page_width, s.orientation) for s in fast_doc.sections] == \
        [(s.page_width, s.orientation) for s in plain_doc.sections]
    assert _docx_both(form_id, data)[0] == fast, "not reproducible"
