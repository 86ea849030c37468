"""The clerks' pages of issue 24: the documents list says whose each document is (the spec's
``person`` field, opened from the sealed data, a ``list`` event in the audit trail) and in which
language; times are Almaty's; forms with the same title are told apart; initials keep to the
surname; revoking asks first; Kazakh says "жоба" for a draft; `nysan serve` and the form's page warn
while NYSAN_PUBLIC_URL is unset; the verification page has a main landmark and a labelled file input."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from test_accounts import REFERRAL, events, issue_referral, issued_id, signed_in, token

import forms
from forms.catalogue.spec import check_file
from recordkeeping import Actor
from recordkeeping.users import Users
from service.records import open_register
from service.web import i18n
from service.web.catalogue import in_force
from service.web.display import NBSP, form_labels, initials_in, keep_initials, local_time, person_name
from support.web import PageParser, csrf_token

ROOT = Path(__file__).resolve().parents[1]


class Listing(PageParser):
    """The documents table's rows: the cells' text."""

    def __init__(self, html: str):
        self.rows, self._row, self._cell = [], None, None
        super().__init__(html)

    def start(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def end(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def text(self, data):
        if self._cell is not None:
            self._cell += data


def test_the_list_shows_whose_document_it_is_and_its_language(register_app):
    client = signed_in(register_app)
    first = issued_id(issue_referral(client))
    other = copy.deepcopy(REFERRAL)
    other["applicant"] = {"last_name": "Төлеуғалиев", "first_name": "Жандос", "patronymic": "Әсетұлы"}
    second = issued_id(
        client.post(
            "/forms/referral",
            data={
                "_action": "issue",
                "_payload": json.dumps(other, ensure_ascii=False),
                "doc_lang": "ru",
                "csrf_token": token(client, "/forms/referral"),
            },
        )
    )
    rows = Listing(client.get("/documents").get_data(as_text=True)).rows
    header, newest, oldest = rows[0], rows[1], rows[2]
    assert header[2:4] == ["Аты-жөні", "Тілі"]
    applicant = REFERRAL["applicant"]
    assert newest[2:4] == ["Төлеуғалиев Жандос Әсетұлы", "орысша"]
    assert oldest[2:4] == [
        " ".join(filter(None, (applicant["last_name"], applicant["first_name"], applicant.get("patronymic")))),
        "қазақша",
    ]
    # shown to her organisation's clerk: each name read is on record as a "list" event
    user = Users(open_register(register_app).db).list()[0]
    assert (f"user:{user.id}", "list") in events(register_app, first)
    assert (f"user:{user.id}", "list") in events(register_app, second)
    # another organisation sees neither the rows nor the names
    stranger = signed_in(register_app, "dana", "akimat-2")
    assert "Төлеуғалиев" not in stranger.get("/documents").get_data(as_text=True)


def test_every_form_that_is_about_one_person_names_its_person_field():
    registry = forms.default_registry()
    named = {spec.id: spec.person for spec, _ in in_force(registry) if spec.person}
    assert {
        "referral",
        "placement-application",
        "violence-application",
        "rehabilitation-contract",
        "trafficking-rehabilitation-contract",
        "violence-services-contract",
        "road-map",
    } <= set(named)
    for form_id in named:
        spec = registry.form(form_id).version("1")
        name = person_name(spec, forms.example(form_id))
        assert name and "  " not in name, form_id
    assert person_name(registry.form("referral-journal").version("1"), forms.example("referral-journal")) == ""


def test_a_person_path_that_is_not_a_person_field_is_a_spec_error(tmp_path):
    source = (ROOT / "schemas" / "referral" / "1.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "referral"
    folder.mkdir()
    for path, ok in (
        ("applicant", True),
        ("members[0].name", True),
        ("head_name", False),
        ("nobody", False),
        ("members.name", False),
    ):
        (folder / "1.yaml").write_text(re.sub(r"^person: .*$", f"person: {path}", source, flags=re.M), encoding="utf-8")
        problems = [p for p in check_file(folder / "1.yaml") if p.where == "person"]
        assert bool(problems) != ok, path


def test_times_are_almaty_local_on_the_pages(register_app):
    assert local_time("2026-12-08T09:05:00Z") == "08.12.2026 14:05"
    client = signed_in(register_app)
    doc_id = issued_id(issue_referral(client))
    doc = open_register(register_app).get(Actor("centre-1"), doc_id)
    shown = local_time(doc["issued_at"])
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", shown)
    for path in (f"/documents/{doc_id}", "/documents"):
        page = client.get(path).get_data(as_text=True)
        assert shown in page and "UTC" not in page and doc["issued_at"] not in page, path
    verify = re.search(
        r'id="verify-link" href="[^"]*(/v/[^"]+)"', client.get(f"/documents/{doc_id}").get_data(as_text=True)
    )
    page = register_app.test_client().get(verify.group(1)).get_data(as_text=True)
    assert shown in page and "UTC" not in page


def test_forms_with_the_same_title_are_told_apart():
    specs = [spec for spec, _ in in_force(forms.default_registry())]
    for lang in ("kk", "ru"):
        labels = form_labels(specs, lang)
        shown = [label.casefold() for label in labels.values()]
        assert len(set(shown)) == len(shown), lang
        titles = {spec.id: spec.title[lang] for spec in specs}
        assert labels["rehabilitation-contract"].startswith(titles["rehabilitation-contract"] + " — ")
        assert labels["referral"] == titles["referral"]  # a title of its own stays as it is


def test_the_lists_of_forms_tell_the_two_rehabilitation_contracts_apart(register_app):
    client = signed_in(register_app)
    for path in ("/", "/documents"):
        page = client.get(path).get_data(as_text=True)
        assert "Оңалту туралы үлгілік шарт — № 391 Бұйрығына 2-қосымша" in page, path
        assert "Оңалту туралы үлгілік шарт — № 391 Бұйрығына 3-қосымша" in page, path


def test_initials_keep_to_the_surname():
    assert keep_initials("Ж. Ә. Төлеуғалиев") == f"Ж.{NBSP}Ә.{NBSP}Төлеуғалиев"
    assert keep_initials("Төлеуғалиев Ж. Ә.") == f"Төлеуғалиев{NBSP}Ж.{NBSP}Ә."
    assert keep_initials("Нұрланов Бауыржан Серікұлы") == "Нұрланов Бауыржан Серікұлы"
    spec = forms.default_registry().form("referral").version("1")
    filled = {
        "head_name": "Қ. Т. Сәрсенбаев",
        "applicant": {"last_name": "Әбенов", "first_name": "Қ.", "patronymic": "Т."},
        "members": [{"name": {"last_name": "Оспанова", "first_name": "Ұлжан"}, "kinship": "ж. б."}],
    }
    assert initials_in(spec.fields, filled) == {
        "Қ. Т. Сәрсенбаев": f"Қ.{NBSP}Т.{NBSP}Сәрсенбаев",
        "Әбенов Қ. Т.": f"Әбенов{NBSP}Қ.{NBSP}Т.",
        "ж. б.": f"ж.{NBSP}б.",
    }
    assert (
        person_name(spec, {"applicant": {"last_name": "Төлеуғалиев", "first_name": "Ж.", "patronymic": "Ә."}})
        == f"Төлеуғалиев{NBSP}Ж.{NBSP}Ә."
    )


def test_revoking_asks_for_confirmation_first(register_app):
    clerk = signed_in(register_app)
    doc_id = issued_id(issue_referral(clerk))
    boss = signed_in(register_app, "saule", "centre-1", "supervisor")
    asked = boss.post(f"/documents/{doc_id}/revoke", data={"reason": "қате", "csrf_token": token(boss, "/documents")})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="revoke-confirm"' in page and 'name="confirm" value="1"' in page
    assert "күшінде" in boss.get(f"/documents/{doc_id}").get_data(as_text=True)  # nothing revoked yet
    done = boss.post(
        f"/documents/{doc_id}/revoke", data={"reason": "қате", "confirm": "1", "csrf_token": csrf_token(page)}
    )
    assert done.status_code == 303
    assert "кері қайтарылған" in boss.get(f"/documents/{doc_id}").get_data(as_text=True)
    other = signed_in(register_app, "dana", "akimat-2", "supervisor")  # another organisation: 404 still
    assert (
        other.post(
            f"/documents/{doc_id}/revoke", data={"reason": "x", "csrf_token": token(other, "/documents")}
        ).status_code
        == 404
    )


def test_kazakh_says_zhoba_for_a_draft_never_chernovik():
    kk = i18n.strings("kk")
    assert not [key for key, text in kk.items() if "ерновик" in str(text).lower()]
    assert "жоба" in kk["drafts"].lower() and "жоба" in kk["draft_saved_server"].lower()


@pytest.mark.server
def test_serve_warns_on_one_line_while_the_public_url_is_unset(monkeypatch, capsys, tmp_path):
    from service import cli
    from service.cli import main

    monkeypatch.setenv("NYSAN_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("NYSAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("NYSAN_PUBLIC_URL", raising=False)
    monkeypatch.setattr(cli, "_gunicorn", lambda host, port, workers: 0)
    assert main(["serve", "--port", "8123"]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if "NYSAN_PUBLIC_URL" in line]
    assert len(warning) == 1 and "http://127.0.0.1:8123" in warning[0]
    monkeypatch.setenv("NYSAN_PUBLIC_URL", "https://nysan.example.kz")
    assert main(["serve", "--port", "8123"]) == 0
    assert "NYSAN_PUBLIC_URL" not in capsys.readouterr().err


def test_the_form_page_warns_while_the_public_url_is_unset(tmp_path):
    from service.app import create_app

    for public, warned in ((None, True), ("https://nysan.example.kz", False)):
        app = create_app({"STATE_DIR": str(tmp_path / str(warned)), "SECRET_KEY": "x", "PUBLIC_URL": public})
        client = signed_in(app)
        page = client.get("/forms/referral").get_data(as_text=True)
        assert ('id="public-url-missing"' in page) == warned
        if warned:
            assert "NYSAN_PUBLIC_URL" in page and "http://localhost" in page
        open_register(app).close()


def test_the_verification_page_has_a_main_landmark_and_a_labelled_file_input(register_app):
    client = signed_in(register_app)
    doc_id = issued_id(issue_referral(client))
    verify = re.search(
        r'id="verify-link" href="[^"]*(/v/[^"]+)"', client.get(f"/documents/{doc_id}").get_data(as_text=True)
    )
    page = register_app.test_client().get(verify.group(1)).get_data(as_text=True)
    assert "<main>" in page and "</main>" in page
    file_input = re.search(r'<input type="file" id="([^"]+)"', page)
    assert file_input and f'<label for="{file_input.group(1)}">' in page
