"""The organisation's documents in a real browser: "register and download" downloads the file the
register holds and ends on the document's page; the list says whose document it is and in which
language; the form's page warns while NYSAN_PUBLIC_URL is unset; revoking asks for confirmation;
times are Almaty's."""

from __future__ import annotations

import re

from test_browser_accounts import office, sign_in  # noqa: F401 - office is a fixture
from test_browser_clerk import fill_referral

from recordkeeping import Actor
from service.records import open_register

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None


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


def test_the_list_names_the_person_and_the_language_and_the_form_warns_of_the_public_url(office, page, shot):
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/referral")
    # the test server has no NYSAN_PUBLIC_URL: the QR code would print this server's own address
    notice = page.inner_text("#public-url-missing")
    assert "NYSAN_PUBLIC_URL" in notice and office.url in notice
    fill_referral(page, "2012-02-17")
    page.select_option("#doc-lang", "ru")
    with page.expect_download():
        page.click("button[value='issue']")
    page.wait_for_selector("#document-number")
    page.goto(f"{office.url}/documents")
    row = page.locator("table.documents tbody tr").first
    assert row.locator("td.person").inner_text() == "Нұрланов Бауыржан Серікұлы"
    assert "орысша" in row.inner_text()
    shot(page, "documents-person-kk")


def test_a_journal_fits_the_screen_as_cards_and_its_errors_are_reached(start_server, page, shot):
    from test_browser_clerk import journal_csv, journal_server

    server, spec = journal_server(start_server)
    content, bad_column = journal_csv(spec, 3, bad_row=2)
    page.goto(f"{server.url}/forms/{spec.id}")
    page.set_input_files("#rows-file", files=[{"name": "journal.csv", "mimeType": "text/csv", "buffer": content}])
    page.click("button[value='upload']")
    page.wait_for_selector("#error-summary")
    shot(page, "journal-cards")
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")  # nor inside the table
    page.locator("#error-summary a").first.click()
    focused = f"{spec.rows_field}[1].{bad_column}.day"
    assert page.evaluate("document.activeElement.name") == focused
    box = page.locator(f"[name='{focused}']").bounding_box()
    viewport = page.viewport_size
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]
    # the draft's time, as every time on the pages: Almaty's, "08.12.2026 14:05"
    expect(page.locator(".draft-text")).to_contain_text(re.compile(r"\(\d\d\.\d\d\.\d{4} \d\d:\d\d\)"))
    # each cell says which column it is
    label = page.evaluate(
        "getComputedStyle(document.querySelector('tbody[data-rows] td[data-label]'), '::before').content"
    )
    assert label.strip('"') == spec.field(spec.rows_field).children[0].label["kk"]


def test_the_preview_frame_shows_the_whole_a4_page(server, page, shot):
    page.goto(f"{server.url}/forms/referral")
    fill_referral(page, "2012-02-17")
    page.click("button[value='preview']")
    page.wait_for_selector("iframe.preview-frame")
    shot(page, "preview-a4")
    frame = page.locator("iframe.preview-frame")
    inner = frame.evaluate(
        "f => { const d = f.contentDocument, b = d.body.getBoundingClientRect();"
        " return {w: d.documentElement.clientWidth, h: d.documentElement.clientHeight,"
        " left: b.left, right: b.right, top: b.top, bottom: b.bottom}; }"
    )
    # the sheet (210 x 297 mm) is inside the frame's view, all of it
    assert inner["left"] >= 0 and inner["right"] <= inner["w"]
    assert inner["top"] >= 0 and inner["bottom"] <= inner["h"], inner
    # initials stay with the surname in the page's line breaks (the data only; the PDF is as filled)
    assert "Қ.\u00a0Т.\u00a0Сәрсенбаев" in frame.evaluate("f => f.contentDocument.body.textContent")
