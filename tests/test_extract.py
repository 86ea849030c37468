"""Reopening documents: a Nysan PDF/A-3b or DOCX gives back exactly the data it was rendered from
(`forms.extract`, `nysan extract FILE`, `POST /api/v1/extract`, the web form's "Open a document");
a foreign, broken or data-less file, or data that no longer validates, is refused with one clear
line (CLI exit 1, no traceback) or a 4xx envelope."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile

import docx
import pytest
from pypdf import PdfWriter

import forms
from forms import pdfa
from forms.extract import ExtractedDataInvalid, NotANysanDocument, extract
from forms.rendering.docx import carried as docx_carried
from service import create_app
from support.cases import as_of_for, use_engine

FORMS = [f["id"] for f in forms.list_forms()]
DOCX_TYPE = forms.MEDIA_TYPES["docx"]


def render(form_id: str, lang: str, fmt: str, data: dict | None = None, variant: str = "3b") -> tuple[bytes, dict]:
    spec = forms.default_registry().form(form_id).latest
    data = forms.example(form_id) if data is None else data
    return forms.render(
        form_id, data, lang=lang, fmt=fmt, version=spec.version, pdfa=variant, as_of=as_of_for(form_id, spec.version)
    ), data


def foreign_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def foreign_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Not made by Nysan")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def stale_pdf() -> bytes:
    """A Nysan PDF/A-3b whose data does not pass its version's checks (as after a rule change)."""
    document, data = render("referral", "kk", "pdf", variant="2b")
    carried = {"form": "referral", "version": "1", "lang": "kk", "data": {**data, "issue_date": "2024-13-01"}}
    return pdfa.finish(document, pdfa.Archival("3b", json.dumps(carried).encode(), "2024-01-01"))


