"""The clerks' pages: the list of forms, the generated form, its preview and downloads."""

from __future__ import annotations

import csv
import io
import json
import re
from html import escape as escape_html

from flask import Response, abort, current_app, g, jsonify, redirect, render_template, request, send_from_directory

import forms
from forms.catalogue.locations import ASSETS_DIR
from forms.errors import message

from .. import limits, rendering
from ..errors import MAX_ERRORS, RequestError
from ..records import organisation_record
from . import accounts, documents, drafts, i18n, reopen
from .catalogue import in_force, offer
from .display import form_labels, initials_in
from .formdata import TooManyRows, apply_action, parse, parse_action
from .summary import summary
from .upload import UploadError, columns, template_headers
from .upload import parse as parse_upload
from .widgets import Builder, errors_by_path

DOCUMENT_ASSETS = ("fonts.css", "fonts/")


def _registry() -> forms.Registry:
    return rendering.registry()


def _t() -> i18n.Translator:
    return i18n.Translator(i18n.current())


def index():
    offers = in_force(_registry())
    account = accounts.current()
    record = organisation_record(account.organisation if account is not None else "default")
    return render_template(
        "web/index.html",
        offers=offers,
        no_accounts=not g.get("nysan_accounts"),
        labels=form_labels([spec for spec, _ in offers], i18n.current()),
        # the quick start's placeholder (or a record never filled in): the front page asks for it
        placeholder=record["id"] if record is not None and record["placeholder"] else None,
    )


def switch_language(lang: str):
    if lang not in i18n.LANGUAGES:
        abort(404)
    response = redirect(accounts._safe_next(request.args.get("next")), 303)
    response.set_cookie(
        i18n.COOKIE,
        lang,
        max_age=i18n.COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure or current_app.config.get("HTTPS", False),
    )
    return response


def document_asset(name: str):
    if not name.startswith(DOCUMENT_ASSETS) or not name.endswith((".css", ".ttf")):
        abort(404)
    return send_from_directory(ASSETS_DIR, name, max_age=86400)


def _offered(form_id: str):
    found = offer(_registry(), form_id)
    if found.problem:
        t = _t()
        error = (found.message or {}).get("error")
        text = (
            error.message(t.lang)
            if error is not None
            else t({"not_found": "not_found_title"}.get(found.problem, "not_available"))
        )
        abort(Response(render_template("web/error.html", title=t(f"{found.problem}_title"), text=text), found.status))
    return found.spec


def form_page(form_id: str):
    """A new form, its fields mapped to the organisation's record (the spec's ``prefill:``) filled in
    the page's language, editable."""
    spec = _offered(form_id)
    data: dict = {}
    if spec.prefill:
        account = accounts.current()
        record = organisation_record(account.organisation if account is not None else "default")
        if record is not None and not record["placeholder"]:  # a placeholder's name is printed nowhere
            data = forms.prefill(spec, data, record, i18n.current())
    return _page(spec, data, fresh=True, doc_lang=i18n.current() if data else None)


def submit(form_id: str):
    spec = _offered(form_id)
    t = _t()
    action = request.form.get("_action", "check")
    doc_lang = request.form.get("doc_lang") if request.form.get("doc_lang") in forms.DOCUMENT_LANGUAGES else "kk"
    payload = request.form.get("_payload")
    max_rows = int(current_app.config["MAX_ROWS"])
    if payload is not None:
        try:
            data = json.loads(payload)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            abort(400)
        # The preview's data comes back as JSON: checked as the API checks a body (400, 413).
        limits.check_depth(data)
        limits.check_request_rows(limits.check_rows(data))
    else:
        row_action = parse_action(action)
        try:
            data = parse(request.form, spec.fields, keep_blank_rows=bool(row_action), max_rows=max_rows)
        except TooManyRows as over:
            raise RequestError(413, "too_many_rows", max=over.max) from None
        if row_action:
            refused = apply_action(data, spec.fields, *row_action)
            notice = _cap_notice(spec, refused, row_action[1], t) if refused else None
            return _page(spec, data, doc_lang=doc_lang, notice=notice)
        limits.check_request_rows(limits.check_rows(data))
    if action == "upload":
        return _upload(spec, data, doc_lang, t)
    if action == "open":
        return reopen.open_document(spec, _registry(), t, _page)
    if action == "edit":
        return _page(spec, data, doc_lang=doc_lang)
    if action == "issue":
        return _issue(spec, data, doc_lang, t)
    if action in ("pdf", "docx", "preview"):
        fmt = "html" if action == "preview" else action
        try:
            # Under the service's limits (RENDER_SLOTS at once, RENDER_TIMEOUT each), so that a clerk's
            # long journal cannot hold a worker past its timeout; refused: the blueprint's "try again".
            content, used = rendering.render(spec.id, data, forms.RenderOptions(doc_lang, fmt))
        except forms.ValidationFailed as err:
            return _page(spec, data, err.as_dicts(t.lang), doc_lang=doc_lang)
        if action == "preview":
            return _preview(spec, data, content.decode("utf-8"), doc_lang)
        return _download(used, content, fmt, doc_lang)
    errors = rendering.validate(spec.id, data, lang=t.lang, registry=_registry())
    return _page(spec, data, errors, doc_lang=doc_lang, valid=not errors)


