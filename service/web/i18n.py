"""The interface language: Kazakh by default, Russian on the switch, remembered in a cookie.

The strings are data (``i18n/kk.yaml``, ``i18n/ru.yaml``) so that they can be corrected without
touching code; field labels and validation messages come from the specs and the engine.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from flask import request

from forms.languages import DOCUMENT_LANGUAGES as LANGUAGES

DEFAULT = "kk"
COOKIE = "nysan_ui_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


@cache
def strings(lang: str) -> dict[str, str]:
    text = (resources.files(__package__) / "i18n" / f"{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def current() -> str:
    """The interface language of this request (cookie), Kazakh when unset or unknown."""
    lang = request.cookies.get(COOKIE, DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


class Translator:
    """``t("key", n=3)`` in templates; a missing key shows the key, so that it gets noticed."""

    def __init__(self, lang: str):
        self.lang = lang
        self.table = strings(lang)

    def __call__(self, key: str, **params) -> str:
        text = self.table.get(key, key)
        return text.format(**params) if params else text

    def pick(self, texts: dict | None) -> str:
        """A spec's {kk, ru, en} text in the interface language (Kazakh when missing)."""
        if not texts:
            return ""
        return str(texts.get(self.lang) or texts.get("kk") or texts.get("en") or "")
