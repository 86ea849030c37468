"""Nysan's typesetter (forms/typeset) gives WeasyPrint's pages.

For every registered form it accepts: the same page count, the same text on every page, the same
outline and metadata as WeasyPrint rendering the same HTML, and every piece of text at the place
where WeasyPrint's box tree puts it. Lines break alike on random text, long journals, road maps and
contracts paginate alike (headings repeated), random automatic-layout tables get WeasyPrint's
column widths, and what the typesetter does not support goes to WeasyPrint.
"""

from __future__ import annotations

import copy
import html as html_escape
import io
import logging
import random
from collections import defaultdict
from unittest import mock

import pytest
from pypdf import PdfReader
from test_speed_paths import journal
from weasyprint import HTML
from weasyprint.formatting_structure import boxes as weasy_boxes

import forms
from forms import typeset
from forms.rendering import pdf
from support.cases import as_of_for, registry_cases
from support.text import normalise, pdf_text, pdftotext

CSS = forms.default_registry().templates_dir / "_layout" / "form.css"
IDENTIFIER = b"0" * 32
# Forms whose templates are inside the typesetter's subset (the speed goals' documents among them).
MUST_TYPESET = {
    "referral",
    "referral-journal",
    "placement-application",
    "adaptation-application",
    "road-map",
    "special-services-journal",
    "violence-application",
    "rehabilitation-contract",
    "trafficking-rehabilitation-contract",
    "violence-services-contract",
    "adaptation-report",
}
DECLINED: dict[str, str] = {}  # form -> why the typesetter leaves it to WeasyPrint (none today)
TOLERANCE = 0.05  # px: WeasyPrint's Pango measures in 1/1024 px
KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def _pages(data: bytes) -> list[str]:
    return [normalise(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def _outline(reader: PdfReader) -> list[str]:
    titles = []
    for item in reader.outline:
        titles.extend(_outline_titles(item))
    return titles


def _outline_titles(item) -> list[str]:
    if isinstance(item, list):
        return [title for child in item for title in _outline_titles(child)]
    return [item.title]


def _both(html: str) -> tuple[bytes, bytes]:
    return typeset.render(html, CSS, IDENTIFIER), pdf.plain_html_to_pdf(html, CSS, IDENTIFIER)


def _typeset_with_places(html: str) -> tuple[bytes, list]:
    """The typesetter's PDF and where it put each piece of text: (page, x, baseline y, text)."""
    captured = []
    write = typeset.write

    def capture(pages, *args):
        captured.extend(pages)
        return write(pages, *args)

    with mock.patch.object(typeset, "write", capture):
        data = typeset.render(html, CSS, IDENTIFIER)
    places = []

    def walk(number, ops, y, matrix):
        for op in ops:
            if op[0] == "shift":
                walk(number, op[2], y + op[1], matrix)
            elif op[0] == "transform":  # its matrix is in the coordinates its ops are drawn in
                a, b, c, d, e, f = op[1]
                inner = (a, b, c, d, e, f + y)  # then moved down by y, then the outer matrix
                walk(number, op[2], 0.0, inner if matrix is None else _compose(inner, matrix))
            elif op[0] == "line":
                _, x, baseline, line, (offset, extra) = op
                spaces = 0
                for run in line.runs:
                    places.append(_place(number, x + offset + run.x + spaces * extra, y + baseline, run.text, matrix))
                    spaces += run.text.count(" ")

    for number, page in enumerate(captured):
        for band, y in page.placed:
            walk(number, band.ops, 0.0, (1, 0, 0, 1, 0, y))
    return data, [place for place in places if place[3]]


def _compose(first: tuple, second: tuple) -> tuple:
    """The matrix (a, b, c, d, e, f) of ``first`` then ``second``."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _place(number: int, x: float, y: float, text: str, matrix: tuple | None) -> tuple:
    """(page, x, y, text) of a text starting at (x, y) drawn through ``matrix``; a text turned from
    the horizontal is named with its direction, so that it only matches text turned alike."""
    a, b, c, d, e, f = matrix or (1, 0, 0, 1, 0, 0)
    text = text.strip()
    if (round(a), round(b)) != (1, 0):
        text += f" [turned to {round(a)},{round(b)}]"
    return number, a * x + c * y + e, b * x + d * y + f, text


def _weasyprint_with_places(html: str) -> tuple[bytes, list]:
    """WeasyPrint's PDF (as ``pdf.plain_html_to_pdf``) and its text boxes: (page, x, baseline y, text)."""
    fonts = pdf._fonts()
    document = HTML(string=html, base_url=pdf.ASSETS_URL, url_fetcher=fonts.fetcher).render(
        stylesheets=pdf._stylesheets(CSS), font_config=fonts.config
    )
    places = []

    def walk(number, box, matrix):
        if box.transformation_matrix:  # set as WeasyPrint draws it (its anchors pass)
            own = tuple(
                box.transformation_matrix[0][:2] + box.transformation_matrix[1][:2] + box.transformation_matrix[2][:2]
            )
            matrix = own if matrix is None else _compose(own, matrix)
        if isinstance(box, weasy_boxes.TextBox) and box.text.strip():
            places.append(_place(number, box.position_x, box.position_y + box.baseline, box.text, matrix))
        for child in getattr(box, "children", ()):
            walk(number, child, matrix)

    for number, page in enumerate(document.pages):
        walk(number, page._page_box, None)
    return document.write_pdf(pdf_identifier=IDENTIFIER), places


def _assert_same_places(mine: list, reference: list) -> None:
    """Every text box of WeasyPrint's pages has its twin in the typesetter's, on the same page, at
    the same place (to Pango's precision), and nothing else is drawn."""
    assert reference, "WeasyPrint placed no text: nothing was compared"
    pool = defaultdict(list)
    for place in mine:
        pool[(place[0], place[3])].append(place)
    missing = []
    for page, x, y, text in reference:
        twins = pool.get((page, text), [])
        twin = next((t for t in twins if abs(t[1] - x) < TOLERANCE and abs(t[2] - y) < TOLERANCE), None)
        if twin is None:
            missing.append((page, round(x, 2), round(y, 2), text))
        else:
            twins.remove(twin)
    extra = [(p, round(x, 2), round(y, 2), t) for places in pool.values() for p, x, y, t in places]
    assert not missing and not extra, f"misplaced: WeasyPrint {missing[:5]}, typesetter {extra[:5]}"


def _assert_same_layout(html: str, spaces: bool = True) -> tuple[bytes, bytes]:
    """Same document (text per page, outline, metadata) and every text at the same place.
    ``spaces=False``: the pages' texts are compared without their spaces, which pypdf infers from
    the gaps between runs (texts of adjacent cells that touch may read as one word or two)."""
    fast, mine = _typeset_with_places(html)
    plain, reference = _weasyprint_with_places(html)
    _assert_same_document(fast, plain, spaces)
    _assert_same_places(mine, reference)
    return fast, plain


def _assert_same_document(fast: bytes, plain: bytes, spaces: bool = True) -> None:
    fast_pages, plain_pages = _pages(fast), _pages(plain)
    assert len(fast_pages) == len(plain_pages)
    for number, (mine, reference) in enumerate(zip(fast_pages, plain_pages), start=1):
        if not spaces:
            mine, reference = "".join(mine.split()), "".join(reference.split())
        assert mine == reference, f"page {number} differs"
    fast_reader, plain_reader = PdfReader(io.BytesIO(fast)), PdfReader(io.BytesIO(plain))
    assert _outline(fast_reader) == _outline(plain_reader)
    for key in ("/Title", "/Subject", "/Keywords", "/Author"):
        assert fast_reader.metadata.get(key) == plain_reader.metadata.get(key)
    assert fast_reader.trailer["/Root"]["/Lang"] == plain_reader.trailer["/Root"]["/Lang"]
    assert [page.mediabox[2:] for page in fast_reader.pages] == [page.mediabox[2:] for page in plain_reader.pages]


@pytest.mark.parametrize("form_id,version", registry_cases())
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_typeset_example_has_weasyprints_pages(form_id, version, lang):
    html = forms.render(
        form_id,
        forms.example(form_id, version),
        fmt="html",
        lang=lang,
        version=version,
        as_of=as_of_for(form_id, version),
    ).decode("utf-8")
    try:
        typeset.render(html, CSS, IDENTIFIER)
    except typeset.NotSupported as reason:
        assert form_id not in MUST_TYPESET, f"{form_id} declined: {reason}"
        assert DECLINED.get(form_id, "-") in str(reason), f"{form_id} declined for another reason: {reason}"
        pytest.skip(f"outside the typesetter's subset ({reason}): WeasyPrint renders it")
    _assert_same_layout(html)


def _branch(node: dict, kind: str) -> dict:
    """The schema node itself, or its ``anyOf`` branch of the given type (nullable fields)."""
    return next((alt for alt in node.get("anyOf", ()) if alt.get("type") == kind), node)


def _required_only(value, node: dict):
    """The payload less every optional field, at every depth: blank slots and short tables."""
    if isinstance(value, dict):
        node = _branch(node, "object")
        required = node.get("required", ())
        return {key: _required_only(item, node["properties"][key]) for key, item in value.items() if key in required}
    if isinstance(value, list):
        node = _branch(node, "array")
        return [_required_only(item, node["items"]) for item in value]
    return value


def _stretched(form_id: str, rows: int) -> dict:
    """The example with every list grown to ``rows`` items (or the most its spec allows), each a
    copy of the example's items in turn."""
    data, schema = forms.example(form_id), forms.schema(form_id)
    for key, value in data.items():
        if isinstance(value, list) and value:
            limit = _branch(schema["properties"][key], "array").get("maxItems", rows)
            data[key] = [copy.deepcopy(value[index % len(value)]) for index in range(min(rows, limit))]
    return data


def _longest_values(value, node: dict):
    """Every text of the payload as long as its spec allows, in words of the text itself (slots,
    blanks and cells wrap onto several lines)."""
    if isinstance(value, dict):
        node = _branch(node, "object")
        return {key: _longest_values(item, node["properties"].get(key, {})) for key, item in value.items()}
    if isinstance(value, list):
        node = _branch(node, "array")
        return [_longest_values(item, node.get("items", {})) for item in value]
    node = _branch(node, "string")
    if (
        isinstance(value, str)
        and node.get("maxLength")
        and not node.get("format")
        and not node.get("pattern")
        and not node.get("enum")
        and " " in value
    ):
        text = value
        while len(text) + len(value) + 1 <= node["maxLength"]:
            text += " " + value
        return text
    return value


def _form_html(form_id: str, data: dict, lang: str) -> str:
    version = forms.default_registry().form(form_id).versions[-1].version
    return forms.render(
        form_id, data, fmt="html", lang=lang, version=version, as_of=as_of_for(form_id, version)
    ).decode("utf-8")


TYPESET_FORMS = sorted(MUST_TYPESET)


@pytest.mark.parametrize("form_id", TYPESET_FORMS)
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_required_fields_only_have_weasyprints_layout(form_id, lang):
    # Blank slots shrink their tables to the text (automatic width), empty tables print blank rows.
    data = _required_only(forms.example(form_id), forms.schema(form_id))
    _assert_same_layout(_form_html(form_id, data, lang))


@pytest.mark.parametrize("form_id", TYPESET_FORMS)
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_longest_values_have_weasyprints_layout(form_id, lang):
    data = _longest_values(forms.example(form_id), forms.schema(form_id))
    html = _form_html(form_id, data, lang)
    fast, _ = _assert_same_layout(html)
    assert PdfReader(io.BytesIO(fast)).metadata.producer == "Nysan typesetter"


@pytest.mark.parametrize(
    "form_id,rows",
    [
        pytest.param("road-map", 200, marks=pytest.mark.slow),
        pytest.param("special-services-journal", 200, marks=pytest.mark.slow),
        pytest.param("adaptation-report", 300, marks=pytest.mark.slow),
        ("adaptation-application", 20),
        ("adaptation-application", 30),
        ("violence-application", 10),
    ],
)
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_long_forms_paginate_like_weasyprint(form_id, rows, lang):
    fast, _ = _assert_same_layout(_form_html(form_id, _stretched(form_id, rows), lang))
    if rows >= 200:
        assert len(_pages(fast)) > 4


def _body_times(html: str, times: int) -> str:
    start = html.index(">", html.index("<body")) + 1
    end = html.index("</body>")
    return html[:start] + html[start:end] * times + html[end:]


@pytest.mark.parametrize(
    "form_id", ["rehabilitation-contract", "trafficking-rehabilitation-contract", "violence-services-contract"]
)
@pytest.mark.parametrize("values,times", [("example", 3), ("longest", 2), ("longest", 3)])
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_contract_several_times_over_paginates_like_weasyprint(form_id, values, times, lang):
    # The contract's body several times in one document: captioned slots, sections kept with their
    # text and the parties' table (break-inside: avoid) fall at every height of a page.
    data = forms.example(form_id)
    if values == "longest":
        data = _longest_values(data, forms.schema(form_id))
    fast, _ = _assert_same_layout(_body_times(_form_html(form_id, data, lang), times))
    assert len(_pages(fast)) >= 3


@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_long_journal_paginates_like_weasyprint(lang):
    html = forms.render("referral-journal", journal(300), fmt="html", lang=lang).decode("utf-8")
    fast, _ = _assert_same_layout(html)
    pages = _pages(fast)
    assert len(pages) > 15
    heading = "№ р/с" if lang == "kk" else "№ п/п"
    assert all(heading in page for page in pages), "the table heading repeats on every page"
    assert "300 " in pages[-1]


def test_empty_journal_prints_blank_rows_like_weasyprint():
    data = forms.example("referral-journal")
    data["entries"] = []
    fast, plain = _both(forms.render("referral-journal", data, fmt="html").decode("utf-8"))
    _assert_same_document(fast, plain)


def _random_paragraphs(seed: int) -> str:
    rng = random.Random(seed)
    letters = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі" + "АБВГДЕЖЗӘҒҚҢӨҰҮҺІ" + "abcdefghijklmnopqrstuvwxyzTVWY"
    marks = [",", ".", ";", ":", "»", "«", "(", ")", '"', "-", "–", "—", "/", "№", "?", "!", "%"]

    def word() -> str:
        text = "".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
        roll = rng.random()
        if roll < 0.1:
            return text + rng.choice(marks)
        if roll < 0.15:
            return rng.choice(marks) + text
        if roll < 0.22:
            return text + "-" + "".join(rng.choice(letters) for _ in range(rng.randint(1, 8)))
        if roll < 0.27:
            return str(rng.randint(1, 99999)) + rng.choice(["", "-17/12", ".04.1985", "/3"])
        return text

    paragraphs = []
    for _ in range(40):
        style = (
            f"width:{rng.choice(['100%', '40%', '25%', '60mm', '30mm'])};"
            f"font-size:{rng.choice(['12pt', '10pt', '9pt', '11pt'])};"
            f"text-align:{rng.choice(['left', 'justify', 'center', 'right'])};"
            f"font-weight:{rng.choice(['normal', 'bold'])};overflow-wrap:break-word"
        )
        text = html_escape.escape(" ".join(word() for _ in range(rng.randint(3, 40))))
        paragraphs.append(f'<p style="{style}">{text}</p>')
    return _document(paragraphs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_paragraphs_break_line_for_line_like_weasyprint(seed):
    fast, plain = _both(_random_paragraphs(seed))

    def lines(data: bytes) -> list[str]:
        return [
            " ".join(line.split())
            for page in PdfReader(io.BytesIO(data)).pages
            for line in (page.extract_text() or "").split("\n")
        ]

    assert lines(fast) == lines(plain)
    assert len(lines(plain)) >= 40, "fewer lines than paragraphs: the comparison saw too little"


def _document(parts: list[str]) -> str:
    return (
        "<!DOCTYPE html><html lang='kk'><head><meta charset='utf-8'><title>t</title></head><body>"
        + "\n".join(parts)
        + "</body></html>"
    )


def _assert_same_layout_unless_declined(html: str, *reasons: str) -> None:
    """WeasyPrint's layout, or a decline for one of ``reasons``: then the document a user gets is
    WeasyPrint's own, byte for byte, and the engine listeners (the metrics) hear why."""
    try:
        typeset.render(html, CSS, IDENTIFIER)
    except typeset.NotSupported as reason:
        assert any(expected in str(reason) for expected in reasons), reason
        engines = []
        pdf.ENGINE_LISTENERS.append(lambda form, engine, why: engines.append((engine, why)))
        try:
            delivered = pdf.html_to_pdf(html, CSS, form="random")
        finally:
            pdf.ENGINE_LISTENERS.pop()
        assert engines == [(pdf.WEASYPRINT, pdf.reason_code(reason))]
        assert delivered == pdf.plain_html_to_pdf(html, CSS)
        return
    _assert_same_layout(html, spaces=False)


def _random_words(rng: random.Random, count: int) -> str:
    """Words of Kazakh, Russian and Latin letters, with punctuation, hyphens and numbers, some in
    nowrap, bold or underlined elements."""
    letters = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі" + "АБВГДЕЖЗӘҒҚҢӨҰҮҺІ" + "abcdefghijklmnopqrstuvwxyz"
    words = []
    for _ in range(count):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 11)))
        roll = rng.random()
        if roll < 0.12:
            word += rng.choice([",", ".", ";", ":", ")"])
        elif roll < 0.2:
            word += "-" + "".join(rng.choice(letters) for _ in range(rng.randint(1, 6)))
        elif roll < 0.26:
            word = str(rng.randint(1, 99999)) + rng.choice(["", ".04.1985", "/3"])
        word = html_escape.escape(word)
        roll = rng.random()
        if roll < 0.1:
            word = f'<span style="white-space:nowrap">{word}</span>'
        elif roll < 0.18:
            word = f"<b>{word}</b>"
        elif roll < 0.24:
            word = f'<span style="text-decoration:underline">{word}</span>'
        words.append(word)
    return " ".join(words)


