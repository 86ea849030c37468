"""Posting the clerks' form through Flask's test client: CSRF refusal, the validation round trip
(errors beside the fields and in the summary, every typed value kept), row actions without
JavaScript, preview and downloads."""

from __future__ import annotations

import re

from service import create_app
from support.text import docx_text, pdf_text
from support.web import csrf_token, date_inputs

MEMBER_BORN_IN_FUTURE = "2999-01-01"


def token(client, path="/forms/referral") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def referral_fields(**changes) -> dict:
    fields = {
        "applicant.last_name": "Нұрланов",
        "applicant.first_name": "Бауыржан",
        "applicant.patronymic": "Серікұлы",
        "applicant_birth_date": "1985-04-12",
        "members[0].name.last_name": "Нұрланова",
        "members[0].name.first_name": "Гүлнұр",
        "members[0].birth_date": "1988-09-03",
        "members[0].kinship": "жұбайы",
        "members[1].name.last_name": "Бауыржанұлы",
        "members[1].name.first_name": "Ерқанат",
        "members[1].birth_date": "2012-02-17",
        "members[1].kinship": "ұлы",
        "head_name": "Қ. Т. Сәрсенбаев",
        "issue_date": "2026-03-10",
        "doc_lang": "kk",
    }
    fields.update(changes)
    return posted_dates(fields)


DATES = re.compile(r"(^|\.)(birth_date|applicant_birth_date|issue_date)$")


def posted_dates(fields: dict) -> dict:
    """The dates as the page posts them: day, month and year inputs (27, 3, 2007)."""
    posted = {}
    for name, value in fields.items():
        if DATES.search(name) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            year, month, day = value.split("-")
            posted.update({f"{name}.day": str(int(day)), f"{name}.month": str(int(month)), f"{name}.year": year})
        else:
            posted[name] = value
    return posted


def post(client, action, fields, path="/forms/referral"):
    return client.post(path, data={**fields, "_action": action, "csrf_token": token(client, path)})


# --- CSRF ---------------------------------------------------------------------------------------


