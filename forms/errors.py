"""Errors as a stable code, a field path and a message in kk, ru or en (marshmallow's style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from forms.languages import MESSAGE_LANGUAGES as LANGUAGES  # noqa: F401 -- the name others import from here


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    text = (resources.files("forms") / "messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(code: str, lang: str = "en", **params: Any) -> str:
    templates = catalog().get(code) or {"en": code}
    template = templates.get(lang) or templates["en"]
    # A parameter may come in several languages: act, act_kk, act_ru.
    values = {k: _text(params.get(f"{k}_{lang}") or v) for k, v in params.items()}
    return template.format_map(_KeepMissing(values))


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class FieldError:
    path: str
    code: str
    params: dict = field(default_factory=dict, compare=False)

    def as_dict(self, lang: str = "en") -> dict:
        return {"path": self.path, "code": self.code, "message": message(self.code, lang, **self.params)}


class NysanError(Exception):
    """Base of the errors the public API raises; each has a code and a localised message."""

    code = "error"

    def __init__(self, code: str | None = None, **params: Any):
        self.code = code or self.code
        self.params = params
        super().__init__(message(self.code, "en", **params))

    def message(self, lang: str = "en") -> str:
        return message(self.code, lang, **self.params)


class FormNotFound(NysanError):
    code = "unknown_form"


class VersionNotFound(NysanError):
    code = "unknown_version"


class NotInForce(NysanError):
    """The form (or the chosen version) does not apply on the date asked: not yet, or repealed."""

    code = "not_yet_in_force"


class ValidationFailed(NysanError):
    """Invalid data; ``errors`` lists every fault at once."""

    code = "invalid_data"

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(count=len(errors))

    def as_dicts(self, lang: str = "en") -> list[dict]:
        return [e.as_dict(lang) for e in self.errors]
