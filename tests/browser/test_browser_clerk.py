"""A clerk in a real browser (Chromium through Playwright): fill the referral with two family
members, one with a birth date in the future (the referral has no IIN field, so the inline error is
the engine's future_date check on the member's birth date), see the error in Kazakh, fix it,
preview, download the PDF and read it; the interface in Russian; the draft restored after a
reload; 50 journal rows uploaded as CSV with one bad row, fixed and downloaded; the basic submit
without JavaScript."""

from __future__ import annotations

import csv
import io

import forms
from service.web.catalogue import in_force
from service.web.upload import columns
from support.text import pdf_text
from support.web import fill_date

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None

FUTURE = "2099-02-17"


def fill_referral(page, member_birth_date: str) -> None:
    page.fill("[name='applicant.last_name']", "Нұрланов")
    page.fill("[name='applicant.first_name']", "Бауыржан")
    page.fill("[name='applicant.patronymic']", "Серікұлы")
    fill_date(page, "applicant_birth_date", "1985-04-12")
    page.fill("[name='members[0].name.last_name']", "Нұрланова")
    page.fill("[name='members[0].name.first_name']", "Гүлнұр")
    fill_date(page, "members[0].birth_date", "1988-09-03")
    page.fill("[name='members[0].kinship']", "жұбайы")
    page.click("button[value='add:members']")
    # the new row takes the focus
    assert page.evaluate("document.activeElement.name") == "members[1].name.last_name"
    page.keyboard.type("Бауыржанұлы")
    page.fill("[name='members[1].name.first_name']", "Ерқанат")
    fill_date(page, "members[1].birth_date", member_birth_date)
    page.fill("[name='members[1].kinship']", "ұлы")
    page.fill("[name='head_name']", "Қ. Т. Сәрсенбаев")
    fill_date(page, "issue_date", "2026-03-10")


def test_referral_error_in_kazakh_fix_preview_and_pdf(server, page, shot, tmp_path):
    page.goto(f"{server.url}/forms/referral")
    assert page.get_attribute("html", "lang") == "kk"
    # keyboard: the first Tab reaches the skip link, and focus is visible
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    shot(page, "blank", full_page=False)

    fill_referral(page, FUTURE)
    shot(page, "filled")
    page.click("button[value='pdf']")  # invalid: the form comes back instead of a document
    page.wait_for_selector("#error-summary")
    shot(page, "error-kk")
    summary = page.locator("#error-summary")
    assert "Нысанда қате бар: 1." in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # announced (role=alert) and focused
    inline = page.locator("#f-members-1--birth_date-error")
    assert inline.inner_text() == "Күн болашақта болмауы тиіс."
    date_input = page.locator("[name='members[1].birth_date.day']")  # day, month, year inputs
    assert date_input.get_attribute("aria-invalid") == "true"
    assert [page.input_value(f"[name='members[1].birth_date.{part}']") for part in ("day", "month", "year")] == [
        "17",
        "2",
        "2099",
    ]  # kept as typed
    assert page.input_value("[name='members[0].kinship']") == "жұбайы"  # and so is everything else

    summary.get_by_role("link").click()  # the summary's link takes the focus to the field
    assert page.evaluate("document.activeElement.name") == "members[1].birth_date.day"
    fill_date(page, "members[1].birth_date", "2012-02-17")
    page.click("button[value='preview']")
    page.wait_for_selector("iframe.preview-frame")
    frame = page.frame_locator("iframe.preview-frame")
    assert "Бауыржанұлы Ерқанат" in frame.locator("body").inner_text()
    shot(page, "preview")

    with page.expect_download() as download_info:
        page.click("button[value='pdf']")
    download = download_info.value
    assert download.suggested_filename == "referral-v1-kk.pdf"
    saved = tmp_path / "referral.pdf"
    download.save_as(saved)
    text = pdf_text(saved.read_bytes())
    assert "ЖОЛДАМА" in text
    for name in ("Нұрланов Бауыржан Серікұлы", "Нұрланова Гүлнұр", "Бауыржанұлы Ерқанат", "жұбайы"):
        assert name in text


