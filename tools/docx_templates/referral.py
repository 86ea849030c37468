"""First DOCX template of `referral` v1 (kk and ru)."""
from docxbuild import Builder, Value

TEXT = {
    "kk": {
        "title": "ЖОЛДАМА",
        "sentence": "Қандастарды бейімдеу және ықпалдастыру Орталықтарында тұру үшін жолданады",
        "applicant": "(Үміткердің тегі, аты және болған жағдайда әкесінің аты, туған күні)",
        "members": "Отбасы мүшелері:",
        "with_birth": "(Тегі, аты және болған жағдайда әкесінің аты, туған күні, туыстық дәрежесі)",
        "without_birth": "(Тегі, аты және болған жағдайда әкесінің аты, туыстық дәрежесі)",
        "head": "Халықтың көші-қоны саласындағы жергілікті атқарушы органның басшысы ",
        "issued": "(берілген күні)",
    },
    "ru": {
        "title": "НАПРАВЛЕНИЕ",
        "sentence": "Направляется для проживания в центрах адаптации и интеграции кандасов",
        "applicant": "(фамилия, имя и отчество (при его наличии) претендента, дата рождения)",
        "members": "Члены семьи:",
        "with_birth": "(фамилия, имя и отчество (при его наличии), дата рождения, степень родства)",
        "without_birth": "(фамилия, имя и отчество (при его наличии), степень родства)",
        "head": "Руководитель местного исполнительного органа в области миграции населения ",
        "issued": "(дата выдачи)",
    },
}

MEMBER = ("{{ (members[%d].name|fullname ~ (', ' ~ members[%d].birth_date|short_date if members[%d].birth_date else '')"
          " ~ ', ' ~ members[%d].kinship) if members|length > %d else ''|blank(60) }}")


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder()
    b.annex()
    b.title(t["title"])
    b.para(t["sentence"])
    b.fill("{{ applicant|fullname }}, {{ applicant_birth_date|short_date }}", t["applicant"])
    b.para(t["members"])
    for index in range(6):
        caption = t["without_birth"] if index in (1, 2) else t["with_birth"]
        b.fill(MEMBER % ((index,) * 5), caption, prefix=f"{index + 1}. ")
    b.para(t["head"], Value("{{ head_name|blank(30) }}"))
    b.fill("{{ issue_date|fill_date|blank(30) }}", t["issued"])
    return b
