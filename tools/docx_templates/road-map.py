"""First DOCX template of `road-map` v1 (kk and ru), a designed document (no annexed form).

Like the HTML templates: no annex block and no "Нысан"; the approval of this family's road map at the
top right; the family and the planned services as tables (headings repeat on every page); the three
copies; signatures. A service's name is taken from code list adaptation-services by its code.
"""
import copy

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt

from docxbuild import ALIGN, Builder, Value

INDENT = 9.5  # cm: the approval block sits where an annex block would, at the top right

TEXT = {
    "kk": {
        "approve": "БЕКІТЕМІН", "position": "(лауазымы)", "name": "(тегі, аты, әкесінің аты (бар болса))",
        "signature": "(қолы)", "no_date": '20__ жылғы "__" ____________',
        "title": "Қандастарға және олардың отбасы мүшелеріне бейімдеу және ықпалдастыру қызметтерін көрсету "
                 "жөніндегі жол картасы",
        "basis": "(Қандастар мен олардың отбасы мүшелеріне бейімдеу және ықпалдастыру қызметтерін көрсету "
                 "қағидаларының 38-тармағына сәйкес жасалады)",
        "place": ["Облыс: ", "Аудан: ", "Ауылдық округ: ", "Елді мекен: ", "Қоныс аударған күні: ",
                  "Мансап орталығы: ", "Жасалған күні: "],
        "family": "1. Қандас және оның отбасы мүшелері",
        "family_headers": ["№ р/с", "Тегі, аты, әкесінің аты (бар болса)", "Туыстық дәрежесі", "Туған күні",
                           "Жеке сәйкестендіру нөмірі"],
        "kandas": "қандас",
        "services": "2. Бейімдеу және ықпалдастыру қызметтерін көрсету жөніндегі іс-шаралар",
        "service_headers": ["№ р/с", "Қызметтің атауы", "Қызмет көрсетілетін адам", "Жауапты орындаушы",
                            "Орындау мерзімі", "Орындалғаны туралы белгі"],
        "copies": ["Жол картасы үш данада жасалды:", "1-данасы – аудан әкімдігіне;",
                   "2-данасы – ауылдық округ әкіміне;", "3-данасы – мансап орталығына."],
        "signers": ["Мансап орталығының қызметкері", "Ауылдық округ әкімі", "Жол картасымен таныстым (қандас)"],
    },
    "ru": {
        "approve": "УТВЕРЖДАЮ", "position": "(должность)", "name": "(фамилия, имя, отчество (при его наличии))",
        "signature": "(подпись)", "no_date": "«__» ____________ 20__ г.",
        "title": "Дорожная карта по оказанию кандасам и членам их семей адаптационных и интеграционных услуг",
        "basis": "(составляется в соответствии с пунктом 38 Правил оказания кандасам и членам их семей "
                 "адаптационных и интеграционных услуг)",
        "place": ["Область: ", "Район: ", "Сельский округ: ", "Населенный пункт: ", "Дата переселения: ",
                  "Карьерный центр: ", "Дата составления: "],
        "family": "1. Кандас и члены его семьи",
        "family_headers": ["№ п/п", "Фамилия, имя, отчество (при его наличии)", "Степень родства",
                           "Дата рождения", "Индивидуальный идентификационный номер"],
        "kandas": "кандас",
        "services": "2. Мероприятия по оказанию адаптационных и интеграционных услуг",
        "service_headers": ["№ п/п", "Наименование услуги", "Получатель услуги", "Ответственный исполнитель",
                            "Срок исполнения", "Отметка об исполнении"],
        "copies": ["Дорожная карта составлена в трех экземплярах:", "1-й экземпляр – акимату района;",
                   "2-й экземпляр – акиму сельского округа;", "3-й экземпляр – карьерному центру."],
        "signers": ["Сотрудник карьерного центра", "Аким сельского округа", "С дорожной картой ознакомлен (кандас)"],
    },
}

PLACE = ["{{ region|blank(40) }}", "{{ district|blank(40) }}", "{{ rural_district|blank(40) }}",
         "{{ settlement|blank(40) }}", "{{ settled_on|short_date|blank(20) }}", "{{ career_centre|blank(40) }}",
         "{{ drawn_up_on|short_date|blank(20) }}"]
