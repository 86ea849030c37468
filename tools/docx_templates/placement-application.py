"""First DOCX template of `placement-application` v1 (kk and ru)."""
from docxbuild import Builder, Value

TEXT = {
    "kk": {
        "to": "Басшыға",
        "authority": "(Халықтың көші-қоны саласындағы жергілікті атқарушы органның атауы)",
        "applicant": "(үміткердің тегі, аты және болған жағдайда әкесінің аты)",
        "title": "Өтініш",
        "before": "Сізден мені және саны \" ",
        "after": " \" адамнан тұратын менің отбасы мүшелерімді Қандастарды бейімдеу және ықпалдастыру "
                 "орталығына орналастыруыңызды және бейімдеу және ықпалдастыру қызметтерін көрсетуіңізді сұраймын.",
        "date": "(Күні)",
        "signature": "(Қолы)",
    },
    "ru": {
        "to": "Руководителю",
        "authority": "(наименование местного исполнительного органа в области миграции населения)",
        "applicant": "(фамилия, имя и отчество (при его наличии) претендента)",
        "title": "Заявление",
        "before": "Прошу Вас разместить меня и членов моей семьи в количестве \" ",
        "after": " \" человек в центре адаптации и интеграции кандасов и оказать услуги по адаптации и интеграции.",
        "date": "(дата)",
        "signature": "(подпись)",
    },
}


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder()
    b.annex()
    b.para(t["to"], align="left", indent_cm=9.5, space_after=0)
    b.fill("{{ authority_name|blank(40) }}", t["authority"], indent_cm=9.5)
    b.fill("{{ applicant|fullname }}", t["applicant"], indent_cm=9.5)
    b.title(t["title"])
    b.para(t["before"], Value("{{ family_size|blank(4) }}"), t["after"])
    b.signatures([Value("{{ application_date|fill_date|blank(30) }}"), ("caption", t["date"])],
                 [Value("{{ none|blank(30) }}"), ("caption", t["signature"])])
    return b
