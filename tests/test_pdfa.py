"""Archival PDFs: every PDF Nysan writes passes pikepdf's PDF/A checker (``pikepdf.pdfa``) for the
variant asked — every form × language × variant, on both engines, long journals, random data and
merged batches — says in its XMP what its information dictionary says, and a PDF/A-3b carries its
data as ``nysan-data.json``. The bytes stay reproducible."""

from __future__ import annotations

import io
import json
import random

import pikepdf
import pikepdf.pdfa
import pytest

import forms
from forms.pdfa import ICC_PATH
from forms.rendering import pdf as pdf_paths
from service import create_app
from support.cases import as_of_for, use_engine, with_rows
from support.mutations import mutated_example
from support.text import pdf_text

FORMS = [f["id"] for f in forms.list_forms()]
VARIANTS = forms.PDFA_VARIANTS
ENGINES = ("auto", "weasyprint")


def render(form_id: str, data: dict, lang: str = "kk", pdfa: str = "2b") -> bytes:
    version = forms.default_registry().form(form_id).latest.version
    return forms.render(form_id, data, lang=lang, pdfa=pdfa, version=version, as_of=as_of_for(form_id, version))


def assert_pdfa(document: bytes, variant: str) -> None:
    report = pikepdf.pdfa.validate_written(io.BytesIO(document), variant)
    assert report.passed, [str(finding) for finding in report.findings]
    assert document.startswith(b"%PDF-1.4" if variant == "1b" else b"%PDF-1.7")


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch):
    use_engine(monkeypatch, request.param)
    return request.param


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
@pytest.mark.parametrize("form_id", FORMS)
def test_every_form_language_and_variant_is_pdfa(form_id, lang, variant, engine):
    data = forms.example(form_id)
    document = render(form_id, data, lang, variant)
    assert_pdfa(document, variant)
    assert render(form_id, data, lang, variant) == document, "not reproducible"


def test_the_default_is_pdfa_2b():
    document = forms.render("referral", forms.example("referral"))
    assert_pdfa(document, "2b")
    with pikepdf.open(io.BytesIO(document)) as pdf, pdf.open_metadata() as meta:
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"


@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_xmp_says_what_the_information_dictionary_says(lang, engine):
    document = render("referral", forms.example("referral"), lang, "2b")
    with pikepdf.open(io.BytesIO(document)) as pdf, pdf.open_metadata() as meta:
        info = pdf.docinfo
        assert meta["dc:title"] == str(info.Title) and "(referral, v1)" in meta["dc:title"]
        assert meta["dc:description"] == str(info.Subject) and "331-ө-м" in meta["dc:description"]
        keywords = meta["pdf:Keywords"]
        assert keywords == str(info.Keywords)
        assert {"nysan-form:referral", "version:1", f"lang:{lang}"} <= set(keywords.split(", "))
        assert str(pdf.Root.Lang) == lang
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3


def test_the_typesetter_bundles_the_licensed_srgb_profile():
    document = render("referral", forms.example("referral"))
    with pikepdf.open(io.BytesIO(document)) as pdf:
        profile = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
    assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "
    assert profile == ICC_PATH.read_bytes() and "Zlib" in (ICC_PATH.parent / "LICENSE").read_text()


@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_pdfa_3b_carries_its_data(lang, engine):
    data = forms.example("placement-application")
    document = render("placement-application", data, lang, "3b")
    with pikepdf.open(io.BytesIO(document)) as pdf:
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == "/Source" and str(spec.F) == "nysan-data.json"
        attached = pdf.attachments["nysan-data.json"].get_file()
        assert attached.mime_type == "application/json"
        carried = json.loads(attached.read_bytes())
    assert carried == {"form": "placement-application", "version": "1", "lang": lang, "data": data}


@pytest.mark.parametrize("variant", ("1b", "2b"))
def test_only_3b_attaches_the_data(variant):
    document = render("referral", forms.example("referral"), "kk", variant)
    with pikepdf.open(io.BytesIO(document)) as pdf:
        assert not pdf.attachments and "/AF" not in pdf.Root