SIGNERS = ["career_centre_employee", "rural_district_akim", "kandas.full_name"]


def build(lang: str) -> Builder:
    t = TEXT[lang]
    b = Builder()
    b.para(t["approve"], align="left", indent_cm=INDENT, space_after=0)
    b.fill("{{ approver.position|blank(30) }}", t["position"], indent_cm=INDENT)
    b.fill("{{ approver.full_name|fullname|blank(30) }}", t["name"], indent_cm=INDENT)
    b.fill("{{ none|blank(30) }}", t["signature"], indent_cm=INDENT)
    b.para("{{ approved_on|fill_date if approved_on else '%s' }}" % t["no_date"], align="left",
           indent_cm=INDENT, space_after=10)
    b.title(t["title"])
    b.para(t["basis"], align="center", size=10, space_after=8)
    for label, expr in zip(t["place"], PLACE):
        b.para(label, Value(expr), align="left", space_after=3)

    b.para(t["family"], align="left", bold=True, space_after=4)
    family = b.grid(t["family_headers"], ["{{ loop.index + 1 }}", "{{ member.full_name|fullname }}",
                                          "{{ member.relationship }}", "{{ member.birth_date|short_date }}",
                                          "{{ member.iin or '' }}"],
                    "member in family_members", widths_cm=[1.5, 6.3, 2.9, 2.5, 3.8], numbers=False)
    _static_row(family, before=1, texts=["1", "{{ kandas.full_name|fullname }}", t["kandas"],
                                         "{{ kandas.birth_date|short_date }}", "{{ kandas.iin }}"])
    _centre(family, columns=(0,))
    b.para("", space_after=4)

    b.para(t["services"], align="left", bold=True, space_after=4)
    b.tag("{%p set items = codelists['adaptation-services']['items'] %}")
    services = b.grid(t["service_headers"],
                      ["{{ loop.index }}", "{{ (items|selectattr('code', 'equalto', row.service)|first).%s }}" % lang,
                       "{{ row.beneficiary or '' }}", "{{ row.responsible }}", "{{ row.deadline|short_date }}",
                       "{{ row.done or '' }}"],
                      "row in services", widths_cm=[1.2, 5.1, 2.7, 3.2, 2.2, 2.6], numbers=False)
    _centre(services, columns=(0, 4, 5))

    b.para("", space_after=4)
    for line in t["copies"]:
        b.para(line, align="left", space_after=2)
    b.para("", space_after=6)
    _signatures(b, t)
    return b


def _static_row(table, before: int, texts: list[str]) -> None:
    """A fixed row (the kandas) inserted before row ``before`` (the loop's opening tag row)."""
    model = table.rows[before + 1]._tr  # the loop's item row: same widths and properties
    row = copy.deepcopy(model)
    table.rows[before]._tr.addprevious(row)
    for cell, text in zip(table.rows[before].cells, texts):
        cell.paragraphs[0].runs[-1].text = text


def _centre(table, columns: tuple[int, ...]) -> None:
    for row in table.rows:
        for index in columns:
            row.cells[index].paragraphs[0].alignment = ALIGN["center"]


def _signatures(b: Builder, t: dict) -> None:
    """One row per signer: who, the name on its blank with a caption, the signature blank."""
    table = b.doc.add_table(rows=len(SIGNERS), cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for row, who, name in zip(table.rows, t["signers"], SIGNERS):
        for cell, width in zip(row.cells, (6.0, 6.8, 4.2)):
            cell.width = Cm(width)
        _cell_lines(row.cells[0], [(who, 12, False, "left")])
        _cell_lines(row.cells[1], [("{{ %s|fullname|blank(30) }}" % name, 12, True, "left"),
                                   (t["name"], 9, False, "center")])
        _cell_lines(row.cells[2], [("{{ none|blank(16) }}", 12, True, "left"), (t["signature"], 9, False, "center")])


def _cell_lines(cell, lines) -> None:
    for index, (text, size, underline, align) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = ALIGN[align]
        paragraph.paragraph_format.space_after = Pt(6 if index == len(lines) - 1 else 0)
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.underline = underline
