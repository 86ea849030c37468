"""Fixtures shared by the tests; helpers are in tests/support/ (imported as ``support.…``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# tests/ on the path, so that every test (tests/browser/ too) imports the helpers as ``support``.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The register's databases: SQLite and a PostgreSQL cluster the tests start themselves.
pytest_plugins = ["support.register_db"]


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden text snapshots")


# Tiers (markers declared in pyproject.toml): `pytest -m "not slow and not browser"` is the quick loop.
# Set here from what a test uses, so that no test can forget its tier: the PostgreSQL cluster (a
# fixture, or the `postgresql` case of a backend parameter), Chromium (tests/browser/). `server`
# (a real `nysan serve`, nginx) and `slow` are declared by the modules and tests themselves.
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if {"postgres_cluster", "postgres_url"} & set(item.fixturenames) or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)
        if BROWSER_TESTS in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def client(tmp_path):
    """The clerks' web app on the shipped forms (Flask's test client), its register (none: no
    accounts) in the test's folder, never the user's. Tests of the API, or of the web on a data
    folder of their own, define their own ``client``."""
    from service import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test", "STATE_DIR": str(tmp_path / "state")}).test_client()


@pytest.fixture
def slow_renders(monkeypatch):
    """Every render of the service takes a second more (in its render process too, forked after this
    patch): a one-page render alone can beat any short deadline."""
    import time

    from forms.rendering import document

    real = document.render

    def slow(*args, **kwargs):
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(document, "render", slow)