def test_interface_in_russian_labels_and_errors(server, page, shot):
    page.goto(f"{server.url}/forms/referral")
    page.get_by_role("link", name="Русский").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "ru"
    assert page.get_by_role("group", name="Дата рождения претендента").count() == 1
    assert page.get_by_label("День").count() >= 1
    assert page.locator("label[for='f-applicant-last_name']").inner_text().startswith("Фамилия")
    assert page.locator("button[value='pdf']").inner_text() == "Скачать PDF"
    page.fill("[name='applicant.last_name']", "Нұрланов")
    fill_date(page, "applicant_birth_date", FUTURE)
    page.click("button.secondary[value='check']")
    page.wait_for_selector("#error-summary")
    shot(page, "errors-ru")
    text = page.locator("#error-summary").inner_text()
    assert "Дата не может быть в будущем." in text
    assert "Это поле обязательно для заполнения." in text
    assert page.locator("#f-applicant-first_name-error").inner_text() == "Это поле обязательно для заполнения."
    # the document language is chosen separately
    assert page.input_value("#doc-lang") == "kk"
    # remembered: the next page speaks Russian too
    page.goto(server.url + "/")
    assert "Действующие формы" in page.locator("h1").inner_text()
    shot(page, "index-ru", full_page=False)


def test_draft_is_restored_after_a_reload(server, page, shot):
    page.goto(f"{server.url}/forms/referral")
    page.fill("[name='applicant.last_name']", "Нұрланов")
    page.fill("[name='applicant.first_name']", "Бауыржан")
    page.locator("button[value='add:members']").focus()
    page.keyboard.press("Enter")  # keyboard only
    page.keyboard.type("Бауыржанұлы")
    page.fill("[name='members[1].kinship']", "ұлы")
    expect(page.locator(".draft-text")).to_contain_text("сақталды")
    shot(page, "typed")

    page.reload()
    expect(page.locator(".draft-text")).to_contain_text("қалпына")
    assert page.input_value("[name='applicant.last_name']") == "Нұрланов"
    assert page.input_value("[name='members[1].name.last_name']") == "Бауыржанұлы"
    assert page.input_value("[name='members[1].kinship']") == "ұлы"
    assert page.locator("[data-rows-count]").inner_text() == "Жолдар: 2 / 6"
    shot(page, "restored")

    # a crash: the tab is gone, a new one opens the form
    second = page.context.new_page()
    second.goto(f"{server.url}/forms/referral")
    assert second.input_value("[name='members[1].name.last_name']") == "Бауыржанұлы"
    second.close()

    page.click("#draft-clear")
    expect(page.locator(".draft-text")).to_contain_text("өшірілді")
    assert page.input_value("[name='applicant.last_name']") == ""
    page.reload()
    assert page.input_value("[name='applicant.last_name']") == ""
    shot(page, "cleared", full_page=False)


# --- journal rows from a CSV ----------------------------------------------------------------------


def journal_server(start_server):
    """The app, and referral-journal, the journal whose rows the clerk uploads."""
    registry = forms.default_registry()
    ready = {spec.id: spec for spec, available in in_force(registry) if available}
    assert "referral-journal" in ready, "referral-journal is not offered by the web forms"
    return start_server(), ready["referral-journal"]


def value_for(column, n: int) -> str:
    kind = column.spec.type
    if column.part:
        return {"last_name": f"Тегі{n:02d}", "first_name": f"Аты{n:02d}", "patronymic": ""}[column.part]
    if kind == "date":
        return "2020-01-15"
    if kind == "integer":
        return str(n)
    if kind in ("string", "text"):
        return f"N{n}"
    return ""  # optional IIN, enum, boolean: left empty


def journal_csv(spec, count: int, bad_row: int) -> tuple[bytes, str]:
    item = spec.field(spec.rows_field).children
    cols = columns(item)
    date_col = next(c for c in cols if c.spec.type == "date" and c.required)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.key for c in cols])
    for n in range(1, count + 1):
        writer.writerow(["31.02.1990" if (n == bad_row and c is date_col) else value_for(c, n) for c in cols])
    return out.getvalue().encode("utf-8"), date_col.key


def test_upload_50_journal_rows_fix_the_bad_one_and_download(start_server, page, shot, tmp_path):
    server, spec = journal_server(start_server)
    content, bad_column = journal_csv(spec, 50, bad_row=17)
    page.goto(f"{server.url}/forms/{spec.id}")
    page.set_input_files("#rows-file", files=[{"name": "journal.csv", "mimeType": "text/csv", "buffer": content}])
    shot(page, "chosen", full_page=False)
    page.click("button[value='upload']")
    page.wait_for_selector("#error-summary")
    shot(page, "row-error", full_page=False)
    summary = page.locator("#error-summary").inner_text()
    assert f"Файлдың 18-жолы, «{bad_column}» бағаны" in summary  # the header is line 1
    assert "Күн қате" in summary
    assert (
        page.locator(f"[name='{spec.rows_field}[49].{columns(spec.field(spec.rows_field).children)[1].key}']").count()
        == 1
    )
    bad = page.locator(f"[name='{spec.rows_field}[16].{bad_column}.day']")
    assert bad.input_value() == "31"
    assert page.input_value(f"[name='{spec.rows_field}[16].{bad_column}.month']") == "02"

    # a row added by hand to the table (a <tr> from its <template>) takes the next number
    first_key = columns(spec.field(spec.rows_field).children)[1].key
    page.click(f"button[value='add:{spec.rows_field}']")
    assert page.evaluate("document.activeElement.name").startswith(f"{spec.rows_field}[50].")
    assert page.locator(f"[name='{spec.rows_field}[50].{first_key}']").count() == 1
    assert page.locator("tbody[data-rows] > tr").count() == 51
    page.locator("#error-summary a").click()
    assert page.evaluate("document.activeElement.name") == f"{spec.rows_field}[16].{bad_column}.day"
    fill_date(page, f"{spec.rows_field}[16].{bad_column}", "2020-01-15")
    shot(page, "fixed", full_page=False)
    with page.expect_download() as download_info:
        page.click("button[value='pdf']")
    saved = tmp_path / "journal.pdf"
    download_info.value.save_as(saved)
    text = pdf_text(saved.read_bytes())
    for n in (1, 17, 50):
        assert f"Тегі{n:02d}" in text, n


