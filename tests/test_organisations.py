"""Organisations as records (recordkeeping/organisations.py): `nysan orgs add|edit|list`, the BIN's
check digit, history (a rename leaves documents already issued as they were), the organisation's
official name on the verification page and in the JSON."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import forms
from recordkeeping.organisations import OrganisationError, Organisations
from support.register_db import DATA_KEY
from support.text import docx_text, normalise, pdf_text

pytest_plugins = ["support.register_db"]

ROOT = Path(__file__).resolve().parents[1]
BIN = "050640001236"  # a valid check digit
BAD_BIN = "050640001237"
NAMES = {
    "name_kk": "Алматы қаласының көші-қон басқармасы",
    "name_ru": "Управление миграции города Алматы",
    "bin": BIN,
    "head_kk": "Серікбаев Д.А.",
    "head_ru": "Серикбаев Д.А.",
}


def nysan(*args: str, env: dict) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "service", *args], env=environment, capture_output=True, text=True)


def orgs_add(env: dict, org: str, bin_: str = BIN) -> subprocess.CompletedProcess:
    return nysan(
        "orgs", "add", org, "--name-kk", NAMES["name_kk"], "--name-ru", NAMES["name_ru"], "--bin", bin_,
        "--head-kk", NAMES["head_kk"], "--head-ru", NAMES["head_ru"], "--kind", "local_executive_body",
        env=env,
    )  # fmt: skip


def test_orgs_add_edit_list_and_a_wrong_bin_check_digit_is_refused(tmp_path):
    env = {"NYSAN_STATE_DIR": str(tmp_path / "state"), "NYSAN_DATA_KEY": DATA_KEY}
    refused = orgs_add(env, "centre-1", BAD_BIN)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("nysan: orgs: bin: ")
    assert "bin_checksum" in refused.stderr
    assert orgs_add(env, "centre-1").returncode == 0
    again = orgs_add(env, "centre-1")
    assert again.returncode == 1 and "organisation_exists" in again.stderr
    no_head = nysan("orgs", "add", "centre-2", "--name-kk", "А", "--name-ru", "А", "--bin", BIN, env=env)
    assert no_head.returncode == 1 and no_head.stderr.startswith("nysan: orgs: head_kk: ")
    edited = nysan("orgs", "edit", "centre-1", "--name-ru", "Управление миграции г. Алматы", env=env)
    assert edited.returncode == 0 and "revision 2" in edited.stdout
    bad_kind = nysan("orgs", "edit", "centre-1", "--kind", "bank", env=env)
    assert bad_kind.returncode == 1 and bad_kind.stderr.startswith("nysan: orgs: kind: ")
    unknown = nysan("orgs", "edit", "centre-9", "--name-ru", "X", env=env)
    assert unknown.returncode == 1 and "centre-9" in unknown.stderr
    listed = nysan("orgs", "list", env=env)
    assert listed.returncode == 0
    assert listed.stdout.split("\t")[:4] == ["centre-1", BIN, NAMES["name_kk"], "Управление миграции г. Алматы"]


def test_a_renamed_organisation_leaves_issued_documents_as_they_were(register_app):
    client = register_app.test_client()
    client.get("/api/v1/documents")  # opens the register
    register = register_app.extensions["nysan.register"]
    organisations = Organisations(register.db)
    organisations.add("default", **NAMES)
    data = {k: v for k, v in forms.example("referral").items() if k != "head_name"}
    body = {"form": "referral", "data": data, "lang": "ru"}
    first = client.post("/api/v1/documents", json=body).json
    file_before = client.get(first["links"]["file"]).data
    token = first["verify_url"].rsplit("/", 1)[1]

    organisations.edit("default", name_kk="Жаңа атау", name_ru="Новое название", head_ru="Жанова А.Б.")
    second = client.post("/api/v1/documents", json=body).json
    # the head's name, filled from the record at issue: the old document keeps the old one
    assert normalise(NAMES["head_ru"]) in normalise(pdf_text(client.get(first["links"]["file"]).data))
    assert normalise("Жанова А.Б.") in normalise(pdf_text(client.get(second["links"]["file"]).data))

    assert (
        hashlib.sha256(client.get(first["links"]["file"]).data).hexdigest() == hashlib.sha256(file_before).hexdigest()
    )
    old = client.get(f"/api/v1/verify/{token}?lang=ru").json
    assert old["organisation_name"] == NAMES["name_ru"]
    assert client.get(f"/api/v1/verify/{token}").json["organisation_name"] == NAMES["name_kk"]
    page = client.get(f"/v/{token}?lang=ru").text
    assert NAMES["name_ru"] in page and "Новое название" not in page
    assert client.get(f"/api/v1/documents/{first['id']}?lang=ru").json["organisation_name"] == NAMES["name_ru"]
    new_token = second["verify_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/verify/{new_token}?lang=ru").json["organisation_name"] == "Новое название"
    assert "Жаңа атау" in client.get(f"/v/{new_token}?lang=kk").text
    assert client.get(f"/api/v1/documents/{second['id']}").json["organisation_name"] == "Жаңа атау"


def test_the_verification_page_shows_the_issue_time_in_almaty(register_app):
    client = register_app.test_client()
    doc = client.post("/api/v1/documents", json={"form": "referral", "data": forms.example("referral")}).json
    token = doc["verify_url"].rsplit("/", 1)[1]
    from service.web.display import local_time

    assert doc["issued_at"].endswith("Z")  # JSON stays ISO UTC
    assert local_time(doc["issued_at"]) in client.get(f"/v/{token}").text


def test_an_issued_referral_without_head_name_carries_the_head_from_the_record(register_app):
    client = register_app.test_client()
    client.get("/api/v1/documents")  # opens the register
    Organisations(register_app.extensions["nysan.register"].db).add("default", **NAMES)
    data = {k: v for k, v in forms.example("referral").items() if k != "head_name"}
    for lang, fmt, text_of in (("kk", "pdf", pdf_text), ("ru", "docx", docx_text), ("ru", "pdf", pdf_text)):
        doc = client.post("/api/v1/documents", json={"form": "referral", "data": data, "lang": lang, "format": fmt})
        assert doc.status_code == 201, doc.json
        text = normalise(text_of(client.get(doc.json["links"]["file"]).data))
        assert normalise(NAMES[f"head_{lang}"]) in text, (lang, fmt)
        stored = client.get(doc.json["links"]["data"]).json["data"]
        assert stored["head_name"] == NAMES[f"head_{lang}"]
    # a placeholder's name is never printed: nothing filled, the field stays empty
    Organisations(register_app.extensions["nysan.register"].db).ensure("centre-9")
    assert (
        register_app.extensions["nysan.register"].prefilled(
            "centre-9", forms.default_registry().resolve("referral"), data, "kk"
        )
        == data
    )
    # what the caller gives wins
    given = client.post("/api/v1/documents", json={"form": "referral", "data": {**data, "head_name": "Әлиев Б."}})
    assert client.get(given.json["links"]["data"]).json["data"]["head_name"] == "Әлиев Б."


def test_prefill_fills_only_what_the_data_leaves_out_in_the_documents_language():
    spec = forms.default_registry().resolve("rehabilitation-contract")
    record = {
        "name": {"kk": "Орталық", "ru": "Центр"},
        "head": {"name": {"kk": "Серікбаев Дәулет Ахметұлы", "ru": "Серикбаев Даулет Ахметович"}},
    }
    data = {"recipient": {"last_name": "А", "first_name": "Б"}}
    filled = forms.prefill(spec, data, record, "ru")
    assert filled["organisation_name"] == "Центр"
    assert filled["head_name"] == {"last_name": "Серикбаев", "first_name": "Даулет", "patronymic": "Ахметович"}
    assert data == {"recipient": {"last_name": "А", "first_name": "Б"}}  # the caller's data unchanged
    kept = forms.prefill(spec, {**data, "organisation_name": "Своё"}, record, "kk")
    assert kept["organisation_name"] == "Своё" and kept["head_name"]["first_name"] == "Дәулет"
    journal = forms.default_registry().form("special-services-journal").version("1")
    both = forms.prefill(journal, {}, record, "kk")
    assert (both["organisation_name_kk"], both["organisation_name_ru"]) == ("Орталық", "Центр")


def test_forms_check_refuses_a_prefill_of_no_field_or_no_value_of_the_record(tmp_path):
    import shutil

    from forms.catalogue.spec import check_file

    folder = tmp_path / "referral"
    shutil.copytree(ROOT / "schemas" / "referral", folder)
    spec = folder / "1.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "  head_name: organisation.head.name\n" in text
    assert check_file(spec) == []
    spec.write_text(text.replace("  head_name: organisation.head.name\n", "  head_nam: organisation.head.name\n"))
    assert [e.where for e in check_file(spec)] == ["prefill.head_nam"]
    spec.write_text(text.replace("  head_name: organisation.head.name\n", "  head_name: organisation.boss\n"))
    problems = check_file(spec)
    assert [e.where for e in problems] == ["prefill.head_name"] and "organisation.head.name" in problems[0].problem
    spec.write_text(text.replace("  head_name: organisation.head.name\n", "  members: organisation.name\n"))
    assert [e.where for e in check_file(spec)] == ["prefill.members"]  # a list: not filled


def test_the_web_form_opens_prefilled_in_kazakh_and_in_russian(register_app):
    from test_accounts import signed_in

    client = signed_in(register_app, org="centre-1")
    Organisations(register_app.extensions["nysan.register"].db).add("centre-1", **NAMES)
    kk = client.get("/forms/placement-application").get_data(as_text=True)
    assert f'value="{NAMES["name_kk"]}"' in kk and NAMES["name_ru"] not in kk
    client.get("/lang/ru")
    ru = client.get("/forms/placement-application").get_data(as_text=True)
    assert f'value="{NAMES["name_ru"]}"' in ru
    assert re.search(r'<option value="ru"\s+selected>', ru)  # the document in the names' language
    contract = client.get("/forms/rehabilitation-contract").get_data(as_text=True)
    assert 'value="Серикбаев"' in contract and 'value="Д.А."' in contract  # the head's name in its parts
    # another organisation's clerk sees her own record (none here): the fields stay empty
    other = signed_in(register_app, name="dana", org="centre-2")
    assert NAMES["name_kk"] not in other.get("/forms/placement-application").get_data(as_text=True)


def test_serve_stops_on_one_line_for_a_key_or_an_account_of_an_unknown_organisation(tmp_path):
    import json

    env = {"NYSAN_STATE_DIR": str(tmp_path / "state"), "NYSAN_DATA_KEY": DATA_KEY}
    keys = [{"sha256": "a" * 64, "scopes": ["read"], "organisation": "centre-7"}]
    refused = nysan("serve", "--port", "1", env={**env, "NYSAN_API_KEYS": json.dumps(keys)})
    assert refused.returncode == 2
    lines = [line for line in refused.stderr.splitlines() if "centre-7" in line]
    assert len(lines) == 1 and "API key" in lines[0] and "[organisation_unknown]" in lines[0]
    # the quick start's `default` was made, a placeholder to fill in
    listed = nysan("orgs", "list", env=env).stdout
    assert listed.startswith("default\t-\t") and "placeholder" in listed
    password = tmp_path / "password"
    password.write_text("a long enough password 1\n")
    assert (
        nysan(
            "users", "add", "dana", "--org", "centre-8", "--role", "clerk", "--password-file", str(password), env=env
        ).returncode
        == 0
    )
    account = nysan("serve", "--port", "1", env=env)
    assert account.returncode == 2 and "centre-8" in account.stderr and "dana" not in account.stderr


def test_an_admin_fills_in_her_organisations_record_on_the_admin_page(register_app):
    from test_accounts import signed_in, token

    client = register_app.test_client()
    client.get("/api/v1/documents")  # opens the register
    organisations = Organisations(register_app.extensions["nysan.register"].db)
    organisations.ensure("centre-1")  # a placeholder, as migration 0004 or the quick start makes
    clerk = signed_in(register_app, name="dana", org="centre-1", role="clerk")
    assert clerk.get("/admin/organisations").status_code == 403
    admin = signed_in(register_app, name="ainur", org="centre-1", role="admin")
    front = admin.get("/").get_data(as_text=True)
    assert 'id="organisation-placeholder"' in front and 'href="/admin/organisations"' in front
    form = {name: "" for name in ("short_name", "address_kk", "address_ru", "head_position_kk", "head_position_ru")}
    form.update(NAMES, kind="adaptation_centre", number_format="")
    refused = admin.post(
        "/admin/organisations", data={**form, "bin": BAD_BIN, "csrf_token": token(admin, "/admin/organisations")}
    )
    assert refused.status_code == 422 and 'id="org-bin-error"' in refused.get_data(as_text=True)
    assert organisations.get("centre-1")["placeholder"]
    saved = admin.post("/admin/organisations", data={**form, "csrf_token": token(admin, "/admin/organisations")})
    assert saved.status_code == 303
    record = organisations.get("centre-1")
    assert (record["name"]["ru"], record["bin"], record["kind"], record["revision"]) == (
        NAMES["name_ru"],
        BIN,
        "adaptation_centre",
        2,
    )
    assert 'id="organisation-placeholder"' not in admin.get("/").get_data(as_text=True)
    admin.get("/lang/ru")
    assert NAMES["name_ru"] in admin.get("/admin/organisations?saved=1").get_data(as_text=True)


def test_migration_0004_gives_every_known_organisation_a_placeholder_and_old_documents_their_id(backend):
    from alembic import command
    from sqlalchemy import text

    from recordkeeping.settings import RecordSettings

    db = RecordSettings(state_dir=Path(backend["STATE_DIR"]), database_url=backend["DATABASE_URL"]).database()
    db.upgrade()
    config = db._alembic()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, username_key, organisation, role, password_hash, active, "
                "session_epoch, created_at) VALUES ('ana', 'ana', 'akimat-2', 'clerk', 'x', true, 0, "
                "'2026-12-08 00:00:00')"
            )
        )
    db.upgrade()
    organisations = Organisations(db)
    record = organisations.get("akimat-2")
    assert record["placeholder"] and record["name"] == {"kk": "akimat-2", "ru": "akimat-2"}
    assert organisations.missing({"akimat-2", "centre-1"}) == ["centre-1"]
    db.dispose()


def test_the_records_number_format_prints_the_number(register_app):
    client = register_app.test_client()
    client.get("/api/v1/documents")  # opens the register
    Organisations(register_app.extensions["nysan.register"].db).add(
        "default", number_format="{year}-{number:04d}", **NAMES
    )
    doc = client.post("/api/v1/documents", json={"form": "referral", "data": forms.example("referral")}).json
    assert doc["number"].endswith("-0001") and doc["number"].startswith("20")
    with pytest.raises(OrganisationError) as refused:
        Organisations(register_app.extensions["nysan.register"].db).edit("default", number_format="{serial}")
    assert (refused.value.code, refused.value.field) == ("organisation_number_format", "number_format")
