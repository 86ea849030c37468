"""The register over HTTP, on SQLite and on a real PostgreSQL: issue, read, list, revoke,
supersede, verify, idempotency, organisations, purge, and what is kept in clear (nothing personal)."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import forms
from forms.extract import extract
from service.app import create_app
from support.text import normalise, pdf_text

REFERRAL = forms.example("referral")
SURNAME = REFERRAL["applicant"]["last_name"]  # a name from the data: never in clear anywhere


def issue(client, data=None, headers=None, **options):
    body = {
        "form": "referral",
        "data": data if data is not None else REFERRAL,
        "lang": "kk",
        "format": "pdf",
        **options,
    }
    return client.post("/api/v1/documents", json=body, headers=headers or {})


def token_of(doc: dict) -> str:
    return doc["verify_url"].rsplit("/", 1)[-1]


def test_issue_stores_the_file_as_issued_and_verifies_it(register_app):
    client = register_app.test_client()
    response = issue(client)
    assert response.status_code == 201
    doc = response.json
    assert response.headers["Location"] == f"/api/v1/documents/{doc['id']}"
    assert {k: doc[k] for k in ("number", "form", "version", "lang", "format", "status", "organisation")} == {
        "number": "1",
        "form": "referral",
        "version": "1",
        "lang": "kk",
        "format": "pdf",
        "status": "issued",
        "organisation": "default",
    }
    assert doc["verify_url"].startswith("https://verify.example.kz/v/")
    assert len(token_of(doc)) >= 22  # >= 128 bits of urlsafe base64

    first = client.get(f"/api/v1/documents/{doc['id']}/file")
    again = client.get(doc["links"]["file"])
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(first.data).hexdigest() == doc["sha256"] == hashlib.sha256(again.data).hexdigest()
    assert "ЖОЛДАМА №" not in normalise(pdf_text(first.data))  # the act's referral has no place for a number
    # no record for `default` here: the name falls back to the id
    assert client.get(f"/api/v1/documents/{doc['id']}").json == {**doc, "organisation_name": "default"}

    verified = client.get(f"/api/v1/verify/{token_of(doc)}")
    assert verified.status_code == 200
    assert verified.json == {
        "status": "issued",
        "form": "referral",
        "title": "ЖОЛДАМА",
        "number": "1",
        "issued_at": doc["issued_at"],
        "organisation": "default",
        "organisation_name": "default",
        "sha256": doc["sha256"],
    }
    page = client.get(f"/v/{token_of(doc)}", headers={"Accept-Language": "ru"})
    assert page.status_code == 200 and "Документ зарегистрирован и действует" in page.text
    assert "Құжат тіркелген және күшінде" in client.get(f"/v/{token_of(doc)}?lang=kk").text
    for text in (verified.text, page.text):
        assert SURNAME not in text and REFERRAL["applicant_birth_date"] not in text

    assert client.post(f"/api/v1/verify/{token_of(doc)}", data=first.data).json == {"match": True}
    changed = bytearray(first.data)
    changed[len(changed) // 2] ^= 1
    assert client.post(f"/api/v1/verify/{token_of(doc)}", data=bytes(changed)).json == {"match": False}
    upload = client.post(f"/v/{token_of(doc)}?lang=ru", data={"file": (io.BytesIO(bytes(changed)), "doc.pdf")})
    assert "Файл не совпадает" in upload.text

    assert client.get("/api/v1/verify/" + "A" * 24).status_code == 404
    assert client.get("/v/" + "A" * 24).status_code == 404


def test_an_issued_pdf_says_its_number_and_verification_url_in_its_xmp(register_app, backend):
    """PDF/A-3b with its data, its XMP naming the document (dc:identifier: the verification URL;
    xmp:Identifier: the number); the mark and the XMP appended to the rendered file as an
    incremental update, so the document as rendered is the file's first revision."""
    import pikepdf
    import pikepdf.pdfa

    app = create_app({**backend, "NUMBER_FORMATS": {"*": "{year}/{number:04d} <&>"}})
    try:
        client = app.test_client()
        doc = issue(client).json
        issued = client.get(doc["links"]["file"]).data
    finally:
        app.extensions["nysan.register"].close()
    assert doc["number"].endswith("/0001 <&>")
    report = pikepdf.pdfa.validate_written(io.BytesIO(issued), "3b")
    assert report.passed, [str(finding) for finding in report.findings]
    with pikepdf.open(io.BytesIO(issued)) as pdf, pdf.open_metadata() as meta:
        assert meta["dc:identifier"] == doc["verify_url"]
        assert meta["xmp:Identifier"] == {f"nysan-number:{doc['number']}"}
        assert meta["pdfaid:part"] == "3" and "nysan-form:referral" in meta["pdf:Keywords"]
    first_revision = issued[: issued.index(b"%%EOF") + len(b"%%EOF\n")]
    with pikepdf.open(io.BytesIO(first_revision)) as pdf:  # the render, complete, without the mark
        assert len(pdf.pages) == 1 and "/Metadata" in pdf.Root
        assert doc["verify_url"] not in normalise(pdf_text(first_revision))
    assert normalise(doc["verify_url"]) in pdf_text(issued)  # normalised alike: a token may hold "__"
    assert extract(issued)["data"] == REFERRAL