def _random_tables(seed: int) -> str:
    """Tables in the automatic layout as the forms write them (width 100%, auto or fixed; cells
    of percentage, fixed, 1% nowrap or no width; paddings, bottom borders, captioned blanks)."""
    rng = random.Random(seed)
    tables = []
    for _ in range(3):
        columns, rows = rng.randint(2, 4), rng.randint(1, 2)
        widths = [
            rng.choice(
                [
                    "",
                    "width:1%;white-space:nowrap",
                    f"width:{rng.choice([10, 25, 40, 50])}%",
                    f"width:{rng.choice([15, 20, 30, 45])}mm",
                    "",
                ]
            )
            for _ in range(columns)
        ]
        body = []
        for row in range(rows):
            cells = []
            for column in range(columns):
                style = widths[column] if row == 0 or rng.random() < 0.5 else ""
                style += f";padding:{rng.choice(['0', '1mm', '0 3mm 0 0', '0.5mm 1.5mm'])}"
                style += f";vertical-align:{rng.choice(['top', 'middle', 'bottom', 'baseline'])}"
                if rng.random() < 0.3:
                    style += ";border-bottom:0.6pt solid black"
                if rng.random() < 0.15:
                    style += ";border:0.6pt solid black"
                if rng.random() < 0.15:
                    style += ";text-align:" + rng.choice(["center", "right", "justify"])
                if rng.random() < 0.15:
                    style += ";font-size:" + rng.choice(["9pt", "10pt", "13pt"])
                roll = rng.random()
                if roll < 0.2:
                    content = (
                        f'<div style="border-bottom:0.6pt solid black;min-height:1.25em">'
                        f'{_random_words(rng, rng.randint(0, 5))}</div><div style="font-size:9pt;'
                        f'text-align:center;margin-top:0.5mm">({_random_words(rng, rng.randint(1, 4))})</div>'
                    )
                elif roll < 0.25:
                    content = ""
                else:
                    content = _random_words(rng, rng.randint(1, 10))
                cells.append(f'<td style="{style}">{content}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        width = rng.choice(["100%", "auto", "120mm", "80%"])
        tables.append(f'<table style="width:{width};border-collapse:collapse;margin-top:3mm">{"".join(body)}</table>')
    return _document(tables)


@pytest.mark.parametrize("seed", range(12))
def test_random_automatic_tables_have_weasyprints_column_widths(seed):
    # Every text box at WeasyPrint's place: the columns are as wide as WeasyPrint makes them.
    _assert_same_layout(_random_tables(seed))


def _random_long_document(seed: int) -> str:
    """Paragraphs, headings (break-after: avoid) and tables over several pages: tables with or
    without heading rows, bordered alike, on one side or not at all, some of break-inside: avoid,
    rows of break-inside: avoid or not."""
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(6, 10)):
        if rng.random() < 0.4:
            parts.append(f'<p style="margin:0 0 2mm">{_random_words(rng, rng.randint(5, 60))}</p>')
            continue
        columns = rng.randint(2, 4)
        widths = [
            rng.choice(["", "width:1%;white-space:nowrap", f"width:{rng.choice([10, 25, 40])}%", ""])
            for _ in range(columns)
        ]
        border = rng.choice(["", "border:0.6pt solid black", "border-bottom:0.6pt solid black"])
        head = ""
        if rng.random() < 0.5:
            head = (
                "<thead><tr>"
                + "".join(
                    f'<th style="{border};{widths[column]}">{_random_words(rng, rng.randint(1, 3))}</th>'
                    for column in range(columns)
                )
                + "</tr></thead>"
            )
        rows = []
        for _ in range(rng.randint(3, 25)):
            cells = "".join(
                f'<td style="{border};padding:0.5mm 1mm;vertical-align:{rng.choice(["top", "middle", "bottom"])}">'
                f"{_random_words(rng, rng.randint(0, 6))}</td>"
                for _ in range(columns)
            )
            rows.append(f'<tr style="{rng.choice(["break-inside:avoid", ""])}">{cells}</tr>')
        if rng.random() < 0.3:
            parts.append(f"<h2>{_random_words(rng, 3)}</h2>")
        style = rng.choice(["", "", "break-inside:avoid;"]) + f"width:{rng.choice(['100%', 'auto', '100%'])}"
        parts.append(
            f'<table style="{style};border-collapse:collapse;margin:2mm 0">{head}<tbody>{"".join(rows)}</tbody></table>'
        )
    return _document(parts)


