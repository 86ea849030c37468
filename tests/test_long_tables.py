"""Journals and reports are tables of any length: headings and column numbers repeat on every page,
row numbers continue, rows never split. Checked on 1 row and on 2,000 rows."""

from __future__ import annotations

import functools
import io
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

import forms
from support.cases import as_of_for, with_rows
from support.text import docx_tables, normalise

ROW_COUNTS = (1, 2000)


def table_cases():
    registry = forms.default_registry()
    return [
        pytest.param(f.id, v.version, n, id=f"{f.id}-v{v.version}-{n}", marks=[pytest.mark.slow] if n >= 1000 else [])
        for f in registry.forms.values()
        for v in f.versions
        if v.rows_field
        for n in ROW_COUNTS
    ]


@functools.cache
def long_render(form_id: str, version: str, count: int, fmt: str) -> bytes:
    """Each long document is rendered once per session (a 2,000-row PDF takes a while)."""
    return forms.render(
        form_id,
        with_rows(form_id, version, count),
        lang="kk",
        fmt=fmt,
        version=version,
        as_of=as_of_for(form_id, version),
    )


class _HeadText(HTMLParser):
    """The text inside <thead> of the rendered HTML: the table's headings and column numbers."""

    def __init__(self):
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "thead"

    def handle_endtag(self, tag):
        self.depth -= tag == "thead"

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


@pytest.mark.parametrize("form_id,version,count", table_cases())
def test_table_of_any_length(form_id, version, count):
    pdf = long_render(form_id, version, count, "pdf")
    pages = [normalise(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]
    if count == 1:
        assert len(pages) >= 1
        return
    assert len(pages) > 10, "2,000 rows fit on too few pages: are rows printed?"
    # The heading rows repeat: a column numbers row ("1 2 3 ..."), where the act prints one, is on every
    # page (referral-journal's act has none; test_heading_text_repeats_on_later_pages covers every heading).
    if 'class="numbers"' in long_render(form_id, version, count, "html").decode():
        first_row_numbers = " ".join(str(i) for i in range(1, 4))
        for index in (1, len(pages) - 1):
            assert first_row_numbers in pages[index], f"page {index + 1} lacks the column numbers row"
    # Row numbers continue across pages: the last page ends with row 2000, page 2 starts after page 1.
    assert "2000" in pages[-1]
    docx = long_render(form_id, version, count, "docx")
    rows = max(len(t) for t in docx_tables(docx))
    assert rows >= count, "the DOCX table does not hold every row"


@pytest.mark.parametrize("form_id,version,count", [c for c in table_cases() if c.values[2] == 2000])
def test_heading_text_repeats_on_later_pages(form_id, version, count):
    html = long_render(form_id, version, count, "html").decode()
    parser = _HeadText()
    parser.feed(html)
    heading = normalise(" ".join(parser.parts))
    assert heading, "the table has no <thead>: headings would not repeat on every page"
    reader = PdfReader(io.BytesIO(long_render(form_id, version, count, "pdf")))
    for index in (1, len(reader.pages) - 1):
        text = normalise(reader.pages[index].extract_text())
        missing = [w for w in heading.split() if w not in text]
        assert not missing, f"page {index + 1} lacks heading words {missing[:5]}"