def _issue(spec, data: dict, doc_lang: str, t):
    if accounts.current() is None:  # no accounts: nothing is stored
        abort(403)
    supersedes = request.form.get("_supersedes") or None
    if supersedes:
        accounts.require_supervisor()
    try:
        return documents.issue(spec, data, doc_lang, supersedes)
    except forms.ValidationFailed as err:
        return _page(spec, data, err.as_dicts(t.lang), doc_lang=doc_lang, supersedes=supersedes)


def amend(doc_id: str):
    """A supervisor's amend: the form of a stored document, filled with its data; issuing it
    supersedes the document."""
    doc, data = documents.amended(doc_id)
    spec = _registry().form(doc["form"]).version(doc["version"])
    return _page(
        spec, data, doc_lang=doc["lang"], supersedes=doc["id"], notice=_t()("amending_notice", number=doc["number"])
    )


def check_fields(form_id: str):
    """The server's rules for what the page flags as it is typed (an IIN against the birth date):
    the posted form's errors of the IIN fields, by path, in the interface language."""
    spec = _offered(form_id)
    data = parse(request.form, spec.fields)
    errors = rendering.validate(spec.id, data, lang=_t().lang, registry=_registry())
    found: dict[str, list[str]] = {}
    for error in errors:
        if error["code"].startswith("iin_"):
            found.setdefault(error["path"], []).append(error["message"])
    return jsonify({"errors": found})


def _cap_notice(spec, code: str, path: str, t) -> str:
    list_spec = next((f for f in spec.fields if f.name == path.split("[")[0].split(".")[0]), None)
    limit = {"too_many_items": "max", "too_few_items": "min"}[code]
    value = getattr(list_spec, f"{limit}_items", None) if list_spec else None
    return message(code, t.lang, **{limit: value})


def _upload(spec, data: dict, doc_lang: str, t):
    rows_spec = spec.field(spec.rows_field) if spec.rows_field else None
    if rows_spec is None:
        abort(404)
    file = request.files.get("rows_file")
    if file is None or not file.filename:
        return _page(spec, data, doc_lang=doc_lang, file_error=t("upload_no_file"))
    limit = min(rows_spec.max_items or 10**9, int(current_app.config.get("MAX_ROWS", 10000)))
    try:
        uploaded = parse_upload(file.filename, file.read(), rows_spec.children, limit)
    except UploadError as err:
        return _page(spec, data, doc_lang=doc_lang, file_error=t(err.key, **err.params))
    data[spec.rows_field] = uploaded.rows
    errors = rendering.validate(spec.id, data, lang=t.lang, registry=_registry())
    located = []
    for error in errors:
        location = _file_location(error["path"], spec.rows_field, uploaded, rows_spec, t)
        located.append({**error, "where": location} if location else error)
    notice = t("upload_loaded", count=len(uploaded.rows))
    return _page(spec, data, located, doc_lang=doc_lang, notice=notice, valid=not errors)


def _file_location(path: str, rows_field: str, uploaded, rows_spec, t) -> str | None:
    """ "Line 18 of the file, column «Туған күні»" for an error inside an uploaded row."""
    head = f"{rows_field}["
    if not path.startswith(head):
        return None
    number, _, rest = path[len(head) :].partition("]")
    row = int(number)
    key = rest.lstrip(".")
    header = uploaded.headers.get(key) or uploaded.headers.get(key.rsplit(".", 1)[0])
    if header is None:
        col = next((c for c in columns(rows_spec.children) if c.key == key), None)
        header = col.titles[t.lang] if col else key
    return t("upload_row_location", line=uploaded.lines[row], column=header)