@pytest.mark.parametrize("seed", range(16))
def test_random_long_documents_paginate_like_weasyprint(seed):
    # Page breaks between rows, heading rows repeated, a continued table's top border, tables of
    # break-inside: avoid moved whole: WeasyPrint's pages exactly, or declined where WeasyPrint
    # would break inside a row (the document then goes to WeasyPrint).
    _assert_same_layout_unless_declined(_random_long_document(seed), "split across pages")


def _random_broken_rows(seed: int) -> str:
    """Borderless tables (as the forms' signature and date tables) starting near a page's bottom:
    cells of text, captioned blanks, blocks with margins, nested blocks, in every alignment."""
    rng = random.Random(seed)

    def block() -> str:
        roll, words = rng.random(), _random_words(rng, rng.randint(1, 14))
        if roll < 0.3:
            return (
                f'<div style="margin:0 0 {rng.choice([0, 2, 3])}mm"><div style="border-bottom:0.6pt solid black;'
                f'min-height:1.25em">{words}</div><div style="font-size:9pt;text-align:center;margin-top:0.5mm">'
                f"({_random_words(rng, rng.randint(1, 4))})</div></div>"
            )
        if roll < 0.6:
            return f'<div style="margin:{rng.choice([0, 1, 4])}mm 0 {rng.choice([0, 2])}mm">{words}</div>'
        if roll < 0.75:
            return (
                f'<div><div>{words}</div><div style="margin-top:{rng.choice([0, 3])}mm">'
                f"{_random_words(rng, rng.randint(1, 8))}</div></div>"
            )
        return words

    parts = [f'<div style="height:{rng.randint(700, 1000)}px"></div>']
    for _ in range(rng.randint(1, 3)):
        columns = rng.randint(2, 3)
        rows = []
        for _ in range(rng.randint(1, 3)):
            cells = "".join(
                f'<td style="padding:{rng.choice(["0", "1mm 2mm", "0 3mm 0 0", "2mm 0"])};vertical-align:'
                f'{rng.choice(["top", "middle", "bottom"])}">{"".join(block() for _ in range(rng.randint(0, 3)))}</td>'
                for _ in range(columns)
            )
            rows.append(f"<tr>{cells}</tr>")
        head = ""
        if rng.random() < 0.3:
            head = (
                "<thead><tr>" + "".join(f"<th>{_random_words(rng, 2)}</th>" for _ in range(columns)) + "</tr></thead>"
            )
        parts.append(
            f'<table style="width:{rng.choice(["100%", "auto"])};border-collapse:collapse;'
            f'margin:{rng.choice([0, 3])}mm 0">{head}<tbody>{"".join(rows)}</tbody></table>'
        )
    return _document(parts)


