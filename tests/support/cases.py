"""The registry as test cases: every form × version (× language × format), each example rendered
once per session, and examples grown to many rows."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import pytest

import forms

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent


def registry_cases():
    """(form, version) for every version in the registry."""
    registry = forms.default_registry()
    cases = [(f.id, v.version) for f in registry.forms.values() for v in f.versions]
    assert cases, "the registry is empty: the tests parametrised over it would compare nothing"
    return cases


def matrix(formats=forms.FORMATS):
    return [
        pytest.param(form, version, lang, fmt, id=f"{form}-v{version}-{lang}-{fmt}")
        for form, version in registry_cases()
        for lang in forms.DOCUMENT_LANGUAGES
        for fmt in formats
    ]


def as_of_for(form_id: str, version: str):
    """A date inside the version's window (repealed forms are rendered inside theirs)."""
    spec = forms.default_registry().form(form_id).version(version)
    return spec.effective_to or None


@functools.cache
def rendered(form_id: str, version: str, lang: str, fmt: str) -> bytes:
    """The example of a version, rendered once per test session."""
    data = forms.example(form_id, version)
    return forms.render(form_id, data, lang=lang, fmt=fmt, version=version, as_of=as_of_for(form_id, version))


def with_rows(form_id: str, version: str, count: int) -> dict:
    """The version's example with its table grown to ``count`` rows, the example's rows in turn."""
    spec = forms.default_registry().form(form_id).version(version)
    data = forms.example(form_id, version)
    rows = data[spec.rows_field]
    data[spec.rows_field] = [copy.deepcopy(rows[i % len(rows)]) for i in range(count)]
    return data


def use_engine(monkeypatch, engine: str) -> None:
    """Make ``forms.render`` without a registry (the process default) use ``engine`` for PDFs, and an
    app created afterwards too: settings are read once, so the default registry is replaced."""
    from forms.catalogue import registry as registry_module

    monkeypatch.setenv("NYSAN_PDF_ENGINE", engine)
    monkeypatch.setattr(registry_module, "_default", forms.Registry(settings=forms.Settings(pdf_engine=engine)))
