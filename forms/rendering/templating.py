"""The sandboxed Jinja environment shared by HTML and DOCX templates, and its filters.

Templates are data edited by legal staff and the values are data typed by clerks: autoescape is on
everywhere, the environment is sandboxed, and an unknown variable is an error, not an empty string.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from forms.fields import dates

BLANK = "_"
HYPHENATED_MAX = 25  # a hyphenated word longer than this may break (keep_hyphenated)


def _lang(ctx) -> str:
    return ctx.get("lang", "kk")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@pass_context
def long_date(ctx, value: Any) -> Any:
    return value if _empty(value) else dates.long_date(_to_date(value), _lang(ctx))


@pass_context
def fill_date(ctx, value: Any) -> Any:
    return value if _empty(value) else dates.form_date(_to_date(value), _lang(ctx))


def short_date(value: Any) -> Any:
    return value if _empty(value) else dates.short_date(_to_date(value), "")


def _to_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def fullname(person: Any) -> str:
    """'Тегі Аты Әкесінің аты' from a person field; '' when absent."""
    if not person:
        return ""
    parts = [person.get("last_name"), person.get("first_name"), person.get("patronymic")]
    return " ".join(p for p in parts if p)


def blank(value: Any, width: int = 24) -> Any:
    """The value, or the paper form's blank line so the printed form can be filled by hand."""
    return BLANK * width if _empty(value) else value


@pass_context
def choice_label(ctx, value: Any, field_name: str) -> str:
    """The label of an enum value in the document's language (labels are put in the context)."""
    if _empty(value):
        return ""
    return ctx.get("choice_labels", {}).get(field_name, {}).get(value, str(value))


@pass_context
def yes_no(ctx, value: Any) -> str:
    if value is None:
        return ""
    words = {"kk": ("иә", "жоқ"), "ru": ("да", "нет"), "en": ("yes", "no")}[_lang(ctx)]
    return words[0] if value else words[1]


def keep_hyphenated(value: Any) -> Markup:
    """The one rule for hyphenated words: each word with a hyphen (up to HYPHENATED_MAX characters) in
    a ``span.nw`` (_layout/form.css: white-space: nowrap), so that a line never breaks at its hyphen (a
    break there reads as two words: Баян-Өлгий, 01-17/12, зорлық-зомбылық); the words escaped, the white
    space between them kept. A longer word may break: whole, it would overflow its column. None is ''."""
    if value is None:
        return Markup("")
    text = str(value)
    if "-" not in text:  # most values: nothing to keep together
        return escape(text)
    return Markup("").join(
        Markup('<span class="nw">%s</span>') % part if "-" in part and len(part) <= HYPHENATED_MAX else escape(part)
        for part in re.split(r"(\s+)", text)
    )


FILTERS = {
    "date": long_date,
    "fill_date": fill_date,
    "short_date": short_date,
    "fullname": fullname,
    "blank": blank,
    "choice": choice_label,
    "yes_no": yes_no,
    "keep_hyphenated": keep_hyphenated,
}


class SandboxedForms(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with data items read the quick way."""

    def getattr(self, obj, attribute):
        """``row.name`` on a plain dict: the sandbox first tries ``getattr(row, "name")``, which
        raises AttributeError for every key (a third of a long journal's render), then ``row["name"]``.
        For a name that is no attribute of dict that is always the item, looked up here directly."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if type(obj) is LoopContext and attribute in _LOOP_PROPERTIES:  # loop.index: what the sandbox allows
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def make_environment(templates_dir: Path | None) -> ImmutableSandboxedEnvironment:
    env = SandboxedForms(
        loader=FileSystemLoader(str(templates_dir)) if templates_dir else None,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )
    env.filters.update(FILTERS)
    return env


@lru_cache(maxsize=8)
def environment(templates_dir: Path) -> ImmutableSandboxedEnvironment:
    """One environment per templates folder: Jinja caches compiled templates in it."""
    return make_environment(templates_dir)


class _CompilingCache(SandboxedForms):
    """docxtpl compiles every document part with ``from_string`` on every render; compiling cost
    more than the rest of a DOCX render, so compiled templates are kept by their source text."""

    CACHE_SIZE = 512

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, object] = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.CACHE_SIZE:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_DICT_ATTRIBUTES = frozenset(dir(dict))
_LOOP_PROPERTIES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem", "nextitem"}
)


@lru_cache(maxsize=1)
def docx_environment() -> ImmutableSandboxedEnvironment:
    """For docxtpl, which compiles each document part from a string."""
    env = _CompilingCache(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    env.filters.update(FILTERS)
    return env