@pytest.mark.parametrize("seed", range(24))
def test_random_rows_broken_across_pages_like_weasyprint(seed):
    # WeasyPrint breaks a row at the page's bottom: each cell keeps what fits (orphans, widows, a
    # child's bottom margin, a captioned blank's line broken between its lines), a broken cell
    # fills the page, the rest goes on the next page without the cells' top padding and with
    # truncated margins. Rows too tall for a page are declined.
    _assert_same_layout_unless_declined(_random_broken_rows(seed), "split across pages", "taller than the page")


def test_most_random_documents_are_typeset_and_compared():
    # The two families above accept WeasyPrint's document where the typesetter declines: most must
    # still be typeset and compared.
    families = [
        ([_random_long_document(seed) for seed in range(16)], 14),
        ([_random_broken_rows(seed) for seed in range(24)], 20),
    ]
    for documents, least in families:
        compared = 0
        for html in documents:
            try:
                typeset.render(html, CSS, IDENTIFIER)
                compared += 1
            except typeset.NotSupported:
                pass
        assert compared >= least, f"only {compared} of {len(documents)} random documents compared"


@pytest.mark.parametrize("seed", range(4))
def test_random_inline_elements_break_lines_like_weasyprint(seed):
    # Lines ending with an element's text whose trailing space does not fit: WeasyPrint keeps only
    # that text's first word there. Paragraphs of many elements at many widths find such lines.
    rng = random.Random(seed)
    paragraphs = [
        f'<p style="width:{rng.randint(40, 160)}mm;text-align:{rng.choice(["left", "justify"])}">'
        f"{_random_words(rng, rng.randint(5, 40))}</p>"
        for _ in range(25)
    ]
    _assert_same_layout(
        "<!DOCTYPE html><html lang='kk'><head><title>t</title></head><body>" + "".join(paragraphs) + "</body></html>"
    )


