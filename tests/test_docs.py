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
RECORDS = ROOT / "recordkeeping"
SERVICE = ROOT / "service"


def documentation() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


DOCS = documentation()


def named(name: str) -> bool:
    """The name in code type: `name`, or inside a code span or block (``NYSAN_X=1 nysan serve``)."""
    return (
        re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ".join(re.findall(r"`[^`]+`|```.*?```", DOCS, re.S)))
        is not None
    )


def sources(folder) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py")))


def settings() -> list[str]:
    """The service's settings (documented by key, read from ``NYSAN_<KEY>``) and every environment
    variable any layer reads by name."""
    service = [setting.variable for setting in config.SETTINGS]
    read = set(re.findall(r"\bNYSAN_[A-Z][A-Z0-9_]*\b", sources(ENGINE) + sources(RECORDS) + sources(SERVICE)))
    return sorted(set(service) | read)


def error_codes() -> list[str]:
    """Codes an API client, a CLI user or a clerk can get: the engine's messages, the engine's
    exceptions, the system of record's and the service's own codes."""
    found = set(yaml.safe_load((ENGINE / "messages.yaml").read_text(encoding="utf-8")))
    engine, service = sources(ENGINE) + sources(RECORDS), sources(SERVICE)
    found |= set(re.findall(r'^\s+code = "([a-z_]+)"', engine, re.M)) - {"error"}  # "error": the base class's
    found |= set(re.findall(r'"code": "([a-z_]+)"', engine + service))  # the CLI's own codes
    found |= set(errors.HTTP_CODES.values())
    found |= set(re.findall(r'RequestError\(\s*\d+,\s*"([a-z_]+)"', service))
    return sorted(found)


def test_the_lists_are_read():
    # A regex that stops matching must not turn the tests below into tests of nothing.
    assert {"NYSAN_PDF_ENGINE", "NYSAN_DATA_DIR", "NYSAN_API_KEYS"} <= set(settings())
    assert {
        "required",
        "iin_checksum",
        "unknown_form",
        "invalid_data",
        "busy",
        "not_found",
        "invalid_argument",
        "unsupported_format",
    } <= set(error_codes())
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


# The README is the front page; the reference lives in docs/ (issue 25).
README = ROOT / "README.md"
DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))


def links(page) -> list[str]:
    """The targets of a page's Markdown links, outside code."""
    text = re.sub(r"```.*?```|`[^`\n]+`", "", page.read_text(encoding="utf-8"), flags=re.S)
    return re.findall(r"\]\(([^)\s]+)\)", text)


def anchors(page) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", text, re.M)
    }


def test_the_readme_is_a_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines: move reference material to docs/"


def test_the_readme_links_every_page_in_docs():
    assert len(DOC_PAGES) >= 12  # the split happened: a glob that finds nothing must not pass
    linked = {
        (README.parent / target.split("#", 1)[0]).resolve()
        for target in links(README)
        if not target.startswith(("http:", "https:", "#"))
    }
    missing = [
        page.name for page in [*DOC_PAGES, ROOT / "docs" / "forms" / "README.md"] if page.resolve() not in linked
    ]
    assert not missing, f"README.md's Documentation list does not link {missing}"
    forms_index = ROOT / "docs" / "forms" / "README.md"
    listed = {(forms_index.parent / target).resolve() for target in links(forms_index)}
    assert not [
        page.name
        for page in (ROOT / "docs" / "forms").glob("*.md")
        if page != forms_index and page.resolve() not in listed
    ]


@pytest.mark.parametrize("page", [README, ROOT / "CHANGELOG.md", *DOC_PAGES], ids=lambda page: page.name)
def test_relative_links_lead_somewhere(page):
    """A section moved between pages leaves no link behind: each file and each #anchor exists."""
    broken = []
    for target in links(page):
        if target.startswith(("http:", "https:", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(target)
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(target)
    assert not broken, f"{page.name}: {broken}"


def test_every_docs_page_leads_back_to_the_readme():
    assert not [page.name for page in DOC_PAGES if "../README.md" not in links(page)]
