"""The organisation's documents in a real browser: "register and download" downloads the file the
register holds and ends on the document's page; the list says whose document it is and in which
language; the form's page warns while NYSAN_PUBLIC_URL is unset; revoking asks for confirmation;
times are Almaty's."""
from __future__ import annotations

from forms.register import Actor
from service.api.documents import open_register
from test_browser_accounts import office, sign_in  # noqa: F401 - office is a fixture
from test_browser_clerk import fill_referral


def issued_id(page) -> str:
    return page.url.split("/documents/", 1)[1].split("?")[0]


def test_register_and_download_downloads_the_registered_file_and_shows_its_page(office, page, tmp_path):
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/referral")
    fill_referral(page, "2012-02-17")
    with page.expect_download() as download_info:
        page.click("button[value='issue']")
    page.wait_for_selector("#document-number")
    saved = tmp_path / "issued.pdf"
    download_info.value.save_as(saved)
    doc_id = issued_id(page)
    assert page.url.startswith(f"{office.url}/documents/{doc_id}")
    stored, meta = open_register(office.app).file(Actor("centre-1", "test"), doc_id)
    assert saved.read_bytes() == stored and meta["number"] == page.inner_text("#document-number")
    assert download_info.value.suggested_filename == f"referral-{meta['number']}-kk.pdf"
    # once: a reload shows the page and downloads nothing again
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.reload()
    page.wait_for_selector("#document-number")
    page.wait_for_timeout(1000)
    assert downloads == []