def test_sibling_combinators_and_box_sizing_have_weasyprints_layout():
    style = """
    p + p { font-size: 10pt; margin-left: 10mm }
    h2 ~ p { text-indent: 5mm }
    table.t td + td { padding: 0 0 0 4mm }
    table.t td + td + td { padding: 0 0 0 8mm; font-weight: bold }
    div.box { width: 60mm; padding: 2mm 5mm; border: 1pt solid black; margin-bottom: 2mm }
    div.box.border { box-sizing: border-box }
    h2 + div p { font-size: 9pt }
    h1 ~ p + p { font-style: italic }
    """
    cells = "".join(f"<td>{word} клетка {index}</td>" for index, word in enumerate(["бір", "екі", "үш", "төрт"]))
    body = f"""<h1>Тақырып</h1><p>Бірінші абзац мәтіні қысқа.</p><p>Екінші абзац, алдыңғы абзацтан кейін:
    кішірек әріп және шегініс.</p><p>Үшінші абзац та солай.</p><h2>Бөлім</h2><div><p>Бөлім ішіндегі абзац,
    ол тақырыптан кейінгі блоктың ішінде.</p></div><p>Бөлімнен кейінгі абзац бірінші жолында шегініспен
    басталады, себебі ол h2 элементінен кейін тұр.</p>
    <table class="t" style="width:100%;border-collapse:collapse">
    <tr>{cells}</tr><tr>{cells}</tr></table>
    <div class="box">Мазмұн ені 60 мм, оған ішкі шегіністер мен жиектер қосылады.</div>
    <div class="box border">Мұнда 60 мм — жиектерімен бірге толық ені (border-box).</div>"""
    fast, _ = _assert_same_layout(
        f"<!DOCTYPE html><html lang='kk'><head><title>t</title><style>{style}</style></head><body>{body}</body></html>"
    )
    assert PdfReader(io.BytesIO(fast)).metadata.producer == "Nysan typesetter"