def broken_files() -> dict[str, bytes]:
    document, _ = render("referral", "kk", "pdf")
    word, _ = render("referral", "kk", "docx")
    rng = random.Random("broken")
    return {
        "foreign.pdf": foreign_pdf(),
        "foreign.docx": foreign_docx(),
        "truncated.pdf": document[: len(document) // 3],
        "truncated.docx": word[: len(word) // 2],
        "random.bin": bytes(rng.getrandbits(8) for _ in range(4096)),
        "empty": b"",
        "plain-2b.pdf": render("referral", "kk", "pdf", variant="2b")[0],
    }


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
@pytest.mark.parametrize("form_id", FORMS)
def test_extract_gives_back_the_data_rendered(form_id, lang, fmt):
    document, data = render(form_id, lang, fmt)
    version = forms.default_registry().form(form_id).latest.version
    assert extract(document) == {"form": form_id, "version": version, "lang": lang, "data": data}


@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_extract_from_weasyprint_pdfs(lang, monkeypatch):
    use_engine(monkeypatch, "weasyprint")
    document, data = render("placement-application", lang, "pdf")
    assert extract(document)["data"] == data


def test_a_docx_keeps_its_data_through_word_style_saving():
    """python-docx opening and saving the file (as an editor does) keeps the custom XML part."""
    document, data = render("referral", "ru", "docx")
    edited = docx.Document(io.BytesIO(document))
    edited.add_paragraph("Дописано")
    out = io.BytesIO()
    edited.save(out)
    assert extract(out.getvalue())["data"] == data
    names = zipfile.ZipFile(io.BytesIO(document)).namelist()
    assert any(n.startswith("customXml/itemProps") for n in names)


@pytest.mark.parametrize("name", list(broken_files()))
def test_foreign_and_broken_files_are_refused(name):
    with pytest.raises(NotANysanDocument) as caught:
        extract(broken_files()[name])
    expected = "document_without_data" if name == "plain-2b.pdf" else "not_a_nysan_document"
    assert caught.value.code == expected


def test_data_that_no_longer_validates_is_refused_with_its_faults():
    with pytest.raises(ExtractedDataInvalid) as caught:
        extract(stale_pdf())
    assert [e["path"] for e in caught.value.as_dicts()] == ["issue_date"]
    assert caught.value.found["data"]["issue_date"] == "2024-13-01"


# -- CLI -----------------------------------------------------------------------------------------


def nysan(*argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    command = [shutil.which("nysan")] if shutil.which("nysan") else [sys.executable, "-m", "service"]
    return subprocess.run(command + list(argv), input=stdin, capture_output=True, env=os.environ.copy())


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
def test_cli_extract_prints_the_data(tmp_path, fmt):
    document, data = render("referral", "ru", fmt)
    path = tmp_path / f"referral.{fmt}"
    path.write_bytes(document)
    result = nysan("extract", str(path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"form": "referral", "version": "1", "lang": "ru", "data": data}


def test_cli_renders_3b_and_extracts_from_standard_input(tmp_path):
    data = forms.example("placement-application")
    source = tmp_path / "data.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "doc.pdf"
    assert nysan("render", "placement-application", str(source), "--pdfa", "3b", "-o", str(out)).returncode == 0
    result = nysan("extract", "-", stdin=out.read_bytes())
    assert result.returncode == 0 and json.loads(result.stdout)["data"] == data
    refused = nysan("render", "placement-application", str(source), "--pdfa", "5x", "-o", str(out))
    assert refused.returncode == 2 and b"invalid choice" in refused.stderr


@pytest.mark.parametrize("name", [*broken_files(), "stale.pdf", "missing.pdf"])
def test_cli_refuses_with_one_line_and_exit_1(tmp_path, name):
    path = tmp_path / name
    if name == "stale.pdf":
        path.write_bytes(stale_pdf())
    elif name != "missing.pdf":
        path.write_bytes(broken_files()[name])
    result = nysan("extract", str(path))
    assert result.returncode == 1 and result.stdout == b""
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nysan extract: ") and "Traceback" not in result.stderr.decode()
    if name == "stale.pdf":
        assert "issue_date" in lines[0]


# -- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    return create_app({"API_KEYS": [], "MAX_CONTENT_LENGTH": 2 * 1024 * 1024})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
@pytest.mark.parametrize("lang", forms.DOCUMENT_LANGUAGES)
def test_http_extract_answers_the_data(client, lang, fmt):
    document, data = render("placement-application", lang, fmt)
    response = client.post("/api/v1/extract", data=document, content_type=forms.MEDIA_TYPES[fmt])
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json == {"form": "placement-application", "version": "1", "lang": lang, "data": data}


@pytest.mark.parametrize("name", list(broken_files()))
def test_http_extract_refuses_garbage_with_an_envelope(client, name):
    content_type = DOCX_TYPE if name.endswith("docx") else "application/pdf"
    response = client.post(
        "/api/v1/extract", data=broken_files()[name], content_type=content_type, headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 422
    code = "document_without_data" if name == "plain-2b.pdf" else "not_a_nysan_document"
    assert response.json["code"] == code and response.json["errors"][0]["code"] == code
    assert "Nysan" in response.json["message"] or "pdfa=3b" in response.json["message"]


def test_http_extract_lists_the_faults_of_stale_data(client):
    response = client.post(
        "/api/v1/extract", data=stale_pdf(), content_type="application/pdf", headers={"Accept-Language": "kk"}
    )
    assert response.status_code == 422 and response.json["code"] == "extracted_data_invalid"
    assert [e["path"] for e in response.json["errors"]] == ["issue_date"]
    assert "қате" in response.json["message"]


def test_http_extract_takes_only_documents_of_bounded_size(client):
    assert client.post("/api/v1/extract", json={"a": 1}).status_code == 415
    too_big = client.post("/api/v1/extract", data=b"%PDF-" + b"0" * (3 * 1024 * 1024), content_type="application/pdf")
    assert too_big.status_code == 413 and too_big.json["code"] == "body_too_large"


def test_openapi_documents_extract(client):
    operation = client.get("/openapi.json").json["paths"]["/api/v1/extract"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/pdf", DOCX_TYPE}
    assert {"200", "413", "415", "422"} <= set(operation["responses"])
    assert "404" not in operation["responses"]  # a form the catalogue lacks is the document's fault: 422


# -- Web -----------------------------------------------------------------------------------------


@pytest.fixture
def web(app):
    client = app.test_client()
    page = client.get("/forms/referral")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    return client, token


def _open(web, content: bytes, name: str, form_id: str = "referral"):
    client, token = web
    return client.post(
        f"/forms/{form_id}",
        data={"csrf_token": token, "_action": "open", "document_file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
def test_web_open_a_document_fills_the_form(web, fmt):
    data = forms.example("referral")
    data["applicant"]["last_name"] = "Қайта-Ашылған"
    document, _ = render("referral", "ru", fmt, data)
    response = _open(web, document, f"doc.{fmt}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Қайта-Ашылған"' in page
    assert '<option value="ru" selected>' in page
    assert "Нысан құжаттағы деректермен толтырылды." in page


def test_web_open_refuses_a_foreign_file_and_another_forms_document(web):
    response = _open(web, foreign_docx(), "other.docx")
    assert response.status_code == 422 and "Nysan" in response.get_data(as_text=True)
    other, _ = render("placement-application", "kk", "docx")
    response = _open(web, other, "placement.docx")
    assert response.status_code == 422 and "басқа нысан" in response.get_data(as_text=True)


# -- Hostile documents: within the limits of a request body, else a 422 naming why ---------------------


def carrying(fmt: str, carried: dict | str) -> bytes:
    """A referral as Nysan makes it, carrying ``carried`` (the whole {"form", "version", "lang", "data"},
    or its JSON text) in place of its own data: the PDF's nysan-data.json, the DOCX's custom XML part."""
    text = carried if isinstance(carried, str) else json.dumps(carried, ensure_ascii=False)
    if fmt == "pdf":
        document, _ = render("referral", "kk", "pdf", variant="2b")
        return pdfa.finish(document, pdfa.Archival("3b", text.encode(), "2024-01-01"))
    document, _ = render("referral", "kk", "docx")
    head, data = text.split('"data": ', 1)
    found = json.loads(head + '"data": null}')
    part = docx_carried.item_xml(
        {"category": found["form"], "version": found["version"], "language": found["lang"], "data": data[:-1]}
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            ours = "Props" not in info.filename and docx_carried.NAMESPACE.encode() in content
            target.writestr(info, part if ours else content)
    return out.getvalue()


def referral(**changes) -> dict:
    return {"form": "referral", "version": "1", "lang": "kk", "data": forms.example("referral"), **changes}


def post_document(client, content: bytes, fmt: str, lang: str = "en"):
    return client.post(
        "/api/v1/extract", data=content, content_type=forms.MEDIA_TYPES[fmt], headers={"Accept-Language": lang}
    )


LONG_ID = "x" * 10_000


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
@pytest.mark.parametrize(
    "changes, code, shown",
    [
        ({"form": "no-such-form"}, "unknown_form", "no-such-form"),
        ({"form": "../../etc"}, "unknown_form", "../../etc"),
        ({"form": LONG_ID}, "unknown_form", "x" * 64 + "…"),
        ({"version": "../../9"}, "unknown_version", "../../9"),
    ],
    ids=["unknown", "path", "long", "version"],
)
def test_a_form_or_version_not_in_the_catalogue_is_refused(client, web, fmt, changes, code, shown):
    content = carrying(fmt, referral(**changes))
    response = post_document(client, content, fmt, "ru")
    assert response.status_code == 422, response.json
    assert response.json["code"] == code and response.json["errors"][0]["code"] == code
    assert f"«{shown}»" in response.json["message"] and LONG_ID not in response.get_data(as_text=True)
    page = _open(web, content, f"doc.{fmt}")
    assert page.status_code == 422 and f"«{shown}»" in page.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
@pytest.mark.parametrize(
    "data",
    [
        "[" * 200_000,  # a RecursionError in the JSON parser
        '{"applicant": ' + '{"a": ' * 40 + "1" + "}" * 41,  # 41 levels: parsed, then refused as the API's bodies
    ],
    ids=["brackets", "objects"],
)
def test_data_nested_deeper_than_the_api_allows_is_refused(client, web, fmt, data):
    content = carrying(fmt, '{"form": "referral", "version": "1", "lang": "kk", "data": ' + data + "}")
    response = post_document(client, content, fmt, "kk")
    assert response.status_code == 422 and response.json["code"] == "too_deep", response.json
    assert response.json["message"] == forms.errors.message("too_deep", "kk", max=32)
    page = _open(web, content, f"doc.{fmt}")
    assert page.status_code == 422 and forms.errors.message("too_deep", "kk", max=32) in page.get_data(as_text=True)
    with pytest.raises(NotANysanDocument) as caught:  # nysan extract too
        extract(content)
    assert caught.value.code == "too_deep"


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
def test_a_list_longer_than_max_rows_is_refused_before_it_is_checked(fmt):
    app = create_app({"API_KEYS": [], "MAX_ROWS": 2})
    found = referral()
    found["data"]["members"] = found["data"]["members"][:1] * 3  # within the form's 6, beyond MAX_ROWS
    response = post_document(app.test_client(), carrying(fmt, found), fmt)
    assert response.status_code == 422 and response.json["code"] == "too_many_rows", response.json
    assert response.json["message"] == "At most 2 entries in one list of a document."


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
def test_data_larger_than_a_request_body_is_refused_in_every_language(fmt):
    app = create_app({"API_KEYS": [], "MAX_CONTENT_LENGTH": 200 * 1024})
    found = referral()
    found["data"]["head_name"] = "Ә" * 150_000  # 300 kB of data, a few kB compressed
    content = carrying(fmt, found)
    assert len(content) < 200 * 1024
    for lang in ("kk", "ru", "en"):
        response = post_document(app.test_client(), content, fmt, lang)
        assert response.status_code == 422 and response.json["code"] == "document_data_too_large", response.json
        assert response.json["message"] == forms.errors.message("document_data_too_large", lang, max="0.195")
    with pytest.raises(NotANysanDocument) as caught:
        extract(content, max_data_bytes=100 * 1024)
    assert caught.value.code == "document_data_too_large"


def test_a_data_part_holding_anything_but_its_data_is_refused(client):
    document = carrying("docx", referral())
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        name = next(n for n in archive.namelist() if "Props" not in n and b"urn:nysan" in archive.read(n))
        part = archive.read(name)
    assert post_document(client, document, "docx").status_code == 200
    bomb = part.replace(b"</document>", b"<data>{}</data>" + b"<a/>" * 100_000 + b"</document>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, bomb if info.filename == name else source.read(info.filename))
    response = post_document(client, out.getvalue(), "docx")
    assert response.status_code == 422 and response.json["code"] == "not_a_nysan_document"


@pytest.mark.parametrize("fmt", ("pdf", "docx"))
def test_a_document_language_nysan_does_not_write_is_refused(client, fmt):
    response = post_document(client, carrying(fmt, referral(lang="../en")), fmt)
    assert response.status_code == 422 and response.json["code"] == "not_a_nysan_document"


def test_web_open_refuses_a_bomb_on_the_forms_page(web):
    from test_hostile_uploads import deflated, pdf_carrying

    bomb = pdf_carrying(
        deflated(b'{"form": "referral", "version": "1", "lang": "kk", "data": {}', b" " * 1_000_000, 1500, b"}"),
        1_500_000_000,
    )
    response = _open(web, bomb, "bomb.pdf")
    assert response.status_code == 422
    assert forms.errors.message("document_data_too_large", "kk", max="2") in response.get_data(as_text=True)
