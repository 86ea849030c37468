"""Clerks' accounts in a real browser: sign in, fill the referral, issue it, see its number,
download it, read the QR code of the downloaded PDF (pdftoppm, zbarimg) and open its URL: valid;
a supervisor revokes it: the verification page says revoked. A draft typed in one browser context
is there in a fresh one after sign-in; five wrong passwords lock the account; a clerk of another
organisation gets 404 for the document and its file. Screenshots of each page in kk and ru go to
test-output/screenshots/ (docs/clerks.md, "The clerk's day", names them)."""

from __future__ import annotations

import subprocess

import pytest
from test_browser_clerk import fill_referral

from recordkeeping.users import Users
from service.records import open_register
from support.tools import missing
from support.web import fill_date

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None

PASSWORD = "correct horse battery"


@pytest.fixture
def office(start_server):
    """The app with three accounts: a clerk and a supervisor of centre-1, a clerk of akimat-2."""
    server = start_server()
    users = Users(open_register(server.app).db)
    users.add("aigerim", "centre-1", "clerk", PASSWORD)
    users.add("saule", "centre-1", "supervisor", PASSWORD)
    users.add("dana", "akimat-2", "clerk", PASSWORD)
    return server


def sign_in(page, server, name: str, password: str = PASSWORD, lang: str = "kk"):
    page.goto(f"{server.url}/lang/{lang}?next=/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def qr_url(pdf: bytes, tmp_path) -> str:
    for tool in ("pdftoppm", "zbarimg"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            missing(f"{tool} is not installed (apt-get install poppler-utils zbar-tools)")
    source = tmp_path / "issued.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    image = next(tmp_path.glob("page*.png"))
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, timeout=60)
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def test_sign_in_issue_download_verify_and_revoke(office, browser, page, shot, tmp_path):
    page.goto(f"{office.url}/forms/referral")
    assert "/login" in page.url  # sign-in first
    shot(page, "login-kk", full_page=False)
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/referral")
    fill_referral(page, "2012-02-17")
    shot(page, "form-kk")
    page.click("button[value='issue']")
    page.wait_for_selector("#document-number")
    assert page.inner_text("#document-number") == "1"
    assert "Құжат тіркелді." in page.inner_text("main")
    shot(page, "document-kk")
    with page.expect_download() as download_info:
        page.click("#download")
    saved = tmp_path / "download.pdf"
    download_info.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    url = qr_url(pdf, tmp_path)
    assert url == page.get_attribute("#verify-link", "href") and url.startswith(f"{office.url}/v/")
    page.goto(url)
    assert "Құжат тіркелген және күшінде." in page.inner_text("body")
    shot(page, "verify-valid-kk", full_page=False)

    boss = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    sign_in(boss, office, "saule")
    boss.goto(f"{office.url}/documents")
    shot(boss, "documents-kk")
    boss.click("table.documents a")
    boss.fill("#reason", "Қате толтырылған")
    shot(boss, "revoke-kk")
    boss.click("#revoke button[type=submit]")
    assert "Қате толтырылған" in boss.inner_text("#revoke-confirm-reason")  # asked first
    shot(boss, "revoke-confirm-kk")
    boss.click("#revoke-confirm button[type=submit]")
    expect(boss.locator("#document-status")).to_have_text("кері қайтарылған")
    boss.goto(url)
    assert "Құжат кері қайтарылып алынған" in boss.inner_text("body")
    shot(boss, "verify-revoked-kk", full_page=False)
    boss.context.close()


def test_a_draft_typed_in_one_browser_opens_in_another_after_sign_in(office, browser, page, shot):
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/referral")
    page.fill("[name='applicant.last_name']", "Нұрланов")
    fill_date(page, "applicant_birth_date", "1985-04-12")
    page.click("button[value='add:members']")
    page.fill("[name='members[1].kinship']", "ұлы")
    expect(page.locator(".draft-text")).to_contain_text("серверде сақталды", timeout=15000)
    shot(page, "draft-saved-kk", full_page=False)

    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_in(other, office, "aigerim")
        other.goto(f"{office.url}/drafts")
        shot(other, "drafts-kk", full_page=False)
        other.click("#drafts a")
        expect(other.locator(".draft-text")).to_contain_text("Серверде сақталған жоба ашылды")
        assert other.input_value("[name='applicant.last_name']") == "Нұрланов"
        assert other.input_value("[name='applicant_birth_date.year']") == "1985"
        assert other.input_value("[name='members[1].kinship']") == "ұлы"
        assert other.evaluate("window.localStorage.length") == 0  # nothing kept in this browser
    finally:
        other.context.close()


def test_the_browser_keeps_the_draft_only_when_the_server_cannot_be_reached(office, page):
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/referral")
    page.route("**/drafts/referral", lambda route: route.abort())
    page.fill("[name='head_name']", "Қ. Т. Сәрсенбаев")
    expect(page.locator(".draft-text")).to_contain_text("Сервер қолжетімсіз", timeout=15000)
    assert page.evaluate("window.localStorage.length") == 1


def test_five_wrong_passwords_lock_the_account(office, page, shot):
    for attempt in range(5):
        sign_in(page, office, "aigerim", f"guess-{attempt}")
    assert "15 минутқа бұғатталды" in page.inner_text("#sign-in-error")
    sign_in(page, office, "aigerim")  # the right password: refused too
    assert "15 минутқа бұғатталды" in page.inner_text("#sign-in-error")
    shot(page, "locked-kk", full_page=False)


def test_a_clerk_of_another_organisation_gets_404(office, browser, page):
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/referral")
    fill_referral(page, "2012-02-17")
    page.click("button[value='issue']")
    page.wait_for_selector("#document-number")
    doc_url = page.url.split("?")[0]
    other = browser.new_context().new_page()
    try:
        sign_in(other, office, "dana")
        assert other.goto(doc_url).status == 404
        assert other.context.request.get(f"{doc_url}/file").status == 404
    finally:
        other.context.close()


def test_the_clerks_pages_in_russian(office, page, shot):
    sign_in(page, office, "saule", lang="ru")
    page.goto(f"{office.url}/")
    shot(page, "index-ru", full_page=False)
    page.goto(f"{office.url}/forms/referral")
    assert page.inner_text("button[value='issue']") == "Зарегистрировать и скачать"
    assert page.get_by_label("Месяц").count() >= 1
    fill_referral(page, "2012-02-17")
    shot(page, "form-ru")
    page.click("button[value='issue']")
    page.wait_for_selector("#document-number")
    assert "Документ зарегистрирован." in page.inner_text("main")
    shot(page, "document-ru")
    verify = page.get_attribute("#verify-link", "href")
    page.goto(f"{verify}?lang=ru")
    assert "Документ зарегистрирован и действует." in page.inner_text("body")
    shot(page, "verify-valid-ru", full_page=False)
    page.goto(f"{office.url}/documents")
    assert "Документы организации" in page.inner_text("h1")
    shot(page, "documents-ru")
    page.goto(f"{office.url}/drafts")
    shot(page, "drafts-ru", full_page=False)
    page.click("header .account button")  # sign out
    page.wait_for_url("**/login")
    assert page.inner_text("h1") == "Вход в систему"
    shot(page, "login-ru", full_page=False)


def test_an_iin_not_matching_the_birth_date_is_flagged_as_it_is_typed(office, page, shot):
    import forms

    kandas = forms.example("road-map")["kandas"]
    year, month, day = kandas["birth_date"].split("-")
    sign_in(page, office, "aigerim")
    page.goto(f"{office.url}/forms/road-map")
    fill_date(page, "kandas.birth_date", f"{int(year) + 1}-{month}-{day}")
    page.fill("[name='kandas.iin']", kandas["iin"])
    check = page.locator("#f-kandas-iin-check")
    expect(check).to_be_visible()
    assert page.get_attribute("[name='kandas.iin']", "aria-invalid") == "true"
    shot(page, "iin-mismatch-kk", full_page=False)
    page.fill("[name='kandas.birth_date.year']", year)  # the right year: the flag goes
    expect(check).to_have_count(0)