@pytest.mark.parametrize("selector", ["p + h1 ~ p", "p ~ h1 ~ p", "p ~ p ~ p", "p:first-child", "p > ~ p"])
def test_sibling_selectors_beyond_the_subset_are_declined(selector):
    html = (
        f"<!DOCTYPE html><html><head><title>t</title><style>{selector} {{ margin: 0 }}</style></head>"
        "<body><p>x</p><p>y</p></body></html>"
    )
    with pytest.raises(typeset.NotSupported):
        typeset.render(html, CSS, IDENTIFIER)


def test_render_uses_the_typesetter_and_weasyprint_on_request():
    data = forms.example("referral")
    data["applicant"]["last_name"] = KAZAKH
    fast = forms.render("referral", data)
    assert PdfReader(io.BytesIO(fast)).metadata.producer == "Nysan typesetter"
    assert KAZAKH in pdf_text(fast)
    assert KAZAKH in pdftotext(fast)
    assert forms.render("referral", data) == fast, "not reproducible"
    weasyprint = forms.Registry(settings=forms.Settings(pdf_engine="weasyprint"))
    plain = forms.render("referral", data, registry=weasyprint)
    assert PdfReader(io.BytesIO(plain)).metadata.producer.startswith("WeasyPrint")
    assert _pages(plain) == _pages(fast)


