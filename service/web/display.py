"""How the clerks' pages show things: times in Almaty's local time, names whose initials stay with
the surname, the person a document is about, and forms' titles told apart when two are the same."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from forms.fields.dates import ALMATY as LOCAL_TIME

NBSP = "\u00a0"
# A space beside an initial ("Ж. Ә. Төлеуғалиев", "Төлеуғалиев Ж. Ә."): a line never breaks there.
_INITIAL_SPACE = re.compile(r"(?<=\b\w\.)[ \t]+|[ \t]+(?=\w\.(?:[ \t]|$))")
_PATH_STEP = re.compile(r"([a-z][a-z0-9_]*)(?:\[(\d+)\])?")


def local_time(value: str | dt.datetime | None) -> str:
    """ "08.12.2026 14:05" in Asia/Almaty from the register's ISO UTC ("2026-12-08T09:05:00Z") or a
    naive UTC datetime; "" for None."""
    if not value:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(LOCAL_TIME).strftime("%d.%m.%Y %H:%M")


def keep_initials(name: Any) -> str:
    """The name with non-breaking spaces beside its initials."""
    return _INITIAL_SPACE.sub(NBSP, "" if name is None else str(name))


def person_name(spec, data: Any) -> str:
    """The name of the person a document is about: the spec's ``person`` field (a path such as
    ``applicant`` or ``kandas.full_name``, a ``person`` field) in the document's data; "" when the
    spec names none or the data has none."""
    path = getattr(spec, "person", None)
    value = data
    for step in _PATH_STEP.finditer(path or ""):
        if not isinstance(value, dict):
            return ""
        value = value.get(step.group(1))
        if step.group(2) is not None:
            index = int(step.group(2))
            value = value[index] if isinstance(value, list) and index < len(value) else None
    if not path or not isinstance(value, dict):
        return ""
    return keep_initials(
        " ".join(
            str(value[p]).strip()
            for p in ("last_name", "first_name", "patronymic")
            if isinstance(value.get(p), str) and value[p].strip()
        )
    )


def form_labels(specs: list, lang: str) -> dict[str, str]:
    """Each form's title in ``lang``; where two forms share a title, each is followed by the words of
    its annex heading after those the forms share ("Оңалту туралы үлгілік шарт — № 391 Бұйрығына
    2-қосымша ..."), or by its id when the annexes say nothing more."""

    def pick(texts: Any) -> Any:
        return texts.get(lang) or texts.get("kk") if isinstance(texts, dict) else texts

    titles = {spec.id: str(pick(spec.title) or spec.id) for spec in specs}
    labels = dict(titles)
    keys = [title.casefold() for title in titles.values()]  # "Өтініш" and "ӨТІНІШ" are the same to a reader
    for key in {k for k in keys if keys.count(k) > 1}:
        group = [spec for spec in specs if titles[spec.id].casefold() == key]
        annexes = {spec.id: [str(line) for line in pick(spec.legal_basis.get("annex")) or []] for spec in group}
        for annex in annexes.values():
            if annex and annex[-1] in ("Нысан", "Форма"):
                annex.pop()
        shared = 0
        while all(len(a) > shared for a in annexes.values()) and len({a[shared] for a in annexes.values()}) == 1:
            shared += 1
        for spec in group:
            rest = " ".join(annexes[spec.id][shared:])
            title = titles[spec.id]
            labels[spec.id] = f"{title} — {rest}" if rest else f"{title} ({spec.id})"
    return labels


NAME_TYPES = ("string", "text", "person")


def initials_in(fields: list, data: Any, found: dict[str, str] | None = None) -> dict[str, str]:
    """The filled names with initials ("Қ. Т. Сәрсенбаев", a person's parts joined as the documents
    print them), each to itself with non-breaking spaces: what the preview replaces in the rendered
    page. Only the data's text: the form's own text is the act's and is not touched."""
    found = {} if found is None else found
    if not isinstance(data, dict):
        return found
    for spec in fields:
        value = data.get(spec.name)
        if spec.type in NAME_TYPES:
            if isinstance(value, dict):
                value = " ".join(
                    str(value[p]).strip()
                    for p in ("last_name", "first_name", "patronymic")
                    if isinstance(value.get(p), str) and value[p].strip()
                )
            if isinstance(value, str) and " " in value.strip() and keep_initials(value.strip()) != value.strip():
                found[value.strip()] = keep_initials(value.strip())
        elif spec.type == "object":
            initials_in(spec.children, value, found)
        elif spec.type == "list" and isinstance(value, list):
            for item in value:
                initials_in(spec.children, item, found)
    return found
