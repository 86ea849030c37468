"""Synthetic forms in throw-away data folders, so that tests do not depend on the shipped forms'
progress: ``test-form`` uses every field type, ``test-journal`` is a journal (``rows_field``) whose
rows are uploaded as CSV or XLSX."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from forms.catalogue.spec import load_version
from support.datadir import write_form

SPEC = textwrap.dedent("""\
    id: test-form
    version: "1"
    title: {kk: СЫНАҚ НЫСАНЫ, ru: ТЕСТОВАЯ ФОРМА}
    summary: {kk: сынақ, ru: тест, en: test}
    legal_basis:
      act: {kk: Сынақ бұйрығы, ru: Тестовый приказ, en: Test order}
      number: "T-1"
      date: 2020-01-01
      annex: {kk: [1-қосымша, Нысан], ru: [Приложение 1, Форма]}
    effective_from: 2020-01-01
    effective_to: null
    status: in_force
    official: true
    ru_text: translation
    date_field: issued
    fields:
      - {name: person, type: person, required: true, label: {kk: Аты, ru: ФИО, en: Name}}
      - {name: iin, type: iin, birth_date_field: born, label: {kk: ЖСН, ru: ИИН, en: IIN}}
      - {name: born, type: date, past: true, label: {kk: Туған күні, ru: Дата рождения, en: Birth date}}
      - {name: applied, type: date, label: {kk: Өтініш күні, ru: Дата заявления, en: Application date}}
      - {name: issued, type: date, required: true, not_before: applied, label: {kk: Берілген күні, ru: Дата выдачи, en: Issue date}}
      - {name: note, type: string, max_length: 10, label: {kk: Ескерту, ru: Примечание, en: Note}}
      - {name: count, type: integer, min: 0, max: 5, label: {kk: Саны, ru: Количество, en: Count}}
      - {name: agreed, type: boolean, label: {kk: Келісім, ru: Согласие, en: Consent}}
      - name: kind
        type: enum
        label: {kk: Түрі, ru: Вид, en: Kind}
        choices:
          - {value: a, label: {kk: Бірінші, ru: Первый, en: First}}
          - {value: b, label: {kk: Екінші, ru: Второй, en: Second}}
      - name: rows
        type: list
        max_items: 3
        label: {kk: Жолдар, ru: Строки, en: Rows}
        item:
          - {name: name, type: person, required: true, label: {kk: Аты, ru: ФИО, en: Name}}
          - {name: iin, type: iin, birth_date_field: birth_date, label: {kk: ЖСН, ru: ИИН, en: IIN}}
          - {name: birth_date, type: date, past: true, label: {kk: Туған күні, ru: Дата рождения, en: Birth date}}
    """)

EXAMPLE = """{"person": {"last_name": "Әбенов", "first_name": "Қайрат"}, "iin": "900101300017", "born": "1990-01-01",
 "issued": "2024-09-30", "kind": "a",
 "rows": [{"name": {"last_name": "Оспанова", "first_name": "Ұлжан"}, "iin": "061211600012", "birth_date": "2006-12-11"}]}"""

HTML = """{% extends "_layout/base.html" %}
{% block content %}<h1>{{ form.title }}</h1>
<p>{{ person|fullname }} {{ iin|blank(12) }} {{ issued|fill_date }} {{ kind|choice('kind') }} {{ note|blank(10) }}</p>
{% for row in rows %}<p>{{ loop.index }}. {{ row.name|fullname }}</p>{% endfor %}
{% endblock %}
"""


def make_data_dir(target: Path, html: str = HTML) -> Path:
    """A data folder with the synthetic form only (and the shared layout templates)."""
    return write_form(
        target,
        "test-form",
        SPEC,
        EXAMPLE,
        html,
        [
            "{{ form.title }}",
            "{{ person|fullname }} {{ issued|fill_date }} {{ note|blank(10) }}",
            "{%p for row in rows %}",
            "{{ row.name|fullname }}",
            "{%p endfor %}",
        ],
    )


JOURNAL_SPEC = textwrap.dedent("""\
    id: test-journal
    version: "1"
    title: {kk: СЫНАҚ ЖУРНАЛЫ, ru: ТЕСТОВЫЙ ЖУРНАЛ}
    summary: {kk: сынақ журналы, ru: тестовый журнал, en: test journal}
    legal_basis:
      act: {kk: Сынақ бұйрығы, ru: Тестовый приказ, en: Test order}
      number: "T-2"
      date: 2020-01-01
      annex: {kk: [2-қосымша, Нысан], ru: [Приложение 2, Форма]}
    effective_from: 2020-01-01
    effective_to: null
    status: in_force
    official: true
    ru_text: translation
    rows_field: entries
    fields:
      - {name: started_on, type: date, label: {kk: Басталды, ru: Начат, en: Started}}
      - name: entries
        type: list
        max_items: 200
        label: {kk: Жазбалар, ru: Записи, en: Entries}
        item:
          - {name: name, type: person, required: true, label: {kk: Аты-жөні, ru: ФИО, en: Name}}
          - {name: iin, type: iin, birth_date_field: birth_date, label: {kk: ЖСН, ru: ИИН, en: IIN}}
          - {name: birth_date, type: date, required: true, past: true, label: {kk: Туған күні, ru: Дата рождения, en: Birth date}}
          - name: sex
            type: enum
            label: {kk: Жынысы, ru: Пол, en: Sex}
            choices:
              - {value: m, label: {kk: ер, ru: муж., en: male}}
              - {value: f, label: {kk: әйел, ru: жен., en: female}}
          - {name: returned, type: boolean, label: {kk: Оралды, ru: Вернулся, en: Returned}}
          - {name: note, type: string, max_length: 20, label: {kk: Ескерту, ru: Примечание, en: Note}}
    """)

JOURNAL_EXAMPLE = (
    '{"entries": [{"name": {"last_name": "Әбенов", "first_name": "Қайрат"}, "iin": "900101300017", '
    '"birth_date": "1990-01-01"}]}'
)

JOURNAL_HTML = """{% extends "_layout/base.html" %}
{% block content %}<h1>{{ form.title }}</h1><p>{{ started_on|blank(10) }}</p>
<table class="grid"><tbody>{% for row in entries %}<tr><td>{{ loop.index }}</td><td>{{ row.name|fullname }}</td>
<td>{{ row.iin|blank(12) }}</td><td>{{ row.birth_date|short_date }}</td><td>{{ row.note|blank(4) }}</td></tr>{% endfor %}</tbody></table>
{% endblock %}
"""


def journal_data_dir(target: Path) -> Path:
    """A data folder with the synthetic journal only (and the shared layout templates)."""
    return write_form(
        target,
        "test-journal",
        JOURNAL_SPEC,
        JOURNAL_EXAMPLE,
        JOURNAL_HTML,
        ["{{ form.title }}", "{%p for row in entries %}", "{{ row.name|fullname }}", "{%p endfor %}"],
    )


def journal_fields() -> list:
    """The synthetic journal's fields, as the engine's own spec loader reads them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "test-journal" / "1.yaml"
        path.parent.mkdir()
        path.write_text(JOURNAL_SPEC, encoding="utf-8")
        return load_version(path).fields
