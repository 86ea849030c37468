"""Settings, read once: defaults, then ``NYSAN_*`` environment variables, then the mapping passed in.

Each setting is declared once (name, default, parser, what it expects, meaning): the engine's here
(``ENGINE``), the service's beside them in ``service/config.py``. A bad value is a ``SettingsError``
naming the variable and what it expects, raised when the settings are built; nothing reads the
environment at render time. The engine is given a ``Settings`` (through its ``Registry``); a program
that does not give one gets ``default_settings()``, built from the environment on first use.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting's value that its parser refuses, or a setting that does not exist."""

    def __init__(self, variable: str, expects: str, value: Any = None, shown: bool = True):
        self.variable, self.expects = variable, expects
        got = f" (got {value!r})" if shown and value is not None else ""
        super().__init__(f"{variable} must be {expects}{got}")


@dataclass(frozen=True)
class Setting:
    name: str  # the key in a mapping; the variable is NYSAN_<name>
    default: Any
    parse: Callable[[Any], Any]  # the environment's text or a mapping's value -> the value; ValueError if bad
    expects: str  # what a good value is, for the error
    doc: str  # what it means, for the documentation
    secret: bool = False  # never repeat the value in an error

    @property
    def variable(self) -> str:
        return f"NYSAN_{self.name}"


def resolve(
    declared: Iterable[Setting], overrides: Mapping | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Each declared setting's value: its default, else its variable's, else the mapping's, parsed."""
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    values: dict[str, Any] = {}
    for setting in declared:
        if setting.name in overrides:
            raw, where = overrides[setting.name], setting.name
        elif setting.variable in environ:
            raw, where = environ[setting.variable], setting.variable
        else:
            values[setting.name] = copy.copy(setting.default)  # a default list is never shared
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except (ValueError, TypeError, KeyError):
            raise SettingsError(where, setting.expects, raw, shown=not setting.secret) from None
    return values


# --- parsers: each takes the environment's text or a mapping's value --------------------------


def choice(*options: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise ValueError(value)
        return text

    return parse


def integer(minimum: int, maximum: float = float("inf")) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        number = int(value.strip() if isinstance(value, str) else value)
        if not minimum <= number <= maximum:
            raise ValueError(value)
        return number

    return parse


def processes(value: Any) -> int:
    """``auto`` (2 where this process may run on two cores or more, else 1), 1 or 2."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return 2 if cores >= 2 else 1
    return integer(1, 2)(value)


def positive_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value.strip() if isinstance(value, str) else value)
    if not number > 0 or number == float("inf"):
        raise ValueError(value)
    return number


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def optional_text(value: Any) -> str | None:
    return text(value) or None if value is not None else None


def text_list(value: Any) -> list:
    """A list as it is, or the environment's comma-separated text or JSON list."""
    if isinstance(value, str):
        value = value.strip()
        value = json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise TypeError(value)
    return list(value)


def folder(value: Any) -> Path | None:
    """A folder that exists, resolved; empty means none."""
    if value is None or value == "":
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise ValueError(value)
    return path


# --- the engine's settings ----------------------------------------------------------------------

ENGINE = (
    Setting(
        "PDF_ENGINE",
        "auto",
        choice("auto", "weasyprint"),
        "auto or weasyprint",
        "how PDFs are made: `auto` is Nysan's typesetter, with WeasyPrint for what it does not support; "
        "`weasyprint` is always WeasyPrint",
    ),
    Setting(
        "DATA_DIR",
        None,
        folder,
        "an existing folder (the one holding schemas/ and templates/)",
        "another copy of `schemas/` and `templates/` (an amendment's working copy)",
    ),
    Setting(
        "TYPESET_PROCESSES",
        "auto",
        processes,
        "auto, 1 or 2",
        "processes the typesetter may use for one document: with 2 a long table's first half is laid out "
        "and written by a forked child (the same bytes, sooner); `auto`: 2 where the process may use two "
        "cores or more",
    ),
)


@dataclass(frozen=True)
class Settings:
    """The engine's settings. Built directly, or by ``Settings.load`` from the environment."""

    pdf_engine: str = "auto"
    data_dir: Path | None = None
    typeset_processes: int | str = "auto"

    def __post_init__(self):
        # Checked however the object is made: a bad value never reaches a render.
        for setting in ENGINE:
            key = setting.name.lower()
            try:
                object.__setattr__(self, key, setting.parse(getattr(self, key)))
            except (ValueError, TypeError):
                raise SettingsError(key, setting.expects, getattr(self, key)) from None

    @classmethod
    def load(cls, overrides: Mapping | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults, then ``NYSAN_*`` variables of ``environ`` (default: this process's), then ``overrides``
        (keys as in ``ENGINE``: ``{"PDF_ENGINE": "weasyprint"}``)."""
        known = {setting.name for setting in ENGINE}
        for name in overrides or {}:
            if name not in known:
                raise SettingsError(str(name), "one of " + ", ".join(sorted(known)))
        values = resolve(ENGINE, overrides, environ)
        return cls(**{name.lower(): value for name, value in values.items()})

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The engine's part of a larger configuration (the service's), already resolved."""
        return cls(**{f.name: config[f.name.upper()] for f in fields(cls) if f.name.upper() in config})


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The settings of a program that gives none: from the environment, read on first use."""
    return Settings.load()
