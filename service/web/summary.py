"""The error summary at the top of the form: each error named by its field, in the interface
language, linked to the input it is about."""

from __future__ import annotations

from forms.catalogue.spec import FieldSpec
from forms.fields import PERSON_PARTS

from .formdata import tokens
from .i18n import Translator
from .widgets import dom_id


def describe_path(path: str, specs: list[FieldSpec], t: Translator) -> str:
    """``members[1].birth_date`` → "Отбасы мүшелері, 2-жол — Туған күні"."""
    words: list[str] = []
    for step in tokens(path):
        if isinstance(step, int):
            if words:
                words[-1] = t("error_in_row", list=words[-1], n=step + 1)
            continue
        spec = next((s for s in specs if s.name == step), None)
        if spec is None:
            words.append(t(step) if step in PERSON_PARTS else step)
            specs = []
            continue
        words.append(t.pick(spec.label))
        specs = spec.children
    return " — ".join(words)


def summary(errors: list[dict], specs: list[FieldSpec], t: Translator) -> list[dict]:
    """[{href, field, message}] in the order of the form (the engine's order)."""
    return [
        {
            "href": f"#{dom_id(e['path'])}" if e["path"] else "",
            "field": describe_path(e["path"], specs, t),
            "message": e["message"],
        }
        for e in errors
    ]
