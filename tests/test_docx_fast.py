"""The fast DOCX path (forms/rendering/docx/fast.py) gives the reference path's document (docxtpl's own
rendering, forms.docx.render_reference): the same paragraphs, table cells, core properties and
parts, for every form × version × language, for long tables, and for data that looks like markup or
that docxtpl post-processes. It is reproducible, and any failure in it falls back to the reference
without logging the data."""

from __future__ import annotations

import io
import logging
import zipfile

import docx
import pytest

import forms
from forms.rendering import document
from forms.rendering import docx as docx_paths
from forms.rendering.docx import fast as docxfast
from forms.rendering.docx import package as docxzip
from forms.rendering.docx.structure import keeps_structure
from forms.rendering.templating import docx_environment
from support.cases import as_of_for, registry_cases, with_rows
from support.text import docx_blocks, docx_tables

FAST = docxfast.render  # no fallback: a failure fails the test
REFERENCE = docx_paths.render_reference
PROPERTIES = (
    "title",
    "subject",
    "keywords",
    "identifier",
    "version",
    "language",
    "category",
    "author",
    "last_modified_by",
    "comments",
    "created",
    "modified",
    "last_printed",
    "revision",
)
CASES = [
    pytest.param(f, v, lang, id=f"{f}-v{v}-{lang}") for f, v in registry_cases() for lang in forms.DOCUMENT_LANGUAGES
]
LONG = 500


def render(form_id: str, version: str, lang: str, data: dict, path) -> bytes:
    """forms.render's DOCX, made by ``path`` (FAST or REFERENCE)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            document, "render_docx", lambda template, context, metadata, finish=None: path(template, context, metadata)
        )
        return forms.render(form_id, data, lang=lang, fmt="docx", version=version, as_of=as_of_for(form_id, version))


def assert_same_document(fast: bytes, reference: bytes) -> None:
    assert docx_blocks(fast) == docx_blocks(reference)
    assert docx_tables(fast) == docx_tables(reference)
    ours, theirs = docx.Document(io.BytesIO(fast)), docx.Document(io.BytesIO(reference))
    for name in PROPERTIES:
        assert getattr(ours.core_properties, name) == getattr(theirs.core_properties, name), name
    page = ("page_width", "page_height", "orientation", "left_margin", "top_margin")
    assert [[getattr(s, a) for a in page] for s in ours.sections] == [
        [getattr(s, a) for a in page] for s in theirs.sections
    ]


@pytest.mark.parametrize("form_id,version,lang", CASES)
def test_fast_docx_is_the_reference_document(form_id, version, lang):
    data = forms.example(form_id, version)
    fast, reference = render(form_id, version, lang, data, FAST), render(form_id, version, lang, data, REFERENCE)
    assert_same_document(fast, reference)
    ours, theirs = zipfile.ZipFile(io.BytesIO(fast)), zipfile.ZipFile(io.BytesIO(reference))
    assert ours.testzip() is None
    assert ours.namelist() == theirs.namelist()
    # Only the rendered body is written differently (Jinja's &#34; where lxml writes "): every other
    # part, the core properties included, is the reference's to the byte.
    assert [n for n in ours.namelist() if ours.read(n) != theirs.read(n)] in ([], ["word/document.xml"])
    assert {(i.date_time, i.external_attr >> 16) for i in ours.infolist()} == {((1980, 1, 1, 0, 0, 0), 0o644)}
    assert render(form_id, version, lang, data, FAST) == fast, "not reproducible"


@pytest.mark.parametrize("form_id,version,lang", CASES)
def test_every_template_is_written_as_rendered(form_id, version, lang, monkeypatch):
    """The speed of long tables rests on this: docxtpl's parse and table fixes are shown to change
    nothing for the template (forms/rendering/docx/structure.py), so they are skipped, and its example's rendered
    XML needs none of docxtpl's post-processing."""
    spec = forms.default_registry().form(form_id).version(version)
    path = forms.default_registry().template_path(spec, lang, "docx")
    package = docxfast._package(path, path.stat().st_mtime)
    assert package.parts[0].as_rendered, (
        "forms/rendering/docx/structure.py cannot show this template keeps its structure"
    )
    calls = []
    monkeypatch.setattr(docxfast, "_post_process", lambda *a: calls.append(1) or b"")
    render(form_id, version, lang, forms.example(form_id, version), FAST)
    assert not calls, "a tab, line break or brace in the template's text or the example sends it through docxtpl"


@pytest.mark.parametrize(
    "form_id,version,lang",
    [c for c in CASES if forms.default_registry().form(c.values[0]).version(c.values[1]).rows_field],
)
def test_long_tables_are_the_reference_tables(form_id, version, lang):
    data = with_rows(form_id, version, LONG)
    fast = render(form_id, version, lang, data, FAST)
    assert max(len(table) for table in docx_tables(fast)) >= LONG
    assert_same_document(fast, render(form_id, version, lang, data, REFERENCE))


MARKUP = "</w:t></w:r></w:p><w:p><w:r><w:t>Ж & \"q\" 'a' <b>"
# Line breaks, tabs and docxtpl's escaped braces: docxtpl's own post-processing runs on these.
POST_PROCESSED = MARKUP + "{_{ 7 }_} {{ 7*7 }}\nжол\tбағана"


def with_text(fields, data: dict, text: str) -> int:
    """Put ``text`` in every string and surname of ``data`` (in list rows too); how many were set."""
    count = 0
    for field in fields:
        value = data.get(field.name)
        if field.type == "string" and value and not field.pattern:
            data[field.name] = text[: field.max_length]
            count += 1
        elif field.type == "person" and value:
            value["last_name"] = text[: field.max_length]
            count += 1
        elif field.type == "list" and value:
            count += sum(with_text(field.children, row, text) for row in value if isinstance(row, dict))
    return count


