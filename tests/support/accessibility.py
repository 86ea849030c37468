"""Accessibility as a test: axe-core (the ``axe-playwright-python`` package bundles it) runs on every
page the browser tests load, and a violation of impact serious or critical fails the test there.

The browser fixture hands out ``Audited`` contexts and pages: a page notes each navigation of its
main frame (the event handler only notes it: a Playwright call inside a handler races the
navigation), and the next call on the page, or the end of the test, waits for the load and runs axe
first. So every page a test goes to, submits to or is redirected to is checked in the state it
loaded in. A context without JavaScript cannot run axe itself: its page's HTML is checked in a
JavaScript context of its own, loaded from the same address (so its styles apply), with the page's
own script left out.
"""

from __future__ import annotations

from typing import Any

BLOCKING = ("serious", "critical")
# The preview's sandboxed frame runs no script: axe would wait for it to answer; the legal text in it
# is the act's, not ours.
OPTIONS = {"resultTypes": ["violations"], "iframes": False}


class AccessibilityViolation(AssertionError):
    pass


_axe = None


def _engine():
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe


def violations(page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now."""
    found = _engine().run(page, options=OPTIONS).response["violations"]
    return [v for v in found if v.get("impact") in BLOCKING]


def describe(url: str, found: list[dict]) -> str:
    lines = [f"axe: {len(found)} serious or critical violation(s) on {url}:"]
    for violation in found:
        targets = [
            ", ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in violation["nodes"][:5]
        ]
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} — {'; '.join(targets)}")
    return "\n".join(lines)


class Audited:
    """The browser: its contexts and pages are audited (see the module's docstring)."""

    def __init__(self, browser):
        self._browser = browser
        self._contexts: list[AuditedContext] = []
        self._shadow = None

    def new_context(self, **options: Any) -> AuditedContext:
        context = AuditedContext(self, self._browser.new_context(**options), options.get("java_script_enabled", True))
        self._contexts.append(context)
        return context

    def new_page(self, **options: Any) -> AuditedPage:
        return self.new_context(**options).new_page()

    def shadow_check(self, url: str, html: str) -> list[dict]:
        """axe on a page's HTML from a context without JavaScript, in a context with it."""
        if self._shadow is None:
            self._shadow = self._browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        shadow = self._shadow
        shadow.unroute("**/*")
        shadow.route(
            "**/*",
            lambda route: (
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
                if route.request.url == url
                else route.abort()
                if route.request.url.endswith(".js")
                else route.continue_()
            ),
        )
        shadow.goto(url)
        return violations(shadow)

    def close_all(self) -> None:
        for context in self._contexts:
            context.close()
        if self._shadow is not None:
            self._shadow.context.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


class AuditedContext:
    def __init__(self, owner: Audited, context, scripts: bool):
        self._owner, self._context, self.scripts = owner, context, scripts
        self._pages: list[AuditedPage] = []
        self._closed = False

    def new_page(self) -> AuditedPage:
        page = AuditedPage(self, self._context.new_page())
        self._pages.append(page)
        return page

    def close(self) -> None:
        """The pages' last states are checked before the context goes."""
        if self._closed:
            return
        self._closed = True
        try:
            for page in self._pages:
                page.audit()
        finally:
            self._context.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class AuditedPage:
    """A Playwright page whose every loaded document is checked with axe before the next call."""

    def __init__(self, context: AuditedContext, page):
        self._ctx, self._page = context, page
        self._pending = False  # about:blank is not checked
        self.checked: list[str] = []  # the addresses checked, in order
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self._page.main_frame:
            self._pending = True

    @property
    def context(self) -> AuditedContext:
        return self._ctx

    def audit(self) -> None:
        """Run axe if the page has loaded a document since the last check."""
        if not self._pending or self._page.is_closed():
            return
        self._pending = False
        self._page.wait_for_load_state("load")
        url = self._page.url
        if not url.startswith("http"):
            return
        if self._ctx.scripts:
            found = violations(self._page)
        else:
            found = self._ctx._owner.shadow_check(url, self._page.content())
        self.checked.append(url)
        if found:
            raise AccessibilityViolation(describe(url, found))

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._page, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.audit()  # the page loaded by an earlier call (a link, a locator's click)
            result = attribute(*args, **kwargs)
            self.audit()  # the page this call loaded (goto, a submit, a reload)
            return result

        return call
