"""The clerks' web pages as a test reads them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import forms
from service.web.catalogue import in_force


def csrf_token(html: str) -> str:
    """The CSRF token a page's form posts back."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class PageParser(HTMLParser):
    """A page as the browser shows it: what is inside ``<template>`` (rows that the page's script
    clones) is left out. Subclasses set their attributes, then call ``super().__init__(html)``, and
    implement ``start(tag, attrs)``, ``end(tag)`` and ``text(data)`` as they need."""

    def __init__(self, html: str):
        super().__init__()
        self._template = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self._template += 1
        elif not self._template:
            self.start(tag, dict(attrs))

    def handle_endtag(self, tag):
        if tag == "template":
            self._template -= 1
        elif not self._template:
            self.end(tag)

    def handle_data(self, data):
        if not self._template:
            self.text(data)

    def start(self, tag: str, attrs: dict) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def offered_forms() -> list[str]:
    """The forms in force today, every one of which the web offers (a form in force whose templates
    are missing fails here rather than drop out of the tests)."""
    found = in_force(forms.default_registry())
    unready = [spec.id for spec, ready in found if not ready]
    assert not unready, f"in force but not offered, templates missing: {unready}"
    return [spec.id for spec, _ in found]


def date_inputs(html: str, path: str) -> tuple[str, str, str]:
    """The (day, month, year) a date field's three inputs show (the GOV.UK date-input pattern)."""
    found = []
    for part in ("day", "month", "year"):
        tag = re.search(rf'<input [^>]*name="{re.escape(path)}\.{part}"[^>]*>', html).group(0)
        found.append(re.search(r'value="([^"]*)"', tag).group(1))
    return tuple(found)


def fill_date(page, path: str, iso: str) -> None:
    """Type a YYYY-MM-DD date into a Playwright page's day, month and year inputs as a clerk would."""
    year, month, day = iso.split("-")
    for part, value in (("day", day), ("month", month), ("year", year)):
        page.fill(f"[name='{path}.{part}']", value)
