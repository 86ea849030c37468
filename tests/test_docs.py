"""What a user or an operator can meet is documented: every setting, every error code, every
`nysan forms check` problem code is named in README.md or in docs/.

Each list below is read from where the thing is declared, so a new setting or code without its
documentation fails here. When the settings get one declaration each, point ``settings()`` at it.
"""
from __future__ import annotations

import re

import pytest
import yaml

from forms.authoring import checks
from service import config
from service.api import errors
from support.cases import ROOT

ENGINE = ROOT / "forms"
SERVICE = ROOT / "service"


def documentation() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


DOCS = documentation()


def named(name: str) -> bool:
    """The name in code type: `name`, or inside a code span or block (``NYSAN_X=1 nysan serve``)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ".join(re.findall(r"`[^`]+`|```.*?```", DOCS, re.S))) \
        is not None


def sources(folder) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py")))


def settings() -> list[str]:
    """The service's settings (documented by key, read from ``NYSAN_<KEY>``) and every environment
    variable the engine or the service reads by name."""
    service = [setting.variable for setting in config.SETTINGS]
    read = set(re.findall(r"\bNYSAN_[A-Z][A-Z0-9_]*\b", sources(ENGINE) + sources(SERVICE)))
    return sorted(set(service) | read)


def error_codes() -> list[str]:
    """Codes an API client, a CLI user or a clerk can get: the engine's messages, the engine's
    exceptions and the service's own codes."""
    found = set(yaml.safe_load((ENGINE / "messages.yaml").read_text(encoding="utf-8")))
    engine, service = sources(ENGINE), sources(SERVICE)
    found |= set(re.findall(r'^\s+code = "([a-z_]+)"', engine, re.M)) - {"error"}   # "error": the base class's
    found |= set(re.findall(r'"code": "([a-z_]+)"', engine + service))              # the CLI's own codes
    found |= set(errors.HTTP_CODES.values())
    found |= set(re.findall(r'RequestError\(\s*\d+,\s*"([a-z_]+)"', service))
    return sorted(found)


def test_the_lists_are_read():
    # A regex that stops matching must not turn the tests below into tests of nothing.
    assert {"NYSAN_PDF_ENGINE", "NYSAN_DATA_DIR", "NYSAN_API_KEYS"} <= set(settings())
    assert {"required", "iin_checksum", "unknown_form", "invalid_data", "busy", "not_found", "invalid_argument",
            "unsupported_format"} <= set(error_codes())
    assert len(checks.CODES) >= 19


@pytest.mark.parametrize("name", settings())
def test_every_setting_is_documented(name):
    key = name.removeprefix("NYSAN_")
    assert named(name) or named(key), f"{name} is not described in README.md or docs/"


@pytest.mark.parametrize("code", error_codes())
def test_every_error_code_is_documented(code):
    assert named(code), f"error code {code} is not described in README.md or docs/"


@pytest.mark.parametrize("code", checks.CODES)
def test_every_check_code_is_documented(code):
    # docs/amending-a-form.md explains each in Russian and Kazakh (tests/test_legal_workflow.py).
    assert named(code), f"`nysan forms check` code {code} is not described in README.md or docs/"
