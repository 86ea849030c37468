"""First DOCX template of `special-services-journal` v1 (kk and ru): Order No. 472, its annex.

A14-column journal of any length on landscape pages; the heading and column-number rows repeat on
every page. The organisation type is shown by underlining its part of the title (never by
striking out the others: the title is printed in full).
"""
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from docxbuild import Builder, Value, _cell_text, _no_split

TEXT = {
    "kk": {
        "name_label": "Ұйымның ресми атауы ",
        "name_captions": ["(қазақ тілінде)", "(орыс немесе өзге тілде)"],
        # (text, organisation type it names or None)
        "title": [("Стационарлық", "stationary"), ("/", None), ("жартылай стационарлық", "semi_stationary"),
                  (" үлгідегі/ ", None), ("үйде қызмет көрсететін", "home_care"), ("/", None),
                  ("уақытша болу", "temporary_stay"),
                  (" ұйымында арнаулы әлеуметтік қызметтерді алатын адамдарды және арнаулы әлеуметтік "
                   "қызметтерге мұқтаж адамдарды кезекке тіркеудің электрондық журналы", None)],
        "date_blank": '20 __ жылғы "___" ________',
        "started": ("", " басталды"),
        "finished": ("", " аяқталды"),
        "headers": ["Р/с", "Мәртебесі", "Тегі, аты, әкесінің аты (бар болса)", "Туған күні, жасы", "Жынысы",
                    "Үйінің мекенжайы", "Телефон номірі", "Мүгедекті оңалтудың жеке бағдарламасының мерзімі",
                    "Түскен күні және бұйрықтың №", "Уақытша шығқан күні және бұйрықтың №",
                    "Шыққан күні және бұйрықтың №", "Шығу себебі", "Ауыстырылған күні және бұйрықтың №",
                    "Қайда шықты (облыс, қала, аудан)"],
        "returned": "қайта оралды",
    },
    "ru": {
        "name_label": "Официальное наименование организации ",
        "name_captions": ["(на казахском языке)", "(на русском или ином языке)"],
        "title": [("Электронный журнал регистрации лиц, получающих специальные социальные услуги, и лиц, "
                   "нуждающихся в специальных социальных услугах, в очередь в организации ", None),
                  ("стационарного", "stationary"), ("/", None), ("полустационарного", "semi_stationary"),
                  (" типа/ ", None), ("надомного обслуживания", "home_care"), ("/", None),
                  ("временного пребывания", "temporary_stay")],
        "date_blank": "«__» ______ 20__ г.",
        "started": ("Начат ", ""),
        "finished": ("Окончен ", ""),
        "headers": ["№ п/п", "Статус", "Фамилия, имя, отчество (при его наличии)", "Дата рождения, возраст", "Пол",
                    "Домашний адрес", "Номер телефона", "Срок индивидуальной программы реабилитации инвалида",
                    "Дата поступления и № приказа", "Дата временного выбытия и № приказа",
                    "Дата выбытия и № приказа", "Причина выбытия", "Дата перевода и № приказа",
                    "Куда выбыл (область, город, район)"],
        "returned": "вернулся(ась)",
    },
}

# Column widths (cm) as in the HTML template's <colgroup>: 27.2 cm of landscape A4.
WIDTHS = [0.9, 1.7, 2.65, 1.75, 1.55, 2.4, 1.6, 2.7, 2.1, 1.85, 1.85, 2.2, 2.35, 1.6]
EMPTY_ROWS = 3


def dated(day: str, number: str) -> str:
    """A date and an order number in one cell, as the column heading asks: '17.01.2022, № 3-ө'."""
    return ("{{ row.%s|short_date if row.%s else '' }}{{ ', ' if row.%s and row.%s else '' }}"
            "{{ ('№ ' ~ row.%s) if row.%s else '' }}" % (day, day, day, number, number, number))


def cells(t: dict) -> list[str]:
    return [
        "{{ loop.index }}",
        "{{ row.status or '' }}",
        "{{ row.full_name|fullname }}",
        "{{ row.birth_date|short_date }}{{ (', ' ~ row.age) if row.age is not none else '' }}",
        "{{ row.sex|choice('sex') }}",
        "{{ row.home_address or '' }}",
        "{{ row.phone or '' }}",
        "{{ row.rehabilitation_programme_term or '' }}",
        dated("admission_date", "admission_order_number") + "{{ ' " + t["returned"] + "' if row.returned else '' }}",
        dated("temporary_leave_date", "temporary_leave_order_number"),
        dated("discharge_date", "discharge_order_number"),
        "{{ row.discharge_reason or '' }}",
        dated("transfer_date", "transfer_order_number"),
        "{{ row.destination or '' }}",
    ]


def title(b: Builder, parts: list) -> None:
    """The title in full; the part naming this organisation's type is underlined."""
    paragraph = b.doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(8)
    for text, kind in parts:
        if kind is None:
            paragraph.add_run(text).bold = True
            continue
        paragraph.add_run("{% if organisation_type == '" + kind + "' %}")
        chosen = paragraph.add_run(text)
        chosen.bold = chosen.underline = True
        paragraph.add_run("{% else %}")
        paragraph.add_run(text).bold = True
        paragraph.add_run("{% endif %}")


def empty_rows(table) -> None:
    """An empty journal prints a few empty rows to be filled in by hand."""
    for text in ("{%tr for _ in range(" + str(EMPTY_ROWS) + ") if not entries %}", "", "{%tr endfor %}"):
        row = table.add_row()
        _cell_text(row.cells[0], text, 9, "left")
        _no_split(row)


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder(landscape=True)
    b.annex(indent_cm=15)
    for field, caption in zip(("organisation_name_kk", "organisation_name_ru"), t["name_captions"]):
        b.para(t["name_label"], Value("{{ %s|blank(60) }}" % field), align="left", space_after=0)
        b.caption(caption)
    title(b, t["title"])
    for field in ("started", "finished"):
        before, after = t[field]
        b.para(before, Value("{{ %s|fill_date if %s else '%s' }}" % (field, field, t["date_blank"])), after,
               align="left", indent_cm=1.25, space_after=0)
    b.para("", space_after=6)
    table = b.grid(t["headers"], cells(t), "row in entries", widths_cm=WIDTHS, numbers=True, size=9)
    empty_rows(table)
    for row in table.rows:
        for col, width in enumerate(WIDTHS):
            row.cells[col].width = Cm(width)
    return b
