"""The list of 25 adaptation services (code list ``adaptation-services``) drives two documents: the
25 service columns of ``adaptation-report`` and the service choices of ``road-map``. If the list
changes (a service added, removed or reworded), these tests show which of them no longer agrees.
Also: ``road-map`` is a designed document, so it never presents itself as an annexed form."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import docx
import pytest
from pypdf import PdfReader

import forms
from support.cases import rendered
from support.datadir import copy_data
from support.text import docx_tables, docx_text, normalise, pdf_text

LIST = "adaptation-services"
# Where the report's printed heading differs from the list's wording (see the report spec's notes).
REPORT_OWN_WORDING = {"kk": {"4", "11", "20"}, "ru": {"4", "20"}}


def items(registry=None) -> list[dict]:
    return (registry or forms.default_registry()).codelist(LIST)["items"]


def key(code: str) -> str:
    return "s%02d" % int(code)


def report_spec():
    return forms.default_registry().form("adaptation-report").version("1")


def report_service_fields() -> list:
    """The fields s01..s25 of a report row's ``services``."""
    return next(f for f in report_spec().field("rows").children if f.name == "services").children


class _HeadCells(HTMLParser):
    """The text of each cell of the first row of the first <thead>."""

    def __init__(self):
        super().__init__()
        self.in_head = self.done = False
        self.rows, self.cell = 0, None
        self.cells: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "thead" and not self.done:
            self.in_head = True
        elif self.in_head and tag == "tr":
            self.rows += 1
        elif self.in_head and self.rows == 1 and tag == "th":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "thead" and self.in_head:
            self.in_head, self.done = False, True
        elif tag == "th" and self.cell is not None:
            self.cells.append(normalise("".join(self.cell)))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_headings(html: bytes) -> list[str]:
    parser = _HeadCells()
    parser.feed(html.decode("utf-8"))
    return parser.cells


# --- the code list itself -------------------------------------------------------------------------


def test_code_list_has_the_25_services_of_annex_1():
    codes = [item["code"] for item in items()]
    assert codes == [str(n) for n in range(1, 26)]
    for item in items():
        assert all(item.get(lang) for lang in ("kk", "ru", "en")), item["code"]


# --- adaptation-report: 25 service columns ---------------------------------------------------------


def test_report_fields_are_the_list_items():
    fields = report_service_fields()
    assert [f.name for f in fields] == [key(item["code"]) for item in items()]
    for field, item in zip(fields, items()):
        for lang in ("kk", "ru"):
            if item["code"] not in REPORT_OWN_WORDING[lang]:
                assert field.label[lang] == item[lang], f"{field.name} ({lang}) differs from the list"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_report_columns_follow_the_list_in_html_pdf_and_docx(lang):
    expected = [normalise(f.label[lang]) for f in report_service_fields()]
    html = html_headings(rendered("adaptation-report", "1", lang, "html"))
    assert html[2:] == expected and len(html) == 2 + len(items())
    heading_row = docx_tables(rendered("adaptation-report", "1", lang, "docx"))[0][0]
    assert [normalise(c) for c in heading_row[2:]] == expected, "DOCX template out of step with the list"
    numbers_row = docx_tables(rendered("adaptation-report", "1", lang, "docx"))[0][1]
    assert numbers_row == [str(n) for n in range(1, len(items()) + 3)]
    text = pdf_text(rendered("adaptation-report", "1", lang, "pdf"))
    assert all(heading in text for heading in expected)


def test_report_columns_change_with_the_list(tmp_path):
    path = copy_data(tmp_path) / "schemas" / "_codelists" / LIST / "1.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("kk: Жер учаскесін беруге жәрдемдесу", "kk: Жер учаскесін беруге жәрдемдесу (сынақ)")
    text = text[: text.index("- code: '25'")]  # the list loses its last service
    path.write_text(text, encoding="utf-8")
    registry = forms.Registry(tmp_path)
    data = forms.example("adaptation-report", "1", registry=registry)
    html = forms.render("adaptation-report", data, lang="kk", fmt="html", version="1", registry=registry)
    headings = html_headings(html)
    assert len(headings) == 2 + 24
    assert "Жер учаскесін беруге жәрдемдесу (сынақ)" in headings
    assert ">26</th>" in html.decode() and ">27</th>" not in html.decode()


