"""The accessibility check itself (tests/support/accessibility.py): a page with a serious violation
fails the test that loads it, with JavaScript and without; the clerks' pages pass it."""

from __future__ import annotations

import pytest

from support.accessibility import AccessibilityViolation

UNLABELLED = (
    "<!DOCTYPE html><html lang='kk'><head><title>x</title></head><body><main><h1>x</h1>"
    "<form><input type='file' name='file'></form></main></body></html>"
)


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_page_with_an_unlabelled_input_fails_where_it_loads(server, browser, scripts):
    context = browser.new_context(java_script_enabled=scripts)
    page = context.new_page()
    url = f"{server.url}/unlabelled"
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=UNLABELLED))
    with pytest.raises(AccessibilityViolation, match=r"label \(critical\)"):
        page.goto(url)
        page.title()  # the next call on the page checks the page loaded
    page.unroute(url)
    page.goto(f"{server.url}/forms/referral")  # the clerks' form: no violation
    page.title()
    assert page.checked[-1] == f"{server.url}/forms/referral"
    context.close()
