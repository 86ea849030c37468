"""First DOCX template of `adaptation-application` v1 (kk and ru)."""
from docxbuild import Builder, Value

TEXT = {
    "kk": {
        "title": "Қоныстандыру өңірінде қандастар мен олардың отбасы мүшелеріне бейімделу және ықпалдастыру "
                 "қызметтер алуға жәрдемдесу туралы өтініш",
        "request": "Маған және менің отбасымның мүшелеріне (бар болса) қоныстандыру өңірінде бейімдеу және "
                   "ықпалдастыру қызметтерін алуға жәрдемдесуі сұраймын.",
        "members": "Қазақстан Республикасының азаматтары болып табылмайтын отбасы мүшелері:",
        "groups": [("1) жұбайы (зайыбы) ", "spouse", ""),
                   ("2) өтініш беруші мен жұбайының (зайыбының) ата-аналары ", "parents", ";"),
                   ("3) балалар (оның ішінде асырап алынғандар) және олардың отбасы мүшелері ", "children", ";"),
                   ("4) некеде тұрмайтын ата-анасы бір және ата-анасы бөлек аға-әпкелер ", "siblings", ".")],
        "iin": "ЖСН",
        "consent": "\"Дербес деректер туралы\" Заңның 8-бабына сәйкес бейімдеу және ықпалдастыру қызметтерін "
                   "көрсету үшін қажетті менің дербес деректерімді жинауға және өңдеуге келісім беремін",
        "applicant_date": "{{ application_date|fill_date if application_date else '20__ жылғы \"__\" ______' }}",
        "applicant_signature": "(өтініш берушінің қолы)",
        "received": "Өтініш қабылданды: ",
        "received_caption": "(Құжаттарды қабылдаған адамның тегі, аты, әкесінің аты (бар болса), лауазымы)",
        # The act prints "20__ жыл" here, not "жылғы" as in the applicant's date: kept as printed.
        "received_date": "{{ received_on|fill_date|replace(' жылғы ', ' жыл ') if received_on "
                         "else '20__ жыл \"__\" ______' }}",
        "received_signature": "(құжаттарды қабылдаған адамның қолы)",
    },
    "ru": {
        "title": "Заявление о содействии в получении кандасами и членами их семей адаптационных и интеграционных "
                 "услуг в регионе расселения",
        "request": "Прошу оказать мне и членам моей семьи (при наличии) содействие в получении адаптационных и "
                   "интеграционных услуг в регионе расселения.",
        "members": "Члены семьи, не являющиеся гражданами Республики Казахстан:",
        "groups": [("1) супруг (супруга) ", "spouse", ""),
                   ("2) родители заявителя и супруга (супруги) ", "parents", ";"),
                   ("3) дети (в том числе усыновленные (удочеренные)) и члены их семей ", "children", ";"),
                   ("4) не состоящие в браке полнородные и неполнородные братья и сестры ", "siblings", ".")],
        "iin": "ИИН",
        "consent": "В соответствии со статьей 8 Закона «О персональных данных» даю согласие на сбор и обработку "
                   "моих персональных данных, необходимых для оказания адаптационных и интеграционных услуг",
        "applicant_date": "{{ application_date|fill_date if application_date else '«__» ______ 20__ г.' }}",
        "applicant_signature": "(подпись заявителя)",
        "received": "Заявление принято: ",
        "received_caption": "(фамилия, имя, отчество (при его наличии), должность лица, принявшего документы)",
        "received_date": "{{ received_on|fill_date if received_on else '«__» ______ 20__ г.' }}",
        "received_signature": "(подпись лица, принявшего документы)",
    },
}

# The persons of one family group on the group's blank: name, date of birth, IIN, relationship.
MEMBERS = ("{%% if %(g)s %%}{%% for p in %(g)s %%}{{ p.full_name|fullname }}"
           "{%% if p.birth_date %%}, {{ p.birth_date|short_date }}{%% endif %%}"
           "{%% if p.iin %%}, %(iin)s {{ p.iin }}{%% endif %%}"
           "{%% if p.relationship %%} ({{ p.relationship }}){%% endif %%}"
           "{%% if not loop.last %%}; {%% endif %%}{%% endfor %%}{%% else %%}{{ none|blank(30) }}{%% endif %%}")
RECEIVED = ("{{ (received_by.full_name|fullname ~ ', ' ~ received_by.position) if received_by.full_name "
            "else none|blank(45) }}")


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder()
    b.annex()
    b.title(t["title"])
    b.para(t["request"])
    b.para(t["members"])
    for label, group, after in t["groups"]:
        b.para(label, Value(MEMBERS % {"g": group, "iin": t["iin"]}), after, align="left")
    b.para(t["consent"])
    b.para("", space_after=6)
    b.signatures([Value(t["applicant_date"])], [Value("{{ none|blank(30) }}"), ("caption", t["applicant_signature"])])
    b.para("", space_after=6)
    b.para(t["received"], Value(RECEIVED), align="left", space_after=0)
    b.caption(t["received_caption"], indent_cm=3.8)
    b.para("", space_after=6)
    b.signatures([Value(t["received_date"])], [Value("{{ none|blank(30) }}"), ("caption", t["received_signature"])])
    return b