# --- without JavaScript ---------------------------------------------------------------------------


def test_basic_submit_without_javascript(server, browser, shot, tmp_path):
    context = browser.new_context(
        java_script_enabled=False, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{server.url}/forms/referral")
        page.fill("[name='applicant.last_name']", "Нұрланов")
        page.fill("[name='applicant.first_name']", "Бауыржан")
        fill_date(page, "applicant_birth_date", "1985-04-12")
        page.fill("[name='members[0].name.last_name']", "Нұрланова")
        page.fill("[name='members[0].name.first_name']", "Гүлнұр")
        page.fill("[name='members[0].kinship']", "жұбайы")
        page.click("button[value='add:members']")  # a real submit: the server adds the row
        page.wait_for_selector("[name='members[1].name.last_name']")
        assert page.input_value("[name='members[0].kinship']") == "жұбайы"
        page.fill("[name='members[1].name.last_name']", "Бауыржанұлы")
        page.fill("[name='members[1].name.first_name']", "Ерқанат")
        page.fill("[name='members[1].kinship']", "ұлы")
        page.click("button[value='pdf']")
        page.wait_for_selector("#error-summary")  # the issue date is missing
        assert "Бұл өрісті толтыру міндетті." in page.locator("#f-issue_date-error").inner_text()
        shot(page, "error-no-js", full_page=False)
        fill_date(page, "issue_date", "2026-03-10")
        with page.expect_download() as download_info:
            page.click("button[value='pdf']")
        saved = tmp_path / "nojs.pdf"
        download_info.value.save_as(saved)
        assert "Бауыржанұлы Ерқанат" in pdf_text(saved.read_bytes())
    finally:
        context.close()


def test_rows_add_reorder_remove_and_the_cap_of_six(server, page, shot):
    page.goto(f"{server.url}/forms/referral")
    add = page.locator("button[value='add:members']")
    page.fill("[name='members[0].name.last_name']", "Бірінші")
    for n, name in enumerate(["Екінші", "Үшінші"], start=1):
        add.click()
        page.fill(f"[name='members[{n}].name.last_name']", name)
    # move the third row up: the inputs are renamed so that the order posted is the order shown
    page.click("button[value='up:members[2]']")
    assert page.input_value("[name='members[1].name.last_name']") == "Үшінші"
    assert page.input_value("[name='members[2].name.last_name']") == "Екінші"
    assert page.evaluate("document.activeElement.value") == "up:members[1]"  # the focus follows the row
    expect(page.locator("#live")).to_have_text("Жол 2-орынға жылжытылды.")  # announced (aria-live)
    assert page.locator("#f-members-1-").get_attribute("data-prefix") == "members[1]"
    assert page.locator("label[for='f-members-1--name-last_name']").count() == 1
    # remove the first row
    page.click("button[value='remove:members[0]']")
    assert page.input_value("[name='members[0].name.last_name']") == "Үшінші"
    assert page.locator("[name='members[2].name.last_name']").count() == 0
    # the referral's cap: six members
    while page.locator("fieldset.row").count() < 6:
        add.click()
    assert add.is_disabled()
    assert page.locator("[data-rows-count]").inner_text() == "Жолдар: 6 / 6"
    shot(page, "six-rows")
    # what the browser posts follows the rows as shown
    page.fill("[name='applicant.last_name']", "Нұрланов")
    page.click("button.secondary[value='check']")
    page.wait_for_load_state()
    assert page.input_value("[name='members[0].name.last_name']") == "Үшінші"
    assert page.input_value("[name='members[1].name.last_name']") == "Екінші"
