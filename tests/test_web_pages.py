"""The clerks' pages through Flask's test client: the list of forms, the generated form, the
language switch, assets served by Nysan itself, accessibility of the markup."""

from __future__ import annotations

import re

import pytest

import forms
from service import create_app
from support.web import PageParser, offered_forms


class Markup(PageParser):
    """Inputs, labels and ids of a page."""

    def __init__(self, html: str):
        self.controls, self.labels, self.ids, self.labelled = [], set(), [], set()
        self.urls = []
        super().__init__(html)

    def start(self, tag, a):
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        for key in ("src", "href", "action"):
            if a.get(key):
                self.urls.append(a[key])


def test_index_lists_forms_in_force_in_kazakh(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="kk">' in html
    assert "Қолданыстағы нысандар" in html
    referral = forms.default_registry().resolve("referral")
    assert referral.title["kk"] in html
    assert referral.summary["kk"] in html
    assert referral.basis_text("kk") in html
    assert 'href="/forms/referral"' in html


def test_repealed_form_is_not_offered(client):
    registry = forms.default_registry()
    repealed = [f.id for f in registry.forms.values() if f.status == "repealed"]
    assert repealed, "no repealed form in the registry: nothing to check"
    html = client.get("/").get_data(as_text=True)
    for form_id in repealed:
        assert f'href="/forms/{form_id}"' not in html
        response = client.get(f"/forms/{form_id}")
        assert response.status_code == 410
        # The engine's message names the repealing act, in the interface language.
        assert "күші" in response.get_data(as_text=True)


def test_unknown_form_is_404(client):
    assert client.get("/forms/no-such-form").status_code == 404


def test_language_switch_is_remembered(client):
    response = client.get("/lang/ru?next=/forms/referral")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/forms/referral")
    assert "nysan_ui_lang=ru" in response.headers["Set-Cookie"]
    html = client.get("/forms/referral").get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "Фамилия" in html and "Дата рождения претендента" in html
    assert "Тегі" not in html
    # Back to Kazakh.
    client.get("/lang/kk")
    assert "Үміткердің туған күні" in client.get("/forms/referral").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/ru", query_string={"next": target})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_referral_form_is_generated_from_the_spec(client):
    html = client.get("/forms/referral").get_data(as_text=True)
    page = Markup(html)
    names = {c.get("name"): c for c in page.controls}
    # person as three inputs, dates as day, month and year (not the browser's date picker, whose
    # format follows the browser's locale), the family members as rows capped at 6.
    for part in ("last_name", "first_name", "patronymic"):
        assert f"applicant.{part}" in names
    for part in ("day", "month", "year"):
        assert names[f"applicant_birth_date.{part}"]["type"] == "text"
        assert names[f"applicant_birth_date.{part}"]["inputmode"] == "numeric"
        assert "required" in names[f"applicant_birth_date.{part}"]
        assert names[f"members[0].birth_date.{part}"]["type"] == "text"
    assert not any(c.get("type") == "date" for c in page.controls)
    assert names["members[0].kinship"]["maxlength"] == "60"
    assert 'data-path="members"' in html and 'data-max="6"' in html
    assert 'value="add:members"' in html
    # labels and help text come from the spec, in Kazakh
    spec = forms.default_registry().resolve("referral")
    assert spec.field("head_name").label["kk"] in html
    assert spec.field("head_name").help["kk"] in html
    assert "novalidate" in html  # every error comes from the engine, in the interface language


@pytest.mark.parametrize("form_id", offered_forms())
def test_every_control_has_a_label_and_unique_id(client, form_id):
    response = client.get(f"/forms/{form_id}")
    assert response.status_code == 200
    page = Markup(response.get_data(as_text=True))
    assert page.controls
    for control in page.controls:
        assert control.get("id") in page.labels, f"no <label for> for {control.get('name')}"
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates


@pytest.mark.parametrize("form_id", offered_forms())
def test_no_asset_comes_from_elsewhere(client, form_id):
    response = client.get(f"/forms/{form_id}")
    page = Markup(response.get_data(as_text=True))
    assert all(not re.match(r"^(https?:)?//", url) for url in page.urls), page.urls
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["Cache-Control"] == "no-store"


def test_assets_are_served(client):
    css = client.get("/assets/web/web.css")
    js = client.get("/assets/web/web.js")
    assert css.status_code == js.status_code == 200
    assert b":focus-visible" in css.data
    assert b"localStorage" in js.data
    fonts = client.get("/assets/document/fonts.css")
    assert fonts.status_code == 200 and b"Nysan Serif" in fonts.data
    assert client.get("/assets/document/fonts/LiberationSerif-Regular.ttf").status_code == 200
    assert client.get("/assets/document/../fonts.py").status_code == 404


def test_synthetic_form_gets_iin_enum_boolean_and_list_widgets(tmp_path):
    from support.synthetic import make_data_dir

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATA_DIR": str(make_data_dir(tmp_path))})
    html = app.test_client().get("/forms/test-form").get_data(as_text=True)
    names = {c.get("name"): c for c in Markup(html).controls}
    assert names["iin"]["pattern"] == "[0-9]{12}" and names["iin"]["inputmode"] == "numeric"
    assert names["count"]["type"] == "number" and names["count"]["max"] == "5"
    assert names["note"]["maxlength"] == "10"
    assert re.search(
        r'<select id="f-kind" name="kind">\s*<option value="" selected>— таңдаңыз —</option><option value="a">Бірінші</option>',
        html,
    )
    assert '<option value="true">Иә</option>' in html  # boolean: yes / no / not given
    assert names["rows[0].iin"]["pattern"] == "[0-9]{12}"
    assert 'data-max="3"' in html
