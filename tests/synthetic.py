"""A synthetic form that uses every field type, in a throw-away copy of the data folder."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from docx import Document

from cases import ROOT

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
    (target / "schemas" / "test-form").mkdir(parents=True)
    (target / "schemas" / "test-form" / "1.yaml").write_text(SPEC, encoding="utf-8")
    (target / "schemas" / "test-form" / "1.example.json").write_text(EXAMPLE, encoding="utf-8")
    shutil.copytree(ROOT / "templates" / "_layout", target / "templates" / "_layout")
    for lang in ("kk", "ru"):
        folder = target / "templates" / lang / "test-form"
        folder.mkdir(parents=True)
        (folder / "1.html").write_text(html, encoding="utf-8")
        document = Document()
        document.add_paragraph("{{ form.title }}")
        document.add_paragraph("{{ person|fullname }} {{ issued|fill_date }} {{ note|blank(10) }}")
        document.add_paragraph("{%p for row in rows %}")
        document.add_paragraph("{{ row.name|fullname }}")
        document.add_paragraph("{%p endfor %}")
        document.save(str(folder / "1.docx"))
    return target
