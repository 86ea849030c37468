"""No cliff: for every form the typesetter prints, any value the validation accepts in one cell of
its longest list (or, for a form without lists, in one of its text fields) keeps the document on the
typesetter, with WeasyPrint's pages (as tests/test_typeset.py compares them). Values: random text
drawn from the fonts' repertoire, soft-hyphenated and unbroken long words, quotes, dashes and №.
(The time against plain data is measured in bench/ — `python -m bench repertoire`.)"""

from __future__ import annotations

import copy
import random
import unicodedata

import pytest
from test_typeset import CSS, IDENTIFIER, _assert_same_layout

import forms
from forms import typeset
from forms.fields import repertoire
from support.cases import as_of_for

SEEDS = 3
LONGEST = 300  # characters of one value: enough for several lines in any column
# Where a row grows past a page the typesetter declines whatever the characters (plain letters of
# the same length do too): limits of its pagination, not of the text, and not what this file tests.
PAGINATION = {
    "a band taller than the page",
    "a table's bottom border past the page's bottom",
    "a block or table row split across pages",
}
# Every character of the repertoire may be drawn: a combining mark is accepted only where NFC makes a
# letter of it, so no accepted value needs the fonts' mark positioning.
MARKS = {code for code in repertoire.code_points() if unicodedata.category(chr(code)).startswith("M")}
assert not MARKS
DRAWN = sorted(repertoire.code_points() - {ord(c) for c in "\t\n\r"})


def latest(form_id: str):
    return forms.default_registry().form(form_id).versions[-1]


def random_text(rng: random.Random, length: int) -> str:
    words = []
    while sum(len(word) + 1 for word in words) < length:
        words.append("".join(chr(rng.choice(DRAWN)) for _ in range(rng.randint(1, 14))))
    return " ".join(" ".join(words)[:length].split()) or "x"


def odd_values(rng: random.Random, length: int) -> list[str]:
    """What a clerk's data may hold, cut to the field's length."""
    hyphenated = "Нұр\u00adла\u00adно\u00adва\u00adБа\u00adуыр\u00adжан\u00adқы\u00adзы"
    unbroken = "Шарипова-Оспанова-Абдрахманова" + "Қожахметова" * 20
    values = [random_text(rng, min(length, LONGEST)) for _ in range(SEEDS)]
    values += [f"{hyphenated} {hyphenated}{hyphenated}", unbroken, "«Гүлнұр» “Әйгерім” „x“ ‘y’ — № 5 – 6-7 … ʼ"]
    return [" ".join(value[: min(length, LONGEST)].split()) for value in values]


def text_slots(fields, prefix=()):
    """(path, max_length) of every free text inside ``fields`` (no pattern, no choices)."""
    for field in fields:
        if field.type in ("string", "text") and not field.pattern:
            yield (*prefix, field.name), field.max_length or 200
        elif field.type == "person":
            yield (*prefix, field.name, "last_name"), field.max_length or 200
        elif field.type == "object":
            yield from text_slots(field.children, (*prefix, field.name))


def targets(form_id: str) -> tuple[str | None, list]:
    """The longest list of the example and its text slots; for a form without lists, (None, its own)."""
    spec, data = latest(form_id), forms.example(form_id)
    lists = [field for field in spec.fields if field.type == "list" and data.get(field.name)]
    if lists:
        longest = max(lists, key=lambda field: len(data[field.name]))
        slots = list(text_slots(longest.children))
        if slots:
            return longest.name, slots
    return None, list(text_slots(spec.fields))


def put(data: dict, list_name: str | None, path: tuple, value: str, rng: random.Random) -> dict:
    data = copy.deepcopy(data)
    container = data if list_name is None else rng.choice(data[list_name])
    for key in path[:-1]:
        container = container.setdefault(key, {})
    container[path[-1]] = value
    return data


def html_of(form_id: str, data: dict) -> str:
    version = latest(form_id).version
    return forms.render(
        form_id, data, fmt="html", lang="kk", version=version, as_of=as_of_for(form_id, version)
    ).decode("utf-8")


def typesets(html: str) -> bool:
    try:
        typeset.render(html, CSS, IDENTIFIER)
    except typeset.NotSupported:
        return False
    return True


@pytest.mark.parametrize("form_id", [form["id"] for form in forms.list_forms()])
def test_any_accepted_value_in_the_longest_list_stays_on_the_typesetter(form_id):
    example = forms.example(form_id)
    if not typesets(html_of(form_id, example)):
        pytest.skip("the form's own HTML is outside the typesetter's subset: WeasyPrint makes it anyway")
    list_name, slots = targets(form_id)
    assert slots, f"{form_id} has no free text to try"
    rng = random.Random(form_id)
    version = latest(form_id).version
    compared = 0
    for path, length in rng.sample(slots, min(3, len(slots))):
        for value in odd_values(rng, length):
            data = put(example, list_name, path, value, rng)
            assert forms.validate(form_id, data, version=version, as_of=as_of_for(form_id, version)) == []
            html = html_of(form_id, data)
            try:
                typeset.render(html, CSS, IDENTIFIER)
            except typeset.NotSupported as reason:
                if str(reason) in PAGINATION:
                    continue
                pytest.fail(f"{form_id}: {'.'.join(path)} = {value!r} left the typesetter: {reason}")
            _assert_same_layout(html, spaces=False)
            compared += 1
    assert compared, "every value went past the typesetter's pagination: nothing compared"
