"""The public verification page on a phone (issue 29): the organisation's official name as it was at
issue, in the page's language, and the issue time in Asia/Almaty; axe finds nothing (accessibility.py
checks every page loaded)."""

from __future__ import annotations

import forms
from recordkeeping import Actor
from recordkeeping.organisations import Organisations
from service.records import open_register
from service.web.display import local_time

NAME_KK = "Алматы қаласының көші-қон басқармасы"
NAME_RU = "Управление миграции города Алматы"


def test_the_verification_page_on_a_phone_shows_the_organisations_name_and_local_time(server, browser, shot):
    register = open_register(server.app)
    Organisations(register.db).add(
        "default",
        name_kk=NAME_KK,
        name_ru=NAME_RU,
        bin="050640001236",
        head_kk="Серікбаев Д.А.",
        head_ru="Серикбаев Д.А.",
    )
    doc, _ = register.issue(
        Actor("default", "test"), "referral", forms.example("referral"), "ru", verify_base=server.url
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(doc["verify_url"])
        main = page.inner_text("main")
        assert NAME_RU in main and "default" not in main
        assert local_time(doc["issued_at"]) in main  # Almaty time, not the UTC of the JSON
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 360)"
            ".map(e => e.tagName + '.' + e.className + ':' + e.getBoundingClientRect().right)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide  # nothing wider than the phone
        shot(page, "verify-ru")
        page.click("text=Қазақша")
        page.wait_for_url("**?lang=kk")
        assert NAME_KK in page.inner_text("main")
        shot(page, "verify-kk")
    finally:
        context.close()


def test_an_admin_fills_in_the_placeholder_and_the_form_opens_prefilled(start_server, page, shot):
    from test_browser_accounts import PASSWORD, sign_in

    from recordkeeping.users import Users

    server = start_server()
    register = open_register(server.app)
    Organisations(register.db).ensure("centre-1")
    Users(register.db).add("ainur", "centre-1", "admin", PASSWORD)
    sign_in(page, server, "ainur", lang="ru")
    page.goto(server.url + "/")
    page.click("#organisation-placeholder a")
    page.wait_for_url("**/admin/organisations")
    for name, value in (
        ("name_kk", NAME_KK),
        ("name_ru", NAME_RU),
        ("bin", "050640001236"),
        ("head_kk", "Серікбаев Д.А."),
        ("head_ru", "Серикбаев Д.А."),
    ):
        page.fill(f"#org-{name}", value)
    page.select_option("#org-kind", "local_executive_body")
    page.click("#organisation-form button[type=submit]")
    page.wait_for_selector("#organisation-saved")
    shot(page, "admin-saved")
    assert NAME_RU in page.inner_text("#organisations")
    page.goto(server.url + "/forms/placement-application")
    assert page.input_value("[name=authority_name]") == NAME_RU
