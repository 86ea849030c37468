"""Journal and report rows uploaded as CSV or XLSX: parsed, validated row by row, errors naming the
file's line and column, the rows put into the form to be fixed and downloaded.

A synthetic journal (its own spec and templates in a throw-away data folder, tests/support/synthetic.py)
has every kind of column while staying small.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from service import create_app
from service.web import formdata
from service.web.upload import UploadError, columns, parse
from support.synthetic import journal_data_dir, journal_fields
from support.text import pdf_text
from support.web import csrf_token, date_inputs

HEADER = ["name.last_name", "name.first_name", "name.patronymic", "iin", "birth_date", "sex", "returned", "note"]


def journal_rows(count: int = 50, bad: int | None = 17) -> list[list[str]]:
    """``count`` valid rows; row ``bad`` (1-based) has a birth date that is not a date."""
    rows = []
    for n in range(1, count + 1):
        rows.append([f"Тегі{n:02d}", f"Аты{n:02d}", "", "", f"1990-01-{(n % 28) + 1:02d}", "m", "жоқ", f"жол {n}"])
    if bad:
        rows[bad - 1][4] = "1990-02-31"
    return rows


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def client(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATA_DIR": str(journal_data_dir(tmp_path))})
    return app.test_client()


def upload(client, content: bytes, filename: str, **fields):
    csrf = csrf_token(client.get("/forms/test-journal").get_data(as_text=True))
    data = {"_action": "upload", "csrf_token": csrf, "rows_file": (io.BytesIO(content), filename), **fields}
    return client.post("/forms/test-journal", data=data, content_type="multipart/form-data")


def item():
    return next(f for f in journal_fields() if f.name == "entries").children


# --- the page ------------------------------------------------------------------------------------


def test_journal_page_offers_upload_and_a_table_of_rows(client):
    html = client.get("/forms/test-journal").get_data(as_text=True)
    assert 'value="upload" class="secondary" formenctype="multipart/form-data"' in html
    assert '<input type="file" id="rows-file" name="rows_file"' in html
    assert '<table class="rows">' in html
    assert 'href="/forms/test-journal/rows.csv"' in html and 'href="/forms/test-journal/rows.xlsx"' in html


def test_csv_of_50_rows_with_one_bad_row(client):
    response = upload(client, csv_bytes(journal_rows(50, bad=17)), "journal.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Файлдан 50 жол жүктелді." in html
    # named by the file's line (the header is line 1) and the column as the file names it
    assert re.search(
        r'<a href="#f-entries-16--birth_date">Файлдың 18-жолы, «birth_date» бағаны</a>: 31\.02\.1990: мұндай күн жоқ: 1990 жылғы ақпанда 28 күн бар\.',
        html,
    )
    assert html.count('class="error" id=') == 1
    # every row is in the form, the bad value as written, in a text input so that it shows
    assert 'name="entries[49].name.last_name" type="text" value="Тегі50"' in html
    bad = re.search(r'<input id="f-entries-16--birth_date"[^>]*>', html).group(0)
    assert date_inputs(html, "entries[16].birth_date") == ("31", "02", "1990")  # day, month, year as written
    assert 'type="text"' in bad and 'aria-invalid="true"' in bad
    assert 'name="entries[16].sex"' in html and re.search(r'<option value="m" selected>', html)


def test_fixed_rows_download_as_pdf(client):
    rows = journal_rows(50, bad=None)
    fields = {
        "csrf_token": csrf_token(client.get("/forms/test-journal").get_data(as_text=True)),
        "_action": "pdf",
        "doc_lang": "kk",
    }
    for i, row in enumerate(rows):
        for key, value in zip(HEADER, row):
            fields[f"entries[{i}].{key}"] = {"жоқ": "false"}.get(value, value)  # as the select posts it
    response = client.post("/forms/test-journal", data=fields)
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Тегі01 Аты01" in text and "Тегі50 Аты50" in text


def test_xlsx_with_dates_numbers_and_labels(client):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    # headers by their Russian titles, the name in one column, an IIN stored as a number
    sheet.append(["ФИО", "ИИН", "Дата рождения", "Пол", "Вернулся"])
    sheet.append(["Оспанова Ұлжан Серікқызы", 61211600012, dt.datetime(2006, 12, 11), "жен.", "да"])
    sheet.append([None, None, None, None, None])  # an empty row is skipped
    sheet.append(["Әбенов Қайрат", "900101300017", "01.01.1990", "m", None])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue(), "journal.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="error"[^>]*>(.*?)</p>', html)
    assert "Файлдан 2 жол жүктелді." in html and "Деректер дұрыс толтырылған" in html
    assert 'name="entries[0].iin" type="text" value="061211600012"' in html
    assert date_inputs(html, "entries[0].birth_date") == ("11", "12", "2006")
    assert 'name="entries[0].name.patronymic" type="text" value="Серікқызы"' in html
    assert date_inputs(html, "entries[1].birth_date") == ("1", "1", "1990")
    assert re.search(
        r'<select id="f-entries-0--sex" name="entries\[0\]\.sex">.*?<option value="f" selected>', html, re.S
    )


def test_xlsx_row_error_names_the_sheet_row(client):
    book = Workbook()
    book.active.append(["Аты-жөні — Тегі", "Аты-жөні — Аты", "ЖСН", "Туған күні"])
    book.active.append(["Әбенов", "Қайрат", "900101300018", "1990-01-01"])
    out = io.BytesIO()
    book.save(out)
    html = upload(client, out.getvalue(), "j.xlsx").get_data(as_text=True)
    assert "Файлдың 2-жолы, «ЖСН» бағаны</a>: ЖСН-нің бақылау цифры қате." in html


def test_csv_from_excel_in_cp1251_with_semicolons(client):
    # Windows-1251 has no Kazakh letters: such files come with Russian text only.
    rows = [[f"Иванов{n}", "Иван", "", "", "1990-01-02", "муж.", "нет", "строка"] for n in range(3)]
    response = upload(client, csv_bytes(rows, delimiter=";", encoding="cp1251"), "j.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="error"[^>]*>(.*?)</p>', html)
    assert "Файлдан 3 жол жүктелді." in html


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (b"%PDF-1.7 not a table", "journal.pdf", "Файл CSV немесе XLSX болуы тиіс."),
        (b"PK\x03\x04 broken zip", "journal.xlsx", "Файлды оқу мүмкін болмады"),
        (b"", "journal.csv", "Файлда бағандар атауы мен жолдар жоқ."),
        (b"name.last_name,name.first_name,birth_date,colour\n", "j.csv", "Белгісіз бағандар: «colour»."),
        (b"name.last_name,birth_date\n", "j.csv", "Міндетті бағандар жоқ: «name.first_name»."),
        (b"name.last_name,name.first_name,birth_date\n", "j.csv", "Файлда деректер жолы жоқ."),
    ],
)
def test_file_level_errors(client, content, filename, message):
    response = upload(client, content, filename, **{"started_on": "2024-01-01"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'href="#rows-file"' in html
    assert date_inputs(html, "started_on") == ("1", "1", "2024")  # what was typed in the form is kept


def test_too_many_rows(client):
    html = upload(client, csv_bytes(journal_rows(201, bad=None)), "j.csv").get_data(as_text=True)
    assert "Файлда жол тым көп: ең көбі 200 жол." in html


def test_upload_without_a_file(client):
    csrf = csrf_token(client.get("/forms/test-journal").get_data(as_text=True))
    response = client.post(
        "/forms/test-journal", data={"_action": "upload", "csrf_token": csrf}, content_type="multipart/form-data"
    )
    assert "Файл таңдалмаған." in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blank_template_headers_are_read_back(client, fmt):
    client.get("/lang/ru")
    response = client.get(f"/forms/test-journal/rows.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    else:
        header = [c.value for c in next(load_workbook(io.BytesIO(response.data)).active.iter_rows())]
    assert header[:3] == ["ФИО — Фамилия", "ФИО — Имя", "ФИО — Отчество (при наличии)"]
    rows = [["Әбенов", "Қайрат", "", "900101300017", "1990-01-01", "m", "", ""]]
    html = upload(client, csv_bytes(rows, header=header), "filled.csv").get_data(as_text=True)
    assert "Из файла загружено строк: 1." in html and "Данные заполнены верно" in html


def test_upload_is_refused_without_csrf(client):
    response = client.post(
        "/forms/test-journal",
        data={"_action": "upload", "rows_file": (io.BytesIO(b"x"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


# --- units ----------------------------------------------------------------------------------------


def test_columns_of_a_row():
    keys = [c.key for c in columns(item())]
    assert keys == HEADER
    required = {c.key for c in columns(item()) if c.required}
    assert required == {"name.last_name", "name.first_name", "birth_date"}


def test_parse_rejects_unknown_columns_before_reading_rows():
    with pytest.raises(UploadError) as err:
        parse("a.csv", b"x,y\n1,2\n", item(), 10)
    assert err.value.key == "upload_unknown_columns"


def test_formdata_parse_drops_blank_rows_and_values():
    from werkzeug.datastructures import MultiDict

    posted = MultiDict(
        {
            "started_on": "",
            "entries[0].name.last_name": "А",
            "entries[0].name.first_name": "Б",
            "entries[3].name.last_name": " ",
            "entries[10].note": "x",
        }
    )
    data = formdata.parse(posted, journal_fields())
    assert data == {"entries": [{"name": {"last_name": "А", "first_name": "Б"}}, {"note": "x"}]}
    kept = formdata.parse(posted, journal_fields(), keep_blank_rows=True)
    assert len(kept["entries"]) == 3


def test_row_actions_respect_the_cap():
    fields = journal_fields()
    data = {"entries": [{} for _ in range(200)]}
    assert formdata.apply_action(data, fields, "add", "entries") == "too_many_items"
    assert len(data["entries"]) == 200
    data = {"entries": [{"note": "a"}, {"note": "b"}]}
    formdata.apply_action(data, fields, "down", "entries[0]")
    assert [r["note"] for r in data["entries"]] == ["b", "a"]
    formdata.apply_action(data, fields, "remove", "entries[1]")
    assert data == {"entries": [{"note": "b"}]}