def test_a_failing_typesetter_costs_no_document(monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("Нұрланов")  # a message quoting data must not reach the log

    monkeypatch.setattr(typeset, "render", broken)
    with caplog.at_level(logging.WARNING, logger="nysan.pdf"):
        data = forms.render("referral", forms.example("referral"))
    assert PdfReader(io.BytesIO(data)).metadata.producer.startswith("WeasyPrint")
    assert "RuntimeError" in caplog.text and "Нұрланов" not in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        '<img src="x.png">',
        "<ul><li>x</li></ul>",
        '<p style="position: absolute">x</p>',
        "<style>@media print { p { color: red } }</style><p>x</p>",
        "<style>p:first-child { margin: 0 }</style><p>x</p>",
        '<table><tr><td colspan="2">x</td></tr></table>',
        "<p>x\u0301</p>",  # a combining mark needs the full shaper
        '<div style="transform: rotate(45deg)">x</div>',  # only quarter turns
        '<div style="transform: scale(2)">x</div>',
        '<p>a <span style="transform: rotate(90deg)">x</span></p>',  # WeasyPrint ignores it on inline boxes
    ],
)
def test_what_the_typesetter_does_not_do_is_declined(body):
    html = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    with pytest.raises(typeset.NotSupported):
        typeset.render(html, CSS, IDENTIFIER)
    assert pdf.html_to_pdf(html, CSS).startswith(b"%PDF-")  # WeasyPrint renders it instead