def with_hostile_text(form_id: str, version: str, text: str) -> dict | None:
    data = forms.example(form_id, version)
    return data if with_text(forms.default_registry().form(form_id).version(version).fields, data, text) else None


@pytest.mark.parametrize("text", [MARKUP, POST_PROCESSED], ids=["markup", "post-processed"])
@pytest.mark.parametrize("form_id,version,lang", [c for c in CASES if with_hostile_text(*c.values[:2], "x")])
def test_hostile_values_are_text_as_on_the_reference_path(form_id, version, lang, text, monkeypatch):
    data = with_hostile_text(form_id, version, text)
    calls = []
    real = docxfast._post_process
    monkeypatch.setattr(docxfast, "_post_process", lambda *a: calls.append(1) or real(*a))
    fast = render(form_id, version, lang, data, FAST)
    # Markup alone is escaped text: the rendered XML is written as it is, without docxtpl's parse.
    assert bool(calls) == (text == POST_PROCESSED)
    assert_same_document(fast, render(form_id, version, lang, data, REFERENCE))
    assert any(MARKUP in block for block in docx_blocks(fast))


def test_a_failure_in_the_fast_path_falls_back_and_logs_no_data(monkeypatch, caplog):
    secret = "Әбенов 900101300017"

    def broken(*args):
        raise ValueError(f"cannot render {secret}")

    data = forms.example("referral")
    reference = render("referral", "1", "kk", data, REFERENCE)
    monkeypatch.setattr(docxfast, "render", broken)
    with caplog.at_level(logging.WARNING, logger="forms.rendering.docx"):
        assert forms.render("referral", data, fmt="docx", as_of=as_of_for("referral", "1")) == reference
    assert "ValueError" in caplog.text and "cannot render" not in caplog.text and secret not in caplog.text


def test_a_document_too_large_for_the_zip_writer_falls_back(monkeypatch, caplog):
    data = forms.example("referral")
    reference = render("referral", "1", "kk", data, REFERENCE)
    monkeypatch.setattr(docxzip, "LIMIT", 1000)  # as if a part needed ZIP64 records
    with caplog.at_level(logging.WARNING, logger="forms.rendering.docx"):
        assert forms.render("referral", data, fmt="docx", as_of=as_of_for("referral", "1")) == reference
    assert "TooLarge" in caplog.text


DOCUMENT = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}'
    "</w:body></w:document>"
)
P = "<w:p><w:r><w:t>{}</w:t></w:r></w:p>"
TABLE = "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{}</w:tbl>"
ROW = "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>"
RUN = "<w:r><w:t>{}</w:t></w:r>"
DRAWING = (
    '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
    'wordprocessingDrawing"><wp:docPr id="1" name="x"/></wp:inline></w:drawing></w:r></w:p>'
)


@pytest.mark.parametrize(
    "body,keeps",
    [
        ("{% for x in xs %}" + P.format("{{ x }}") + "{% endfor %}", True),
        ("{% set n = 2 %}" + P.format("{{ n }}"), True),
        (
            "<w:p>"
            + RUN.format("{% if a %}")
            + RUN.format("yes")
            + RUN.format("{% else %}")
            + RUN.format("no")
            + RUN.format("{% endif %}")
            + "</w:p>",
            True,
        ),
        (TABLE.format(ROW + "{% for r in rs %}" + ROW + "{% endfor %}"), True),
        (P.format("{% if a %}") + P.format("{% endif %}"), False),  # the block closes and opens paragraphs
        ("<w:p>" + RUN.format("{% if a %}") + "</w:p><w:p>" + RUN.format("{% endif %}") + "</w:p>", False),
        ("<w:p>" + RUN.format("{% if a %}") + RUN.format("{% endif %}") + "</w:p>", True),  # closes, reopens a run
        (TABLE.format("<w:tr>{% for c in cs %}<w:tc><w:p/></w:tc>{% endfor %}</w:tr>"), False),
        (TABLE.format("{% if a %}" + ROW + "{% endif %}"), False),  # fix_tables would drop the grid
        (TABLE.format(ROW.replace("</w:tr>", "<w:tc><w:p/></w:tc></w:tr>")), False),
        (TABLE.format('<w:tr><w:tc><w:tcPr><w:gridSpan w:val="{{ n }}"/></w:tcPr><w:p/></w:tc></w:tr>'), False),
        (P.format("{{ x|safe }}"), False),
        (P.format("{{ xs|map('safe')|join }}"), False),
        ("<w:{{ name }}/>", False),
        ('<w:p {% if a %}w:x="1"{% endif %}/>', False),
        (DRAWING, False),
        ("{% macro m() %}{% endmacro %}", False),
        ("{% set x %}" + P.format("") + "{% endset %}", False),
    ],
    ids=[
        "paragraph-loop",
        "set",
        "inline-if-across-runs",
        "row-loop",
        "if-across-paragraphs",
        "block-spanning-paragraphs",
        "if-without-else-across-runs",
        "cell-loop",
        "only-conditional-rows",
        "row-wider-than-grid",
        "span-from-data",
        "safe-filter",
        "safe-by-name",
        "expression-as-tag",
        "block-in-tag",
        "drawing",
        "macro",
        "block-set",
    ],
)
def test_structure_check(body, keeps):
    assert keeps_structure(docx_environment(), DOCUMENT.format(body)) is keeps