def _page(
    spec,
    data: dict,
    errors: list[dict] | None = None,
    *,
    fresh: bool = False,
    doc_lang: str | None = None,
    notice: str | None = None,
    valid: bool = False,
    file_error: str | None = None,
    supersedes: str | None = None,
):
    t = _t()
    errors = errors or []
    if supersedes is None and request.method == "POST":
        supersedes = request.form.get("_supersedes") or None  # an amend goes on through checks and row actions
    nodes = Builder(t, errors_by_path(errors), spec.rows_field).nodes(spec.fields, data)
    items = summary(errors[:MAX_ERRORS], spec.fields, t)  # the page lists the first ones, as the API does
    for item, error in zip(items, errors):
        if error.get("where"):
            item["field"] = error["where"]
    if file_error:
        items.insert(0, {"href": "#rows-file", "field": t("upload_file"), "message": file_error})
    rows_spec = spec.field(spec.rows_field) if spec.rows_field else None
    html = render_template(
        "web/form.html",
        spec=spec,
        nodes=nodes,
        errors=items,
        fresh=fresh,
        valid=valid,
        notice=notice,
        doc_lang=doc_lang or "kk",
        rows_spec=rows_spec,
        file_error=file_error,
        js_strings=_js_strings(t),
        account=accounts.current(),
        supersedes=supersedes,
        public_url_missing=_public_url_missing(),
        server_draft=_server_draft(spec.id) if fresh and not supersedes else None,
    )
    return html, (422 if items else 200)


def _public_url_missing() -> str | None:
    """The address the QR codes would print, while NYSAN_PUBLIC_URL is unset and documents can be issued."""
    if accounts.current() is None or current_app.config.get("PUBLIC_URL"):
        return None
    return request.host_url.rstrip("/")


JS_KEYS = (
    "row_added",
    "row_removed",
    "row_moved",
    "rows_count",
    "rows_cap",
    "draft_saved",
    "draft_restored",
    "draft_cleared",
    "draft_unavailable",
    "draft_saved_server",
    "draft_restored_server",
    "draft_offline",
)


def _server_draft(form_id: str) -> dict | None:
    return drafts.for_form(form_id)


def _js_strings(t) -> dict:
    return {key: t(key) for key in JS_KEYS}


def _preview(spec, data: dict, document: str, doc_lang: str):
    # The document's own fonts, so that the preview looks like the PDF.
    document = document.replace(
        "<head>",
        '<head>\n<link rel="stylesheet" href="/assets/document/fonts.css">'
        '\n<link rel="stylesheet" href="/assets/web/preview.css">',
        1,
    )
    # Initials stay with the surname in the page's line breaks: the filled names only, longest first.
    for name, kept in sorted(initials_in(spec.fields, data).items(), key=lambda item: -len(item[0])):
        document = document.replace(escape_html(name, quote=False), escape_html(kept, quote=False))
    payload = json.dumps(data, ensure_ascii=False)
    wide = re.search(r"<body[^>]*\bclass=\"[^\"]*\bwide\b", document) is not None  # a landscape sheet
    response = Response(
        render_template(
            "web/preview.html",
            spec=spec,
            document=document,
            payload=payload,
            wide=wide,
            doc_lang=doc_lang,
            supersedes=request.form.get("_supersedes") or None,
        )
    )
    # The document carries its own <style>: allowed on this page only (no script may run).
    response.headers["Content-Security-Policy"] = csp(style_inline=True)
    return response


def _download(spec, content: bytes, fmt: str, doc_lang: str):
    return Response(
        content,
        mimetype=forms.MEDIA_TYPES[fmt].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{rendering.filename(spec, doc_lang, fmt)}"'},
    )


def rows_template(form_id: str, fmt: str):
    spec = _offered(form_id)
    rows_spec = spec.field(spec.rows_field) if spec.rows_field else None
    if rows_spec is None or fmt not in ("csv", "xlsx"):
        abort(404)
    headers = template_headers(rows_spec.children, i18n.current())
    filename = f"{spec.id}-{spec.rows_field}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerow(headers)  # ";": what Excel in kk/ru locales opens as columns
        content, mimetype = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv"
    else:
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(headers)
        out = io.BytesIO()
        book.save(out)
        content, mimetype = out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csp(style_inline: bool = False) -> str:
    style = "'self' 'unsafe-inline'" if style_inline else "'self'"
    return (
        "default-src 'self'; script-src 'self'; style-src " + style + "; img-src 'self' data:; "
        "font-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'"
    )