@pytest.mark.parametrize(
    "style",
    [
        "transform-origin: 0 0; transform: rotate(-90deg) translate(-100%, -50%)",
        "transform: rotate(90deg)",
        "transform-origin: right top; transform: translateX(-5mm) rotate(180deg)",
        "transform-origin: left 10px; transform: rotate(270deg) translateY(3mm)",
    ],
)
def test_turned_blocks_are_drawn_where_weasyprint_draws_them(style):
    # A turned block keeps its place in the flow; its text goes where WeasyPrint's matrix puts it,
    # turned alike, and is painted after the rest of the page (text order in the PDF as WeasyPrint's).
    block = (
        f'<div style="width:60mm;margin:2mm 0 2mm 30mm;{style}">Бұрылған мәтін, екі жолға сыймайтын '
        "ұзын тақырып, бір бағанның ені</div>"
    )
    html = _document(
        [
            "<p>Алдыңғы абзац.</p>",
            block,
            "<p>Келесі абзац, бұрылған блоктан кейін.</p>",
            '<table style="width:100%;border-collapse:collapse"><tr><td style="border:1px solid black;'
            f'height:30mm;vertical-align:top"><div style="width:25mm;{style}">ұяшықтағы бұрылған мәтін'
            "</div></td><td>көрші</td></tr></table>",
        ]
    )
    _assert_same_layout(html)


def test_hostile_data_prints_literally_through_the_typesetter():
    hostile = "<b>x</b> & {{ 7*7 }} </p><script>alert(1)</script>"
    data = forms.example("referral")
    data["head_name"] = hostile
    pdf_bytes = forms.render("referral", data)
    assert PdfReader(io.BytesIO(pdf_bytes)).metadata.producer == "Nysan typesetter"
    assert normalise(hostile) in pdf_text(pdf_bytes)
