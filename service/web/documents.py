"""The organisation's documents on the web: issue from the form, find, open, download, and (a
supervisor) revoke or amend. Every page acts for the signed-in clerk's organisation: another
organisation's document answers 404, as one that does not exist. Opening a document, its file or
its data is an event in the register's audit trail.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for

import forms
from recordkeeping import (
    STATUSES,
    DataKeyInvalid,
    DataKeyMissing,
    DocumentNotFound,
    DocumentNotIssued,
    DocumentPurged,
    RegisterUnavailable,
    SchemaBehind,
)

from ..records import MAX_REASON, RETRY_SECONDS, current_register, document_filename, verify_base
from . import accounts, i18n
from .catalogue import in_force
from .display import form_labels, person_name

PAGE_SIZE = 25
# "Register and download": the document's page, once, starts the download of the file just issued.
DOWNLOAD_ONCE = "nysan_download"


def _t() -> i18n.Translator:
    return i18n.Translator(i18n.current())


def _error(title: str, text: str, status: int):
    t = _t()
    return render_template("web/error.html", title=t(title), text=t(text)), status


def issue(spec, data: dict, doc_lang: str, supersedes: str | None):
    """The form's "issue" button: numbered, stored, the draft removed; then the document's page.
    Raises forms.ValidationFailed for the form to show the errors."""
    reg, who, base = current_register(), accounts.actor(), verify_base()
    if supersedes:
        doc = reg.supersede(who, supersedes, data, doc_lang, "pdf", base)  # renders through the gate
    else:
        doc, _ = reg.issue(who, spec.id, data, doc_lang, "pdf", verify_base=base)
    accounts.drafts().remove(accounts.current().id, spec.id)
    session[DOWNLOAD_ONCE] = doc["id"]
    return redirect(url_for("web.document", doc_id=doc["id"], issued=1), 303)


def _day(name: str) -> dt.date | None:
    value = (request.args.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def documents():
    form = request.args.get("form") or None
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    number = (request.args.get("number") or "").strip() or None
    issued_from, issued_to = _day("from"), _day("to")
    try:
        docs, following = current_register().list(
            accounts.actor(),
            form,
            status,
            number,
            issued_from,
            issued_to,
            PAGE_SIZE,
            request.args.get("cursor") or None,
        )
    except (ValueError, UnicodeDecodeError):
        abort(400)
    titles = form_labels([spec for spec, _ in in_force(current_register().registry)], i18n.current())
    people = _people(docs)
    filters = {
        "form": form or "",
        "status": status or "",
        "number": number or "",
        "from": request.args.get("from", ""),
        "to": request.args.get("to", ""),
    }
    next_url = (
        url_for("web.documents", **{k: v for k, v in filters.items() if v}, cursor=following) if following else None
    )
    return render_template(
        "web/documents.html",
        docs=docs,
        titles=titles,
        filters=filters,
        statuses=STATUSES,
        next_url=next_url,
        people=people,
    )


def _people(docs: list[dict]) -> dict[str, str]:
    """Whose each listed document is: the name in its spec's ``person`` field, from its sealed data
    (opened here, for this page's rows only; each one read is a ``list`` event in the audit trail).
    Forms that name no person (journals) are not opened."""
    specs = {}
    for doc in docs:
        try:
            spec = current_register().registry.form(doc["form"]).version(doc["version"])
        except Exception:  # noqa: BLE001 - a form since removed from the catalogue: no name
            continue
        if spec.person:
            specs[doc["id"]] = spec
    data = current_register().list_data(accounts.actor(), list(specs))
    return {doc_id: person_name(specs[doc_id], value) for doc_id, value in data.items()}


def document(doc_id: str):
    doc = current_register().view(accounts.actor(), doc_id)
    # Taken from the session on the first showing only: a reload or the back button downloads nothing.
    download = session.pop(DOWNLOAD_ONCE, None) == doc_id and not doc["purged_at"]
    return render_template(
        "web/document.html",
        doc=doc,
        title=_title(doc),
        issued=request.args.get("issued"),
        account=accounts.current(),
        max_reason=MAX_REASON,
        reason_error=None,
        download_now=download,
    )


def _title(doc: dict) -> dict:
    try:
        return current_register().registry.form(doc["form"]).version(doc["version"]).title
    except Exception:  # noqa: BLE001 - a form since removed from the catalogue: its id
        return {"kk": doc["form"]}


def document_file(doc_id: str):
    content, doc = current_register().file(accounts.actor(), doc_id)
    name = document_filename(doc)
    return Response(
        content,
        mimetype=forms.MEDIA_TYPES[doc["format"]].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def revoke(doc_id: str):
    accounts.require_supervisor()
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > MAX_REASON:
        doc = current_register().view(accounts.actor(), doc_id)
        return render_template(
            "web/document.html",
            doc=doc,
            title=_title(doc),
            issued=None,
            account=accounts.current(),
            max_reason=MAX_REASON,
            reason_error=_t()("revoke_reason_required"),
        ), 422
    if request.form.get("confirm") != "1":
        # A revocation cannot be undone: a page of its own asks first (no script needed).
        doc = current_register().view(accounts.actor(), doc_id)
        if doc["status"] != "issued":
            raise DocumentNotIssued(status=doc["status"])
        return render_template("web/revoke_confirm.html", doc=doc, title=_title(doc), reason=reason)
    current_register().revoke(accounts.actor(), doc_id, reason)
    return redirect(url_for("web.document", doc_id=doc_id), 303)


def amended(doc_id: str) -> tuple[dict, dict]:
    """(the document, its stored data) for a supervisor's amend (reading the data is audited)."""
    accounts.require_supervisor()
    data, doc = current_register().data(accounts.actor(), doc_id)
    if doc["status"] != "issued":
        raise DocumentNotIssued(status=doc["status"])
    return doc, data


def install_routes(bp) -> None:
    bp.add_url_rule("/documents", "documents", documents)
    bp.add_url_rule("/documents/<doc_id>", "document", document)
    bp.add_url_rule("/documents/<doc_id>/file", "document_file", document_file)
    bp.add_url_rule("/documents/<doc_id>/revoke", "revoke", revoke, methods=["POST"])

    @bp.errorhandler(DocumentNotFound)
    def not_found(err):
        return _error("document_not_found_title", "document_not_found_title", 404)

    @bp.errorhandler(DocumentPurged)
    def purged(err):
        return _error("document_not_found_title", "purged_text", 410)

    @bp.errorhandler(DocumentNotIssued)
    def not_issued(err):
        return _error("forbidden_title", "not_issued_text", 409)

    @bp.errorhandler(RegisterUnavailable)
    @bp.errorhandler(SchemaBehind)
    @bp.errorhandler(DataKeyMissing)
    @bp.errorhandler(DataKeyInvalid)
    def database_down(err):
        # the cause's type only: a driver's message may quote the data
        current_app.logger.warning("register unavailable: %s", type(err.__cause__ or err).__name__)
        page, status = _error("failed_title", "unavailable_text", 503)
        return page, status, {"Retry-After": str(RETRY_SECONDS)}
