"""Browser tests: Debian's Chromium driven by Playwright for Python against the app on a free
loopback port. ``playwright install`` cannot download browsers here, so the system's
/usr/bin/chromium is used; .ci/run installs it. Screenshots of each step go to
test-output/screenshots/ (gitignored)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from support.accessibility import Audited
from support.tools import missing

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NYSAN_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium():
    problem = _unavailable()
    if problem:
        missing(problem)  # fails in CI, skips elsewhere
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium):
    """The browser, whose every page is checked with axe at each page it loads (accessibility.py)."""
    audited = Audited(chromium)
    yield audited
    audited.close_all()


class Server:
    """The app on 127.0.0.1 and a free port, in a thread, until the test is done."""

    def __init__(self, config: dict):
        from werkzeug.serving import make_server

        from service import create_app

        # The register (accounts, documents) in a folder of the test's own, never the user's.
        self.state = tempfile.mkdtemp(prefix="nysan-browser-")
        self.app = create_app({"SECRET_KEY": "browser-tests", "STATE_DIR": self.state, **config})
        self.httpd = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)
        register = self.app.extensions.get("nysan.register")
        if register is not None:
            register.close()
        shutil.rmtree(self.state, ignore_errors=True)


@pytest.fixture
def start_server():
    servers: list[Server] = []

    def start(**config) -> Server:
        servers.append(Server(config))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server) -> Server:
    return start_server()


@pytest.fixture
def page(browser, request):
    """A fresh browser profile (its own localStorage and cookies) per test; axe checks each page it
    loads (accessibility.py)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="kk-KZ")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def shot(request):
    """shot(page, "step") saves test-output/screenshots/<test>-<nn>-<step>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"\W+", "-", request.node.name).strip("-")
    count = {"n": 0}

    def take(page, step: str, full_page: bool = True) -> Path:
        count["n"] += 1
        path = SHOTS / f"{test}-{count['n']:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