def test_post_without_token_is_refused(client):
    response = client.post("/forms/referral", data={**referral_fields(), "_action": "pdf"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Бет ескірді" in response.get_data(as_text=True)


def test_post_with_another_sessions_token_is_refused(client):
    other = create_app({"TESTING": True, "SECRET_KEY": "test"}).test_client()
    stolen = token(other)
    token(client)  # this client has a session with its own token
    response = client.post("/forms/referral", data={**referral_fields(), "_action": "pdf", "csrf_token": stolen})
    assert response.status_code == 400


def test_post_from_another_origin_is_refused(client):
    good = token(client)
    response = client.post(
        "/forms/referral",
        data={**referral_fields(), "_action": "check", "csrf_token": good},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400
    same = client.post(
        "/forms/referral",
        data={**referral_fields(), "_action": "check", "csrf_token": good},
        headers={"Origin": "http://localhost"},
    )
    assert same.status_code == 200


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.get("/forms/referral")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- validation round trip ----------------------------------------------------------------------


def test_error_beside_the_field_and_in_the_summary_in_kazakh(client):
    fields = referral_fields(**{"members[1].birth_date": MEMBER_BORN_IN_FUTURE})
    response = post(client, "check", fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # the summary: announced, links to the input
    assert 'role="alert"' in html
    assert re.search(
        r'<a href="#f-members-1--birth_date">Отбасы мүшелері, 2-жол — Туған күні</a>: Күн болашақта болмауы тиіс\.',
        html,
    )
    # beside the field: the message, tied to the input, the input marked invalid
    assert '<p class="error" id="f-members-1--birth_date-error"><span>Күн болашақта болмауы тиіс.</span>' in html
    field = re.search(r'<input id="f-members-1--birth_date"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="f-members-1--birth_date-error"' in field
    assert date_inputs(html, "members[1].birth_date") == ("1", "1", "2999")
    # every typed value is kept
    for name, value in fields.items():
        if name != "doc_lang":
            assert f'value="{value}"' in html, value


def test_errors_in_russian_when_the_interface_is_russian(client):
    client.get("/lang/ru")
    html = post(
        client, "check", referral_fields(**{"members[1].birth_date": MEMBER_BORN_IN_FUTURE, "applicant.first_name": ""})
    ).get_data(as_text=True)
    assert "Дата не может быть в будущем." in html
    assert "Члены семьи, строка 2 — Дата рождения" in html
    assert "Фамилия, имя и отчество (при его наличии) претендента — Имя" in html
    assert "Это поле обязательно для заполнения." in html
    assert "Күн болашақта" not in html


def test_a_value_that_is_not_a_date_is_kept_as_typed(client):
    html = post(client, "check", referral_fields(**{"applicant_birth_date": "12.04.85"})).get_data(as_text=True)
    field = re.search(r'<input id="f-applicant_birth_date"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'value="12.04.85"' in field  # a date input would blank it
    assert "Күн қате" in html


def test_typed_markup_is_escaped(client):
    html = post(
        client,
        "check",
        referral_fields(**{"head_name": '<script>alert("x")</script>', "members[1].birth_date": MEMBER_BORN_IN_FUTURE}),
    ).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_valid_check_says_so(client):
    response = post(client, "check", referral_fields())
    assert response.status_code == 200
    assert "Деректер дұрыс толтырылған" in response.get_data(as_text=True)


# --- documents ------------------------------------------------------------------------------------


def test_pdf_download(client):
    response = post(client, "pdf", referral_fields())
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "ЖОЛДАМА" in text
    assert "Нұрланов Бауыржан Серікұлы" in text and "Бауыржанұлы Ерқанат" in text


def test_docx_download_in_russian(client):
    response = post(client, "docx", referral_fields(doc_lang="ru"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('referral-v1-ru.docx"')
    text = docx_text(response.data)
    assert "НАПРАВЛЕНИЕ" in text and "Нұрланова Гүлнұр" in text


def test_invalid_data_gives_the_form_not_a_document(client):
    response = post(client, "pdf", referral_fields(**{"members[1].birth_date": MEMBER_BORN_IN_FUTURE}))
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_preview_then_download_from_the_preview(client):
    response = post(client, "preview", referral_fields())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    frame = re.search(r'<iframe[^>]*srcdoc="([^"]*)"', html)
    assert frame and 'sandbox="allow-same-origin"' in html
    assert "Бауыржанұлы Ерқанат" in frame.group(1) and "&lt;html" in frame.group(1)
    payload = re.search(r'name="_payload" value="([^"]*)"', html).group(1)
    import html as htmlmod

    data = {"_payload": htmlmod.unescape(payload), "doc_lang": "kk", "_action": "pdf", "csrf_token": csrf_token(html)}
    pdf = client.post("/forms/referral", data=data)
    assert pdf.mimetype == "application/pdf"
    assert "Нұрланова Гүлнұр" in pdf_text(pdf.data)
    edit = client.post("/forms/referral", data={**data, "_action": "edit"})
    assert 'value="Ерқанат"' in edit.get_data(as_text=True)


# --- rows without JavaScript ----------------------------------------------------------------------


def test_add_row_on_the_server(client):
    html = post(client, "add:members", referral_fields()).get_data(as_text=True)
    assert 'name="members[2].name.last_name"' in html
    assert 'value="Бауыржанұлы"' in html and "Отбасы мүшелері" in html
    assert 'role="alert"' not in html  # a row action does not validate


def test_members_are_capped_at_six(client):
    fields = referral_fields()
    for i in range(2, 6):
        fields.update(
            {
                f"members[{i}].name.last_name": f"Мүше{i}",
                f"members[{i}].name.first_name": "Аты",
                f"members[{i}].kinship": "туысы",
            }
        )
    html = post(client, "add:members", fields).get_data(as_text=True)
    assert 'name="members[5].kinship"' in html and 'name="members[6].kinship"' not in html
    assert "6 жазбадан аспауы тиіс." in html
    assert re.search(r'value="add:members" data-row-action="add" disabled', html)
    fields["members[6].name.last_name"], fields["members[6].name.first_name"], fields["members[6].kinship"] = (
        "Жетінші",
        "Аты",
        "x",
    )
    html = post(client, "check", fields).get_data(as_text=True)
    assert "6 жазбадан аспауы тиіс." in html and 'href="#f-members"' in html


def test_remove_and_move_rows_on_the_server(client):
    html = post(client, "up:members[1]", referral_fields()).get_data(as_text=True)
    assert re.search(r'name="members\[0\]\.name\.last_name" type="text" value="Бауыржанұлы"', html)
    html = post(client, "remove:members[0]", referral_fields()).get_data(as_text=True)
    assert re.search(r'name="members\[0\]\.name\.last_name" type="text" value="Бауыржанұлы"', html)
    assert 'value="Нұрланова"' not in html


def test_blank_rows_are_dropped_and_enter_means_check(client):
    fields = referral_fields(**{"members[2].name.last_name": "", "members[2].kinship": ""})
    assert post(client, "pdf", fields).mimetype == "application/pdf"
    html = client.get("/forms/referral").get_data(as_text=True)
    first_submit = re.search(r'<button type="submit" name="_action" value="([^"]+)"', html).group(1)
    assert first_submit == "check"


def test_render_limits_of_the_service_apply_to_the_web(slow_renders):
    client = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "RENDER_TIMEOUT": 0.05, "RENDER_INLINE_ROWS": 0}
    ).test_client()
    response = post(client, "pdf", referral_fields())
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Retry-After" in response.headers
    assert "Құжат әлі дайын емес" in response.get_data(as_text=True)
