"""First DOCX template of `violence-application` v1 (kk and ru): Order No. 391, Annex 4."""
from docx.shared import Cm

from docxbuild import Builder, Value

TEXT = {
    "kk": {
        "to": ["Уақытша болу және тұру", "ұйымының басшысына"],
        "organisation": "(ұйымның атауы)",
        "head": "(Басшының тегі, аты, әкесінің аты (бар болса)",
        "title": "ӨТІНІШ",
        "body": [
            "Мені (және баланы (балаларды) тұрмыстық зорлық-зомбылық құрбандарына арнаулы әлеуметтік қызметтер "
            "көрсететін уақытша болу және тұру ұйымына оңалтуға қабылдауыңызды сұраймын.",
            "Арнаулы әлеуметтік қызметтер көрсету кезіндегі қажетті менің дербес деректерімді жинауға және өңдеуге "
            "келісім беремін.",
            "Уақытша болу және тұру ұйымына қабылдау, орналастыру, шығару, көрсетілетін қызметтерді тоқтату "
            "шарттарымен және ішкі тәртіп қағидаларымен таныстым.",
            "Сондай-ақ өзім туралы көрінеу жалған ақпарат беру фактілері жөнінде ескертілді.",
        ],
        "date_blank": '20__ жылғы "__" ______',
        "signature": "(Өтініш берушінің тегі, аты, әкесінің аты (бар болса) және қолы)",
    },
    "ru": {
        "to": ["Руководителю организации", "временного пребывания и проживания"],
        "organisation": "(наименование организации)",
        "head": "(фамилия, имя, отчество (при его наличии) руководителя)",
        "title": "ЗАЯВЛЕНИЕ",
        "body": [
            "Прошу принять меня (и ребенка (детей) на реабилитацию в организацию временного пребывания и "
            "проживания, оказывающую специальные социальные услуги жертвам бытового насилия.",
            "Даю согласие на сбор и обработку моих персональных данных, необходимых при оказании специальных "
            "социальных услуг.",
            "С условиями приема, размещения, выписки, прекращения оказания услуг и правилами внутреннего "
            "распорядка организации временного пребывания и проживания ознакомлен(а).",
            "Также предупрежден(а) о фактах предоставления заведомо ложной информации о себе.",
        ],
        "date_blank": "«__» ______ 20__ г.",
        "signature": "(фамилия, имя, отчество (при его наличии) и подпись заявителя)",
    },
}

CONSENTS = ("personal_data_consent", "rules_acknowledged", "false_information_warning")
INDENT = 8.0   # the addressee block takes the right half of the page
BLANK = "_" * 34


def lines(b: Builder, expr: str, caption: str | None = None, count: int = 2) -> None:
    """A filled blank prints the value; an empty one the form's blank lines (two where it has two)."""
    b.tag("{%p if " + expr + " %}")
    b.para(Value("{{ " + expr + " }}"), align="left", indent_cm=INDENT, space_after=0)
    b.tag("{%p else %}")
    for _ in range(count):
        b.para(BLANK, align="left", indent_cm=INDENT, space_after=0)
    b.tag("{%p endif %}")
    if caption:
        b.caption(caption, indent_cm=INDENT)
    else:
        b.para("", space_after=2)


def sentence(b: Builder, text: str, struck: bool = False) -> None:
    paragraph = b.para(text)
    paragraph.paragraph_format.first_line_indent = Cm(1.25)
    for run in paragraph.runs:
        run.font.strike = struck


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder()
    b.annex()
    for line in t["to"]:
        b.para(line, align="left", indent_cm=INDENT, space_after=0)
    lines(b, "organisation_name", t["organisation"])
    lines(b, "head_name|fullname", t["head"])
    lines(b, "applicant|fullname", count=1)
    lines(b, "applicant_address", count=1)
    # The children's data, no words added: the form has no blank of its own for them.
    b.tag("{%p for child in children %}")
    b.para(Value("{{ child.full_name|fullname }}, {{ child.birth_date|short_date }}"
                 "{{ (', ' ~ child.iin) if child.iin else '' }}"), align="left", indent_cm=INDENT, space_after=2)
    b.tag("{%p endfor %}")
    b.title(t["title"])
    sentence(b, t["body"][0])
    # The consents are sentences of the form, not tick boxes: given, the sentence is printed as the
    # act prints it; refused, it is printed struck out, as a declined statement is on paper.
    for field, text in zip(CONSENTS, t["body"][1:]):
        b.tag("{%p if " + field + " %}")
        sentence(b, text)
        b.tag("{%p else %}")
        sentence(b, text, struck=True)
        b.tag("{%p endif %}")
    date = "{{ application_date|fill_date if application_date else '" + t["date_blank"] + "' }}"
    b.signatures([Value(date)], [Value("{{ applicant|fullname|blank(40) }}"), ("caption", t["signature"])])
    return b
