"""First DOCX template of `referral-journal` v1 (kk and ru): a journal of any length."""
from docxbuild import Builder, Value

TEXT = {
    "kk": {
        "title": "Қандастарды бейімдеу және ықпалдастыру Орталығына жолданатын қандастар мен олардың отбасы "
                 "мүшелерін тіркеу ЖУРНАЛЫ",
        "headers": ["№ р/с", "Өтініш иесінің тегі, аты және болған жағдайда әкесінің аты", "Туған жері және күні",
                    "Шыққан елі", "Өтінішті тіркеген күн және нөмірі", "Жолдаманың нөмірі және берілген күні"],
        "started": "Басталды ",
        "finished": "Аяқталды ",
    },
    "ru": {
        "title": "ЖУРНАЛ регистрации кандасов и членов их семей, направляемых в Центр адаптации и интеграции кандасов",
        "headers": ["№ п/п", "Фамилия, имя и отчество (при его наличии) заявителя", "Место и дата рождения",
                    "Страна выезда", "Дата и номер регистрации заявления", "Номер и дата выдачи направления"],
        "started": "Начат ",
        "finished": "Окончен ",
    },
}

# One row per entry, numbered by position so numbers continue across pages. With no entries the
# loop runs over 15 empty rows instead, so the printed journal can be kept by hand.
LOOP = "row in (entries if entries else range(15))"
NBSP = "\u00a0"  # keeps "№" with its number
CELLS = [
    "{% if entries %}{{ loop.index }}{% endif %}",
    "{% if entries %}{{ row.applicant|fullname }}{% endif %}",
    "{% if entries %}{% if row.birth_place %}{{ row.birth_place }}, {% endif %}{{ row.birth_date|short_date }}{% endif %}",
    "{% if entries %}{{ row.country_of_origin or '' }}{% endif %}",
    "{% if entries %}{{ row.application_date|short_date }}, №" + NBSP + "{{ row.application_number }}{% endif %}",
    "{% if entries %}{% if row.referral_number %}№" + NBSP + "{{ row.referral_number }}"
    "{% if row.referral_date %}, {% endif %}{% endif %}{{ row.referral_date|short_date or '' }}{% endif %}",
]
WIDTHS_CM = [1.2, 4.0, 3.6, 2.4, 2.9, 2.9]


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder()
    b.annex()
    b.title(t["title"])
    b.grid(t["headers"], CELLS, LOOP, widths_cm=WIDTHS_CM)
    b.para("", space_after=6)
    b.para(t["started"], Value("{{ started_on|fill_date|blank(24) }}"), align="left")
    b.para(t["finished"], Value("{{ finished_on|fill_date|blank(24) }}"), align="left")
    return b
