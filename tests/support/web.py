"""The clerks' web pages as a test reads them."""
from __future__ import annotations

import re

import forms
from service.web.catalogue import in_force


def csrf_token(html: str) -> str:
    """The CSRF token a page's form posts back."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def offered_forms() -> list[str]:
    """The forms in force today, every one of which the web offers (a form in force whose templates
    are missing fails here rather than drop out of the tests)."""
    found = in_force(forms.default_registry())
    unready = [spec.id for spec, ready in found if not ready]
    assert not unready, f"in force but not offered, templates missing: {unready}"
    return [spec.id for spec, _ in found]
