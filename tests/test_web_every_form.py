"""Every form in force can be produced from the browser form: the shipped example, shown in the
generated form and posted back exactly as the page's inputs hold it, gives a PDF and a DOCX."""

from __future__ import annotations

import json
import re

import pytest

import forms
from service import create_app
from support.text import pdf_text
from support.web import PageParser, csrf_token, offered_forms


class Inputs(PageParser):
    """What a browser would post: named inputs, textareas and selected options."""

    def __init__(self, html: str):
        self.values: dict[str, str] = {}
        self._textarea = None
        self._select = None
        super().__init__(html)

    def start(self, tag, a):
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""

    def end(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def text(self, data):
        if self._textarea:
            self.values[self._textarea] += data


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True, "SECRET_KEY": "test"}).test_client()


def shown_and_posted(client, form_id: str) -> dict:
    """The example as the generated form shows it, then as the browser would post it back."""
    page = client.get(f"/forms/{form_id}").get_data(as_text=True)
    csrf = csrf_token(page)
    example = forms.example(form_id)
    shown = client.post(
        f"/forms/{form_id}", data={"_payload": json.dumps(example), "_action": "edit", "csrf_token": csrf}
    )
    assert shown.status_code == 200
    return Inputs(shown.get_data(as_text=True)).values


@pytest.mark.parametrize("form_id", offered_forms())
def test_example_through_the_generated_form_to_pdf(client, form_id):
    posted = shown_and_posted(client, form_id)
    posted.update({"_action": "check", "doc_lang": "kk"})
    checked = client.post(f"/forms/{form_id}", data=posted)
    assert checked.status_code == 200, re.findall(r"<li>(.*?)</li>", checked.get_data(as_text=True))[:5]
    posted["_action"] = "pdf"
    pdf = client.post(f"/forms/{form_id}", data=posted)
    assert pdf.mimetype == "application/pdf"
    title = forms.default_registry().resolve(form_id).title["kk"]
    assert title.split()[0].lower() in pdf_text(pdf.data).lower()


@pytest.mark.parametrize("form_id", offered_forms())
def test_example_through_the_generated_form_to_docx_in_russian(client, form_id):
    posted = shown_and_posted(client, form_id)
    posted.update({"_action": "docx", "doc_lang": "ru"})
    response = client.post(f"/forms/{form_id}", data=posted)
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