# --- road-map: service choices ---------------------------------------------------------------------


def road_map_service_field():
    spec = forms.default_registry().form("road-map").version("1")
    return next(f for f in spec.field("services").children if f.name == "service")


def test_road_map_choices_are_the_list_items():
    field = road_map_service_field()
    assert [c["value"] for c in field.choices] == [item["code"] for item in items()]
    for choice, item in zip(field.choices, items()):
        assert choice["label"] == {lang: item[lang] for lang in ("kk", "ru", "en")}, item["code"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_road_map_prints_the_list_names(lang):
    by_code = {item["code"]: normalise(item[lang]) for item in items()}
    chosen = [by_code[row["service"]] for row in forms.example("road-map", "1")["services"]]
    for text in (pdf_text(rendered("road-map", "1", lang, "pdf")), docx_text(rendered("road-map", "1", lang, "docx"))):
        assert all(name in text for name in chosen)


def test_road_map_names_change_with_the_list(tmp_path):
    path = copy_data(tmp_path) / "schemas" / "_codelists" / LIST / "1.yaml"
    text = path.read_text(encoding="utf-8")
    old = "ru: Регистрация безработных"
    assert old in text
    path.write_text(text.replace(old, "ru: Регистрация безработных (проверка)"), encoding="utf-8")
    registry = forms.Registry(tmp_path)
    data = forms.example("road-map", "1", registry=registry)
    assert any(row["service"] == "17" for row in data["services"])
    for fmt in ("html", "docx"):
        document = forms.render("road-map", data, lang="ru", fmt=fmt, version="1", registry=registry)
        text = docx_text(document) if fmt == "docx" else normalise(document.decode())
        assert "Регистрация безработных (проверка)" in text, fmt


# --- road-map is designed, not annexed -------------------------------------------------------------

ANNEX_WORDS = re.compile(r"\b(қосымша|нысан|приложение|форма)\b|\d+-қосымша", re.IGNORECASE)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_road_map_never_claims_to_be_an_annexed_form(lang):
    spec = forms.default_registry().form("road-map").version("1")
    assert spec.official is False and not spec.legal_basis.get("annex")
    texts = {
        "pdf": pdf_text(rendered("road-map", "1", lang, "pdf")),
        "docx": docx_text(rendered("road-map", "1", lang, "docx")),
        "html": normalise(re.sub(r"<[^>]+>", " ", rendered("road-map", "1", lang, "html").decode())),
    }
    for fmt, text in texts.items():
        assert not ANNEX_WORDS.search(text), f"{fmt}: {ANNEX_WORDS.search(text).group(0)!r}"
    keywords = PdfReader(io.BytesIO(rendered("road-map", "1", lang, "pdf"))).metadata["/Keywords"]
    assert "designed-form" in keywords
    assert (
        "designed-form" in docx.Document(io.BytesIO(rendered("road-map", "1", lang, "docx"))).core_properties.keywords
    )


def test_specs_pin_the_list_version(tmp_path):
    """A version 2 of the list must not change the columns of an existing report version."""
    for spec in (report_spec(), forms.default_registry().form("road-map").version("1")):
        assert f"{LIST}@1" in spec.codelists
    data = copy_data(tmp_path / "data")
    folder = data / "schemas" / "_codelists" / LIST
    second = (folder / "1.yaml").read_text(encoding="utf-8").replace("version: '1'", "version: '2'")
    (folder / "2.yaml").write_text(second.replace(items()[0]["kk"], "ӨЗГЕРТІЛГЕН ҚЫЗМЕТ"), encoding="utf-8")
    registry = forms.Registry(data)
    html = forms.render("adaptation-report", forms.example("adaptation-report"), fmt="html", registry=registry).decode()
    assert "ӨЗГЕРТІЛГЕН ҚЫЗМЕТ" not in html
    assert registry.codelist(LIST)["items"][0]["kk"] == "ӨЗГЕРТІЛГЕН ҚЫЗМЕТ"