def test_invalid_data_stores_nothing_and_uses_no_number(register_app):
    client = register_app.test_client()
    bad = copy.deepcopy(REFERRAL)
    del bad["applicant"]
    bad["applicant_birth_date"] = "1985-13-45"
    response = issue(client, bad, headers={"Accept-Language": "ru"})
    validated = client.post("/api/v1/forms/referral/validate", json=bad, headers={"Accept-Language": "ru"})
    assert response.status_code == 422 == validated.status_code
    assert response.json == validated.json
    assert client.get("/api/v1/documents").json == {"documents": [], "next": None}
    assert issue(client).json["number"] == "1"
    assert issue(client, {"x": 1}, version="99").status_code == 404
    assert client.post("/api/v1/documents", json={"data": {}, "colour": "red"}).json["errors"] == [
        {"path": "colour", "code": "unknown_field", "message": "Unknown field."},
        {"path": "form", "code": "required", "message": "This field is required."},
    ]
    assert issue(client).json["number"] == "2"


def test_idempotency_key_returns_the_first_document_and_refuses_another_body(register_app):
    client = register_app.test_client()
    first = issue(client, headers={"Idempotency-Key": "req-1"})
    retry = issue(client, headers={"Idempotency-Key": "req-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    other = issue(client, headers={"Idempotency-Key": "req-1"}, lang="ru")
    assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"
    assert [d["id"] for d in client.get("/api/v1/documents").json["documents"]] == [first.json["id"]]
    assert issue(client, headers={"Idempotency-Key": "req-2"}).json["number"] == "2"


def test_revoked_and_superseded_documents_verify_as_such(register_app):
    client = register_app.test_client()
    revoked, old = issue(client).json, issue(client).json
    answer = client.post(revoked["links"]["revoke"], json={"reason": "issued by mistake"})
    assert answer.status_code == 200 and answer.json["status"] == "revoked"
    assert answer.json["revoked_reason"] == "issued by mistake"
    assert client.get(f"/api/v1/verify/{token_of(revoked)}").json["status"] == "revoked"
    again = client.post(revoked["links"]["revoke"], json={"reason": "twice"})
    assert again.status_code == 409 and again.json["code"] == "document_not_issued"
    assert client.post(revoked["links"]["revoke"], json={"reason": " "}).status_code == 422

    corrected = copy.deepcopy(REFERRAL)
    corrected["head_name"] = "А. Б. Жаңаев"
    response = client.post(old["links"]["supersede"], json={"data": corrected, "format": "docx"})
    assert response.status_code == 201
    new = response.json
    assert (new["number"], new["format"], new["supersedes"], new["lang"]) == ("3", "docx", old["id"], "kk")
    assert client.get(old["links"]["self"]).json["superseded_by"] == new["id"]
    verified = client.get(f"/api/v1/verify/{token_of(old)}").json
    assert verified["status"] == "superseded"
    assert verified["superseded_by"] == {"number": "3", "verify_url": new["verify_url"]}
    assert client.get(f"/api/v1/verify/{token_of(new)}").json["status"] == "issued"
    assert client.post(old["links"]["supersede"], json={"data": corrected}).status_code == 409
    assert client.get(new["links"]["data"]).json["data"] == corrected


def test_list_filters_and_cursor(register_app):
    client = register_app.test_client()
    ids = [issue(client, format="html").json["id"] for _ in range(3)]
    client.post(f"/api/v1/documents/{ids[0]}/revoke", json={"reason": "test"})
    first = client.get("/api/v1/documents?limit=2").json
    assert [d["id"] for d in first["documents"]] == ids[:0:-1] and first["next"]
    rest = client.get(f"/api/v1/documents?limit=2&cursor={first['next']}").json
    assert [d["id"] for d in rest["documents"]] == ids[:1] and rest["next"] is None
    assert [d["id"] for d in client.get("/api/v1/documents?status=revoked").json["documents"]] == ids[:1]
    assert [d["id"] for d in client.get("/api/v1/documents?number=2").json["documents"]] == ids[1:2]
    assert client.get("/api/v1/documents?form=road-map").json["documents"] == []
    day = first["documents"][0]["issued_at"][:10]  # UTC; the filter's days are Almaty's (UTC+5)
    assert len(client.get("/api/v1/documents?issued_from=2000-01-01&issued_to=2999-01-01").json["documents"]) == 3
    assert client.get("/api/v1/documents?issued_to=2000-01-01").json["documents"] == []
    # The first and last days a date holds: every document is between them (once a 500: the first
    # day's local midnight is before the first instant in UTC, the day after the last none at all).
    everything = client.get("/api/v1/documents?issued_from=0001-01-01&issued_to=9999-12-31")
    assert everything.status_code == 200 and len(everything.json["documents"]) == 3
    assert client.get("/api/v1/documents?issued_to=0001-01-01").json["documents"] == []
    assert client.get(f"/api/v1/documents?issued_from={int(day[:4]) + 1}-01-01").json["documents"] == []
    bad = client.get("/api/v1/documents?cursor=zz&limit=0&status=lost")
    assert bad.status_code == 400
    assert {e["path"] for e in bad.json["errors"]} == {"query.limit", "query.status"}
    assert client.get("/api/v1/documents?cursor=zz").status_code == 400


def test_keys_scopes_and_organisations(backend):
    keys = [
        {"key": "key-a", "organisation": "akimat-a"},
        {"key": "key-b", "organisation": "akimat-b"},
        {"key": "key-a-reader", "organisation": "akimat-a", "scopes": ["documents"]},
        {"key": "key-a-auditor", "organisation": "akimat-a", "scopes": ["audit"]},
    ]
    app = create_app({**backend, "API_KEYS": keys})
    try:
        client = app.test_client()
        a, b = ({"Authorization": f"Bearer {k}"} for k in ("key-a", "key-b"))
        assert issue(client).status_code == 401
        doc = issue(client, headers=a).json
        assert doc["organisation"] == "akimat-a" and doc["number"] == "1"
        assert issue(client, headers=b).json["number"] == "1"  # numbers are per organisation
        for path in (doc["links"]["self"], doc["links"]["file"], doc["links"]["data"]):
            assert client.get(path, headers=b).status_code == 404
        assert client.post(doc["links"]["revoke"], json={"reason": "x"}, headers=b).status_code == 404
        assert [d["organisation"] for d in client.get("/api/v1/documents", headers=b).json["documents"]] == ["akimat-b"]
        reader = {"Authorization": "Bearer key-a-reader"}
        assert client.get(doc["links"]["file"], headers=reader).status_code == 200
        denied = issue(client, headers=reader)
        assert denied.status_code == 403 and denied.json["code"] == "forbidden"
        assert client.post(doc["links"]["revoke"], json={"reason": "x"}, headers=reader).status_code == 403
        assert client.get("/api/v1/audit", headers=reader).status_code == 403
        events = client.get(
            f"/api/v1/audit?document={doc['id']}", headers={"Authorization": "Bearer key-a-auditor"}
        ).json["events"]
        assert [e["action"] for e in events] == ["issue", "read_file"]
        auditor = {"Authorization": "Bearer key-a-auditor"}
        page = client.get("/api/v1/audit?limit=1", headers=auditor).json
        assert page["events"] == events[:1] and page["next"] == events[0]["seq"]
        rest = client.get(f"/api/v1/audit?limit=5&after={page['next']}", headers=auditor).json
        assert rest["events"][0] == events[1] and rest["next"] is None
        for bad in ("after=", "after=-1", "after=1.5", "limit="):  # not numbers: said, not taken as absent
            refused = client.get(f"/api/v1/audit?{bad}", headers=auditor)
            assert refused.status_code == 400 and refused.json["errors"][0]["path"] == "query." + bad.split("=")[0]
        assert {e["actor"] for e in events} == {
            hashlib.sha256(b"key-a").hexdigest()[:8],
            hashlib.sha256(b"key-a-reader").hexdigest()[:8],
        }
        assert (
            client.get(f"/api/v1/audit?document={doc['id']}", headers={"Authorization": "Bearer key-b"}).json["events"]
            == []
        )
        assert client.get(f"/api/v1/verify/{token_of(doc)}").json["organisation"] == "akimat-a"  # public
    finally:
        if "nysan.register" in app.extensions:
            app.extensions["nysan.register"].close()


def test_number_format_per_organisation(backend):
    app = create_app({**backend, "NUMBER_FORMATS": {"*": "{year}/{number:04d}"}})
    try:
        doc = issue(app.test_client()).json
        year = doc["issued_at"][:4]
        assert doc["number"] == f"{year}/0001"
        assert app.test_client().get(f"/api/v1/verify/{token_of(doc)}").json["number"] == f"{year}/0001"
    finally:
        app.extensions["nysan.register"].close()


def test_purge_erases_data_and_file_but_verification_still_works(register_app, backend):
    client = register_app.test_client()
    doc = issue(client).json
    content = client.get(doc["links"]["file"]).data
    env = {**os.environ, **{f"NYSAN_{k}": v for k, v in backend.items() if v}}
    done = subprocess.run(
        [sys.executable, "-m", "service", "register", "purge", "--older-than", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "purged 1 document" in done.stdout
    gone = client.get(doc["links"]["file"])
    assert gone.status_code == 410 and gone.json["code"] == "document_purged"
    assert client.get(doc["links"]["data"]).status_code == 410
    kept = client.get(doc["links"]["self"]).json
    assert (kept["number"], kept["sha256"], kept["status"]) == ("1", doc["sha256"], "issued") and kept["purged_at"]
    assert client.get(f"/api/v1/verify/{token_of(doc)}").json["status"] == "issued"
    assert client.post(f"/api/v1/verify/{token_of(doc)}", data=content).json == {"match": True}


def test_verification_is_rate_limited(backend):
    app = create_app({**backend, "VERIFY_RATE_LIMIT": 2})
    try:
        client = app.test_client()
        token = token_of(issue(client, format="html").json)
        assert [client.get(f"/api/v1/verify/{token}").status_code for _ in range(2)] == [200, 200]
        refused = client.get(f"/api/v1/verify/{token}")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json["code"] == "too_many_requests"
        page = client.get(f"/v/{token}", headers={"Accept-Language": "ru"})  # the page: a line to read
        assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
        assert page.mimetype == "text/html" and "Слишком много" in page.text and "<main>" in page.text
    finally:
        app.extensions["nysan.register"].close()


def test_unreachable_database_answers_503(tmp_path):
    from support.register_db import DATA_KEY, free_port

    app = create_app(
        {
            "STATE_DIR": str(tmp_path),
            "DATA_KEY": DATA_KEY,
            "DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none",
        }
    )
    response = issue(app.test_client())
    assert response.status_code == 503 and response.json["code"] == "register_unavailable"
    assert response.headers["Retry-After"] == "5"


def test_no_name_from_the_data_in_clear(register_app, backend, request, caplog):
    client = register_app.test_client()
    for fmt in ("pdf", "docx", "html"):
        doc = issue(client, format=fmt).json
        client.get(doc["links"]["file"])
        client.post(doc["links"]["revoke"], json={"reason": f"{SURNAME} asked"})
    needle = SURNAME.encode("utf-8")
    if backend["DATABASE_URL"]:
        cluster = request.getfixturevalue("postgres_cluster")
        cluster.execute("CHECKPOINT")
        folders = [cluster.data, tmp_state(backend)]
    else:
        folders = [tmp_state(backend)]
    files = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    assert any(path.name.startswith("register.sqlite3") for path in files) or backend["DATABASE_URL"]
    assert [path for path in files if needle in path.read_bytes()] == []
    assert SURNAME not in caplog.text


def tmp_state(backend):
    return Path(backend["STATE_DIR"])


def test_openapi_lists_the_register(register_app):
    paths = register_app.test_client().get("/openapi.json").json["paths"]
    assert {
        "/api/v1/documents",
        "/api/v1/documents/{doc_id}",
        "/api/v1/documents/{doc_id}/file",
        "/api/v1/documents/{doc_id}/revoke",
        "/api/v1/documents/{doc_id}/supersede",
        "/api/v1/audit",
        "/api/v1/verify/{token}",
        "/v/{token}",
    } <= set(paths)
    assert paths["/api/v1/documents"]["post"]["responses"]["409"] == {"$ref": "#/components/responses/Error409"}
    assert json.dumps(paths)  # serialisable


def test_the_qr_code_of_an_issued_pdf_scans_to_its_verify_url(register_app, tmp_path):
    from test_mark import raster, scanned

    client = register_app.test_client()
    doc = issue(client, lang="ru").json
    content = client.get(doc["links"]["file"]).data
    assert scanned(raster(content, tmp_path, "page")) == [doc["verify_url"]]
    assert normalise(doc["verify_url"]) in pdf_text(content)  # normalised alike: a token may hold "__"


def test_rate_limit_behind_a_proxy_counts_each_client(backend):
    app = create_app({**backend, "VERIFY_RATE_LIMIT": 1, "TRUSTED_PROXIES": 1})
    try:
        client = app.test_client()
        token = token_of(issue(client, format="html").json)

        def verify(client_address):
            return client.get(f"/api/v1/verify/{token}", headers={"X-Forwarded-For": f"203.0.113.9, {client_address}"})

        assert [verify("198.51.100.1").status_code, verify("198.51.100.2").status_code] == [200, 200]
        assert verify("198.51.100.1").status_code == 429
    finally:
        app.extensions["nysan.register"].close()


def test_render_stays_stateless_and_never_imports_the_register():
    script = (
        "import sys, forms; forms.render('referral', forms.example('referral'), 'kk', 'pdf'); "
        "print(sorted(m for m in sys.modules if m.startswith(('recordkeeping', 'sqlalchemy', 'alembic'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_long_docx_issued_through_a_render_process_carries_its_mark(register_app):
    """A DOCX beyond RENDER_INLINE_ROWS rows is made in a render process, its mark added while it
    is written there: the first-page footer holds the verification URL and the QR code's picture."""
    import zipfile

    from support.cases import with_rows

    rows = register_app.config["RENDER_INLINE_ROWS"] + 25
    data = with_rows("referral-journal", "1", rows)
    client = register_app.test_client()
    response = client.post(
        "/api/v1/documents", json={"form": "referral-journal", "data": data, "lang": "ru", "format": "docx"}
    )
    assert response.status_code == 201, response.json
    doc = response.json
    issued = client.get(doc["links"]["file"]).data
    assert hashlib.sha256(issued).hexdigest() == doc["sha256"]
    with zipfile.ZipFile(io.BytesIO(issued)) as package:
        footers = [name for name in package.namelist() if name.startswith("word/footer")]
        assert any(doc["verify_url"] in package.read(name).decode("utf-8") for name in footers)
        assert any(name.startswith("word/media/nysan-mark") for name in package.namelist())
        assert b'w:type="first"' in package.read("word/document.xml")
    assert extract(issued)["data"] == data