def test_pdfa_1b_has_a_cidset_in_every_font(engine):
    document = render("referral", forms.example("referral"), "ru", "1b")
    with pikepdf.open(io.BytesIO(document)) as pdf:
        descendants = [font.DescendantFonts[0] for page in pdf.pages for font in page.Resources.Font.values()]
        assert descendants and all("/CIDSet" in d.FontDescriptor for d in descendants)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_long_journal_is_pdfa(variant, engine):
    # The typesetter: the 4,000-row journal by default, shorter for the other variants; WeasyPrint:
    # enough rows for its chunked path (one process for 1b).
    rows = (4000 if variant == "2b" else 1000) if engine == "auto" else 500
    document = render("referral-journal", with_rows("referral-journal", "1", rows), "kk", variant)
    assert_pdfa(document, variant)
    with pikepdf.open(io.BytesIO(document)) as pdf:
        assert len(pdf.pages) > rows // 40


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("form_id", ["referral", "placement-application", "referral-journal"])
def test_random_data_is_pdfa(form_id, seed):
    rng = random.Random(f"pdfa-{form_id}-{seed}")
    checked = 0
    for _ in range(3):
        data = mutated_example(form_id, rng)
        if data is None:
            continue
        variant = rng.choice(VARIANTS)
        assert_pdfa(render(form_id, data, rng.choice(["kk", "ru"]), variant), variant)
        checked += 1
    assert checked, "every variant of the data was invalid: the test checked nothing"


def test_the_typesetter_and_weasyprint_write_the_same_variant(monkeypatch):
    data = forms.example("referral")
    fast = render("referral", data, "kk", "1b")
    use_engine(monkeypatch, "weasyprint")
    reference = render("referral", data, "kk", "1b")
    assert fast != reference  # two engines really ran
    for document in (fast, reference):
        with pikepdf.open(io.BytesIO(document)) as pdf, pdf.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("1", "B")
    assert pdf_text(fast) == pdf_text(reference)


def test_an_unknown_variant_is_refused():
    with pytest.raises(forms.UnsupportedOption) as caught:
        forms.render("referral", forms.example("referral"), pdfa="4u")
    assert caught.value.code == "unsupported_pdfa" and "1b, 2b, 3b" in caught.value.message("ru")


def test_plain_pdfs_of_the_typesetter_are_unchanged():
    """Without a variant (the comparisons with WeasyPrint) the typesetter writes what it wrote."""
    html = forms.render("referral", forms.example("referral"), fmt="html").decode()
    plain = pdf_paths.html_to_pdf(html, forms.default_registry().templates_dir / "_layout" / "form.css")
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        assert "/Metadata" not in pdf.Root and "/OutputIntents" not in pdf.Root


# -- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    return create_app({"API_KEYS": []}).test_client()


@pytest.mark.parametrize("variant", VARIANTS)
def test_http_render_takes_the_variant(client, variant):
    response = client.post(f"/api/v1/forms/referral/render?pdfa={variant}", json=forms.example("referral"))
    assert response.status_code == 200
    assert_pdfa(response.data, variant)


def test_http_refuses_an_unknown_variant(client):
    response = client.post(
        "/api/v1/forms/referral/render?pdfa=a1", json=forms.example("referral"), headers={"Accept-Language": "kk"}
    )
    assert response.status_code == 400 and response.json["code"] == "invalid_parameter"
    assert response.json["errors"][0]["path"] == "query.pdfa"
    batch = client.post(
        "/api/v1/render/batch",
        json={"pdfa": "x", "documents": [{"form": "referral", "data": forms.example("referral"), "pdfa": "y"}]},
    )
    assert batch.status_code == 422
    assert {e["path"] for e in batch.json["errors"]} == {"pdfa", "documents[0].pdfa"}


@pytest.mark.parametrize("variant,expected", [(None, "2b"), ("2b", "2b"), ("3b", "2b"), ("1b", "1b")])
def test_merged_batches_are_pdfa(engine, variant, expected):
    client = create_app({"API_KEYS": [], "PDF_ENGINE": engine}).test_client()
    body = {
        "output": "pdf",
        "documents": [
            {"form": "referral", "data": forms.example("referral")},
            {"form": "placement-application", "data": forms.example("placement-application"), "lang": "ru"},
            {"form": "referral-journal", "data": with_rows("referral-journal", "1", 60)},
        ],
    }
    if variant:
        body["pdfa"] = variant
    response = client.post("/api/v1/render/batch", json=body)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_pdfa(response.data, expected)
    assert client.post("/api/v1/render/batch", json=body).data == response.data, "not reproducible"


def test_zip_batches_carry_each_documents_variant(client):
    import zipfile

    response = client.post(
        "/api/v1/render/batch",
        json={
            "pdfa": "3b",
            "documents": [
                {"form": "referral", "data": forms.example("referral")},
                {"form": "referral", "data": forms.example("referral"), "pdfa": "1b"},
            ],
        },
    )
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    first, second = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert_pdfa(archive.read(first), "3b")
    assert_pdfa(archive.read(second), "1b")


def test_openapi_lists_the_variants(client):
    paths = client.get("/openapi.json").json["paths"]
    params = {p["name"]: p for p in paths["/api/v1/forms/{form}/render"]["post"]["parameters"]}
    assert params["pdfa"]["schema"]["enum"] == ["1b", "2b", "3b"]
